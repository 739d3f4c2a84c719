import { describe, expect, it } from 'vitest';
import { createAcdState } from '../../src/acd/acd-state.ts';
import { createLiveStats, startOfDayShanghai } from '../../src/acd/live-stats.ts';
import { callKpis, callKpisBy } from '../../src/calls/call-kpis.ts';
import { createCallRecords } from '../../src/calls/call-records.ts';
import { createManualClock } from '../../src/clock.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import type { Store } from '../../src/store/store.ts';

/** A day's live stats on a memory store whose record reads are counted (keys passed to getMany). */
function world(start = Date.UTC(2026, 10, 23, 2, 0, 0)) {
  const clock = createManualClock(start);
  const store = createMemoryStore({ clock });
  const keysRead: string[] = [];
  const counted: Store = {
    ...store,
    getMany: <T,>(keys: readonly string[]) => {
      keysRead.push(...keys);
      return store.getMany<T>(keys);
    },
  };
  const acd = createAcdState({ store, clock });
  const records = createCallRecords({ store: counted, clock });
  const snapshot = createLiveStats({ acd, records, clock, queueIds: ['general', 'transport'] });
  /** What the day's figures must be: every record of the day, read afresh. */
  async function expected() {
    const now = clock.now();
    const all = await records.between(startOfDayShanghai(now), now + 1, 1_000_000);
    return { today: callKpis(all), byDid: Object.fromEntries(callKpisBy(all, (r) => r.did)), byQueue: callKpisBy(all, (r) => r.queues.map((q) => q.queueId)) };
  }
  async function expectExact() {
    const stats = await snapshot();
    const want = await expected();
    expect(stats.today).toEqual(want.today);
    expect(stats.todayByDid).toEqual(want.byDid);
    for (const q of stats.queues) expect(q.today).toEqual(want.byQueue.get(q.queueId) ?? callKpis([]));
    return stats;
  }
  return { clock, records, snapshot, keysRead, expectExact };
}

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

  describe('when calls arrive, are answered and end between snapshots (issue 5)', () => {
    it('keeps the day\'s figures exactly those of all the day\'s records', async () => {
      const { clock, records, expectExact } = world();
      await records.start({ callId: 'c1', did: '12345', callerNumber: '13800000001' });
      await records.append('c1', { type: 'enqueued', at: clock.now(), queueId: 'general' });
      await records.start({ callId: 'c2', did: '12328', callerNumber: '13800000002' });
      expect((await expectExact()).today.calls).toBe(2);

      await clock.advance(2_000);
      await records.append('c1', { type: 'answered', at: clock.now(), agentId: 'li' });
      await records.append('c2', { type: 'ended', at: clock.now(), by: 'caller' });
      await records.start({ callId: 'c3', did: '12345', callerNumber: '13800000003' });
      await records.append('c3', { type: 'enqueued', at: clock.now(), queueId: 'transport' });
      expect((await expectExact()).today.answered).toBe(1);

      await clock.advance(2_000);
      await records.append('c1', { type: 'ended', at: clock.now(), by: 'agent' });
      await records.append('c3', { type: 'ended', at: clock.now(), by: 'caller' });
      // Another instance's record written late: it arrived before the last snapshot.
      await records.start({ callId: 'c4', did: '12345', callerNumber: '13800000004', arrivedAt: clock.now() - 30_000 });
      const stats = await expectExact();
      expect(stats.today).toMatchObject({ calls: 4, answered: 1, abandoned: 1 });

      await clock.advance(2_000);
      expect((await expectExact()).today.calls).toBe(4);
    });

    it('counts a call that ended between two snapshots with its final state', async () => {
      const { clock, records, snapshot } = world();
      await records.start({ callId: 'c1', did: '12345', callerNumber: '13800000001' });
      await records.append('c1', { type: 'enqueued', at: clock.now(), queueId: 'general' });
      expect((await snapshot()).queues[0]!.today).toMatchObject({ askedForAgent: 1, abandoned: 0 });

      // Long after it arrived, so that only its being open makes the next snapshot read it again.
      await clock.advance(90_000);
      await snapshot();
      await records.append('c1', { type: 'ended', at: clock.now(), by: 'caller' });
      await clock.advance(2_000);
      expect((await snapshot()).queues[0]!.today).toMatchObject({ askedForAgent: 1, abandoned: 1, abandonRate: 1 });
    });
  });

  describe('when a record is written minutes after its call arrived (the store was down, another instance caught up)', () => {
    it('counts it within five minutes', async () => {
      const { clock, records, snapshot } = world();
      await records.start({ callId: 'c1', did: '12345', callerNumber: '13800000001' });
      expect((await snapshot()).today.calls).toBe(1);
      await clock.advance(180_000);
      await snapshot();

      await records.start({ callId: 'late', did: '12345', callerNumber: '13800000002', arrivedAt: clock.now() - 150_000 });
      for (let n = 0; n < 150; n++) {
        await clock.advance(2_000);
        await snapshot();
      }
      expect((await snapshot()).today.calls).toBe(2);
    });
  });

  describe('when the day has more than 10,000 calls (issue 5)', () => {
    it('counts every one of them', async () => {
      const { clock, records, snapshot } = world();
      const dayStart = startOfDayShanghai(clock.now());
      for (let i = 0; i < 10_050; i++) {
        await records.start({ callId: `c${i}`, did: '12345', callerNumber: '13800000000', arrivedAt: dayStart + i * 3_000 });
        await records.append(`c${i}`, { type: 'enqueued', at: dayStart + i * 3_000, queueId: 'general' });
      }
      const stats = await snapshot();
      expect(stats.today.calls).toBe(10_050);
      expect(stats.queues[0]!.today.askedForAgent).toBe(10_050);
    });
  });

  describe('when the day changes at midnight in Beijing', () => {
    it('starts the day\'s figures from zero', async () => {
      const { clock, records, snapshot } = world(Date.UTC(2026, 10, 23, 15, 59, 50)); // 23:59:50 in Beijing
      await records.start({ callId: 'ended', did: '12345', callerNumber: '13800000001' });
      await records.append('ended', { type: 'ended', at: clock.now(), by: 'caller' });
      await records.start({ callId: 'across', did: '12345', callerNumber: '13800000002' });
      expect((await snapshot()).today.calls).toBe(2);

      await clock.advance(15_000);
      expect((await snapshot()).today.calls).toBe(0);
      await records.start({ callId: 'early', did: '12345', callerNumber: '13800000003' });
      await records.append('across', { type: 'ended', at: clock.now(), by: 'caller' });
      expect((await snapshot()).todayByDid).toEqual({ '12345': expect.objectContaining({ calls: 1 }) });
    });
  });

  describe('when a snapshot follows another', () => {
    it('reads only the calls that arrived since and those still open', async () => {
      const { clock, records, snapshot, keysRead } = world();
      for (const id of ['a', 'b', 'c']) {
        await records.start({ callId: id, did: '12345', callerNumber: '13800000001' });
        await records.append(id, { type: 'ended', at: clock.now(), by: 'caller' });
      }
      await records.start({ callId: 'open', did: '12345', callerNumber: '13800000002' });
      await snapshot();

      await clock.advance(2_000);
      await records.start({ callId: 'new', did: '12345', callerNumber: '13800000003' });
      keysRead.length = 0;
      expect((await snapshot()).today.calls).toBe(5);
      expect(keysRead.sort()).toEqual(['call:new', 'call:open']);
    });
  });

  describe('the day boundary', () => {
    it('is midnight in Beijing, not in UTC', () => {
      expect(new Date(startOfDayShanghai(Date.UTC(2026, 10, 23, 17, 0))).toISOString()).toBe('2026-11-23T16:00:00.000Z');
      expect(new Date(startOfDayShanghai(Date.UTC(2026, 10, 23, 15, 0))).toISOString()).toBe('2026-11-22T16:00:00.000Z');
    });
  });
});
