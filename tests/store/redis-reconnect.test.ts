import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { createRedisStore } from '../../src/store/redis-store.ts';
import type { Store } from '../../src/store/store.ts';
import { freePort } from '../support/redis-global-setup.ts';
import { uniquePrefix } from '../support/redis.ts';
import { rejection } from './contract-documents.ts';

/** A private redis-server this file may stop and start again (the shared one must stay up). */
async function startRedis(port: number): Promise<ChildProcess> {
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let output = '';
  server.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  while (!output.includes('Ready to accept connections')) await once(server.stdout!, 'data');
  return server;
}

async function stopRedis(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = once(server, 'exit');
  server.kill('SIGKILL');
  await exited;
}

/** Pings until the store answers (a failed ping fails fast during an outage, so pause between tries). */
async function untilUp(store: Store): Promise<void> {
  for (;;) {
    try {
      return await store.ping();
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe('redis store connection', () => {
  const servers: ChildProcess[] = [];
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    await Promise.all(servers.splice(0).map(stopRedis));
  });

  describe('when Redis goes away and comes back', () => {
    it('fails calls with STORE_UNAVAILABLE meanwhile, then reconnects by itself', async () => {
      const port = await freePort();
      servers.push(await startRedis(port));
      store = createRedisStore({ url: `redis://127.0.0.1:${port}`, prefix: uniquePrefix('reconnect'), logger: createLogger('silent'), timeoutMs: 300 });
      await store.commit([], [{ op: 'put', key: 'k', value: 1 }]);
      expect(store.health().up).toBe(true);

      await stopRedis(servers.pop()!);
      expect(await rejection(store.get('k'))).toBe('STORE_UNAVAILABLE');
      expect(await rejection(store.ping())).toBe('STORE_UNAVAILABLE');
      expect(store.health().up).toBe(false);

      servers.push(await startRedis(port));
      await untilUp(store);
      expect(store.health().up).toBe(true);
      // the new server is empty (no persistence here), and the store works on it
      expect(await store.get('k')).toBeNull();
      expect((await store.commit([{ key: 'k', version: 0 }], [{ op: 'put', key: 'k', value: 2 }])).ok).toBe(true);
    });

    it('resubscribes, so messages published after the reconnect arrive', async () => {
      const port = await freePort();
      servers.push(await startRedis(port));
      store = createRedisStore({ url: `redis://127.0.0.1:${port}`, prefix: uniquePrefix('resub'), logger: createLogger('silent'), timeoutMs: 300 });
      const heard: string[] = [];
      let wake: () => void = () => {};
      await store.subscribe('agents', (m) => {
        heard.push(m);
        wake();
      });
      await stopRedis(servers.pop()!);
      servers.push(await startRedis(port));
      await untilUp(store);
      // publish until the resubscription has happened; stop at the first message heard
      while (heard.length === 0) {
        const arrived = new Promise<void>((resolve) => (wake = resolve));
        await store.publish('agents', 'back');
        await Promise.race([arrived, store.ping()]);
      }
      expect(heard[0]).toBe('back');
    });
  });
});
