/** Store contract: documents, versions, atomic commit, races, expiry and key validation. */
import { describe, expect, it } from 'vitest';
import { isHotlineError } from '../../src/errors.ts';
import type { Store } from '../../src/store/store.ts';
import type { ContractContext } from './store-contract.ts';

/** Resolves with the coded error `promise` rejects with (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return isHotlineError(error) ? error.code : `not a HotlineError: ${String(error)}`;
  }
  return 'resolved';
}

async function put(store: Store, key: string, value: unknown, ttlMs?: number): Promise<void> {
  const result = await store.commit([], [{ op: 'put', key, value, ...(ttlMs === undefined ? {} : { ttlMs }) }]);
  expect(result.ok).toBe(true);
}

/** Reads, adds one, commits with the version read; retries when another writer won. */
async function increment(store: Store, key: string, wins: number[]): Promise<void> {
  for (;;) {
    const doc = await store.get<{ n: number }>(key);
    const version = doc?.version ?? 0;
    const result = await store.commit(
      [{ key, version }],
      [{ op: 'put', key, value: { n: (doc?.value.n ?? 0) + 1 } }, { op: 'xadd', key: `${key}:log`, fields: { from: String(version) } }],
    );
    if (result.ok) return void wins.push(version);
  }
}

export function documentCases(ctx: ContractContext): void {
  describe('when a document is put and read', () => {
    it('reads back the value with version 1, counting up by one on every put', async () => {
      await put(ctx.store, 'ticket:1', { title: '噪音投诉', tags: ['noise'] });
      expect(await ctx.store.get('ticket:1')).toEqual({ value: { title: '噪音投诉', tags: ['noise'] }, version: 1 });
      await put(ctx.store, 'ticket:1', { title: 'changed' });
      expect(await ctx.store.get('ticket:1')).toEqual({ value: { title: 'changed' }, version: 2 });
    });

    it('answers null for a key never written and reads many in the order asked', async () => {
      await put(ctx.store, 'a', 1);
      await put(ctx.store, 'c', [3]);
      expect(await ctx.store.get('b')).toBeNull();
      expect(await ctx.store.getMany(['c', 'b', 'a'])).toEqual([{ value: [3], version: 1 }, null, { value: 1, version: 1 }]);
      expect(await ctx.store.getMany([])).toEqual([]);
    });

    it('stores a copy, so changing the object afterwards changes nothing stored', async () => {
      const value = { agents: ['1001'] };
      await put(ctx.store, 'queue:q', value);
      value.agents.push('1002');
      expect((await ctx.store.get('queue:q'))?.value).toEqual({ agents: ['1001'] });
    });

    it('forgets a deleted document, whose version starts again at 1', async () => {
      await put(ctx.store, 'doc', 'x');
      await put(ctx.store, 'doc', 'y');
      expect((await ctx.store.commit([{ key: 'doc', version: 2 }], [{ op: 'del', key: 'doc' }])).ok).toBe(true);
      expect(await ctx.store.get('doc')).toBeNull();
      await put(ctx.store, 'doc', 'z');
      expect(await ctx.store.get('doc')).toEqual({ value: 'z', version: 1 });
    });
  });

  describe('when a commit checks versions', () => {
    it('applies every op when every check holds, and returns the stream ids in order', async () => {
      await put(ctx.store, 'agent:1001', { state: 'ready' });
      const result = await ctx.store.commit(
        [{ key: 'agent:1001', version: 1 }, { key: 'call:c1', version: 0 }],
        [
          { op: 'put', key: 'agent:1001', value: { state: 'reserved' } },
          { op: 'put', key: 'call:c1', value: { agent: '1001' } },
          { op: 'zrem', key: 'ready', member: '1001' },
          { op: 'xadd', key: 'events', fields: { type: 'reserved' } },
          { op: 'xadd', key: 'events', fields: { type: 'offered' } },
        ],
      );
      if (!result.ok) throw new Error('commit failed');
      const entries = await ctx.store.xrange('events', '0', 10);
      expect(entries.map((e) => e.id)).toEqual(result.streamIds);
      expect(entries.map((e) => e.fields.type)).toEqual(['reserved', 'offered']);
      expect(await ctx.store.getMany(['agent:1001', 'call:c1'])).toEqual([
        { value: { state: 'reserved' }, version: 2 },
        { value: { agent: '1001' }, version: 1 },
      ]);
    });

    it('changes nothing, and appends no stream entry, when one check fails', async () => {
      await put(ctx.store, 'a', 'a1');
      await put(ctx.store, 'b', 'b1');
      const result = await ctx.store.commit(
        [{ key: 'a', version: 1 }, { key: 'b', version: 7 }],
        [
          { op: 'put', key: 'a', value: 'a2' },
          { op: 'zadd', key: 'z', member: 'm', score: 1 },
          { op: 'sadd', key: 's', member: 'm' },
          { op: 'xadd', key: 'log', fields: { x: '1' } },
        ],
      );
      expect(result).toEqual({ ok: false });
      expect(await ctx.store.get('a')).toEqual({ value: 'a1', version: 1 });
      expect(await ctx.store.zcard('z')).toBe(0);
      expect(await ctx.store.smembers('s')).toEqual([]);
      expect(await ctx.store.xrange('log', '0', 10)).toEqual([]);
    });

    it('treats version 0 as "must not exist yet"', async () => {
      const first = await ctx.store.commit([{ key: 'seat:1', version: 0 }], [{ op: 'put', key: 'seat:1', value: 'A' }]);
      const second = await ctx.store.commit([{ key: 'seat:1', version: 0 }], [{ op: 'put', key: 'seat:1', value: 'B' }]);
      expect([first.ok, second.ok]).toEqual([true, false]);
      expect((await ctx.store.get('seat:1'))?.value).toBe('A');
    });

    it('refuses an op on a key of another type with STORE_BAD_KEY and writes none of the ops', async () => {
      await ctx.store.commit([], [{ op: 'zadd', key: 'zset', member: 'm', score: 1 }]);
      const code = await rejection(
        ctx.store.commit([], [{ op: 'put', key: 'fresh', value: 1 }, { op: 'xadd', key: 'log', fields: { a: 'b' } }, { op: 'sadd', key: 'zset', member: 'x' }]),
      );
      expect(code).toBe('STORE_BAD_KEY');
      expect(await ctx.store.get('fresh')).toBeNull();
      expect(await ctx.store.xrange('log', '0', 10)).toEqual([]);
      expect(await rejection(ctx.store.get('zset'))).toBe('STORE_BAD_KEY');
      expect(await rejection(ctx.store.incr('zset'))).toBe('STORE_BAD_KEY');
    });

    it('rejects malformed keys and values with STORE_BAD_KEY', async () => {
      for (const key of ['', 'has space', 'new\nline', 'x'.repeat(513), '_lease:mine']) {
        expect(await rejection(ctx.store.get(key))).toBe('STORE_BAD_KEY');
      }
      expect(await rejection(ctx.store.commit([], [{ op: 'put', key: 'k', value: undefined }]))).toBe('STORE_BAD_KEY');
      expect(await rejection(ctx.store.commit([], [{ op: 'zadd', key: 'z', member: 'm', score: Number.NaN }]))).toBe('STORE_BAD_KEY');
      expect(await rejection(ctx.store.commit([], [{ op: 'put', key: 'k', value: 1 }, { op: 'xadd', key: 'l', fields: {} }]))).toBe('STORE_BAD_KEY');
      expect(await ctx.store.get('k')).toBeNull();
    });
  });

  describe('when 50 commits race on one key from two instances', () => {
    it('lets exactly one commit win per version', async () => {
      await put(ctx.store, 'race', { winner: -1 });
      const other = ctx.harness.open();
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          (i % 2 ? other : ctx.store).commit([{ key: 'race', version: 1 }], [{ op: 'put', key: 'race', value: { winner: i } }, { op: 'xadd', key: 'race:log', fields: { i: String(i) } }]),
        ),
      );
      const winners = results.flatMap((r, i) => (r.ok ? [i] : []));
      expect(winners).toHaveLength(1);
      expect(await ctx.store.get('race')).toEqual({ value: { winner: winners[0] }, version: 2 });
      expect((await ctx.store.xrange('race:log', '0', 100)).map((e) => e.fields.i)).toEqual([String(winners[0])]);
    });

    it('counts every increment exactly once when losers re-read and retry', async () => {
      const other = ctx.harness.open();
      const wins: number[] = [];
      await Promise.all(Array.from({ length: 50 }, (_, i) => increment(i % 2 ? other : ctx.store, 'counter-doc', wins)));
      expect(await ctx.store.get('counter-doc')).toEqual({ value: { n: 50 }, version: 50 });
      expect([...wins].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, v) => v));
      expect(await ctx.store.xrange('counter-doc:log', '0', 100)).toHaveLength(50);
    });
  });

  describe('when documents and counters have a time to live', () => {
    it('keeps a document until its TTL has passed, then forgets it', async () => {
      await put(ctx.store, 'otp', '1234', 60_000);
      await ctx.harness.advance(30_000);
      expect((await ctx.store.get('otp'))?.value).toBe('1234');
      await ctx.harness.advance(30_000);
      expect(await ctx.store.get('otp')).toBeNull();
    });

    it('clears the expiry when a document is put again without a TTL', async () => {
      await put(ctx.store, 'keep', 1, 60_000);
      await put(ctx.store, 'keep', 2);
      await ctx.harness.advance(120_000);
      expect(await ctx.store.get('keep')).toEqual({ value: 2, version: 2 });
    });

    it('counts up from 1 and expires a counter a fixed window after its first increment', async () => {
      expect(await ctx.store.incr('calls:today', 60_000)).toBe(1);
      await ctx.harness.advance(40_000);
      expect(await ctx.store.incr('calls:today', 60_000)).toBe(2);
      await ctx.harness.advance(20_000);
      expect(await ctx.store.incr('calls:today', 60_000)).toBe(1);
      expect(await ctx.store.incr('plain')).toBe(1);
      expect(await ctx.store.incr('plain')).toBe(2);
    });
  });
}
