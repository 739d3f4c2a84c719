/**
 * Queues on live calls, on the simulator through the real ari-client: a queued caller hears music
 * until an agent answers; RONA sends the caller back to the head; an abandon cancels the ring.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { QueueLimits } from '../../src/acd/queue-limits.ts';
import type { Simulator } from '../../src/sim/simulator.ts';
import type { TelephonyPort } from '../../src/telephony/port.ts';
import { until } from '../support/sim-events.ts';
import { generalQueue, queueCaller, queueWorld, type AgentPhone, type QueueWorld as World } from './queue-world.ts';

describe('queue service', () => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  async function setup(
    agents: Record<string, AgentPhone>,
    ringTimeoutSec = 15,
    extra: { limits?: ReadonlyMap<string, QueueLimits>; onLeft?: (callId: string, outcome: string) => void } = {},
  ): Promise<World> {
    world = await queueWorld(agents, ringTimeoutSec, extra);
    return world;
  }

  describe('when an agent is ready and answers', () => {
    it('bridges caller and agent, then puts the agent in wrap-up and back to ready when the caller hangs up', async () => {
      const w = await setup({ '1001': { behavior: 'answer' } });
      const caller = await queueCaller(w, '13800000001');
      expect((await w.sim.control.channel(caller)).bridgeId).toMatch(/^hold-/);
      w.router.kick();
      await until(async () => (await w.acd.agent('agent1001'))?.status.state === 'on_call', 'the agent is on the call');
      const callerBridge = (await w.sim.control.channel(caller)).bridgeId;
      expect(callerBridge).toBe(`call-${caller}`);
      const agentLeg = await w.sim.control.channel(`agent-${caller}-1`);
      expect(agentLeg.bridgeId).toBe(callerBridge);
      // the seat's INVITE carries the call id, which the softphone matches with the CTI offer
      expect(agentLeg.variables).toMatchObject({ HOTLINE_CALL_ID: caller, 'PJSIP_HEADER(add,X-Hotline-Call-Id)': caller });

      await w.sim.control.hangup(caller);
      await until(async () => (await w.acd.agent('agent1001'))?.status.state === 'wrap_up', 'the agent is wrapping up');
      await until(async () => (await w.sim.control.stats()).channels === 0, 'the agent leg was hung up');
      expect((await w.sim.control.stats()).bridges).toBe(1); // only the queue's holding bridge stays
      await w.clock.advance(30_000);
      await until(async () => (await w.acd.agent('agent1001'))?.status.state === 'ready', 'wrap-up ended');
    });
  });

  describe('when an agent ends wrap-up early and the next call ends soon after', () => {
    it('gives the second call its full wrap-up (the first call\'s timer does not cut it short)', async () => {
      const w = await setup({ '1001': { behavior: 'answer' } });
      const talk = async (from: string) => {
        const caller = await queueCaller(w, from);
        w.router.kick();
        await until(async () => (await w.acd.agent('agent1001'))?.status.state === 'on_call', 'the agent is on the call');
        await w.sim.control.hangup(caller);
        await until(async () => (await w.acd.agent('agent1001'))?.status.state === 'wrap_up', 'the agent is wrapping up');
      };
      await talk('13800000031');
      await w.clock.advance(10_000);
      await w.acd.applyAgent('agent1001', { type: 'end_wrap_up' });
      await talk('13800000032');
      await w.clock.advance(25_000); // 35 s after the first call ended, 25 s after the second
      await w.acd.agent('agent1001'); // let the first call's (cancelled) timer run, had it survived
      expect((await w.acd.agent('agent1001'))?.status.state).toBe('wrap_up');
      await w.clock.advance(5_000);
      await until(async () => (await w.acd.agent('agent1001'))?.status.state === 'ready', 'the second wrap-up ended after 30 s');
    });
  });

  describe('when the caller hangs up just as the agent answers', () => {
    it('ends the call for the agent with a wrap-up (never ready while still on a leg) and leaves no leg behind', async () => {
      const seen: string[] = [];
      const extra = { onAnswered: () => void seen.push('answered'), onConnected: () => void seen.push('connected') };
      world = await queueWorld({ '1001': { behavior: 'answer' } }, 15, extra, (port, sim) => ({
        ...port,
        async addToBridge(bridgeId, channelIds) {
          if (bridgeId.startsWith('call-')) await sim.control.hangup(channelIds[0]!); // the caller is gone while the legs are joined
          return port.addToBridge(bridgeId, channelIds);
        },
      }));
      const w = world;
      w.telephony.port.onEvent((event) => void (event.type === 'hung-up' && seen.push(`hung-up ${event.channelId}`)));
      const caller = await queueCaller(w, '13800000041');
      w.router.kick();
      await until(async () => (await w.acd.agent('agent1001'))?.status.state === 'wrap_up', 'the agent wraps up the call');
      await until(async () => (await w.sim.control.stats()).channels === 0, 'the agent leg was hung up');
      expect(await w.acd.call(caller)).toBeNull();
      expect(seen.slice(0, 2)).toEqual(['answered', `hung-up ${caller}`]); // the call record shows the answer, then the caller's hang-up
      expect(seen).not.toContain('connected'); // never joined: no connection to record or show
    });
  });

  describe('when the agent\'s leg hangs up after answering, before the caller is joined', () => {
    /** Hangs up the agent's first leg at `moment` and waits until the server has seen it go. */
    const dropAgentLeg = (moment: 'answered' | 'bridge-made' | 'joined') => (port: TelephonyPort, sim: Simulator): TelephonyPort => {
      let dropped = false;
      const drop = async (channelId: string) => {
        if (dropped) return;
        dropped = true;
        const seen = new Promise<void>((resolve) => {
          const off = port.onEvent((event) => {
            if (event.type !== 'hung-up' || event.channelId !== channelId) return;
            off();
            resolve();
          });
        });
        await sim.control.hangup(channelId);
        await seen;
      };
      return {
        ...port,
        async originate(endpoint, options) {
          const channel = await port.originate(endpoint, options);
          if (moment === 'answered' && options.appArgs === 'agent') await drop(options.channelId!);
          return channel;
        },
        async createBridge(type, bridgeId, name) {
          await port.createBridge(type, bridgeId, name);
          if (moment === 'bridge-made' && bridgeId.startsWith('call-')) await drop(`agent-${bridgeId.slice(5)}-1`);
        },
        async addToBridge(bridgeId, channelIds) {
          await port.addToBridge(bridgeId, channelIds);
          if (moment === 'joined' && bridgeId.startsWith('call-')) await drop(channelIds[1]!);
        },
      };
    };

    for (const moment of ['answered', 'bridge-made', 'joined'] as const) {
      it(`keeps the caller in the queue at the head, with music, and gives the call to the next agent (leg gone when ${moment})`, async () => {
        const surveyed: string[] = [];
        world = await queueWorld(
          { '1001': { behavior: 'answer' }, '1002': { behavior: 'answer' } }, 15,
          { onAgentHungUp: async (c) => (surveyed.push(c.callId), true) },
          dropAgentLeg(moment),
        );
        const w = world;
        await w.acd.applyAgent('agent1002', { type: 'not_ready', reason: 'meal' });
        const caller = await queueCaller(w, '13800000061');
        w.router.kick();
        await until(async () => (await w.acd.agent('agent1001'))?.status.state === 'not_ready', 'agent 1001 is set aside');
        expect((await w.acd.agent('agent1001'))?.status.reason).toBe('no_answer');
        await until(async () => (await w.acd.call(caller))?.state === 'waiting', 'the caller waits again');
        await until(async () => (await w.sim.control.channel(caller)).bridgeId?.startsWith('hold-') === true, 'the caller hears the music again');
        await until(async () => (await w.sim.control.stats()).bridges === 1, 'the call bridge is gone');
        expect(surveyed).toEqual([]); // no survey: the caller never spoke to anyone

        await w.acd.applyAgent('agent1002', { type: 'ready' });
        w.router.kick();
        await until(async () => (await w.acd.agent('agent1002'))?.status.state === 'on_call', 'agent 1002 took the call');
        expect((await w.sim.control.channel(caller)).bridgeId).toBe(`call-${caller}`);
        await w.sim.control.hangup(caller);
        await until(async () => (await w.sim.control.stats()).channels === 0, 'all legs ended');
      });
    }
  });

  describe('when a connected caller is sent back to a queue and the next agent rings before the first agent\'s leg is gone', () => {
    it('rings the next agent on a new leg, who takes the call (no RONA for a leg id still in use)', async () => {
      const slow = { leg: '' };
      world = await queueWorld({ '1001': { behavior: 'answer' }, '1002': { behavior: 'answer' } }, 15, {}, (port) => ({
        ...port,
        async hangup(channelId, reason) {
          if (channelId === slow.leg) await new Promise((resolve) => setTimeout(resolve, 300)); // Asterisk busy: the old leg lingers
          return port.hangup(channelId, reason);
        },
      }));
      const w = world;
      await w.acd.applyAgent('agent1002', { type: 'not_ready', reason: 'meal' });
      const caller = await queueCaller(w, '13800000071');
      w.router.kick();
      await until(async () => (await w.acd.agent('agent1001'))?.status.state === 'on_call', 'agent 1001 talks');
      await w.acd.applyAgent('agent1002', { type: 'ready' });
      slow.leg = `agent-${caller}-1`;
      const requeued = w.queue.requeue(caller, 'general');
      await until(async () => (await w.acd.call(caller))?.state === 'waiting', 'the caller waits again');
      w.router.kick();
      await until(async () => ['on_call', 'not_ready'].includes((await w.acd.agent('agent1002'))?.status.state ?? ''), 'agent 1002 was rung');
      await requeued;
      expect((await w.acd.agent('agent1002'))?.status.state).toBe('on_call');
      expect((await w.sim.control.channel(caller)).bridgeId).toBe(`call-${caller}`);
      await w.sim.control.hangup(caller);
      await until(async () => (await w.sim.control.stats()).channels === 0, 'all legs ended');
    });
  });

  describe('when a 12328 caller waits and only general agents are free (skill escalation)', () => {
    it('waits for a transport agent for two minutes, then is offered to a general agent', async () => {
      const queues = new Map([
        ...generalQueue,
        ['transport', { id: 'transport', priority: 0, steps: [{ afterSec: 0, skills: ['transport'] }, { afterSec: 120, skills: ['transport', 'general'] }] }],
      ]);
      world = await queueWorld({ '1001': { behavior: 'answer' } }, 15, { queues });
      const w = world;
      const { channelId } = await w.sim.control.placeCall({ from: '13800000051', did: '12328' });
      await w.telephony.port.answer(channelId);
      await w.queue.enqueue({ callId: channelId, channelId, queueId: 'transport', priority: 0, arrivedAt: w.clock.now(), callerNumber: '13800000051' });
      w.router.start();
      for (let s = 0; s < 119; s += 17) await w.clock.advance(17_000); // the router's rounds run; nobody has the skill
      expect((await w.acd.agent('agent1001'))?.status.state).toBe('ready');
      expect((await w.acd.call(channelId))?.state).toBe('waiting');
      await w.clock.advance(2_000);
      await until(async () => (await w.acd.agent('agent1001'))?.status.state === 'on_call', 'the general agent took the call');
      await w.sim.control.hangup(channelId);
    });
  });

  describe('when the ringing agent does not answer (RONA)', () => {
    it('puts that agent to not ready and gives the caller to the next agent', async () => {
      const w = await setup({ '1001': { behavior: 'no-answer' }, '1002': { behavior: 'answer' } });
      const caller = await queueCaller(w, '13800000002');
      await w.acd.applyAgent('agent1002', { type: 'not_ready', reason: 'meal' });
      w.router.kick();
      await until(async () => (await w.acd.agent('agent1001'))?.status.state === 'reserved', 'agent 1001 is reserved');
      await until(() => w.sim.control.channel(`agent-${caller}-1`).then(() => true, () => false), 'agent 1001 rings'); // the clock may move once the leg exists
      await w.clock.advance(15_000); // the ring timeout
      await until(async () => (await w.acd.agent('agent1001'))?.status.reason === 'no_answer', 'RONA');
      expect((await w.acd.call(caller))?.state).toBe('waiting');
      expect((await w.sim.control.channel(caller)).bridgeId).toMatch(/^hold-/);

      await w.acd.applyAgent('agent1002', { type: 'ready' });
      w.router.kick();
      await until(async () => (await w.acd.agent('agent1002'))?.status.state === 'on_call', 'agent 1002 took the call');
      await w.sim.control.hangup(caller);
      await until(async () => (await w.sim.control.stats()).channels === 0, 'all legs ended');
    });
  });

  describe('when callers wait with no agent free', () => {
    it('tells each caller every 30 s how many callers are ahead, and stops once an agent rings', async () => {
      const w = await setup({ '1001': { behavior: 'manual' } }, 60);
      await w.acd.applyAgent('agent1001', { type: 'not_ready', reason: 'meal' });
      const first = await queueCaller(w, '13800000011');
      await w.clock.advance(1);
      const second = await queueCaller(w, '13800000012');
      await w.clock.advance(30_000);
      const positions = async (channelId: string) =>
        (await w.sim.control.channel(channelId)).heard.filter((h) => h.kind === 'playback').map((h) => (h['media'] as string[])[1]);
      await until(async () => (await positions(second)).length === 1, 'the second caller heard its position');
      expect(await positions(first)).toEqual(['number:0']);
      expect(await positions(second)).toEqual(['number:1']);

      await w.acd.applyAgent('agent1001', { type: 'ready' });
      w.router.kick();
      await until(() => w.sim.control.channel(`agent-${first}-1`).then(() => true, () => false), 'the agent rings for the first caller'); // its announcements stopped
      await w.clock.advance(30_000);
      await until(async () => (await positions(second)).length === 2, 'the second caller heard its new position');
      expect(await positions(second)).toEqual(['number:1', 'number:0']);
      expect(await positions(first)).toEqual(['number:0']);
      await w.sim.control.hangup(first);
      await w.sim.control.hangup(second);
      await until(async () => (await w.sim.control.stats()).channels === 0, 'all legs ended');
    });
  });

  describe('when the queue cannot take or keep the caller', () => {
    it('gives the caller back to the flow: no agents on shift, queue full, longest wait passed', async () => {
      const left: Array<[string, string]> = [];
      const limits = new Map([['general', { maxWaitSec: 60, maxWaiting: 1 }]]);
      const w = await setup({ '1001': { behavior: 'manual' } }, 15, { limits, onLeft: (callId, outcome) => left.push([callId, outcome]) });
      await w.acd.applyAgent('agent1001', { type: 'logout' });
      const nobody = await queueCaller(w, '13800000021');
      expect(left).toEqual([[nobody, 'no-agents']]);
      expect((await w.sim.control.channel(nobody)).bridgeId).toBeNull();

      await w.acd.applyAgent('agent1001', { type: 'login', ready: false }); // on shift, not ready: callers wait
      const waiting = await queueCaller(w, '13800000022');
      const tooMany = await queueCaller(w, '13800000023');
      expect(left.slice(1)).toEqual([[tooMany, 'full']]);

      await w.clock.advance(60_000);
      await until(() => left.length === 3, 'the longest wait passed');
      expect(left[2]).toEqual([waiting, 'timeout']);
      expect((await w.sim.control.channel(waiting)).bridgeId).toBeNull();
      expect(await w.acd.call(waiting)).toBeNull();
      for (const id of [nobody, waiting, tooMany]) await w.sim.control.hangup(id);
    });
  });

  describe('when the caller hangs up while the agent rings', () => {
    it('stops the ringing and frees the agent at once', async () => {
      const w = await setup({ '1001': { behavior: 'manual' } });
      const caller = await queueCaller(w, '13800000003');
      w.router.kick();
      await until(async () => (await w.acd.agent('agent1001'))?.status.state === 'reserved', 'agent 1001 rings');
      await until(async () => !(await w.sim.control.channel(`agent-${caller}-1`).then(() => false, () => true)), 'the agent leg exists');
      await w.sim.control.hangup(caller);
      await until(async () => (await w.acd.agent('agent1001'))?.status.state === 'ready', 'the agent is free again');
      await until(async () => (await w.sim.control.stats()).channels === 0, 'the agent leg was cancelled');
      expect(await w.acd.call(caller)).toBeNull();
    });
  });
});
