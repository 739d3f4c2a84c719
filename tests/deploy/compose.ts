/**
 * `docker-compose config` of this repository, as data: the YAML it prints (interpolated,
 * normalised) is turned into JSON by Python's yaml module, which docker-compose itself depends on.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '../..');

export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  network_mode?: string;
  environment?: Record<string, string>;
  volumes?: Array<string | { type: string; source: string; target: string; read_only?: boolean }>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] | string };
  ports?: unknown[];
  restart?: string;
}

export interface Compose {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** Runs docker-compose with `args` in the repository; `env` is added to the process environment. */
export function compose(args: string[], env: Record<string, string> = {}): string {
  try {
    return execFileSync('docker-compose', args, {
      cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('docker-compose is not installed: run `bash scripts/install-system-deps.sh`');
    throw error;
  }
}

const cache = new Map<string, Compose>();

/** The interpolated configuration as data (one docker-compose run per distinct `env`). */
export function composeConfig(env: Record<string, string> = {}): Compose {
  const key = JSON.stringify(env);
  const cached = cache.get(key);
  if (cached) return cached;
  const yaml = compose(['config'], env);
  const json = execFileSync('python3', ['-c', 'import sys, json, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'], {
    input: yaml, encoding: 'utf8',
  });
  const parsed = JSON.parse(json) as Compose;
  cache.set(key, parsed);
  return parsed;
}
