/**
 * The hotline server as a process of its own (`node --import tsx src/main.ts`, as `npm start` runs
 * it), so a fault test can kill it for real (SIGKILL: no close handler, no drain, no last write).
 * Node runs main.ts directly, not through the tsx CLI, whose wrapper would survive a kill of itself
 * and leave the real server running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { until } from '../../support/sim-events.ts';

const root = path.resolve(import.meta.dirname, '../../..');

export interface ServerProcess {
  /** The server's HTTP base URL (from its start banner). */
  readonly url: string;
  readonly pid: number;
  /** The last lines the process wrote (for failure messages). */
  output(): string;
  /** Resolves when GET /ready answers 200: ARI connected, store up. */
  ready(timeoutMs?: number): Promise<void>;
  /** kill -9; resolves once the process is gone. */
  kill(): Promise<void>;
}

/** Starts `src/main.ts` with `env` (on top of PATH/HOME); resolves once it printed its URL. */
export async function startServerProcess(env: Record<string, string>, timeoutMs = 60_000): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => void (tail = (tail + chunk.toString()).slice(-8_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // never outlive the test run, even when it is interrupted
  const orphanGuard = () => child.kill('SIGKILL');
  process.once('exit', orphanGuard);
  void exited.then(() => process.off('exit', orphanGuard));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start in time:\n${tail}`)), timeoutMs);
    const look = () => {
      const found = /Hotline is running: (http:\/\/\S+)/.exec(tail);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]!);
      }
    };
    child.stdout!.on('data', look);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code} while starting:\n${tail}`));
    });
  });

  return {
    url,
    pid: child.pid!,
    output: () => tail,
    async ready(wait = 60_000) {
      await until(async () => (await fetch(`${url}/ready`).catch(() => undefined))?.status === 200, `the server at ${url} is ready`, wait);
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
