/**
 * From the IVR to a person: the 12345 flow's queue node hands the caller to the ACD's queue
 * service; when an agent answers, the IVR lets go of the call and the caller talks to the agent.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAcdState, type AcdState } from '../../src/acd/acd-state.ts';
import { createQueueRouter, type QueueRouter } from '../../src/acd/queue-router.ts';
import { createQueueService, type QueueService } from '../../src/acd/queue-service.ts';
import type { RoutingQueue } from '../../src/acd/routing.ts';
import { createAcdQueueEntry } from '../../src/ivr/runtime/acd-queue-entry.ts';
import { until } from '../support/sim-events.ts';
import { logger, sounds12345 as s, startRig, type IvrRig } from './ivr-harness.ts';

const routing = new Map<string, RoutingQueue>([['general', { id: 'general', priority: 0, steps: [{ afterSec: 0, skills: ['general'] }] }]]);

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

  describe('when the caller presses nothing and an agent answers', () => {
    it('the caller waits in the ACD queue, is bridged to the agent, and the IVR lets go of the call', async () => {
      rig = await startRig({
        queueEntry: ({ telephony, store, clock }) => {
          const state = createAcdState({ store, clock });
          const entry = createAcdQueueEntry({ enqueue: (request) => queues.enqueue(request) });
          const queues = createQueueService({
            telephony: telephony.port, acd: state, store, clock, logger, queues: routing, instanceId: 'i1', onConnected: (c) => entry.connected(c.callId),
          });
          const router = createQueueRouter({ acd: state, store, clock, logger, instanceId: 'i1', queues: routing, deliver: queues.deliver, intervalMs: 1_000 });
          acd = { state, queues, router };
          return entry;
        },
      });
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
});
