/**
 * Call recordings against the simulator (real ari-client) and a real Redis: a queue an admin set
 * not to record records nothing, from the next call on (its stored settings); the retention sweep deletes an old recording through ARI and keeps the
 * ones an open ticket or an unfinished quality review still needs.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { defaultQueues } from '../../src/acd/queue-config.ts';
import { createQueueSettings } from '../../src/acd/queue-settings.ts';
import { createCallRecords } from '../../src/calls/call-records.ts';
import { createQuality } from '../../src/calls/quality.ts';
import { createRecordingRetention } from '../../src/calls/recording-retention.ts';
import { recordingTickets } from '../../src/calls/recording-tickets.ts';
import { createCallRecordings } from '../../src/calls/recordings.ts';
import { createManualClock } from '../../src/clock.ts';
import { createStore } from '../../src/store/create-store.ts';
import { createTicketService } from '../../src/tickets/ticket-service.ts';
import { deletePrefix, uniquePrefix } from '../support/redis.ts';
import { until } from '../support/sim-events.ts';
import { createHarness, logger, nextEvent, startAdapter, startSimulator } from '../telephony/support/harness.ts';

const harness = createHarness();
afterEach(() => harness.run());
const DAY = 86_400_000;

async function world() {
  const redisUrl = inject('redisUrl');
  const prefix = uniquePrefix('recordings');
  harness.cleanups.push(async () => void (await deletePrefix(redisUrl, prefix)));
  const store = createStore({ REDIS_URL: redisUrl, REDIS_PREFIX: prefix }, logger);
  harness.cleanups.push(() => store.close());
  const clock = createManualClock(Date.UTC(2026, 0, 5, 2, 0, 0));
  const sim = await startSimulator(harness);
  await sim.control.setEndpoint('PJSIP', '1001', { behavior: 'answer' });
  const adapter = await startAdapter(harness, sim.url);
  const port = adapter.telephony.port;
  const records = createCallRecords({ store, clock });
  const tickets = createTicketService({ store, clock, logger });
  const quality = createQuality({ store, clock, logger, percent: 0.01 });
  const settings = createQueueSettings({ store, clock, queues: defaultQueues });
  const recordings = createCallRecordings({ store, clock, logger, telephony: port, records, tickets: recordingTickets(tickets), queueSettings: settings.records });
  harness.cleanups.push(async () => recordings.close());
  const retention = createRecordingRetention({ store, clock, logger, telephony: port, recordings, records, quality, retentionDays: 180, owner: 'node1' });
  harness.cleanups.push(() => retention.stop());

  /** A caller from `phone` in `queueId` joined with agent 1001 in a mixing bridge; `hangUp()` ends it. */
  async function joinedCall(phone: string, queueId: string) {
    const arrived = nextEvent(adapter, 'call-arrived');
    const { channelId } = await sim.control.placeCall({ from: phone, did: '12345' });
    await arrived;
    await records.start({ callId: channelId, did: '12345', callerNumber: phone, arrivedAt: clock.now() });
    await records.append(channelId, { type: 'enqueued', at: clock.now(), queueId }, { type: 'answered', at: clock.now(), agentId: 'agent1001' });
    await port.answer(channelId);
    const agentLeg = `agent-${channelId}`;
    await port.originate('PJSIP/1001', { channelId: agentLeg, timeoutSec: 10, timeoutMs: 5_000 });
    const bridgeId = `call-${channelId}`;
    await port.createBridge('mixing', bridgeId);
    await port.addToBridge(bridgeId, [channelId, agentLeg]);
    const recording = await recordings.connected({ callId: channelId, agentId: 'agent1001', bridgeId });
    return {
      channelId, recording,
      async hangUp() {
        await port.hangup(agentLeg);
        await port.hangup(channelId);
        await port.destroyBridge(bridgeId);
        await records.append(channelId, { type: 'ended', at: clock.now(), by: 'caller' });
        if (recording) await until(async () => (await recordings.get(recording.id))?.state === 'stored', 'the recording is stored');
      },
    };
  }
  return { sim, port, clock, store, settings, records, tickets, quality, recordings, retention, joinedCall };
}

