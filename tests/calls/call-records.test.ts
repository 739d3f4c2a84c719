import { afterEach, describe, expect, inject, it } from 'vitest';
import { createCallRecords } from '../../src/calls/call-records.ts';
import { createManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/log.ts';
import { createMemoryData } from '../../src/store/memory-data.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { createRedisStore } from '../../src/store/redis-store.ts';
import type { Store } from '../../src/store/store.ts';
import { deletePrefix, uniquePrefix } from '../support/redis.ts';

const backends = [
  { name: 'memory store', open: () => { const data = createMemoryData(); return { a: createMemoryStore({ data }), b: createMemoryStore({ data }), cleanup: async () => {} }; } },
  {
    name: 'Redis',
    open: () => {
      const url = inject('redisUrl');
      const prefix = uniquePrefix('calls');
      const logger = createLogger('silent');
      return { a: createRedisStore({ url, prefix, logger }), b: createRedisStore({ url, prefix, logger }), cleanup: () => deletePrefix(url, prefix).then(() => undefined) };
    },
  },
];

describe.each(backends)('call records on the $name', (backend) => {
  let opened: { a: Store; b: Store; cleanup(): Promise<void> };
  afterEach(async () => {
    await Promise.all([opened.a.close(), opened.b.close()]);
    await opened.cleanup();
  });

  describe('when two handlers append to one call at the same time', () => {
    it('loses no event', async () => {
      opened = backend.open();
      const clock = createManualClock();
      const [ivr, queues] = [createCallRecords({ store: opened.a, clock }), createCallRecords({ store: opened.b, clock })];
      await ivr.start({ callId: 'c1', did: '12345', callerNumber: '138 0013 8000' });
      await Promise.all([
        ...Array.from({ length: 20 }, (_, i) => ivr.append('c1', { type: 'ivr_node', at: i, node: `n${i}` })),
        ...Array.from({ length: 20 }, (_, i) => queues.append('c1', { type: 'ticket', at: i, ticketId: `t${i}` })),
      ]);
      const record = await ivr.get('c1');
      expect(record?.ivrPath).toHaveLength(20);
      expect(record?.ticketIds).toHaveLength(20);
    });
  });

  describe('when the screen pop asks for a caller\'s history', () => {
    it('lists that number\'s calls newest first, whatever the formatting of the number', async () => {
      opened = backend.open();
      const clock = createManualClock();
      const records = createCallRecords({ store: opened.a, clock });
      await records.start({ callId: 'old', did: '12345', callerNumber: '13800138000', arrivedAt: 1_000 });
      await records.start({ callId: 'new', did: '12328', callerNumber: '138-0013-8000', arrivedAt: 2_000 });
      await records.start({ callId: 'someone-else', did: '12345', callerNumber: '13900000000', arrivedAt: 3_000 });
      expect((await records.byPhone('138 0013 8000')).map((r) => r.callId)).toEqual(['new', 'old']);
      expect((await records.between(0, 2_500)).map((r) => r.callId)).toEqual(['old', 'new']);
    });
  });
});
