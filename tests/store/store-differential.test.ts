/**
 * Differential property test: random commits applied to the memory store and to Redis give the
 * same outcomes (ok / conflict / error code) and leave the same data behind.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isHotlineError } from '../../src/errors.ts';
import { createLogger } from '../../src/log.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { createRedisStore } from '../../src/store/redis-store.ts';
import type { Check, Op, Store } from '../../src/store/store.ts';
import { deletePrefix, uniquePrefix } from '../support/redis.ts';

const keys = ['k1', 'k2', 'k3'];
const key = fc.constantFrom(...keys);
const member = fc.constantFrom('a', 'b', 'c', '话');
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('put' as const), key, value: fc.jsonValue() }),
  fc.record({ op: fc.constant('del' as const), key }),
  fc.record({ op: fc.constant('zadd' as const), key, member, score: fc.integer({ min: -5, max: 5 }) }),
  fc.record({ op: fc.constant('zrem' as const), key, member }),
  fc.record({ op: fc.constant('sadd' as const), key, member }),
  fc.record({ op: fc.constant('srem' as const), key, member }),
  fc.record({ op: fc.constant('xadd' as const), key, fields: fc.dictionary(fc.constantFrom('f', 'g'), fc.string(), { minKeys: 1 }) }),
);
const check: fc.Arbitrary<Check> = fc.record({ key, version: fc.integer({ min: 0, max: 3 }) });
const commit = fc.record({ checks: fc.array(check, { maxLength: 2 }), ops: fc.array(op, { minLength: 1, maxLength: 4 }) });

async function outcome(store: Store, c: { checks: Check[]; ops: Op[] }): Promise<string> {
  try {
    const result = await store.commit(c.checks, c.ops);
    return result.ok ? `ok:${result.streamIds.length}` : 'conflict';
  } catch (error) {
    return isHotlineError(error) ? error.code : 'unexpected';
  }
}

/** What a reader can see of one key, whatever it holds (stream ids left out: clocks differ). */
async function snapshot(store: Store, k: string): Promise<unknown> {
  const attempt = async <T>(read: () => Promise<T>): Promise<T | string> => read().catch((e: unknown) => (isHotlineError(e) ? e.code : 'unexpected'));
  return {
    doc: await attempt(() => store.get(k)),
    zset: await attempt(() => store.zrangeByScore(k, -Infinity, Infinity)),
    set: await attempt(async () => (await store.smembers(k)).sort()),
    stream: await attempt(async () => (await store.xrange(k, '0', 100)).map((e) => e.fields)),
  };
}

describe('memory and redis stores', () => {
  const url = inject('redisUrl');
  const prefixes: string[] = [];
  let redis: Store[] = [];
  beforeAll(() => {
    redis = [];
  });
  afterAll(async () => {
    await Promise.all(redis.map((s) => s.close()));
    for (const prefix of prefixes) await deletePrefix(url, prefix);
  });

  describe('when given the same random commits', () => {
    it('agree on every outcome and on the data left behind', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(commit, { minLength: 1, maxLength: 8 }), async (commits) => {
          const prefix = uniquePrefix('diff');
          prefixes.push(prefix);
          const onRedis = createRedisStore({ url, prefix, logger: createLogger('silent') });
          redis.push(onRedis);
          const inMemory = createMemoryStore();
          for (const c of commits) expect(await outcome(onRedis, c)).toBe(await outcome(inMemory, c));
          for (const k of keys) expect(await snapshot(onRedis, k)).toEqual(await snapshot(inMemory, k));
          await onRedis.close();
          await inMemory.close();
        }),
        { numRuns: 150 },
      );
    });
  });
});
