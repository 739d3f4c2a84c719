/**
 * A server restart drops no call: queued, ringing and talking calls are found again from Asterisk
 * (here the simulator) and the store, and carried on by the new server instance. On the in-memory
 * store and on the real Redis of the test run.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createAcdState, type AcdState } from '../../src/acd/acd-state.ts';
import { defaultLimits, defaultQueues } from '../../src/acd/queue-config.ts';
import { createQueueRouter, type QueueRouter } from '../../src/acd/queue-router.ts';
import { createQueueService, type QueueService } from '../../src/acd/queue-service.ts';
import { createManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/log.ts';
import { createSimulator, type Simulator } from '../../src/sim/simulator.ts';
import { createMemoryData } from '../../src/store/memory-data.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { createRedisStore } from '../../src/store/redis-store.ts';
import type { Store } from '../../src/store/store.ts';
import { createTelephony, type Telephony } from '../../src/telephony/create-telephony.ts';
import { deletePrefix, uniquePrefix } from '../support/redis.ts';
import { until } from '../support/sim-events.ts';

const logger = createLogger('silent');
const clock = createManualClock();

interface Server {
  telephony: Telephony;
  acd: AcdState;
  queue: QueueService;
  router: QueueRouter;
  close(): Promise<void>;
}

/** A fresh store for a test: each instance started on it sees the same data. */
const backends: Array<{ name: string; fresh: () => { open: () => Store; dispose: () => Promise<unknown> } }> = [
  { name: 'memory', fresh: () => {
    const data = createMemoryData(clock);
    return { open: () => createMemoryStore({ data }), dispose: async () => undefined };
  } },
  { name: 'Redis', fresh: () => {
    const url = inject('redisUrl');
    const prefix = uniquePrefix('queue-restart');
    return { open: () => createRedisStore({ url, prefix, logger }), dispose: () => deletePrefix(url, prefix) };
  } },
];

