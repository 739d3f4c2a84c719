import { afterAll, describe, expect, inject, it } from 'vitest';
import { createManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/log.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { createRedisStore } from '../../src/store/redis-store.ts';
import type { Store } from '../../src/store/store.ts';
import { createTicketIdGenerator, isTicketId } from '../../src/tickets/ticket-id.ts';
import { deletePrefix, uniquePrefix } from '../support/redis.ts';

const prefix = uniquePrefix('tickets-id');
const stores: Store[] = [];

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await deletePrefix(inject('redisUrl'), prefix);
});

const adapters: Array<[string, () => Store]> = [
  ['memory', () => createMemoryStore()],
  ['redis', () => createRedisStore({ url: inject('redisUrl'), prefix, logger: createLogger('silent') })],
];

describe.each(adapters)('ticket ids on the %s store', (_name, make) => {
  describe('when two server instances number tickets on one store at once', () => {
    it('gives 200 distinct ids dated in Shanghai time', async () => {
      const store = make();
      stores.push(store);
      // 2026-11-23 17:00 UTC is already 24 Nov in Shanghai
      const clock = createManualClock(Date.UTC(2026, 10, 23, 17, 0, 0));
      const a = createTicketIdGenerator({ store, clock });
      const b = createTicketIdGenerator({ store, clock });
      const ids = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).next()));
      expect(new Set(ids).size).toBe(200);
      expect(ids.every((id) => id.startsWith('20261124-') && isTicketId(id))).toBe(true);
      expect(ids.sort().at(-1)).toBe('20261124-000200');
    });
  });

  describe('when the day changes', () => {
    it('starts the counter again at 1', async () => {
      const store = make();
      stores.push(store);
      const clock = createManualClock(Date.UTC(2026, 10, 25, 15, 59, 0));
      const ids = createTicketIdGenerator({ store, clock });
      expect(await ids.next()).toBe('20261125-000001');
      await clock.advance(60_000);
      expect(await ids.next()).toBe('20261126-000001');
    });
  });
});
