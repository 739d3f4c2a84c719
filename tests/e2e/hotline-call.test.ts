/**
 * The hotline composed as `npm start` runs it, on the built-in simulator through the real
 * ari-client: health, the 12345 feedback key end to end, a caller reaching an agent over CTI,
 * and a server restart in the middle of the IVR (state in Redis).
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { demoPassword } from '../../src/auth/seed-users.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';
import { startHotline, type Hotline } from '../../src/server.ts';
import { createSimulator, type Simulator } from '../../src/sim/simulator.ts';
import { connect } from '../cti/cti-helpers.ts';
import { deletePrefix, uniquePrefix } from '../support/redis.ts';
import { nextEvent, playbackStarted, until } from '../support/sim-events.ts';

const logger = createLogger('silent');
const embedded = { PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_GRACE_MS: '0' };

/** Every sound the caller was played, in order. */
async function playedMedia(sim: Simulator, channelId: string): Promise<string[]> {
  const { heard } = await sim.control.channel(channelId);
  return heard.filter((h) => h.kind === 'playback').flatMap((h) => h['media'] as string[]);
}

async function token(hotline: Hotline, username: string): Promise<string> {
  const response = await fetch(`${hotline.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: demoPassword }) });
  return ((await response.json()) as { token: string }).token;
}

describe('the hotline on the simulator', () => {
  const running: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const r of running.splice(0).reverse()) await r.close();
  });

  async function start(env: Record<string, string> = embedded, simulator?: Simulator): Promise<Hotline> {
    const hotline = await startHotline(loadConfig(env), logger, simulator ? { simulator } : {});
    running.push(hotline);
    await until(() => hotline.telephony.port.state().status === 'up', 'ARI is connected');
    return hotline;
  }

  describe('when the server starts with no configuration', () => {
    it('reports ARI and AMI up on the simulator and the store up', async () => {
      const hotline = await start();
      const health = async () => (await (await fetch(`${hotline.url}/health`)).json()) as { mode: unknown; components: Record<string, { up: boolean }> };
      expect((await health()).mode).toEqual({ asterisk: 'simulator', store: 'memory' });
      expect((await health()).components['ari']?.up).toBe(true);
      expect((await health()).components['store']?.up).toBe(true);
      await until(async () => (await health()).components['ami']?.up === true, 'AMI is up');
    });
  });

  describe('when a citizen dials 12345, presses 9 during the greeting, speaks and hangs up mid-message', () => {
    it('hears the greeting and the feedback prompt, and the suggestion becomes a ticket; nothing is left behind', async () => {
      const hotline = await start();
      const sim = hotline.simulator!;
      const { channelId } = await sim.control.placeCall({ from: '13800138000', did: '12345' });
      await playbackStarted(sim, channelId, 'sound:hotline/zh/greeting-12345');
      await sim.control.sendDtmf(channelId, { digits: '9' }); // typed ahead: the greeting is a notice
      await nextEvent(sim, (e) => e['type'] === 'RecordingStarted', 'the recording started');
      expect(await playedMedia(sim, channelId)).toEqual(['sound:hotline/zh/greeting-12345', 'sound:hotline/zh/feedback-record']);

      await sim.control.hangup(channelId);
      const headers = { authorization: `Bearer ${await token(hotline, 'agent1001')}` };
      const suggestions = async () => {
        const history = (await (await fetch(`${hotline.url}/api/callers/13800138000/history`, { headers })).json()) as { tickets: Array<{ category: string; recordings?: string[] }> };
        return history.tickets.filter((t) => t.category === 'suggestion');
      };
      await until(async () => (await suggestions()).length === 1, 'the suggestion ticket exists');
      await until(async () => {
        const stats = await sim.control.stats();
        return stats.channels === 0 && stats.bridges === 0;
      }, 'no channel or bridge is left');
      expect(hotline.activeCalls()).toBe(0);
    });
  });

  describe('when the agent hangs up first', () => {
    it('asks the caller to rate the call and stores the rating with the call and the agent', async () => {
      const hotline = await start();
      const sim = hotline.simulator!;
      const agent = await connect(`${hotline.url.replace('http', 'ws')}/cti`, await token(hotline, 'agent1001'));
      await agent.request('subscribe', { topics: ['agent:agent1001'] });
      await agent.request('agent.login');
      await agent.request('agent.ready');
      const { channelId } = await sim.control.placeCall({ from: '13600136000', did: '12345' });
      await agent.waitFor((m) => m.type === 'event' && m.name === 'call.offer');
      await agent.request('call.answer', { callId: channelId });
      await agent.waitFor((m) => m.type === 'event' && m.name === 'call.progress');

      const survey = playbackStarted(sim, channelId, 'sound:hotline/zh/survey');
      expect((await agent.request('call.hangup', { callId: channelId })).ok).toBe(true);
      await survey;
      await sim.control.sendDtmf(channelId, { digits: '1' }); // 满意
      await until(async () => (await sim.control.channel(channelId)).hungUp, 'the survey thanked the caller and hung up');
      await agent.close();

      const headers = { authorization: `Bearer ${await token(hotline, 'supervisor')}` };
      const history = async () => (await (await fetch(`${hotline.url}/api/callers/13600136000/history`, { headers })).json()) as {
        calls: Array<Record<string, unknown>>; ratedCalls: Array<Record<string, unknown>>;
      };
      await until(async () => (await history()).calls[0]?.['endedBy'] === 'agent', 'the call record is complete');
      expect((await history()).ratedCalls).toEqual([expect.objectContaining({ callId: channelId, agent: 'agent1001', rating: 'satisfied' })]);
    });
  });

  describe('when an admin maps another number to a flow', () => {
    it('answers that number with the flow', async () => {
      const hotline = await start({ ...embedded, IVR_DID_FLOWS: '12345=12345,12319=12328' });
      const sim = hotline.simulator!;
      const { channelId } = await sim.control.placeCall({ from: '13800138001', did: '12319' });
      await playbackStarted(sim, channelId, 'sound:hotline/zh/greeting-12328');
      await sim.control.hangup(channelId);
    });
  });

  describe('when a citizen presses nothing and an agent is ready', () => {
    it('goes from the greeting to the agent, whose desktop gets the call with its context', async () => {
      const hotline = await start();
      const sim = hotline.simulator!;
      const agent = await connect(`${hotline.url.replace('http', 'ws')}/cti`, await token(hotline, 'agent1001'));
      await agent.request('subscribe', { topics: ['agent:agent1001'] });
      await agent.request('agent.login');
      await agent.request('agent.ready');

      const { channelId } = await sim.control.placeCall({ from: '13900139000', did: '12345' });
      const offer = await agent.waitFor((m) => m.type === 'event' && m.name === 'call.offer');
      expect(offer.type === 'event' && offer.data).toMatchObject({
        callId: channelId, caller: '13900139000', did: '12345', queueId: 'general', ivr: [{ node: 'greeting' }, { node: 'main' }],
      });
      expect(await playedMedia(sim, channelId)).toEqual(['sound:hotline/zh/greeting-12345', 'sound:hotline/zh/feedback-or-hold']);

      expect((await agent.request('call.answer', { callId: channelId })).ok).toBe(true);
      await agent.waitFor((m) => m.type === 'event' && m.name === 'call.progress');
      expect((await sim.control.channel(channelId)).bridgeId).toBe(`call-${channelId}`);

      // hold: the caller hears music and neither side hears the other; unhold undoes it
      expect((await agent.request('call.hold', { callId: channelId })).ok).toBe(true);
      await agent.waitFor((m) => m.type === 'event' && m.name === 'call.progress' && (m.data as { status: string }).status === 'held');
      const muted = async (id: string) => (await sim.control.channel(id)).variables['SIM_MUTED'];
      const musicToCaller = async () => (await sim.control.channel(channelId)).heard.filter((h) => h.kind === 'moh' && !h['bridgeId']).map((h) => h['on']);
      const agentLeg = `agent-${channelId}-1`;
      expect([await muted(channelId), await muted(agentLeg), await musicToCaller()]).toEqual(['in', 'in', [true]]);
      expect((await agent.request('call.hold', { callId: channelId })).ok).toBe(false); // on hold already
      expect((await agent.request('call.unhold', { callId: channelId })).ok).toBe(true);
      await agent.waitFor((m) => m.type === 'event' && m.name === 'call.progress' && (m.data as { status: string }).status === 'resumed');
      expect([await muted(channelId), await muted(agentLeg), await musicToCaller()]).toEqual([undefined, undefined, [true, false]]);
      expect((await sim.control.channel(channelId)).bridgeId).toBe(`call-${channelId}`);

      await sim.control.hangup(channelId);
      await agent.waitFor((m) => m.type === 'event' && m.name === 'call.ended');
      await agent.close();
      await until(async () => (await sim.control.stats()).channels === 0, 'both legs ended');

      const headers = { authorization: `Bearer ${await token(hotline, 'supervisor')}` };
      const callRecord = async () => {
        const history = (await (await fetch(`${hotline.url}/api/callers/13900139000/history`, { headers })).json()) as { calls: Array<Record<string, unknown>> };
        return history.calls.find((c) => c['callId'] === channelId);
      };
      await until(async () => (await callRecord())?.['endedBy'] === 'caller', 'the call record is complete');
      expect(await callRecord()).toMatchObject({
        did: '12345', callerNumber: '13900139000', flow: { flowId: '12345' },
        ivrPath: [{ node: 'greeting' }, { node: 'main' }, { node: 'agent' }], ivrExit: expect.any(String),
        queues: [{ queueId: 'general', outcome: 'answered' }], offers: [{ agentId: 'agent1001', outcome: 'answered' }], agentIds: ['agent1001'],
        answeredAt: expect.any(Number), endedAt: expect.any(Number), holds: [{ at: expect.any(Number), until: expect.any(Number) }],
      });
    });
  });

  describe('when the server restarts while a caller is in the IVR', () => {
    it('the call stays up and the restarted server carries the caller on from where they were', async () => {
      const prefix = uniquePrefix('restart');
      const env = { ...embedded, REDIS_URL: inject('redisUrl'), REDIS_PREFIX: prefix, INSTANCE_ID: 'node1' };
      const sim = await createSimulator({ logger });
      running.push({ close: async () => { await sim.close(); await deletePrefix(inject('redisUrl'), prefix); } });
      const first = await start(env, sim);
      await first.acd.upsertAgent('agent1002', { extension: '1002', skills: { transport: 5 } });
      await first.acd.applyAgent('agent1002', { type: 'login', ready: false }); // on shift, so the transport queue takes callers
      const { channelId } = await sim.control.placeCall({ from: '13700137000', did: '12328' });
      await playbackStarted(sim, channelId, 'sound:hotline/zh/greeting-12328');
      await first.close();
      running.splice(running.indexOf(first), 1);
      expect((await sim.control.channel(channelId)).hungUp).toBe(false);

      await start(env, sim);
      await sim.control.sendDtmf(channelId, { digits: '2' }); // 咨询 information → the transport queue
      await until(async () => (await sim.control.channel(channelId)).bridgeId === 'hold-node1-transport', 'the caller waits in the transport queue');
      expect((await playedMedia(sim, channelId)).filter((m) => m === 'sound:hotline/zh/greeting-12328').length).toBeGreaterThanOrEqual(1);
      await sim.control.hangup(channelId);
    });
  });
});
