/**
 * A server restart in each phase of a transfer (docs/transfers.md, *After a restart*): the transfer
 * state is gone with the old server, so the new one brings every call back to a sane state — the
 * caller with the agent (or, if the agent is gone, with the expert who answered), a three-way
 * carried on, a handed-over call kept — with no channel or bridge left over and every agent on the
 * call they are really on or in wrap-up. The old server stops like a crash (nothing cleaned up).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../support/sim-events.ts';
import { transferWorld, type Phone, type TransferWorld } from './transfer-world.ts';

describe('transfers across a server restart', () => {
  let world: TransferWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  const bridgeOf = async (w: TransferWorld, channelId: string) => (await w.sim.control.channel(channelId)).bridgeId;
  const music = async (w: TransferWorld, channelId: string) => (await w.sim.control.channel(channelId)).heard.filter((h) => h.kind === 'moh').map((h) => h['on']);
  const gone = (w: TransferWorld, id: string) => until(() => w.sim.control.channel(id).then((c) => c.hungUp, () => true), `${id} is hung up`);

  /** A caller with the agent, who consults the customs expert as far as `stage`. */
  async function consult(stage: 'ringing' | 'consulting' | 'conference' | 'handed-over', expertPhone: Phone = stage === 'ringing' ? 'manual' : 'answer') {
    const w = (world = await transferWorld({ expert: expertPhone }));
    const callId = await w.connectCaller();
    const agentLeg = w.queues.connection(callId)!.agentChannelId!;
    const consulting = stage === 'ringing' ? undefined : w.next(w.agent, 'call.progress', (d) => d['status'] === 'consulting');
    expect((await w.agent.client.request('call.consult', { callId, target: { skill: 'expert-customs' } })).ok).toBe(true);
    if (stage === 'ringing') await until(async () => (await w.state(w.expert)) === 'reserved', 'the expert is rung');
    else await consulting;
    if (stage === 'conference') expect((await w.agent.client.request('call.conference', { callId })).ok).toBe(true);
    if (stage === 'handed-over') expect((await w.agent.client.request('call.completeTransfer', { callId })).ok).toBe(true);
    return { w, callId, agentLeg, expertLeg: `xfer-${callId}-1` };
  }

  describe('when the expert rings', () => {
    it('stops the ring, frees the expert without penalty and gives the caller back to the agent', async () => {
      const { w, callId, agentLeg, expertLeg } = await consult('ringing');
      await w.restart();
      await gone(w, expertLeg);
      expect(await w.state(w.expert)).toBe('ready');
      expect(await w.acd.call(`${callId}-cs1`)).toBeNull();
      expect(await bridgeOf(w, agentLeg)).toBe(`call-${callId}`);
      expect(await bridgeOf(w, callId)).toBe(`call-${callId}`);
      expect((await music(w, callId)).at(-1)).toBe(false);
      expect(await w.state(w.agent)).toBe('on_call');
      await w.sim.control.hangup(callId);
      await w.clean();
      expect(await w.state(w.agent)).toBe('wrap_up');
    });
  });

  describe('when agent and expert talk privately', () => {
    it('hangs up the expert, who wraps up, and gives the caller back to the agent; a new consult works', async () => {
      const { w, callId, agentLeg, expertLeg } = await consult('consulting');
      await w.restart();
      await gone(w, expertLeg);
      expect(await w.state(w.expert)).toBe('wrap_up');
      expect(await bridgeOf(w, agentLeg)).toBe(`call-${callId}`);
      expect((await music(w, callId)).at(-1)).toBe(false);
      expect(await w.state(w.agent)).toBe('on_call');
      // the adopted call takes commands again: a second consult gets fresh leg ids
      await w.acd.applyAgent(w.expert.username, { type: 'end_wrap_up' });
      const consulting = w.next(w.agent, 'call.progress', (d) => d['status'] === 'consulting');
      const reply = await w.agent.client.request('call.consult', { callId, target: { skill: 'expert-customs' } });
      expect(reply).toMatchObject({ ok: true, result: { consultId: `${callId}-cs2` } });
      await consulting;
      await w.sim.control.hangup(callId);
      await w.clean();
      expect(await w.state(w.agent)).toBe('wrap_up');
      expect(await w.state(w.expert)).toBe('wrap_up');
    });

    it('gives the caller to the expert when the agent hung up while the server was down', async () => {
      const { w, callId, agentLeg, expertLeg } = await consult('consulting');
      await w.stop();
      await w.sim.control.hangup(agentLeg);
      await w.start();
      expect(await bridgeOf(w, expertLeg)).toBe(`call-${callId}`);
      expect(await bridgeOf(w, callId)).toBe(`call-${callId}`);
      expect((await music(w, callId)).at(-1)).toBe(false);
      expect(await w.state(w.agent)).toBe('wrap_up');
      expect(await w.state(w.expert)).toBe('on_call');
      await w.sim.control.hangup(expertLeg); // the expert holds the call: their hang-up ends it
      await w.clean();
      expect(await w.state(w.expert)).toBe('wrap_up');
      expect((await w.records.get(callId))!.agentIds).toEqual([w.agent.username, w.expert.username]);
    });
  });

  describe('when all three talk', () => {
    it('carries the three-way on: the agent leaving hands the caller to the expert', async () => {
      const { w, callId, agentLeg, expertLeg } = await consult('conference');
      await w.restart();
      for (const leg of [callId, agentLeg, expertLeg]) expect(await bridgeOf(w, leg)).toBe(`call-${callId}`);
      expect(await w.state(w.agent)).toBe('on_call');
      expect(await w.state(w.expert)).toBe('on_call');
      await w.sim.control.hangup(agentLeg);
      await until(async () => (await w.state(w.agent)) === 'wrap_up', 'the agent wraps up');
      expect(await w.state(w.expert)).toBe('on_call');
      expect(w.queues.connection(callId)).toMatchObject({ agentChannelId: expertLeg, agentId: w.expert.username });
      await w.sim.control.hangup(callId);
      await w.clean();
      expect(await w.state(w.expert)).toBe('wrap_up');
      expect((await w.records.get(callId))!.transfers[0]).toMatchObject({ outcome: 'agent_left' });
    });

    it('carries the three-way on: the expert leaving leaves caller and agent', async () => {
      const { w, callId, agentLeg, expertLeg } = await consult('conference');
      await w.restart();
      await w.sim.control.hangup(expertLeg);
      await until(async () => (await w.state(w.expert)) === 'wrap_up', 'the expert wraps up');
      expect(await bridgeOf(w, agentLeg)).toBe(`call-${callId}`);
      expect(await w.state(w.agent)).toBe('on_call');
      await w.sim.control.hangup(agentLeg);
      await w.clean();
      expect(await w.state(w.agent)).toBe('wrap_up');
    });

    it('goes on with the caller and the expert when the agent hung up while the server was down', async () => {
      const { w, callId, agentLeg, expertLeg } = await consult('conference');
      await w.stop();
      await w.sim.control.hangup(agentLeg);
      await w.start();
      expect(await w.state(w.agent)).toBe('wrap_up');
      expect(await w.state(w.expert)).toBe('on_call');
      expect(w.queues.connection(callId)).toMatchObject({ agentChannelId: expertLeg, agentId: w.expert.username });
      await w.sim.control.hangup(callId);
      await w.clean();
      expect(await w.state(w.expert)).toBe('wrap_up');
    });
  });

  describe('when the caller was handed to the expert', () => {
    it('keeps the call with the expert', async () => {
      const { w, callId, expertLeg } = await consult('handed-over');
      await w.restart();
      expect(await bridgeOf(w, callId)).toBe(await bridgeOf(w, expertLeg));
      expect(await w.state(w.expert)).toBe('on_call');
      await w.sim.control.hangup(expertLeg);
      await w.clean();
      expect(await w.state(w.expert)).toBe('wrap_up');
    });
  });

  describe('when a blind transfer rings', () => {
    it('stops the ring and gives the caller back to the agent', async () => {
      const w = (world = await transferWorld());
      await w.sim.control.setEndpoint('PJSIP', '12315@trunk', { behavior: 'manual' });
      const callId = await w.connectCaller();
      const agentLeg = w.queues.connection(callId)!.agentChannelId!;
      expect((await w.agent.client.request('call.transfer', { callId, target: { number: '12315' } })).ok).toBe(true);
      await until(() => w.sim.control.channel(`xfer-${callId}-1`).then(() => true, () => false), '12315 rings');
      await w.restart();
      await gone(w, `xfer-${callId}-1`);
      expect(await bridgeOf(w, agentLeg)).toBe(`call-${callId}`);
      await w.sim.control.hangup(agentLeg);
      await w.clean();
      expect(await w.state(w.agent)).toBe('wrap_up');
    });

    it('after the agent left: stops the ring and ends the call (nobody is left to take it)', async () => {
      const w = (world = await transferWorld());
      await w.sim.control.setEndpoint('PJSIP', '110@trunk', { behavior: 'manual' });
      const callId = await w.connectCaller();
      const agentLeg = w.queues.connection(callId)!.agentChannelId!;
      expect((await w.agent.client.request('call.emergency', { callId, service: '110' })).ok).toBe(true);
      await until(() => w.sim.control.channel(`xfer-${callId}-1`).then(() => true, () => false), '110 rings');
      await w.sim.control.hangup(agentLeg);
      await until(async () => (await w.state(w.agent)) === 'wrap_up', 'the agent wraps up');
      await w.restart();
      await w.clean();
    });

    it('once 12315 answered: keeps the caller with it', async () => {
      const w = (world = await transferWorld());
      await w.sim.control.setEndpoint('PJSIP', '12315@trunk', { behavior: 'answer' });
      const callId = await w.connectCaller();
      expect((await w.agent.client.request('call.transfer', { callId, target: { number: '12315' } })).ok).toBe(true);
      await until(async () => (await w.state(w.agent)) === 'wrap_up', 'the agent handed the call over');
      await until(async () => (await bridgeOf(w, `xfer-${callId}-1`)) === `call-${callId}`, '12315 joined the caller'); // the hand-over is done before the restart
      await w.restart();
      expect(w.queues.connection(callId)).toMatchObject({ phase: 'connected', agentChannelId: `xfer-${callId}-1` });
      expect(await bridgeOf(w, callId)).toBe(`call-${callId}`);
      await w.sim.control.hangup(callId);
      await w.clean();
    });
  });
});

describe('a taken-over call across a server restart', () => {
  let world: TransferWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it('stays with the supervisor, whose hang-up later ends it like an agent hang-up', async () => {
    const w = (world = await transferWorld());
    const callId = await w.connectCaller();
    const state = w.next(w.supervisor, 'supervision.state', (d) => d['mode'] === 'takeOver');
    expect((await w.supervisor.client.request('supervisor.takeOver', { callId })).ok).toBe(true);
    await state;
    const leg = w.queues.connection(callId)!.agentChannelId!;
    expect(leg).toMatch(/^sv-/);
    await w.restart();
    expect((await w.sim.control.channel(leg)).hungUp).toBe(false);
    expect((await w.sim.control.channel(callId)).bridgeId).toBe(`call-${callId}`);
    expect((await w.sim.control.channel(leg)).bridgeId).toBe(`call-${callId}`);
    expect(w.queues.connection(callId)).toMatchObject({ phase: 'connected', agentChannelId: leg });
    expect(await w.state(w.agent)).toBe('wrap_up');
    await w.sim.control.hangup(leg);
    await w.clean();
    expect((await w.records.get(callId))!.endedBy).toBeDefined();
  });
});