describe.each(backends)('queues across a server restart ($name)', ({ fresh }) => {
  let sim: Simulator;
  let server: Server | undefined;
  let backend = fresh();
  /** Calls given back to their flow (`onLeft`), by any instance. */
  let left: string[] = [];
  afterEach(async () => {
    await server?.close();
    await sim.close();
    await backend.dispose();
  });

  /** One server instance on the shared store and simulator; resolves once its reconcile ran. */
  async function start(): Promise<Server> {
    const store = backend.open();
    const telephony = createTelephony({ ARI_URL: sim.url, ARI_USER: 'hotline', ARI_PASSWORD: 'hotline', ARI_APP: 'hotline', AMI_USER: 'x', AMI_SECRET: 'x' }, logger);
    const acd = createAcdState({ store, clock });
    const queue = createQueueService({
      telephony: telephony.port, acd, store, clock, logger, queues: defaultQueues, limits: defaultLimits, instanceId: 'node1', ringTimeoutSec: 60,
      onLeft: (callId, outcome) => void left.push(`${callId} ${outcome}`),
    });
    const router = createQueueRouter({ acd, store, clock, logger, instanceId: 'node1', queues: defaultQueues, deliver: queue.deliver });
    let reconciled = false;
    telephony.port.onReconcile(() => void (reconciled = true));
    await telephony.start();
    await until(() => reconciled && telephony.port.state().status === 'up', 'connected and reconciled');
    await telephony.idle();
    const instance = {
      telephony, acd, queue, router,
      async close() {
        await router.close();
        await queue.close();
        await telephony.close();
        await store.close();
      },
    };
    server = instance;
    return instance;
  }

  async function restart(): Promise<Server> {
    await server!.close();
    server = undefined;
    return start();
  }

  async function setup(behavior: 'answer' | 'manual') {
    backend = fresh();
    left = [];
    sim = await createSimulator({ logger, clock });
    await sim.control.setEndpoint('PJSIP', '1001', { behavior });
    const first = await start();
    await first.acd.upsertAgent('li', { extension: '1001', skills: { general: 1 } });
    await first.acd.applyAgent('li', { type: 'login', ready: false });
    const { channelId } = await sim.control.placeCall({ from: '13800000001', did: '12345' });
    await first.telephony.port.answer(channelId);
    await first.queue.enqueue({ callId: channelId, channelId, queueId: 'general', priority: 0, arrivedAt: clock.now(), callerNumber: '13800000001' });
    return { first, callId: channelId };
  }

  const state = async (s: Server) => (await s.acd.agent('li'))?.status;

  describe('when callers wait during the restart', () => {
    it('keeps them queued and connects them once an agent is ready', async () => {
      const { callId } = await setup('answer');
      const second = await restart();
      expect((await sim.control.channel(callId)).bridgeId).toBe('hold-node1-general');
      await second.acd.applyAgent('li', { type: 'ready' });
      second.router.kick();
      await until(async () => (await state(second))?.state === 'on_call', 'the agent is on the call');
      expect((await sim.control.channel(callId)).bridgeId).toBe(`call-${callId}`);
    });
  });

  describe('when a caller has waited most of the longest wait before the restart', () => {
    it('gives it back to its flow when the longest wait (5 min in the general queue) has passed, not 5 min after the restart', async () => {
      const { callId } = await setup('answer');
      await clock.advance(200_000);
      const second = await restart();
      await clock.advance(99_000);
      expect((await second.acd.call(callId))?.state).toBe('waiting');
      await clock.advance(2_000);
      await until(() => left.includes(`${callId} timeout`), 'the caller is given back to the flow');
      expect(await second.acd.call(callId)).toBeNull();
    });
  });

  describe('when a call is talking during the restart', () => {
    it('leaves the talk alone and still ends it properly when the caller hangs up', async () => {
      const { first, callId } = await setup('answer');
      await first.acd.applyAgent('li', { type: 'ready' });
      first.router.kick();
      await until(async () => (await state(first))?.state === 'on_call', 'the agent is on the call');
      const second = await restart();
      expect((await sim.control.channel(callId)).bridgeId).toBe(`call-${callId}`);
      await sim.control.hangup(callId);
      await until(async () => (await state(second))?.state === 'wrap_up', 'the agent wraps up');
      await until(async () => (await sim.control.stats()).channels === 0, 'the agent leg was hung up');
    });
  });

  describe('when an agent rings during the restart', () => {
    it('withdraws the offer without penalty and rings again', async () => {
      const { first, callId } = await setup('manual');
      await first.acd.applyAgent('li', { type: 'ready' });
      first.router.kick();
      await until(async () => (await state(first))?.state === 'reserved', 'the agent rings');
      const second = await restart();
      expect((await state(second))?.state).toBe('ready');
      expect((await second.acd.call(callId))?.state).toBe('waiting');
      second.router.kick();
      await until(async () => (await state(second))?.state === 'reserved', 'the agent is reserved again');
      await until(() => sim.control.channel(`agent-${callId}-101`).then((c) => !c.hungUp, () => false), 'the agent rings again');
      await sim.control.answer(`agent-${callId}-101`);
      await until(async () => (await state(second))?.state === 'on_call', 'the agent answered');
    });
  });

  describe('when a caller booked a callback before the restart', () => {
    it('keeps the booked place and calls the citizen back once an agent is ready', async () => {
      const { first, callId } = await setup('answer');
      await sim.control.setEndpoint('PJSIP', '13800000001@trunk', { behavior: 'answer' });
      await sim.control.sendDtmf(callId, { digits: '1' });
      await until(async () => (await first.acd.call(callId))?.callback !== undefined, 'the callback is booked');
      const confirming = async () => (await sim.control.channel(callId)).heard.some((h) => String(h['media'] ?? '').includes('callback-registered'));
      await until(confirming, 'the confirmation plays'); // on the manual clock: advance only once it started
      await clock.advance(10_000);
      await until(async () => (await sim.control.channel(callId)).hungUp, 'the caller hung up');
      const second = await restart();
      expect((await second.acd.call(callId))?.state).toBe('waiting');
      await second.acd.applyAgent('li', { type: 'ready' });
      second.router.kick();
      await until(async () => (await state(second))?.state === 'on_call', 'the agent is on the callback');
      expect((await sim.control.channel(`${callId}-cb1`)).bridgeId).toBe(`call-${callId}-cb1`);
    });
  });

  describe('when a callback attempt rings the agent during the restart', () => {
    it('counts that attempt and calls the citizen back under a new attempt id', async () => {
      const { first, callId } = await setup('manual');
      await sim.control.setEndpoint('PJSIP', '13800000001@trunk', { behavior: 'answer' });
      await sim.control.sendDtmf(callId, { digits: '1' });
      await until(async () => (await first.acd.call(callId))?.callback !== undefined, 'the callback is booked');
      await clock.advance(10_000);
      await first.acd.applyAgent('li', { type: 'ready' });
      first.router.kick();
      await until(() => sim.control.channel(`agent-${callId}-cb1-1`).then((c) => !c.hungUp, () => false), 'the agent rings for attempt 1');
      const second = await restart();
      expect((await second.acd.call(callId))?.callback?.attempts).toBe(1);
      await sim.control.setEndpoint('PJSIP', '1001', { behavior: 'answer' });
      second.router.kick();
      await until(async () => (await state(second))?.state === 'on_call', 'the agent is on the callback');
      expect((await sim.control.channel(`${callId}-cb2`)).bridgeId).toBe(`call-${callId}-cb2`);
    });
  });

  describe('when a caller hangs up while the server is down', () => {
    it('counts an abandon instead of ringing an agent for nobody', async () => {
      const { first, callId } = await setup('answer');
      await first.close();
      server = undefined;
      await sim.control.hangup(callId);
      const second = await start();
      expect(await second.acd.call(callId)).toBeNull();
      await second.acd.applyAgent('li', { type: 'ready' });
      second.router.kick();
      await second.telephony.idle();
      expect((await state(second))?.state).toBe('ready');
    });
  });
});
