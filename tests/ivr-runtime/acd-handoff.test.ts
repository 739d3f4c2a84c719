/**
 * From the IVR to a person: the 12345 flow's queue node hands the caller to the ACD's queue
 * service; when an agent answers, the IVR lets go of the call and the caller talks to the agent.
 * When the queue gives the caller back (the longest wait passed), the flow goes on at its exit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAcdState, type AcdState } from '../../src/acd/acd-state.ts';
import { createQueueRouter, type QueueRouter } from '../../src/acd/queue-router.ts';
import { createQueueService, type CallbackEvent, type QueueService, type QueueServiceOptions } from '../../src/acd/queue-service.ts';
import type { RoutingQueue } from '../../src/acd/routing.ts';
import type { Flow } from '../../src/ivr/flow-schema.ts';
import { createAcdQueueEntry } from '../../src/ivr/runtime/acd-queue-entry.ts';
import { until } from '../support/sim-events.ts';
import { logger, sounds12345 as s, startRig, type IvrRig, type RigOptions } from './ivr-harness.ts';

const routing = new Map<string, RoutingQueue>([['general', { id: 'general', priority: 0, steps: [{ afterSec: 0, skills: ['general'] }] }]]);

const p = (sound: string) => ({ 'zh-CN': { sound: `sound:test/${sound}` } });

/** Straight to the queue; after the longest wait a menu offers to leave a message (2). */
const overflowFlow: Flow = {
  id: 'overflow-test', title: 'back from the queue', languages: ['zh-CN'], entry: 'to_agent',
  nodes: {
    to_agent: { type: 'queue', queue: 'general', next: { timeout: 'menu', full: 'bye', noAgents: 'bye' } },
    menu: { type: 'menu', prompt: p('menu'), options: { 2: { next: 'message' } }, next: { noInput: 'bye', noMatch: 'bye' } },
    message: { type: 'play', prompt: p('message'), next: 'bye' },
    bye: { type: 'hangup' },
  },
};