describe('call recordings', () => {
  describe('when an admin set the queue the call came from not to record', () => {
    it('records nothing: no recording on Asterisk, none on the call; set back, the next call is recorded', async () => {
      const w = await world();
      await w.settings.set('customs', { maxWaitSec: 180, maxWaiting: 200, callbackKey: '1', record: false }, 'admin');
      const started = [] as unknown[];
      const stop = w.sim.onEvent((_app, event) => void (event['type'] === 'RecordingStarted' && started.push(event)));
      const call = await w.joinedCall('13800000001', 'customs');
      expect(call.recording).toBeNull();
      await call.hangUp();
      stop();
      expect(started).toEqual([]);
      expect(await w.recordings.ofCall(call.channelId)).toEqual([]);
      expect((await w.records.get(call.channelId))?.recordings).toEqual([]);

      await w.settings.set('customs', { maxWaitSec: 180, maxWaiting: 200, callbackKey: '1', record: true }, 'admin');
      const next = await w.joinedCall('13800000002', 'customs');
      expect(next.recording).toMatchObject({ queueId: 'customs', state: 'recording' });
      await next.hangUp();
    });
  });

  describe('when recordings pass the retention period', () => {
    it('deletes the one nothing needs from Asterisk and keeps those of an open ticket and of a review in progress, until they are done', async () => {
      const w = await world();
      const [plain, ticketed, reviewed] = [await w.joinedCall('13800000011', 'general'), await w.joinedCall('13800000012', 'general'), await w.joinedCall('13800000013', 'general')];
      const agent = { username: 'agent1001', roles: ['agent' as const] };
      const ticket = await w.tickets.create({ channel: 'phone', caller: { phone: '13800000012' }, content: '噪音投诉', category: 'complaint', urgency: 'general', callId: ticketed.channelId }, agent);
      for (const call of [plain, ticketed, reviewed]) await call.hangUp();
      await until(async () => (await w.recordings.get(ticketed.recording!.id))?.ticketIds.length === 1, 'the ticketed recording is linked');
      expect((await w.tickets.get(ticket.id)).recordingIds).toEqual([ticketed.recording!.id]);
      for (const call of [plain, ticketed, reviewed]) {
        // 0.01 %: one call in 10,000 — none of these three (the phase of this agent and day is fixed)
        expect(await w.quality.consider({ callId: call.channelId, agentId: 'agent1001', recordingId: call.recording!.id })).toBeNull();
      }

      await w.clock.advance(DAY); // the next morning's sweep picks one of the agent's calls of the day before
      expect(await w.retention.sweep()).toEqual({ deleted: [], kept: [], closed: [], qualityPicks: 1 });
      const [pick] = await w.quality.list({ open: true });
      expect(pick).toMatchObject({ agentId: 'agent1001', reason: 'daily-minimum', state: 'pending' });
      const pickedId = pick!.recordingId;
      await w.clock.advance(178 * DAY);
      expect(await w.retention.sweep()).toMatchObject({ deleted: [], kept: [] }); // 179 days old: within the period

      await w.clock.advance(2 * DAY);
      const report = await w.retention.sweep();
      const ids = [plain, ticketed, reviewed].map((c) => c.recording!.id);
      const ticketedId = ticketed.recording!.id;
      const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
      expect([...(report?.kept ?? [])].sort(byId)).toEqual([...new Set([ticketedId, pickedId])]
        .map((id) => ({ id, reason: id === pickedId ? 'quality-review' : 'open-ticket' })).sort(byId));
      const deleted = ids.filter((id) => id !== ticketedId && id !== pickedId);
      expect(report?.deleted).toEqual(deleted);
      for (const id of deleted) {
        expect(await w.recordings.get(id)).toMatchObject({ state: 'deleted', deletedAt: w.clock.now(), durationSec: expect.any(Number) });
        await expect(w.port.storedRecordingFile(id)).rejects.toMatchObject({ code: 'ARI_REQUEST_FAILED', details: { kind: 'not-found' } });
        await expect(w.recordings.audio(id)).rejects.toMatchObject({ code: 'RECORDING_DELETED' });
      }
      for (const id of [ticketedId, pickedId]) expect((await w.recordings.audio(id)).file.contentType).toBe('audio/wav');

      // the review is submitted and the ticket closed: both go at the next sweep
      await w.quality.score(`q-${pickedId}`, { scores: { greeting: 20, listening: 20, accuracy: 20, compliance: 20, closing: 20 } }, 'supervisor');
      await w.tickets.act(ticket.id, 'direct_answer', { reply: '已答复' }, agent);
      const last = await w.retention.sweep();
      expect([...(last?.deleted ?? [])].sort()).toEqual([...new Set([ticketedId, pickedId])].sort());
      expect(last?.kept).toEqual([]);
    });
  });
});
