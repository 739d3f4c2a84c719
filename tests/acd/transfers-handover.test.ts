/**
 * The queue service's hand-over (used by transfers and the supervisor take-over), on the simulator
 * through the real ari-client: after `handOver` the new party holds the call — the previous agent
 * wraps up, the new party's hang-up ends the call like an agent hang-up, the caller's hang-up
 * hangs the new party up, and nothing is left behind.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Ended } from '../../src/acd/queue-service.ts';
import { until } from '../support/sim-events.ts';
import { queueCaller, queueWorld, type QueueWorld } from './queue-world.ts';

describe('queue service hand-over', () => {
  let world: QueueWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  /** A caller connected to agent1001, and a third leg (seat 2001) answered in the app. */
  async function connectedWithThirdLeg(ended: Ended[], kept: string[] = []) {
    const w = (world = await queueWorld({ '1001': { behavior: 'answer' }, '2001': { behavior: 'answer' } }, 15, {
      onEnded: (e) => void ended.push(e),
      onAgentHungUp: async ({ callId }) => (kept.push(callId), false),
    }));
    await w.acd.applyAgent('agent2001', { type: 'not_ready', reason: 'expert' }); // only 1001 takes the queued call
    const caller = await queueCaller(w, '13800000071');
    w.router.kick();
    await until(async () => (await w.acd.agent('agent1001'))?.status.state === 'on_call', 'the agent is on the call');
    const third = 'third-leg-1';
    await w.telephony.port.originate('PJSIP/2001', { channelId: third, timeoutSec: 10, timeoutMs: 10_000 });
    const { bridgeId } = w.queue.connection(caller)!;
    await w.telephony.port.addToBridge(bridgeId!, [third]);
    return { w, caller, third, bridgeId: bridgeId!, agentLeg: w.queue.connection(caller)!.agentChannelId! };
  }

  describe('when the call is handed to a third party and the agent leg is hung up', () => {
    it('wraps the agent up (told transferred), keeps caller and new party talking, and ends like an agent hang-up when the new party leaves', async () => {
      const ended: Ended[] = [];
      const kept: string[] = [];
      const { w, caller, third, bridgeId, agentLeg } = await connectedWithThirdLeg(ended, kept);
      await w.queue.handOver(caller, { agentId: null, channelId: third });
      await w.telephony.port.hangup(agentLeg);

      expect((await w.acd.agent('agent1001'))?.status.state).toBe('wrap_up');
      expect(ended).toEqual([{ callId: caller, agentId: 'agent1001', cause: 'transferred' }]);
      expect(w.queue.connection(caller)).toMatchObject({ agentChannelId: third, phase: 'connected' });
      await until(async () => (await w.sim.control.channel(agentLeg)).hungUp, 'the old agent leg is gone');
      expect((await w.sim.control.channel(caller)).bridgeId).toBe(bridgeId);
      expect((await w.sim.control.channel(third)).bridgeId).toBe(bridgeId);

      await w.sim.control.hangup(third);
      await until(async () => (await w.sim.control.stats()).channels === 0, 'the caller was hung up');
      expect(kept).toEqual([caller]); // asked whether to keep the caller for the survey, like an agent hang-up
      expect((await w.sim.control.stats()).bridges).toBe(1); // the queue's holding bridge only
      expect(w.queue.liveCalls()).toBe(0);
    });
  });

  describe('when the caller hangs up after the hand-over', () => {
    it('hangs up the new party and wraps up the agent who now holds the call', async () => {
      const ended: Ended[] = [];
      const { w, caller, third, agentLeg } = await connectedWithThirdLeg(ended);
      await w.acd.applyAgent('agent2001', { type: 'ready' });
      // the new party is an ACD agent: reserved and on call through a call document of its own
      await w.acd.enqueue({ callId: 'doc-2001', queueId: 'consult', priority: 0, arrivedAt: 0, enqueuedAt: 0, instanceId: 'i1', channelId: third, callerNumber: '' });
      expect(await w.acd.reserve('doc-2001', 'agent2001')).toBe(true);
      await w.acd.answered('doc-2001', 'agent2001');
      await w.queue.handOver(caller, { agentId: 'agent2001', channelId: third });
      await w.telephony.port.hangup(agentLeg);

      await w.sim.control.hangup(caller);
      await until(async () => (await w.sim.control.stats()).channels === 0, 'the new party was hung up');
      expect((await w.acd.agent('agent2001'))?.status.state).toBe('wrap_up');
      expect(ended).toEqual([
        { callId: caller, agentId: 'agent1001', cause: 'transferred' },
        { callId: caller, agentId: 'agent2001', cause: 'caller_hangup' },
      ]);
      expect((await w.sim.control.stats()).bridges).toBe(1);
    });
  });

  describe('when the call is not connected here', () => {
    it('refuses with NOT_FOUND', async () => {
      const w = (world = await queueWorld({ '1001': { behavior: 'no-answer' } }));
      await expect(w.queue.handOver('nope', { agentId: null, channelId: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });
});
