import { afterEach, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { createRedisStore } from '../../src/store/redis-store.ts';
import type { Store } from '../../src/store/store.ts';
import { freePort } from '../support/redis-global-setup.ts';
import { deletePrefix, listKeys, shiftTtls, uniquePrefix } from '../support/redis.ts';
import { rejection } from './contract-documents.ts';
import { storeContract } from './store-contract.ts';

const url = inject('redisUrl');
const logger = createLogger('silent');

storeContract('redis store', async () => {
  const prefix = uniquePrefix('store');
  const opened: Store[] = [];
  return {
    open() {
      const store = createRedisStore({ url, prefix, logger });
      opened.push(store);
      return store;
    },
    advance: (ms) => shiftTtls(url, prefix, ms),
    async dispose() {
      await Promise.all(opened.map((store) => store.close()));
      await deletePrefix(url, prefix);
    },
  };
});

describe('redis store', () => {
  const opened: Store[] = [];
  const open = (prefix: string, target = url): Store => {
    const store = createRedisStore({ url: target, prefix, logger, timeoutMs: 500 });
    opened.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  describe('when the server restarts (the client is closed and reopened)', () => {
    it('finds its documents, versions, streams and leases again', async () => {
      const prefix = uniquePrefix('restart');
      const before = open(prefix);
      await before.commit([], [{ op: 'put', key: 'ticket:1', value: { state: 'open' } }, { op: 'xadd', key: 'events', fields: { t: 'created' } }]);
      expect(await before.acquireLease('scheduler', 'instance-a', 60_000)).toBe(true);
      await before.close();
      const after = open(prefix);
      expect(await after.get('ticket:1')).toEqual({ value: { state: 'open' }, version: 1 });
      expect((await after.xrange('events', '0', 10)).map((e) => e.fields.t)).toEqual(['created']);
      expect(await after.acquireLease('scheduler', 'instance-b', 60_000)).toBe(false);
      await deletePrefix(url, prefix);
    });
  });

  describe('when keys are written', () => {
    it('puts every key under one hash-tagged prefix, so a cluster keeps them in one slot', async () => {
      const prefix = uniquePrefix('layout');
      const store = open(prefix);
      await store.commit([], [
        { op: 'put', key: 'ticket:20261123-000001', value: 1 },
        { op: 'zadd', key: 'queue:12345', member: 'c1', score: 1 },
      ]);
      await store.acquireLease('acd', 'a', 60_000);
      expect((await listKeys(url, prefix)).sort()).toEqual([
        `{${prefix}}:_lease:acd`, `{${prefix}}:queue:12345`, `{${prefix}}:ticket:20261123-000001`,
      ]);
      expect(await deletePrefix(url, prefix)).toBe(3);
    });

    it('never sees another deployment\'s keys or messages', async () => {
      const [a, b] = [open(uniquePrefix('a')), open(uniquePrefix('b'))];
      await a.commit([], [{ op: 'put', key: 'shared-name', value: 'a' }]);
      expect(await b.get('shared-name')).toBeNull();
      const heard: string[] = [];
      const wait = (): { hear: () => void; heard: Promise<void> } => {
        let hear: () => void = () => {};
        return { heard: new Promise<void>((resolve) => (hear = resolve)), hear: () => hear() };
      };
      const [aHeard, bHeard] = [wait(), wait()];
      await a.subscribe('news', (m) => (heard.push(`a:${m}`), aHeard.hear()));
      await b.subscribe('news', (m) => (heard.push(`b:${m}`), bHeard.hear()));
      await a.publish('news', 'hello');
      await aHeard.heard;
      // Redis delivers in publish order: had b heard a's channel, 'hello' would come before 'marker'
      await b.publish('news', 'marker');
      await bHeard.heard;
      expect(heard).toEqual(['a:hello', 'b:marker']);
    });
  });

  describe('when nothing listens at the Redis address', () => {
    it('rejects ping with STORE_UNAVAILABLE instead of hanging, and reports down', async () => {
      const port = await freePort();
      const store = open(uniquePrefix('down'), `redis://127.0.0.1:${port}`);
      expect(await rejection(store.ping())).toBe('STORE_UNAVAILABLE');
      expect(store.health().up).toBe(false);
      // once the outage is older than the timeout, calls fail at once
      expect(await rejection(store.commit([], [{ op: 'put', key: 'k', value: 1 }]))).toBe('STORE_UNAVAILABLE');
    });
  });
});
