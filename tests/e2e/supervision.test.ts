/**
 * Supervision on the composed server (embedded mode, the simulator through the real ari-client):
 * a supervisor monitors, whispers, barges and takes over one live call over the CTI; what each
 * party hears is read from the simulator — bridge membership and the snoops' spy/whisper
 * directions. Every end is handled, nothing is left behind, and each session is audited.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { demoPassword } from '../../src/auth/seed-users.ts';
import { loadConfig } from '../../src/config/config.ts';
import type { EventMessage } from '../../src/cti/protocol.ts';
import { createLogger } from '../../src/log.ts';
import { startHotline, type Hotline } from '../../src/server.ts';
import { connect, type Client } from '../cti/cti-helpers.ts';
import { until } from '../support/sim-events.ts';

const embedded = { PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_GRACE_MS: '0' };

interface Live {
  hotline: Hotline;
  agent: Client;
  supervisor: Client;
  callId: string;
  agentLeg: string;
  callBridge: string;
}

// the composed server runs on the system clock (IVR prompts play in real time): generous limits on a loaded machine
describe('supervision of a live call', { timeout: 60_000 }, () => {
  let hotline: Hotline | undefined;
  const clients: Client[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close();
    await hotline?.close();
    hotline = undefined;
  }, 60_000);

  async function token(username: string): Promise<string> {
    const response = await fetch(`${hotline!.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: demoPassword }) });
    return ((await response.json()) as { token: string }).token;
  }

  async function client(username: string): Promise<Client> {
    const c = await connect(`${hotline!.url.replace('http', 'ws')}/cti`, await token(username));
    clients.push(c);
    await c.request('subscribe', { topics: [`agent:${username}`] });
    return c;
  }

  /** A citizen talking to agent1001, and the supervisor's desktop open. */
  async function liveCall(): Promise<Live> {
    hotline = await startHotline(loadConfig(embedded), createLogger('silent'));
    await until(() => hotline!.telephony.port.state().status === 'up', 'ARI is connected');
    const agent = await client('agent1001');
    await agent.request('agent.login');
    await agent.request('agent.ready');
    const { channelId: callId } = await hotline.simulator!.control.placeCall({ from: '13900139000', did: '12345' });
    await agent.waitFor((m) => m.type === 'event' && m.name === 'call.offer');
    await agent.request('call.answer', { callId });
    await agent.waitFor((m) => m.type === 'event' && m.name === 'call.progress');
    const supervisor = await client('supervisor');
    return { hotline, agent, supervisor, callId, agentLeg: `agent-${callId}-1`, callBridge: `call-${callId}` };
  }

  /** Bridges on the simulated Asterisk with their members (ARI GET /bridges). */
  async function bridges(): Promise<Map<string, string[]>> {
    const response = await fetch(`${hotline!.ariUrl}/ari/bridges`, { headers: { authorization: `Basic ${Buffer.from('hotline:hotline').toString('base64')}` } });
    const list = (await response.json()) as Array<{ id: string; channels: string[] }>;
    return new Map(list.map((b) => [b.id, [...b.channels].sort()]));
  }

  const channel = (id: string) => hotline!.simulator!.control.channel(id);

  /** The supervisor's leg and what it is bridged with; for a snoop: whom it spies on and how. */
  async function supervisorHears(leg: string) {
    const { bridgeId, hungUp } = await channel(leg);
    const members = bridgeId ? (await bridges()).get(bridgeId) ?? [] : [];
    const snoops = await Promise.all(members.filter((id) => id !== leg && id.startsWith(leg)).map(async (id) => {
      const report = await channel(id);
      return { spied: String(report.channel['name']).replace(/^Snoop\/(.*)-[0-9a-f]+$/, '$1'), directions: report.variables['SIM_SNOOP'] };
    }));
    return { hungUp, bridgeId, members, snoops };
  }

  /** The first supervision.state received (from the start) that matches. */
  function state(c: Client, match: { sessionId?: string; mode?: string; ended?: boolean }): Promise<EventMessage> {
    return c.waitFor((m) => m.type === 'event' && m.name === 'supervision.state'
      && Object.entries(match).every(([key, value]) => m.data[key] === value)) as Promise<EventMessage>;
  }

  async function request(c: Client, type: string, callId: string) {
    const reply = await c.request(type, { callId });
    if (!reply.ok) throw new Error(`${type}: ${JSON.stringify(reply.error)}`);
    return reply.result as { sessionId: string; mode: string };
  }

  /** Nothing of the call is left: no channel, and no bridge but the queue's holding bridge. */
  async function nothingLeft(): Promise<void> {
    await until(async () => (await hotline!.simulator!.control.stats()).channels === 0, 'no channel is left');
    await until(() => hotline!.activeCalls() === 0, 'the call is over');
    await until(async () => [...(await bridges()).keys()].every((id) => id.startsWith('hold-')), 'no bridge but the queue\'s is left');
  }

  async function sessions(username = 'supervisor'): Promise<{ status: number; body: Array<Record<string, unknown>> }> {
    const response = await fetch(`${hotline!.url}/api/supervision/sessions`, { headers: { authorization: `Bearer ${await token(username)}` } });
    return { status: response.status, body: (await response.json()) as Array<Record<string, unknown>> };
  }

  describe('when a supervisor monitors, whispers, barges, listens again and takes over one call', () => {
    it('each party hears what the mode says, the supervisor keeps one leg throughout, and the session is audited', async () => {
      const { supervisor, agent, callId, agentLeg, callBridge } = await liveCall();
      const caller = callId;

      const { sessionId, mode } = await request(supervisor, 'supervisor.monitor', callId);
      expect(mode).toBe('ringing');
      const leg = `sv-${sessionId}`;
      await state(supervisor, { mode: 'monitor' });
      // monitor: the supervisor hears caller and agent through a snoop on the agent's leg; nobody hears the supervisor
      const monitor = await supervisorHears(leg);
      expect(monitor.snoops).toEqual([{ spied: agentLeg, directions: 'spy=both,whisper=none' }]);
      expect(monitor.members).toHaveLength(2);
      expect((await bridges()).get(callBridge)).toEqual([agentLeg, caller].sort());

      // whisper: a new snoop also whispers toward the agent (out); the caller's bridge is untouched
      expect((await request(supervisor, 'supervisor.whisper', callId)).mode).toBe('whisper');
      const whisper = await supervisorHears(leg);
      expect(whisper).toMatchObject({ hungUp: false, bridgeId: monitor.bridgeId, snoops: [{ spied: agentLeg, directions: 'spy=both,whisper=out' }] });
      expect(whisper.members).toHaveLength(2);
      expect((await bridges()).get(callBridge)).toEqual([agentLeg, caller].sort());

      // barge: the supervisor's same leg is in the call's bridge, all three hear each other; no snoop is left
      expect((await request(supervisor, 'supervisor.barge', callId)).mode).toBe('barge');
      expect((await bridges()).get(callBridge)).toEqual([agentLeg, caller, leg].sort());
      expect(await supervisorHears(leg)).toMatchObject({ hungUp: false, bridgeId: callBridge, snoops: [] });
      expect([...(await bridges()).keys()].filter((id) => id.startsWith('sv-'))).toEqual([]);

      // back to listening: the leg moves out of the call again, the caller no longer hears the supervisor
      expect((await request(supervisor, 'supervisor.monitor', callId)).mode).toBe('monitor');
      expect((await bridges()).get(callBridge)).toEqual([agentLeg, caller].sort());
      expect((await supervisorHears(leg)).snoops).toEqual([{ spied: agentLeg, directions: 'spy=both,whisper=none' }]);

      // take-over: the agent leaves, caller and supervisor talk on
      expect((await request(supervisor, 'supervisor.takeOver', callId)).mode).toBe('takeOver');
      expect((await bridges()).get(callBridge)).toEqual([caller, leg].sort());
      await until(async () => (await channel(agentLeg)).hungUp, 'the agent left');
      const ended = await agent.waitFor((m) => m.type === 'event' && m.name === 'call.ended');
      expect(ended.type === 'event' && ended.data).toEqual({ callId, cause: 'transferred' });
      expect((await supervisor.request('supervisor.barge', { callId })).error?.code).toBe('SUPERVISION_BAD_STATE'); // holding the call now

      // the supervisor hangs up like an agent: the caller is asked to rate the call, then hangs up
      await hotline!.simulator!.control.hangup(leg);
      expect((await state(supervisor, { ended: true })).data).toMatchObject({ sessionId, mode: 'takeOver', reason: 'supervisor_hangup' });
      await hotline!.simulator!.control.hangup(caller);
      await nothingLeft();

      const audit = await sessions();
      expect(audit.status).toBe(200);
      expect(audit.body).toEqual([expect.objectContaining({ sessionId, supervisor: 'supervisor', agentId: 'agent1001', callId, endReason: 'supervisor_hangup' })]);
      const [entry] = audit.body as Array<{ startedAt: number; endedAt: number; durationMs: number; modes: Array<{ mode: string; at: number; until: number }> }>;
      expect(entry!.modes.map((m) => m.mode)).toEqual(['monitor', 'whisper', 'barge', 'monitor', 'takeOver']);
      expect(entry!.modes.every((m, i) => m.until >= m.at && (i === 0 || m.at === entry!.modes[i - 1]!.until))).toBe(true);
      expect(entry!.durationMs).toBe(entry!.endedAt - entry!.startedAt);

      const record = await (await fetch(`${hotline!.url}/api/calls/${callId}`, { headers: { authorization: `Bearer ${await token('supervisor')}` } })).json() as { supervisions: Array<{ mode: string; supervisor: string }> };
      expect(record.supervisions.map((s) => s.mode)).toEqual(['monitor', 'whisper', 'barge', 'monitor', 'takeOver', 'ended']);
    });
  });

  describe('when someone who is not a supervisor tries', () => {
    it('refuses an agent (FORBIDDEN), a supervisor without a seat, and an unknown call; agents cannot read the audit', async () => {
      const { agent, supervisor, callId } = await liveCall();
      expect((await agent.request('supervisor.monitor', { callId })).error?.code).toBe('FORBIDDEN');
      expect((await agent.request('supervisor.takeOver', { callId })).error?.code).toBe('FORBIDDEN');
      const admin = await client('admin'); // a supervisor with no seat: nothing to ring
      expect((await admin.request('supervisor.monitor', { callId })).error?.code).toBe('FORBIDDEN');
      expect((await supervisor.request('supervisor.monitor', { callId: 'no-such-call' })).error?.code).toBe('NOT_FOUND');
      expect((await supervisor.request('supervisor.leave', { callId })).error?.code).toBe('NOT_FOUND');
      expect((await sessions('agent1001')).status).toBe(403);
      expect((await sessions()).body).toEqual([]);
      expect((await hotline!.simulator!.control.stats()).channels).toBe(3); // the caller (Local pair) and the agent: no supervisor leg was rung
      await hotline!.simulator!.control.hangup(callId);
      await nothingLeft();
    });
  });

  describe('when the caller hangs up while the supervisor listens', () => {
    it('tells the supervisor, hangs up the supervisor\'s leg and the snoop, and leaves nothing', async () => {
      const { supervisor, callId } = await liveCall();
      const { sessionId } = await request(supervisor, 'supervisor.monitor', callId);
      await state(supervisor, { mode: 'monitor' });
      await hotline!.simulator!.control.hangup(callId);
      expect((await state(supervisor, { ended: true })).data).toMatchObject({ sessionId, callId, mode: 'monitor', reason: 'caller_hangup' });
      await nothingLeft();
      expect((await channel(`sv-${sessionId}`)).hungUp).toBe(true);
      await until(async () => (await sessions()).body[0]?.['endReason'] === 'caller_hangup', 'the audit is closed');
    });
  });

  describe('when the caller hangs up while the supervisor barges in', () => {
    it('ends the session and hangs up the supervisor\'s leg too', async () => {
      const { supervisor, callId } = await liveCall();
      const { sessionId } = await request(supervisor, 'supervisor.barge', callId);
      await state(supervisor, { mode: 'barge' });
      await hotline!.simulator!.control.hangup(callId);
      expect((await state(supervisor, { ended: true })).data).toMatchObject({ sessionId, mode: 'barge', reason: 'caller_hangup' });
      await nothingLeft();
    });
  });

  describe('when the agent hangs up while the supervisor whispers', () => {
    it('tells the supervisor and cleans up; the caller goes on to the survey', async () => {
      const { supervisor, callId, agentLeg } = await liveCall();
      await request(supervisor, 'supervisor.whisper', callId);
      await state(supervisor, { mode: 'whisper' });
      await hotline!.simulator!.control.hangup(agentLeg);
      expect((await state(supervisor, { ended: true })).data).toMatchObject({ mode: 'whisper', reason: 'agent_hangup' });
      await until(async () => (await channel(callId)).heard.some((h) => h.kind === 'playback' && String(h['media']).includes('survey')), 'the caller hears the survey');
      await hotline!.simulator!.control.hangup(callId);
      await nothingLeft();
    });
  });

  describe('when the supervisor hangs up while barging in', () => {
    it('removes only the supervisor: caller and agent talk on', async () => {
      const { supervisor, callId, agentLeg, callBridge } = await liveCall();
      const { sessionId } = await request(supervisor, 'supervisor.barge', callId);
      await state(supervisor, { mode: 'barge' });
      await hotline!.simulator!.control.hangup(`sv-${sessionId}`);
      expect((await state(supervisor, { ended: true })).data).toMatchObject({ mode: 'barge', reason: 'supervisor_hangup' });
      await until(async () => (await bridges()).get(callBridge)?.length === 2, 'the supervisor left the call');
      expect((await bridges()).get(callBridge)).toEqual([agentLeg, callId].sort());
      expect([(await channel(callId)).hungUp, (await channel(agentLeg)).hungUp]).toEqual([false, false]);
      await hotline!.simulator!.control.hangup(callId);
      await nothingLeft();
    });
  });

  describe('when the supervisor hangs up while listening', () => {
    it('removes the snoop and the supervision bridge; the call is untouched', async () => {
      const { supervisor, callId, agentLeg, callBridge } = await liveCall();
      const { sessionId } = await request(supervisor, 'supervisor.monitor', callId);
      await state(supervisor, { mode: 'monitor' });
      await hotline!.simulator!.control.hangup(`sv-${sessionId}`);
      await state(supervisor, { ended: true });
      await until(async () => [...(await bridges()).keys()].every((id) => !id.startsWith('sv-')), 'the supervision bridge is gone');
      await until(async () => (await hotline!.simulator!.control.stats()).channels === 3, 'only caller and agent are left');
      expect((await bridges()).get(callBridge)).toEqual([agentLeg, callId].sort());
      await hotline!.simulator!.control.hangup(agentLeg);
      await hotline!.simulator!.control.hangup(callId);
      await nothingLeft();
    });
  });

  describe('when the supervisor leaves', () => {
    it('after listening: the leg and snoop go, the call goes on; while ringing: the ring stops', async () => {
      const { supervisor, callId, agentLeg, callBridge } = await liveCall();
      const { sessionId } = await request(supervisor, 'supervisor.monitor', callId);
      await state(supervisor, { mode: 'monitor' });
      expect((await supervisor.request('supervisor.leave', { callId })).ok).toBe(true);
      expect((await state(supervisor, { ended: true })).data).toMatchObject({ sessionId, reason: 'left' });
      await until(async () => (await hotline!.simulator!.control.stats()).channels === 3, 'only caller and agent are left');
      expect((await bridges()).get(callBridge)).toEqual([agentLeg, callId].sort());

      await hotline!.simulator!.control.setEndpoint('PJSIP', '3001', { behavior: 'manual' }); // the phone rings until answered
      const second = await request(supervisor, 'supervisor.whisper', callId);
      await until(async () => (await hotline!.simulator!.control.stats()).channels > 3, 'the supervisor\'s phone rings');
      expect((await supervisor.request('supervisor.leave', { callId })).ok).toBe(true);
      expect((await state(supervisor, { sessionId: second.sessionId, ended: true })).data).toMatchObject({ mode: 'ringing', reason: 'left' });
      await until(async () => (await hotline!.simulator!.control.stats()).channels === 3, 'the ring stopped');

      await hotline!.simulator!.control.setEndpoint('PJSIP', '3001', { behavior: 'busy' });
      const third = await request(supervisor, 'supervisor.monitor', callId);
      expect((await state(supervisor, { sessionId: third.sessionId, ended: true })).data).toMatchObject({ mode: 'ringing', reason: 'no_answer' });
      await hotline!.simulator!.control.hangup(callId);
      await nothingLeft();
      await until(async () => (await sessions()).body.length === 3 && (await sessions()).body.every((s) => s['endedAt'] !== undefined), 'three sessions audited');
      expect((await sessions()).body.map((s) => s['endReason'])).toEqual(['no_answer', 'left', 'left']);
    });
  });
});