describe('IVR runtime handing callers to the ACD', () => {
  let rig: IvrRig | undefined;
  let acd: { state: AcdState; queues: QueueService; router: QueueRouter } | undefined;
  afterEach(async () => {
    await acd?.router.close();
    await acd?.queues.close();
    await rig?.close();
    rig = undefined;
    acd = undefined;
  });

  /** The ACD's queue service and router behind the IVR's queue node, wired as in server.ts. */
  function acdEntry(extra: Partial<QueueServiceOptions> = {}): NonNullable<RigOptions['queueEntry']> {
    return ({ telephony, store, clock }) => {
      const state = createAcdState({ store, clock });
      const entry = createAcdQueueEntry({ enqueue: (request) => queues.enqueue(request) });
      const queues = createQueueService({
        telephony: telephony.port, acd: state, store, clock, logger, queues: routing, instanceId: 'i1',
        onConnected: (c) => entry.connected(c.callId), onLeft: (callId, outcome) => entry.left(callId, outcome), ...extra,
      });
      const router = createQueueRouter({ acd: state, store, clock, logger, instanceId: 'i1', queues: routing, deliver: queues.deliver, intervalMs: 1_000 });
      acd = { state, queues, router };
      return entry;
    };
  }

  /** A caller of the overflow test flow, waiting in the ACD queue while the only agent is not ready. */
  async function waitingCaller(extra: Partial<QueueServiceOptions>): Promise<{ r: IvrRig; channelId: string }> {
    rig = await startRig({ publishShipped: false, didFlows: { didFlows: { 8002: 'overflow-test' } }, queueEntry: acdEntry(extra) });
    await rig.versions.publish({ flow: overflowFlow, author: 'test', message: 'overflow test flow', expectedHash: null });
    await acd!.state.upsertAgent('agent1001', { extension: '1001', skills: { general: 1 } });
    await acd!.state.applyAgent('agent1001', { type: 'login', ready: false }); // on shift, not ready: callers wait
    const { channelId } = await rig.sim.control.placeCall({ from: '13800138000', did: '8002' });
    await until(async () => (await acd!.state.call(channelId))?.state === 'waiting', 'waiting in the ACD queue');
    return { r: rig, channelId };
  }

  const testSounds = async (r: IvrRig, channelId: string) => (await r.played(channelId)).filter((m) => m.startsWith('sound:test/'));

  describe('when the caller presses nothing and an agent answers', () => {
    it('the caller waits in the ACD queue, is bridged to the agent, and the IVR lets go of the call', async () => {
      rig = await startRig({ queueEntry: acdEntry() });
      const r = rig;
      await acd!.state.upsertAgent('agent1001', { extension: '1001', skills: { general: 1 } });
      await acd!.state.applyAgent('agent1001', { type: 'login', ready: false }); // on shift, not yet ready
      const { channelId } = await r.sim.control.placeCall({ from: '13800138000', did: '12345' });
      await r.hears(channelId, s.greeting);
      const menu = r.hears(channelId, s.main);
      await r.advance(channelId, 1000);
      await menu;
      await r.advance(channelId, 1000);
      await r.advance(channelId, 1500);
      await until(async () => (await r.sim.control.channel(channelId)).bridgeId === 'hold-i1-general', 'hearing music in the holding bridge');
      // the queue document is written just after the caller joins the music: route once it is there
      await until(async () => (await acd!.state.call(channelId))?.state === 'waiting', 'waiting in the ACD queue');
      expect(r.calls.activeCalls()).toBe(1);

      await r.sim.control.setEndpoint('PJSIP', '1001', { behavior: 'answer' });
      await acd!.state.applyAgent('agent1001', { type: 'ready' });
      acd!.router.kick();
      await until(async () => (await r.sim.control.channel(channelId)).bridgeId === `call-${channelId}`, 'bridged to the agent');
      await until(() => r.calls.activeCalls() === 0, 'the IVR let go of the call');
      expect((await r.sim.control.channel(channelId)).hungUp).toBe(false);

      await r.sim.control.hangup(channelId);
      await until(async () => (await acd!.state.agent('agent1001'))?.status.state === 'wrap_up', 'the agent wraps up');
    });
  });

  describe('when the caller pressed keys while waiting and the longest wait passes (overflow)', () => {
    it('the next menu plays its prompt and waits for a new key instead of acting on the keys pressed in the queue', async () => {
      const { r, channelId } = await waitingCaller({ limits: new Map([['general', { maxWaitSec: 60, maxWaiting: 0, callbackKey: '1' }]]), announceEverySec: 0 });
      await r.sim.control.sendDtmf(channelId, { digits: '22' }); // the menu's option, not the queue's callback key
      await r.settle(channelId);
      expect((await acd!.state.call(channelId))?.state).toBe('waiting');

      await r.advance(channelId, 60_000);
      await until(async () => (await testSounds(r, channelId)).length > 0, 'the flow goes on after the overflow');
      await r.advance(channelId, 1000); // the menu prompt plays out: the keys typed in the queue would show now
      expect(await testSounds(r, channelId)).toEqual(['sound:test/menu']);
      expect(r.calls.session(channelId)?.state()).toMatchObject({ node: 'menu', phase: 'listen' });

      const message = r.hears(channelId, 'sound:test/message');
      await r.sim.control.sendDtmf(channelId, { digits: '2' });
      await message;
      await r.sim.control.hangup(channelId);
      await until(() => r.calls.activeCalls() === 0, 'the call ended');
    });
  });

  describe('when the caller presses the queue\'s callback key while waiting', () => {
    it('the queue books the callback and hangs up after the confirmation', async () => {
      const booked: CallbackEvent[] = [];
      const { r, channelId } = await waitingCaller({
        limits: new Map([['general', { maxWaitSec: 60, maxWaiting: 0, callbackKey: '1' }]]), announceEverySec: 0, onCallback: (e) => booked.push(e),
      });
      await r.sim.control.sendDtmf(channelId, { digits: '1' });
      await until(() => booked.length === 1, 'the callback is booked');
      expect(booked[0]).toMatchObject({ type: 'registered', callId: channelId, number: '13800138000' });
      await r.advance(channelId, 10_000); // the confirmation plays
      await until(async () => (await r.sim.control.channel(channelId)).hungUp, 'the caller was hung up');
      await until(() => r.calls.activeCalls() === 0, 'the IVR let go of the call');
      expect(await testSounds(r, channelId)).toEqual([]);
    });
  });
});
