/**
 * Call recording on the composed server (embedded mode, the simulator through the real
 * ari-client): the bridge is recorded from the moment caller and agent are joined until the
 * hang-up; the recording is on the call and its ticket; a supervisor plays it with range
 * requests, an agent may not; the call is picked for review and scored.
 *
 * The simulator's clock runs 10 s ahead while the two talk, so the recording lasts 10 s of
 * simulated audio (its file is silence of that length) without a real wait.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { demoPassword } from '../../src/auth/seed-users.ts';
import { systemClock, type Clock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';
import { startHotline, type Hotline } from '../../src/server.ts';
import { createSimulator } from '../../src/sim/simulator.ts';
import { connect } from '../cti/cti-helpers.ts';
import { nextEvent, until } from '../support/sim-events.ts';

const logger = createLogger(process.env['TEST_LOG_LEVEL'] ?? 'silent');

async function token(hotline: Hotline, username: string): Promise<string> {
  const response = await fetch(`${hotline.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: demoPassword }) });
  return ((await response.json()) as { token: string }).token;
}

describe('call recording on the running server', () => {
  const running: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const r of running.splice(0).reverse()) await r.close();
  });

  describe('when a caller talks to an agent for 10 s, the agent files a ticket, and the caller hangs up', () => {
    it('records the call from the join to the hang-up, shows it on the call and the ticket, plays it to supervisors in ranges, refuses agents, and puts it up for review', async () => {
      const skew = { ms: 0 };
      const simClock: Clock = { now: () => Date.now() + skew.ms, setTimeout: (fn, ms) => systemClock.setTimeout(fn, ms) };
      const sim = await createSimulator({ logger, clock: simClock });
      running.push(sim);
      const hotline = await startHotline(loadConfig({ PORT: '0', LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent', SHUTDOWN_GRACE_MS: '0', QUALITY_SAMPLE_PERCENT: '100' }), logger, { simulator: sim });
      running.push(hotline);
      await until(() => hotline.telephony.port.state().status === 'up', 'ARI is connected');
      const [agentToken, supervisorToken] = [await token(hotline, 'agent1001'), await token(hotline, 'supervisor')];
      const asAgent = { authorization: `Bearer ${agentToken}` };
      const asSupervisor = { authorization: `Bearer ${supervisorToken}` };
      const api = (path: string, headers: Record<string, string>, init: RequestInit = {}) => fetch(`${hotline.url}${path}`, { ...init, headers: { ...headers, ...(init.body ? { 'content-type': 'application/json' } : {}) } });

      const agent = await connect(`${hotline.url.replace('http', 'ws')}/cti`, agentToken);
      running.push({ close: () => agent.close() });
      await agent.request('subscribe', { topics: ['agent:agent1001'] });
      await agent.request('agent.login');
      await agent.request('agent.ready');
      const { channelId } = await sim.control.placeCall({ from: '13900139000', did: '12345' });
      await agent.waitFor((m) => m.type === 'event' && m.name === 'call.offer');
      const recordingStarted = nextEvent(sim, (e) => e['type'] === 'RecordingStarted', 'the recording started');
      expect((await agent.request('call.answer', { callId: channelId })).ok).toBe(true);
      const started = await recordingStarted;
      expect(started['recording']).toMatchObject({ target_uri: `bridge:call-${channelId}`, format: 'wav', state: 'recording' });
      const recordingId = (started['recording'] as { name: string }).name;
      expect(recordingId).toMatch(/^call-[A-Za-z0-9_-]+-1$/);
      expect(recordingId).not.toContain('13900139000');

      const created = await api('/api/tickets', asAgent, { method: 'POST', body: JSON.stringify({ channel: 'phone', caller: { phone: '13900139000' }, content: '咨询公积金提取', category: 'help', urgency: 'general', callId: channelId }) });
      expect(created.status).toBe(201);
      const ticketId = ((await created.json()) as { id: string }).id;

      skew.ms += 10_000;
      const finished = nextEvent(sim, (e) => e['type'] === 'RecordingFinished', 'the recording finished');
      await sim.control.hangup(channelId);
      expect((await finished)['recording']).toMatchObject({ name: recordingId, state: 'done', duration: 10 });
      await agent.waitFor((m) => m.type === 'event' && m.name === 'call.ended');

      type Listed = { id: string; state: string; durationSec: number | null; ticketIds: string[]; agentId: string; queueId: string | null; startedAt: number; endedAt: number | null };
      const listed = async () => (await (await api(`/api/calls/${channelId}/recordings`, asSupervisor)).json()) as Listed[];
      await until(async () => (await listed())[0]?.ticketIds.length === 1, 'the recording is stored and linked to the ticket');
      const [recording] = await listed();
      expect(recording).toMatchObject({ id: recordingId, state: 'stored', durationSec: 10, ticketIds: [ticketId], agentId: 'agent1001', queueId: 'general', format: 'wav' });
      expect(recording!.endedAt).toBeGreaterThanOrEqual(recording!.startedAt);
      const ticket = (await (await api(`/api/tickets/${ticketId}`, asSupervisor)).json()) as { recordingIds: string[] };
      expect(ticket.recordingIds).toEqual([recordingId]);
      const callRecord = (await (await api(`/api/calls/${channelId}`, asSupervisor)).json()) as { recordings: string[] };
      expect(callRecord.recordings).toEqual([recordingId]);

      // the whole file: 10 s of 16-bit mono at 8 kHz behind a 44-byte header
      const whole = await api(`/api/recordings/${recordingId}/audio`, asSupervisor);
      expect([whole.status, whole.headers.get('content-type'), whole.headers.get('accept-ranges')]).toEqual([200, 'audio/wav', 'bytes']);
      const file = Buffer.from(await whole.arrayBuffer());
      expect(file.length).toBe(160_044);

      const head = await api(`/api/recordings/${recordingId}/audio`, { ...asSupervisor, range: 'bytes=0-11' });
      expect([head.status, head.headers.get('content-range'), head.headers.get('content-length')]).toEqual([206, 'bytes 0-11/160044', '12']);
      const headBytes = Buffer.from(await head.arrayBuffer());
      expect([headBytes.toString('ascii', 0, 4), headBytes.readUInt32LE(4), headBytes.toString('ascii', 8, 12)]).toEqual(['RIFF', 160_036, 'WAVE']);
      const middle = await api(`/api/recordings/${recordingId}/audio`, { ...asSupervisor, range: 'bytes=36-43' });
      expect(middle.status).toBe(206);
      expect(Buffer.from(await middle.arrayBuffer())).toEqual(file.subarray(36, 44)); // "data" and the data size
      const tail = await api(`/api/recordings/${recordingId}/audio`, { ...asSupervisor, range: 'bytes=-100' });
      expect([tail.status, tail.headers.get('content-range')]).toEqual([206, 'bytes 159944-160043/160044']);
      expect(Buffer.from(await tail.arrayBuffer())).toEqual(file.subarray(-100));
      const beyond = await api(`/api/recordings/${recordingId}/audio`, { ...asSupervisor, range: 'bytes=160044-' });
      expect([beyond.status, beyond.headers.get('content-range'), ((await beyond.json()) as { code: string }).code]).toEqual([416, 'bytes */160044', 'RANGE_NOT_SATISFIABLE']);

      const refused = await api(`/api/recordings/${recordingId}/audio`, asAgent);
      expect([refused.status, ((await refused.json()) as { code: string }).code]).toEqual([403, 'FORBIDDEN']);
      expect((await api(`/api/calls/${channelId}/recordings`, asAgent)).status).toBe(403);
      expect((await fetch(`${hotline.url}/api/recordings/${recordingId}/audio`)).status).toBe(401);
      const unknown = await api('/api/recordings/call-nosuch-1/audio', asSupervisor);
      expect([unknown.status, ((await unknown.json()) as { code: string }).code]).toEqual([404, 'RECORDING_NOT_FOUND']);

      // picked for review (QUALITY_SAMPLE_PERCENT=100), scored on the default sheet
      const reviews = (await (await api('/api/quality/reviews', asSupervisor)).json()) as Array<{ id: string; callId: string; recordingId: string; state: string }>;
      expect(reviews).toEqual([expect.objectContaining({ callId: channelId, recordingId, state: 'pending', agentId: 'agent1001' })]);
      const scores = { greeting: 20, listening: 18, accuracy: 16, compliance: 20, closing: 16 };
      const bad = await api(`/api/quality/reviews/${reviews[0]!.id}`, asSupervisor, { method: 'PUT', body: JSON.stringify({ scores: { ...scores, closing: 21 } }) });
      expect([bad.status, ((await bad.json()) as { code: string }).code]).toEqual([400, 'QUALITY_SCORES_INVALID']);
      const scored = await api(`/api/quality/reviews/${reviews[0]!.id}`, asSupervisor, { method: 'PUT', body: JSON.stringify({ scores, comment: '答复准确，结束语不完整' }) });
      expect(await scored.json()).toMatchObject({ state: 'done', total: 90, maxTotal: 100, reviewer: 'supervisor' });
      const again = await api(`/api/quality/reviews/${reviews[0]!.id}`, asSupervisor, { method: 'PUT', body: JSON.stringify({ scores }) });
      expect(again.status).toBe(409);
      expect((await api(`/api/quality/reviews/${reviews[0]!.id}`, asAgent, { method: 'PUT', body: JSON.stringify({ scores }) })).status).toBe(403);
      expect(await (await api('/api/quality/agents/agent1001', asAgent)).json()).toMatchObject({ reviews: 1, meanPercent: 90 });
      expect((await api('/api/quality/agents/agent1002', asAgent)).status).toBe(403);

      await until(async () => {
        const stats = await sim.control.stats();
        return stats.channels === 0 && stats.recordings === 0;
      }, 'no channel or live recording is left');
    }, 60_000);
  });
});
