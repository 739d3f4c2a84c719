/**
 * Runs ticket tests on both store adapters: memory (shared data, so "another instance" or "a
 * restart" is a new store on the same data) and the real Redis of the test run (a unique prefix;
 * a new store on the same prefix is a new connection, as after a restart).
 */
import { inject } from 'vitest';
import { createManualClock, type ManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/log.ts';
import { createMemoryData } from '../../src/store/memory-data.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { createRedisStore } from '../../src/store/redis-store.ts';
import type { Store } from '../../src/store/store.ts';
import { deletePrefix, uniquePrefix } from '../support/redis.ts';

export const silent = createLogger('silent');

/** One isolated data set; `open()` gives another store (instance) on it. */
export interface Backend {
  readonly clock: ManualClock;
  open(): Store;
  /** Closes every store opened and removes the data. */
  dispose(): Promise<void>;
}

export type BackendFactory = () => Backend;

/** Monday 23 Nov 2026, 09:00 in Shanghai. */
export const START = Date.parse('2026-11-23T09:00:00+08:00');

export function backends(label: string, start = START): Array<[string, BackendFactory]> {
  return [
    ['memory', () => {
      const clock = createManualClock(start);
      const data = createMemoryData(clock);
      const opened: Store[] = [];
      return {
        clock,
        open: () => { const s = createMemoryStore({ data }); opened.push(s); return s; },
        dispose: async () => { await Promise.all(opened.map((s) => s.close())); },
      };
    }],
    ['redis', () => {
      const clock = createManualClock(start);
      const prefix = uniquePrefix(label);
      const url = inject('redisUrl');
      const opened: Store[] = [];
      return {
        clock,
        open: () => { const s = createRedisStore({ url, prefix, logger: silent }); opened.push(s); return s; },
        dispose: async () => { await Promise.all(opened.map((s) => s.close())); await deletePrefix(url, prefix); },
      };
    }],
  ];
}
