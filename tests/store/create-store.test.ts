import { Writable } from 'node:stream';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { createStore } from '../../src/store/create-store.ts';
import type { Store } from '../../src/store/store.ts';
import { deletePrefix, uniquePrefix } from '../support/redis.ts';

function capture(): { lines: Array<{ level: number; msg: string }>; logger: ReturnType<typeof createLogger> } {
  const lines: Array<{ level: number; msg: string }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
      done();
    },
  });
  return { lines, logger: createLogger('info', sink) };
}

describe('createStore', () => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
  });

  describe('when no REDIS_URL is configured', () => {
    it('runs on memory and warns that state is lost on restart', async () => {
      const { lines, logger } = capture();
      store = createStore({ REDIS_URL: undefined, REDIS_PREFIX: 'hotline' }, logger);
      expect(store.kind).toBe('memory');
      await new Promise((resolve) => setImmediate(resolve));
      expect(lines).toContainEqual(expect.objectContaining({ level: 40, msg: 'embedded mode: in-memory store, state is lost on restart' }));
    });
  });

  describe('when REDIS_URL is configured', () => {
    it('runs on Redis under REDIS_PREFIX', async () => {
      const prefix = uniquePrefix('create');
      store = createStore({ REDIS_URL: inject('redisUrl'), REDIS_PREFIX: prefix }, createLogger('silent'));
      expect(store.kind).toBe('redis');
      await store.commit([], [{ op: 'put', key: 'k', value: 1 }]);
      expect(await deletePrefix(inject('redisUrl'), prefix)).toBe(1);
    });
  });
});
