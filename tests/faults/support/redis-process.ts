/**
 * A redis-server of a fault test's own (the test run's shared one must not be restarted): on a
 * free loopback port, persisting with AOF into a temporary directory like the production compose
 * file (`--appendonly yes --appendfsync everysec`), stopped and started again on the same port and
 * directory by the test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../support/redis-global-setup.ts';

export interface RedisProcess {
  readonly url: string;
  /** Stops it: SIGTERM (a restart: Redis flushes the AOF) or SIGKILL (a crash). */
  stop(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts it again on the same port and directory (it loads the AOF). */
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  dispose(): Promise<void>;
}

export async function startRedisProcess(): Promise<RedisProcess> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hotline-faults-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    const next = spawn('redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = next;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      next.once('error', reject);
      next.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) resolve();
      });
      next.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
    });
  }

  async function stop(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill(signal);
    await exited;
  }

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    stop,
    start,
    async dispose() {
      await stop('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
