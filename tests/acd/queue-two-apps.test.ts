/**
 * Two server instances on one Asterisk, each with its own Stasis application: when one (re)starts,
 * its reconcile sees every bridge on the Asterisk, also the other instance's calls. It must carry
 * on only its own calls and leave the other's alone.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAcdState, type AcdState } from '../../src/acd/acd-state.ts';
import { defaultQueues } from '../../src/acd/queue-config.ts';
import { createQueueRouter, type QueueRouter } from '../../src/acd/queue-router.ts';
import { createQueueService, type QueueService } from '../../src/acd/queue-service.ts';
import { createManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/log.ts';
import { createSimulator, type Simulator } from '../../src/sim/simulator.ts';
import { createMemoryData } from '../../src/store/memory-data.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { createTelephony, type Telephony } from '../../src/telephony/create-telephony.ts';
import { until } from '../support/sim-events.ts';

const logger = createLogger('silent');

interface Server {
  telephony: Telephony;
  acd: AcdState;
  queue: QueueService;
  router: QueueRouter;
  close(): Promise<void>;
}

describe('queues of two instances on one Asterisk', () => {
  const clock = createManualClock();
  let data = createMemoryData(clock);
  let sim: Simulator;
  const servers: Server[] = [];
  beforeEach(() => void (data = createMemoryData(clock)));
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
    await sim.close();
  });

  /** An instance on the shared store with its own app; `answered` may be held back to freeze it mid-connect. */
  async function start(instanceId: string, app: string, holdAnswered?: Promise<void>): Promise<Server> {
    const store = createMemoryStore({ data });
    const telephony = createTelephony({ ARI_URL: sim.url, ARI_USER: 'hotline', ARI_PASSWORD: 'hotline', ARI_APP: app, AMI_USER: 'x', AMI_SECRET: 'x' }, logger);
    const real = createAcdState({ store, clock });
    const acd: AcdState = holdAnswered ? { ...real, answered: async (callId, agentId) => holdAnswered.then(() => real.answered(callId, agentId)) } : real;
    const queue = createQueueService({ telephony: telephony.port, acd, store, clock, logger, queues: defaultQueues, instanceId, ringTimeoutSec: 60 });
    const router = createQueueRouter({ acd, store, clock, logger, instanceId, queues: defaultQueues, deliver: queue.deliver });
    let reconciled = false;
    telephony.port.onReconcile(() => void (reconciled = true));
    await telephony.start();
    await until(() => reconciled && telephony.port.state().status === 'up', `${instanceId} connected and reconciled`);
    await telephony.idle();
    const server = {
      telephony, acd, queue, router,
      async close() {
        await router.close();
        await queue.close();
        await telephony.close();
      },
    };
    servers.push(server);
    return server;
  }

  /** A caller of node-b's app talking (or being connected) to agent li. */
  async function callOnB(b: Server): Promise<string> {
    await b.acd.upsertAgent('li', { extension: '1001', skills: { general: 1 } });
    await b.acd.applyAgent('li', { type: 'login', ready: true });
    const { channelId } = await sim.control.placeCall({ from: '13800000001', did: '12345', app: 'hotline-b' });
    await b.telephony.port.answer(channelId);
    await b.queue.enqueue({ callId: channelId, channelId, queueId: 'general', priority: 0, arrivedAt: clock.now(), callerNumber: '13800000001' });
    b.router.kick();
    await until(async () => (await sim.control.channel(channelId)).bridgeId === `call-${channelId}`, 'caller and agent are bridged');
    return channelId;
  }

  describe('when one instance starts while the other talks', () => {
    it('leaves the talk to its instance, which ends it when the caller hangs up', async () => {
      sim = await createSimulator({ logger, clock, endpoints: { 'PJSIP/1001': { behavior: 'answer' } } });
      const b = await start('node-b', 'hotline-b');
      const callId = await callOnB(b);
      await until(async () => (await b.acd.agent('li'))?.status.state === 'on_call', 'the agent is on the call');

      const a = await start('node-a', 'hotline-a');
      expect(a.queue.connection(callId)).toBeUndefined();
      expect(b.queue.connection(callId)?.phase).toBe('connected');
      await sim.control.hangup(callId);
      await until(async () => (await b.acd.agent('li'))?.status.state === 'wrap_up', 'the agent wraps up');
      await until(async () => (await sim.control.stats()).channels === 0, 'the agent leg was hung up');
    });
  });

  describe('when one instance starts while the other is connecting a caller to an agent', () => {
    it('does not cut the caller off', async () => {
      sim = await createSimulator({ logger, clock, endpoints: { 'PJSIP/1001': { behavior: 'answer' } } });
      let release!: () => void;
      const b = await start('node-b', 'hotline-b', new Promise<void>((resolve) => (release = resolve)));
      const callId = await callOnB(b);
      expect((await b.acd.agent('li'))?.status.state).toBe('reserved'); // bridged, not yet marked answered

      await start('node-a', 'hotline-a');
      release();
      await until(async () => (await b.acd.agent('li'))?.status.state === 'on_call', 'the agent is on the call');
      expect(await sim.control.channel(callId)).toMatchObject({ hungUp: false, bridgeId: `call-${callId}` });
      await sim.control.hangup(callId);
      await until(async () => (await b.acd.agent('li'))?.status.state === 'wrap_up', 'the agent wraps up');
    });
  });
});
