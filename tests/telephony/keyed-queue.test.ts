import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createKeyedQueue } from '../../src/telephony/keyed-queue.ts';

describe('keyed queue', () => {
  describe('when work for many keys interleaves', () => {
    it('runs each key’s items in push order, one at a time', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.nat(3)), { maxLength: 60 }), async (items) => {
          const queue = createKeyedQueue(() => undefined);
          const running = new Map<string, boolean>();
          const seen = new Map<string, number[]>();
          let overlap = false;
          items.forEach(([k, ticks], index) => {
            const key = `k${k}`;
            queue.push(key, async () => {
              if (running.get(key)) overlap = true;
              running.set(key, true);
              for (let i = 0; i < ticks; i++) await new Promise((resolve) => setImmediate(resolve));
              seen.set(key, [...(seen.get(key) ?? []), index]);
              running.set(key, false);
            });
          });
          await queue.idle();
          expect(overlap).toBe(false);
          for (const order of seen.values()) expect(order).toEqual([...order].sort((a, b) => a - b));
          expect(queue.size()).toBe(0);
        }),
        { numRuns: 50 },
      );
    });
  });

  describe('when an item throws', () => {
    it('reports the error with its key and goes on with the next item', async () => {
      const errors: string[] = [];
      const done: string[] = [];
      const queue = createKeyedQueue((error, key) => errors.push(`${key}: ${(error as Error).message}`));
      queue.push('a', () => {
        throw new Error('boom');
      });
      queue.push('a', () => void done.push('after'));
      await queue.idle();
      expect(errors).toEqual(['a: boom']);
      expect(done).toEqual(['after']);
    });
  });

  describe('when thousands of channels come and go', () => {
    it('keeps no entry for a key once its work is done', async () => {
      const queue = createKeyedQueue(() => undefined);
      for (let i = 0; i < 5_000; i++) queue.push(`channel:${i}`, async () => undefined);
      expect(queue.size()).toBe(5_000);
      await queue.idle();
      expect(queue.size()).toBe(0);
    });
  });
});
