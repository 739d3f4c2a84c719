import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/clock.ts';
import { createMemoryData } from '../../src/store/memory-data.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import type { Store } from '../../src/store/store.ts';
import { storeContract } from './store-contract.ts';

storeContract('memory store', async () => {
  const clock = createManualClock();
  const data = createMemoryData(clock);
  const opened: Store[] = [];
  return {
    open() {
      const store = createMemoryStore({ data });
      opened.push(store);
      return store;
    },
    advance: (ms) => clock.advance(ms),
    async dispose() {
      await Promise.all(opened.map((store) => store.close()));
    },
  };
});

describe('memory store ids', () => {
  describe('when many entries are appended in the same millisecond', () => {
    it('numbers them <ms>-0, <ms>-1, … on the store clock', async () => {
      const clock = createManualClock(1_000);
      const store = createMemoryStore({ clock });
      const result = await store.commit([], [
        { op: 'xadd', key: 'log', fields: { a: '1' } },
        { op: 'xadd', key: 'log', fields: { a: '2' } },
      ]);
      await clock.advance(5);
      const later = await store.commit([], [{ op: 'xadd', key: 'log', fields: { a: '3' } }]);
      expect(result.ok && later.ok && [...result.streamIds, ...later.streamIds]).toEqual(['1000-0', '1000-1', '1005-0']);
    });
  });
});
