/** Store contract: leases, pub/sub across instances, ping, health and close. */
import { describe, expect, it } from 'vitest';
import { rejection } from './contract-documents.ts';
import type { ContractContext } from './store-contract.ts';

/** A handler that records messages and a promise that resolves once `n` have arrived. */
function collector(n: number): { handler: (message: string) => void; received: string[]; done: Promise<string[]> } {
  const received: string[] = [];
  let resolve: (messages: string[]) => void = () => {};
  const done = new Promise<string[]>((r) => (resolve = r));
  const handler = (message: string): void => {
    received.push(message);
    if (received.length === n) resolve(received);
  };
  return { handler, received, done };
}

export function coordinationCases(ctx: ContractContext): void {
  describe('when two instances contend for a lease', () => {
    it('gives it to one owner only, who may renew it', async () => {
      const other = ctx.harness.open();
      expect(await ctx.store.acquireLease('scheduler', 'a', 60_000)).toBe(true);
      expect(await other.acquireLease('scheduler', 'b', 60_000)).toBe(false);
      await ctx.harness.advance(40_000);
      expect(await ctx.store.acquireLease('scheduler', 'a', 60_000)).toBe(true);
      await ctx.harness.advance(40_000);
      expect(await other.acquireLease('scheduler', 'b', 60_000)).toBe(false);
    });

    it('lets another owner take it once it expires', async () => {
      expect(await ctx.store.acquireLease('scheduler', 'a', 60_000)).toBe(true);
      await ctx.harness.advance(60_000);
      expect(await ctx.store.acquireLease('scheduler', 'b', 60_000)).toBe(true);
      expect(await ctx.store.acquireLease('scheduler', 'a', 60_000)).toBe(false);
    });

    it('is released only by its owner', async () => {
      expect(await ctx.store.acquireLease('acd', 'a', 60_000)).toBe(true);
      await ctx.store.releaseLease('acd', 'b');
      expect(await ctx.store.acquireLease('acd', 'b', 60_000)).toBe(false);
      await ctx.store.releaseLease('acd', 'a');
      expect(await ctx.store.acquireLease('acd', 'b', 60_000)).toBe(true);
    });

    it('keeps leases apart from documents of the same name', async () => {
      expect(await ctx.store.acquireLease('acd', 'a', 60_000)).toBe(true);
      expect(await ctx.store.get('acd')).toBeNull();
      expect(await rejection(ctx.store.acquireLease('', 'a', 60_000))).toBe('STORE_BAD_KEY');
      expect(await rejection(ctx.store.acquireLease('acd', 'a', 0))).toBe('STORE_BAD_KEY');
    });
  });

  describe('when instances publish and subscribe', () => {
    it('delivers each message, in order, to subscribers of every instance including the publisher', async () => {
      const other = ctx.harness.open();
      const remote = collector(3);
      const local = collector(3);
      await other.subscribe('agents', remote.handler);
      await ctx.store.subscribe('agents', local.handler);
      await ctx.store.subscribe('queues', () => remote.received.push('wrong channel'));
      for (const message of ['m1', '坐席就绪', 'm3']) await ctx.store.publish('agents', message);
      expect(await remote.done).toEqual(['m1', '坐席就绪', 'm3']);
      expect(await local.done).toEqual(['m1', '坐席就绪', 'm3']);
    });

    it('does not deliver to a handler after it unsubscribed, nor in the publisher\'s call stack', async () => {
      const other = ctx.harness.open();
      const gone = collector(1);
      const kept = collector(1);
      const unsubscribe = await other.subscribe('agents', gone.handler);
      await other.subscribe('agents', kept.handler);
      await unsubscribe();
      const publishing = ctx.store.publish('agents', 'after');
      expect(kept.received).toEqual([]);
      await publishing;
      expect(await kept.done).toEqual(['after']);
      expect(gone.received).toEqual([]);
    });

    it('keeps delivering to other handlers when one throws', async () => {
      const kept = collector(2);
      await ctx.store.subscribe('agents', () => {
        throw new Error('handler bug');
      });
      await ctx.store.subscribe('agents', kept.handler);
      await ctx.store.publish('agents', 'a');
      await ctx.store.publish('agents', 'b');
      expect(await kept.done).toEqual(['a', 'b']);
    });
  });

  describe('when an instance is closed', () => {
    it('answers ping and reports up before, STORE_UNAVAILABLE and down after', async () => {
      await ctx.store.ping();
      expect(ctx.store.health().up).toBe(true);
      await ctx.store.close();
      await ctx.store.close();
      expect(ctx.store.health().up).toBe(false);
      expect(await rejection(ctx.store.ping())).toBe('STORE_UNAVAILABLE');
      expect(await rejection(ctx.store.get('any'))).toBe('STORE_UNAVAILABLE');
    });

    it('leaves the data to the other instances', async () => {
      await ctx.store.commit([], [{ op: 'put', key: 'ticket:9', value: { state: 'open' } }]);
      await ctx.store.close();
      expect(await ctx.harness.open().get('ticket:9')).toEqual({ value: { state: 'open' }, version: 1 });
    });
  });
}
