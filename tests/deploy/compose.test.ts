import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

function compose(...args: string[]): string {
  try {
    return execFileSync('docker-compose', args, { cwd: path.resolve(import.meta.dirname, '../..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('docker-compose is not installed: run `bash scripts/install-system-deps.sh`');
    throw error;
  }
}

describe('docker-compose.yml', () => {
  it('is accepted by docker-compose config, with Redis persisting through AOF', () => {
    const output = compose('config');
    expect(output).toContain('hotline:');
    expect(output).toMatch(/appendonly/);
  });
});
