/**
 * A blind transfer goes on without the agent (docs/transfers.md, *Blind transfers*): the agent who
 * hangs up while the target rings wraps up, the caller keeps the music until the target answers
 * (joined) or is not reached (back to the queue the call came from, at its head — or a message
 * and goodbye when that queue cannot take the caller). On the simulator through the real ari-client.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../support/sim-events.ts';
import { RING_SEC, transferWorld, type TransferWorld } from './transfer-world.ts';

describe('blind transfers the agent leaves', () => {
  let world: TransferWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  const bridgeOf = async (w: TransferWorld, channelId: string) => (await w.sim.control.channel(channelId)).bridgeId;
  const music = async (w: TransferWorld, channelId: string) => (await w.sim.control.channel(channelId)).heard.filter((h) => h.kind === 'moh').map((h) => h['on']);
  const ringing = (w: TransferWorld, id: string) => until(() => w.sim.control.channel(id).then((c) => !c.hungUp, () => false), `${id} rings`);

  /** The agent transfers the caller blind to `target`, then hangs up while it rings; returns the call. */
  async function leaveWhileRinging(w: TransferWorld, target: Record<string, string>, command: 'call.transfer' | 'call.emergency' = 'call.transfer') {
    const callId = await w.connectCaller();
    const agentLeg = w.queues.connection(callId)!.agentChannelId!;
    const payload = command === 'call.emergency' ? { callId, service: target['number']! } : { callId, target };
    expect((await w.agent.client.request(command, payload as never)).ok).toBe(true);
    await ringing(w, `xfer-${callId}-1`);
    const ended = w.next(w.agent, 'call.ended');
    await w.sim.control.hangup(agentLeg);
    expect((await ended)['cause']).toBe('transferred');
    await until(async () => (await w.state(w.agent)) === 'wrap_up', 'the agent wraps up');
    expect(await bridgeOf(w, callId)).toBe(`call-${callId}`);
    expect((await music(w, callId)).at(-1)).toBe(true); // the caller still hears music
    return callId;
  }

  describe('when the agent hangs up while 110 rings', () => {
    it('keeps the caller on music and joins them with 110 once it answers', async () => {
      const w = (world = await transferWorld());
      await w.sim.control.setEndpoint('PJSIP', '110@trunk', { behavior: 'manual' });
      const callId = await leaveWhileRinging(w, { number: '110' }, 'call.emergency');
      await w.sim.control.answer(`xfer-${callId}-1`);
      await until(async () => (await bridgeOf(w, `xfer-${callId}-1`)) === `call-${callId}`, 'the caller talks to 110');
      expect((await music(w, callId)).at(-1)).toBe(false);
      expect(w.queues.connection(callId)).toMatchObject({ phase: 'connected', agentChannelId: `xfer-${callId}-1` });
      await w.sim.control.hangup(callId);
      await w.clean();
      expect((await w.records.get(callId))!.transfers[0]).toMatchObject({ kind: 'emergency', to: 'number:110', outcome: 'completed' });
    });
  });

  describe('when the agent hangs up while the expert rings and the expert answers', () => {
    it('gives the caller to the expert, who holds the call from then on', async () => {
      const w = (world = await transferWorld({ expert: 'manual' }));
      const callId = await leaveWhileRinging(w, { skill: 'expert-customs' });
      expect(await w.state(w.expert)).toBe('reserved');
      await w.sim.control.answer(`xfer-${callId}-1`);
      // the expert's state and the join into the caller's bridge are two requests: wait for both
      await until(async () => (await bridgeOf(w, `xfer-${callId}-1`)) === `call-${callId}`, 'the caller talks to the expert');
      await until(async () => (await w.state(w.expert)) === 'on_call', 'the expert has the caller');
      expect(await bridgeOf(w, callId)).toBe(`call-${callId}`);
      await w.sim.control.hangup(`xfer-${callId}-1`);
      await w.clean();
      expect(await w.state(w.expert)).toBe('wrap_up');
      expect((await w.records.get(callId))!.agentIds).toEqual([w.agent.username, w.expert.username]);
    });
  });

  describe('when the agent hangs up and the expert does not answer', () => {
    it('puts the caller back at the head of the queue the call came from, ahead of a later caller', async () => {
      const w = (world = await transferWorld({ expert: 'no-answer' }));
      const callId = await leaveWhileRinging(w, { skill: 'expert-customs' });
      await w.clock.advance(1_000);
      const { channelId: later } = await w.sim.control.placeCall({ from: '13900000002', did: '12345' });
      await w.telephony.port.answer(later);
      await w.queues.enqueue({ callId: later, channelId: later, queueId: 'general', priority: 0, arrivedAt: w.clock.now(), callerNumber: '13900000002' });
      await w.clock.advance(RING_SEC * 1000);
      await until(async () => (await bridgeOf(w, callId)) === 'hold-i1-general' && (await w.acd.call(callId))?.state === 'waiting', 'the caller is back in the queue');
      expect(await w.state(w.expert)).toBe('not_ready');
      await w.acd.applyAgent(w.agent.username, { type: 'end_wrap_up' });
      w.router.kick();
      await until(async () => (await bridgeOf(w, callId)) === `call-${callId}`, 'the agent answers the transferred caller first');
      expect(await bridgeOf(w, later)).toBe('hold-i1-general');
      await w.sim.control.hangup(callId);
      await w.sim.control.hangup(later);
      await w.clean();
      expect((await w.records.get(callId))!.transfers[0]).toMatchObject({ kind: 'blind', outcome: 'failed', reason: 'no-answer' });
    });
  });

  describe('when the agent hangs up, 12315 is busy and the queue cannot take the caller back', () => {
    it('tells the caller and hangs up', async () => {
      const w = (world = await transferWorld());
      await w.sim.control.setEndpoint('PJSIP', '12315@trunk', { behavior: 'manual' });
      const callId = await leaveWhileRinging(w, { number: '12315' });
      await w.acd.applyAgent(w.agent.username, { type: 'logout' }); // nobody left for the general queue
      await w.sim.control.hangup(`xfer-${callId}-1`, 17); // user busy
      const heard = async () => (await w.sim.control.channel(callId)).heard.filter((h) => h.kind === 'playback').flatMap((h) => h['media'] as string[]);
      await until(async () => (await heard()).includes('sound:hotline/zh/transfer-failed'), 'the caller hears why');
      await w.clock.advance(30_000);
      await w.clean();
      expect((await w.records.get(callId))!.transfers[0]).toMatchObject({ kind: 'blind', to: 'number:12315', outcome: 'failed' });
    });
  });
});
