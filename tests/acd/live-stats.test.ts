import { describe, expect, it } from 'vitest';
import { createAcdState } from '../../src/acd/acd-state.ts';
import { createLiveStats, startOfDayShanghai } from '../../src/acd/live-stats.ts';
import { createCallRecords } from '../../src/calls/call-records.ts';
import { createManualClock } from '../../src/clock.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';

describe('live stats', () => {
  describe('when callers wait and agents work', () => {
    it('shows each queue\'s waiting callers and longest wait from arrival, and each agent\'s state and time in it', async () => {
      const clock = createManualClock(Date.UTC(2026, 10, 23, 2, 0, 0)); // 10:00 in Beijing
      const store = createMemoryStore({ clock });
      const acd = createAcdState({ store, clock });
      const records = createCallRecords({ store, clock });
      await acd.upsertAgent('li', { extension: '1001', skills: { general: 1 } });
      await acd.applyAgent('li', { type: 'login', ready: false });
      await acd.enqueue({ callId: 'c1', queueId: 'general', arrivedAt: clock.now() - 20_000, enqueuedAt: clock.now(), priority: 0, instanceId: 'i', channelId: 'ch1', callerNumber: '13800000000' });
      await records.start({ callId: 'c1', did: '12345', callerNumber: '13800000000', arrivedAt: clock.now() - 20_000 });
      await records.append('c1', { type: 'enqueued', at: clock.now(), queueId: 'general' });
      await clock.advance(30_000);

      const stats = await createLiveStats({ acd, records, clock, queueIds: ['general', 'transport'] })();
      expect(stats.queues).toEqual([
        expect.objectContaining({ queueId: 'general', waiting: 1, longestWaitSec: 50 }),
        expect.objectContaining({ queueId: 'transport', waiting: 0, longestWaitSec: 0 }),
      ]);
      expect(stats.agents).toEqual([{ agentId: 'li', extension: '1001', state: 'not_ready', reason: 'login', secondsInState: 30 }]);
      expect(stats.today.askedForAgent).toBe(1);
      expect(stats.todayByDid['12345']?.calls).toBe(1);
    });
  });

  describe('the day boundary', () => {
    it('is midnight in Beijing, not in UTC', () => {
      expect(new Date(startOfDayShanghai(Date.UTC(2026, 10, 23, 17, 0))).toISOString()).toBe('2026-11-23T16:00:00.000Z');
      expect(new Date(startOfDayShanghai(Date.UTC(2026, 10, 23, 15, 0))).toISOString()).toBe('2026-11-22T16:00:00.000Z');
    });
  });
});
