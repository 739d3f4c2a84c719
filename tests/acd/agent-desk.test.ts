/**
 * The agent's desktop over the real CTI WebSocket, with calls on the simulator: log in, go ready,
 * get the offer with the screen pop, answer (demo: no SIP phone), and see the call end.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAcdState } from '../../src/acd/acd-state.ts';
import { createAgentDesk } from '../../src/acd/agent-desk.ts';
import { defaultQueues } from '../../src/acd/queue-config.ts';
import { createQueueRouter } from '../../src/acd/queue-router.ts';
import { createQueueService } from '../../src/acd/queue-service.ts';
import { createCallRecords } from '../../src/calls/call-records.ts';
import { systemClock } from '../../src/clock.ts';
import type { EventMessage } from '../../src/cti/protocol.ts';
import { createLogger } from '../../src/log.ts';
import { createSimulator } from '../../src/sim/simulator.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { createTelephony } from '../../src/telephony/create-telephony.ts';
import { login } from '../support/app.ts';
import { until } from '../support/sim-events.ts';
import { connect, startInstance, type Client } from '../cti/cti-helpers.ts';

const logger = createLogger('silent');

describe('agent desk', () => {
  const closers: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  async function setup() {
    const clock = systemClock;
    const store = createMemoryStore({ clock });
    const cti = await startInstance({ store, clock });
    closers.push(() => cti.close());
    const sim = await createSimulator({ logger });
    closers.push(() => sim.close());
    await sim.control.setEndpoint('PJSIP', '1001', { behavior: 'manual' });
    const telephony = createTelephony({ ARI_URL: sim.url, ARI_USER: 'hotline', ARI_PASSWORD: 'hotline', ARI_APP: 'hotline', AMI_USER: 'x', AMI_SECRET: 'x' }, logger);
    await telephony.start();
    closers.push(() => telephony.close());
    await until(() => telephony.port.state().status === 'up', 'ARI is connected');
    const acd = createAcdState({ store, clock });
    const records = createCallRecords({ store, clock });
    const late: { queues?: ReturnType<typeof createQueueService>; router?: ReturnType<typeof createQueueRouter> } = {};
    const desk = createAgentDesk({
      cti: cti.gateway, bus: cti.bus, acd, records, telephony: telephony.port, clock, logger,
      getUser: (name) => cti.test.users.getUser(name),
      connection: (callId) => late.queues?.connection(callId),
      kick: () => late.router?.kick(),
      answerAgentLeg: (channelId) => sim.control.answer(channelId),
    });
    closers.push(() => desk.close());
    const queues = (late.queues = createQueueService({ telephony: telephony.port, acd, store, clock, logger, queues: defaultQueues, instanceId: 'i1', onOffer: desk.offered, onConnected: desk.connected, onEnded: desk.ended }));
    closers.push(() => queues.close());
    const router = (late.router = createQueueRouter({ acd, store, clock, logger, instanceId: 'i1', queues: defaultQueues, deliver: queues.deliver }));
    closers.push(() => router.close());
    const { authorization, username } = await login(cti.test, ['agent'], { extension: '1001' });
    const agent = await connect(cti.url, authorization.replace(/^Bearer /, ''));
    closers.push(() => agent.close());
    return { sim, telephony, acd, records, queues, agent, username };
  }

  const nextEvent = (client: Client, name: string, after = 0) =>
    client.waitFor((m) => m.type === 'event' && m.name === name && client.received.indexOf(m) >= after) as Promise<EventMessage>;

  describe('when an agent logs in, goes ready and a citizen calls', () => {
    it('pops the call with its context, answers it and sees it end', async () => {
      const { sim, telephony, acd, records, queues, agent, username } = await setup();
      expect((await agent.request('subscribe', { topics: [`agent:${username}`] })).ok).toBe(true);
      const login = await agent.request('agent.login');
      expect(login).toMatchObject({ ok: true, result: { extension: '1001', status: { state: 'not_ready' } } });
      expect((await nextEvent(agent, 'agent.state')).data).toMatchObject({ username, state: 'not_ready' });
      const mark = agent.received.length;
      expect((await agent.request('agent.ready')).ok).toBe(true);
      expect((await nextEvent(agent, 'agent.state', mark)).data).toMatchObject({ state: 'ready' });

      await records.start({ callId: 'earlier', did: '12345', callerNumber: '13800138000', arrivedAt: Date.now() - 86_400_000 });
      const { channelId } = await sim.control.placeCall({ from: '13800138000', did: '12328' });
      await records.start({ callId: channelId, did: '12328', callerNumber: '13800138000' });
      await records.append(channelId, { type: 'ivr_node', at: Date.now(), node: 'greeting' }, { type: 'ivr_node', at: Date.now(), node: 'menu', input: '2' });
      await telephony.port.answer(channelId);
      await queues.enqueue({ callId: channelId, channelId, queueId: 'general', priority: 0, arrivedAt: Date.now() - 5_000, callerNumber: '13800138000' });

      const offer = await nextEvent(agent, 'call.offer');
      expect(offer.data).toMatchObject({
        callId: channelId, caller: '13800138000', did: '12328', queueId: 'general',
        ivr: [{ node: 'greeting' }, { node: 'menu', input: '2' }],
        history: [{ callId: 'earlier' }],
      });
      expect((offer.data as { waitingMs: number }).waitingMs).toBeGreaterThanOrEqual(5_000);

      expect((await agent.request('call.answer', { callId: channelId })).ok).toBe(true);
      await nextEvent(agent, 'call.progress');
      expect((await acd.agent(username))?.status.state).toBe('on_call');

      await sim.control.hangup(channelId);
      expect((await nextEvent(agent, 'call.ended')).data).toEqual({ callId: channelId, cause: 'caller_hangup' });
      await until(async () => (await acd.agent(username))?.status.state === 'wrap_up', 'the agent wraps up');
      expect((await agent.request('agent.endWrapUp')).ok).toBe(true);
    });
  });

  describe('when an agent tries to log in to a seat not theirs', () => {
    it('is refused with FORBIDDEN', async () => {
      const { agent } = await setup();
      const reply = await agent.request('agent.login', { extension: '2001' });
      expect(reply).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    });
  });

  describe('when an agent on a call asks to go ready', () => {
    it('gets a coded refusal and stays where they are', async () => {
      const { agent, acd, username } = await setup();
      await agent.request('agent.login');
      await agent.request('agent.ready');
      const reply = await agent.request('agent.endWrapUp');
      expect(reply).toMatchObject({ ok: false, error: { code: 'AGENT_BAD_TRANSITION' } });
      expect((await acd.agent(username))?.status.state).toBe('ready');
    });
  });
});
