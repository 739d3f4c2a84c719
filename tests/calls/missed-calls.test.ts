import { afterEach, describe, expect, it } from 'vitest';
import type { CallEvent } from '../../src/calls/call-record.ts';
import { createCallRecords, type CallRecords } from '../../src/calls/call-records.ts';
import { createMissedCalls } from '../../src/calls/missed-calls.ts';
import { createManualClock } from '../../src/clock.ts';
import { callRoutes } from '../../src/http/routes/calls.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { buildTestApp, login, type TestApp } from '../support/app.ts';

const clock = createManualClock(Date.UTC(2026, 10, 23, 2, 0, 0));

async function call(records: CallRecords, callId: string, number: string, at: number, events: CallEvent[]): Promise<void> {
  await records.start({ callId, did: '12345', callerNumber: number, arrivedAt: at });
  await records.append(callId, ...events);
}

describe('missed-call work list', () => {
  let t: TestApp;
  afterEach(() => t.app.close());

  async function setup(pendingCallbacks: readonly string[] = []) {
    const store = createMemoryStore({ clock });
    const records = createCallRecords({ store, clock });
    const missed = createMissedCalls({ records, store, clock, callbackPending: async (callId) => pendingCallbacks.includes(callId) });
    t = await buildTestApp({ store, clock, routes: [callRoutes({ records, missed, now: clock.now })] });
    const t0 = clock.now() - 3600_000;
    await call(records, 'gave-up', '13800000001', t0, [{ type: 'enqueued', at: t0 + 5_000, queueId: 'general' }, { type: 'ended', at: t0 + 65_000, by: 'caller' }]);
    await call(records, 'misdial', '13800000002', t0 + 1, [{ type: 'enqueued', at: t0 + 5_000, queueId: 'general' }, { type: 'ended', at: t0 + 7_000, by: 'caller' }]);
    await call(records, 'later-reached-1', '13800000003', t0 + 2, [{ type: 'enqueued', at: t0 + 5_000, queueId: 'transport' }, { type: 'ended', at: t0 + 30_000, by: 'caller' }]);
    await call(records, 'later-reached-2', '13800000003', t0 + 600_000, [{ type: 'enqueued', at: t0 + 600_005, queueId: 'transport' }, { type: 'answered', at: t0 + 610_000, agentId: 'a' }, { type: 'ended', at: t0 + 700_000, by: 'agent' }]);
    await call(records, 'feedback-only', '13800000004', t0 + 3, [{ type: 'ended', at: t0 + 60_000, by: 'caller' }]);
    for (const [callId, number] of [['callback-failed', '13800000005'], ['callback-pending', '13800000006']] as const) {
      await call(records, callId, number, t0 + 4, [{ type: 'enqueued', at: t0 + 5_000, queueId: 'general' }, { type: 'callback_booked', at: t0 + 40_000 }, { type: 'ended', at: t0 + 45_000, by: 'system' }]);
    }
    return { agent: await login(t, ['agent']) };
  }

  describe('when callers hung up while waiting', () => {
    it('lists them for callback, marks short abandons, and leaves out numbers reached later and callers who never asked for an agent', async () => {
      const { agent } = await setup(['callback-pending']);
      const response = await t.app.inject({ method: 'GET', url: '/api/calls/missed', headers: agent });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual([
        expect.objectContaining({ callId: 'callback-failed', callbackFailed: true, short: false, waitedSec: 40 }),
        expect.objectContaining({ callId: 'misdial', short: true, callbackFailed: false }),
        expect.objectContaining({ callId: 'gave-up', callerNumber: '13800000001', queueId: 'general', waitedSec: 65, short: false }),
      ]);
    });
  });

  describe('when an agent records the callback', () => {
    it('takes the call off the list, once', async () => {
      const { agent } = await setup(['callback-pending']);
      const done = await t.app.inject({ method: 'POST', url: '/api/calls/gave-up/callback', headers: agent, payload: { outcome: 'reached', note: '已回访' } });
      expect(done.statusCode).toBe(201);
      expect(done.json()).toMatchObject({ callId: 'gave-up', outcome: 'reached', by: agent.username });
      const list = (await t.app.inject({ method: 'GET', url: '/api/calls/missed', headers: agent })).json() as Array<{ callId: string }>;
      expect(list.map((c) => c.callId)).toEqual(['callback-failed', 'misdial']);
      const again = await t.app.inject({ method: 'POST', url: '/api/calls/gave-up/callback', headers: agent, payload: { outcome: 'reached' } });
      expect(again.json()).toMatchObject({ statusCode: 409, code: 'STORE_CONFLICT' });
    });
  });

  describe('when the call was not a missed one', () => {
    it('answers 404', async () => {
      const { agent } = await setup();
      const response = await t.app.inject({ method: 'POST', url: '/api/calls/later-reached-2/callback', headers: agent, payload: { outcome: 'reached' } });
      expect(response.json()).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    });
  });
});
