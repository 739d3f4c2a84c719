/** Store contract: sorted sets, sets and streams. */
import { describe, expect, it } from 'vitest';
import { compareStreamIds } from '../../src/store/store.ts';
import { rejection } from './contract-documents.ts';
import type { ContractContext } from './store-contract.ts';

export function structureCases(ctx: ContractContext): void {
  describe('when sorted sets hold a queue', () => {
    it('ranges by score, lowest first, ties by member, with offset, count and reverse', async () => {
      await ctx.store.commit([], [
        { op: 'zadd', key: 'q', member: 'c', score: 30 },
        { op: 'zadd', key: 'q', member: 'b', score: 10 },
        { op: 'zadd', key: 'q', member: 'a', score: 10 },
        { op: 'zadd', key: 'q', member: 'd', score: -5.5 },
      ]);
      const members = async (...args: Parameters<typeof ctx.store.zrangeByScore>): Promise<string[]> =>
        (await ctx.store.zrangeByScore(...args)).map((e) => e.member);
      expect(await ctx.store.zrangeByScore('q', -Infinity, Infinity)).toEqual([
        { member: 'd', score: -5.5 }, { member: 'a', score: 10 }, { member: 'b', score: 10 }, { member: 'c', score: 30 },
      ]);
      expect(await members('q', 0, 30)).toEqual(['a', 'b', 'c']);
      expect(await members('q', -Infinity, Infinity, { reverse: true })).toEqual(['c', 'b', 'a', 'd']);
      expect(await members('q', -Infinity, Infinity, { offset: 1, count: 2 })).toEqual(['a', 'b']);
      expect(await members('q', 0, Infinity, { reverse: true, count: 1 })).toEqual(['c']);
      expect(await members('nothing', 0, 1)).toEqual([]);
    });

    it('updates a score in place, answers scores and sizes, and vanishes when emptied', async () => {
      await ctx.store.commit([], [{ op: 'zadd', key: 'q', member: 'a', score: 1 }, { op: 'zadd', key: 'q', member: 'a', score: 2 }]);
      expect(await ctx.store.zscore('q', 'a')).toBe(2);
      expect(await ctx.store.zscore('q', 'zz')).toBeNull();
      expect(await ctx.store.zcard('q')).toBe(1);
      await ctx.store.commit([], [{ op: 'zrem', key: 'q', member: 'a' }]);
      expect(await ctx.store.zcard('q')).toBe(0);
      // an emptied sorted set is gone: the key can now hold a document
      expect((await ctx.store.commit([{ key: 'q', version: 0 }], [{ op: 'put', key: 'q', value: 1 }])).ok).toBe(true);
    });
  });

  describe('when sets hold members', () => {
    it('adds each member once and removes members', async () => {
      await ctx.store.commit([], [
        { op: 'sadd', key: 'skills', member: 'customs' },
        { op: 'sadd', key: 'skills', member: 'transport' },
        { op: 'sadd', key: 'skills', member: 'customs' },
      ]);
      expect((await ctx.store.smembers('skills')).sort()).toEqual(['customs', 'transport']);
      await ctx.store.commit([], [{ op: 'srem', key: 'skills', member: 'customs' }, { op: 'srem', key: 'skills', member: 'never' }]);
      expect(await ctx.store.smembers('skills')).toEqual(['transport']);
    });
  });

  describe('when a stream logs events', () => {
    it('returns entries oldest first with increasing ids, strictly after afterId', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        const result = await ctx.store.commit([], [{ op: 'xadd', key: 'log', fields: { n: String(i), who: '话务员' } }]);
        if (!result.ok) throw new Error('commit failed');
        ids.push(...result.streamIds);
      }
      const all = await ctx.store.xrange('log', '0', 100);
      expect(all.map((e) => e.id)).toEqual(ids);
      expect(all.map((e) => e.fields.n)).toEqual(['0', '1', '2', '3', '4', '5']);
      expect(all[0]?.fields.who).toBe('话务员');
      for (let i = 1; i < ids.length; i++) expect(compareStreamIds(ids[i]!, ids[i - 1]!)).toBeGreaterThan(0);
      expect((await ctx.store.xrange('log', ids[1]!, 2)).map((e) => e.fields.n)).toEqual(['2', '3']);
      expect(await ctx.store.xrange('log', ids[5]!, 10)).toEqual([]);
    });

    it('reads from any id, issued or not, exactly the entries after it', async () => {
      for (let i = 0; i < 40; i++) {
        await ctx.store.commit([], [{ op: 'xadd', key: 'paged', fields: { n: String(i) } }]);
        if (i % 7 === 0) await ctx.harness.advance(3);
      }
      const all = await ctx.store.xrange('paged', '0', 1_000);
      expect(all).toHaveLength(40);
      const [firstMs] = all[0]!.id.split('-').map(Number);
      const [lastMs] = all.at(-1)!.id.split('-').map(Number);
      const probes = [
        '0', `${firstMs! - 1}-99`, String(firstMs), `${lastMs! + 1}-0`,
        ...all.flatMap(({ id }) => {
          const [ms, seq] = id.split('-').map(Number);
          return [id, `${ms}-${seq! + 500}`, String(ms)];
        }),
      ];
      for (const after of probes) {
        for (const count of [1, 5, 100]) {
          const expected = all.filter((e) => compareStreamIds(e.id, after) > 0).slice(0, count).map((e) => e.id);
          expect((await ctx.store.xrange('paged', after, count)).map((e) => e.id), `after ${after}, count ${count}`).toEqual(expected);
        }
      }
    });

    it('trims to about maxLen, keeping the newest entries', async () => {
      for (let i = 0; i < 250; i++) await ctx.store.commit([], [{ op: 'xadd', key: 'trimmed', fields: { n: String(i) }, maxLen: 10 }]);
      const left = await ctx.store.xrange('trimmed', '0', 1_000);
      expect(left.length).toBeGreaterThanOrEqual(10);
      expect(left.length).toBeLessThan(250);
      expect(left.at(-1)?.fields.n).toBe('249');
    });

    it('rejects a malformed afterId or count with STORE_BAD_KEY', async () => {
      expect(await rejection(ctx.store.xrange('log', 'yesterday', 10))).toBe('STORE_BAD_KEY');
      expect(await rejection(ctx.store.xrange('log', '0', 0))).toBe('STORE_BAD_KEY');
    });
  });
}
