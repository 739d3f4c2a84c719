/**
 * Consult, three-way, complete, cancel and blind transfers on live calls: the agent's commands go
 * over the real CTI WebSocket, the calls run on the simulator through the real ari-client. After
 * every test no channel and no bridge but the queue's holding bridge is left (docs/transfers.md).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../support/sim-events.ts';
import { RING_SEC, transferWorld, type TransferWorld } from './transfer-world.ts';

describe('transfers', () => {
  let world: TransferWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  const bridgeOf = async (w: TransferWorld, channelId: string) => (await w.sim.control.channel(channelId)).bridgeId;

  /** The agent consults the customs expert, who answers; returns the call and the expert's leg. */
  async function consulting(w: TransferWorld) {
    const callId = await w.connectCaller();
    const consulting = w.next(w.agent, 'call.progress', (d) => d['status'] === 'consulting');
    const offer = w.next(w.expert, 'call.offer');
    const reply = await w.agent.client.request('call.consult', { callId, target: { skill: 'expert-customs' } });
    expect(reply.ok).toBe(true);
    expect((await offer)['caller']).toBe('13800000001'); // the expert's screen pop shows the citizen
    await consulting;
    const expertLeg = w.transfers.connection(`${callId}-cs1`)!.agentChannelId;
    return { callId, expertLeg, agentLeg: w.queues.connection(callId)!.agentChannelId! };
  }

  describe('when the agent consults an expert, joins all three and leaves', () => {
    it('puts the caller on hold while agent and expert talk privately, then caller and expert go on until the caller hangs up', async () => {
      const w = (world = await transferWorld());
      const { callId, expertLeg, agentLeg } = await consulting(w);
      expect(await w.state(w.expert)).toBe('on_call');
      // the expert's softphone ties the INVITE to the consult's screen pop by this header
      expect((await w.sim.control.channel(expertLeg)).variables).toMatchObject({ HOTLINE_CONSULT_ID: `${callId}-cs1`, 'PJSIP_HEADER(add,X-Hotline-Call-Id)': `${callId}-cs1` });
      const heard = (await w.sim.control.channel(callId)).heard;
      expect(heard.some((h) => h.kind === 'moh')).toBe(true); // the caller hears music
      expect(await bridgeOf(w, agentLeg)).toBe(await bridgeOf(w, expertLeg));
      expect(await bridgeOf(w, callId)).not.toBe(await bridgeOf(w, agentLeg)); // the caller cannot hear them

      expect((await w.agent.client.request('call.conference', { callId })).ok).toBe(true);
      expect(await bridgeOf(w, callId)).toBe(`call-${callId}`);
      expect(await bridgeOf(w, agentLeg)).toBe(`call-${callId}`);
      expect(await bridgeOf(w, expertLeg)).toBe(`call-${callId}`);

      const agentEnded = w.next(w.agent, 'call.ended');
      const handed = w.next(w.expert, 'call.progress', (d) => d['status'] === 'transferred');
      expect((await w.agent.client.request('call.hangup', { callId })).ok).toBe(true); // the agent leaves the three-way
      expect((await agentEnded)['cause']).toBe('transferred');
      expect(await handed).toMatchObject({ callId, consultId: `${callId}-cs1` });
      await until(async () => (await w.state(w.agent)) === 'wrap_up', 'the agent wraps up');
      expect(await w.state(w.expert)).toBe('on_call');
      expect(await bridgeOf(w, callId)).toBe(await bridgeOf(w, expertLeg)); // caller and expert talk

      await w.sim.control.hangup(callId);
      await until(async () => (await w.state(w.expert)) === 'wrap_up', 'the expert wraps up');
      await w.clean();
      const record = (await w.records.get(callId))!;
      expect(record.agentIds).toEqual([w.agent.username, w.expert.username]);
      expect(record.transfers).toEqual([
        expect.objectContaining({ kind: 'consult', to: 'skill:expert-customs', by: w.agent.username, agentId: w.expert.username, outcome: 'agent_left' }),
      ]);
      expect(record.transfers[0]!.conferenceAt).toBeTypeOf('number');
      expect(record.endedBy).toBe('caller');
      await w.clock.advance(30_000);
      await until(async () => (await w.state(w.agent)) === 'ready' && (await w.state(w.expert)) === 'ready', 'both wrap-ups end');
    });
  });

  describe('when the agent completes the transfer from the consult', () => {
    it('leaves at once and the caller joins the expert; the expert hanging up ends the call', async () => {
      const w = (world = await transferWorld());
      const { callId, expertLeg } = await consulting(w);
      expect((await w.agent.client.request('call.completeTransfer', { callId })).ok).toBe(true);
      expect(await bridgeOf(w, callId)).toBe(await bridgeOf(w, expertLeg));
      expect((await w.sim.control.channel(callId)).heard.filter((h) => h.kind === 'moh').map((h) => h['on'])).toEqual([true, false]); // music while on hold, stopped when joined
      expect(await w.state(w.agent)).toBe('wrap_up');
      await w.sim.control.hangup(expertLeg);
      await until(async () => (await w.state(w.expert)) === 'wrap_up', 'the expert wraps up');
      await w.clean();
      expect((await w.records.get(callId))!.transfers[0]).toMatchObject({ outcome: 'completed' });
    });
  });

  describe('when the agent cancels the consult', () => {
    it('hangs up the expert and takes the caller back off hold', async () => {
      const w = (world = await transferWorld());
      const { callId, expertLeg, agentLeg } = await consulting(w);
      const resumed = w.next(w.agent, 'call.progress', (d) => d['status'] === 'resumed');
      expect((await w.agent.client.request('call.cancelConsult', { callId })).ok).toBe(true);
      await resumed;
      expect(await bridgeOf(w, agentLeg)).toBe(`call-${callId}`);
      expect(await bridgeOf(w, callId)).toBe(`call-${callId}`);
      await until(async () => (await w.sim.control.channel(expertLeg)).hungUp, 'the expert leg is gone');
      expect(await w.state(w.expert)).toBe('wrap_up');
      expect(await w.state(w.agent)).toBe('on_call');
      await w.sim.control.hangup(callId);
      await w.clean();
      expect((await w.records.get(callId))!.transfers[0]).toMatchObject({ outcome: 'cancelled' });
    });
  });

  describe('when the expert does not answer', () => {
    it('gives the caller back to the agent after the ring timeout, told no-answer, and the expert goes not ready', async () => {
      const w = (world = await transferWorld({ expert: 'no-answer' }));
      const callId = await w.connectCaller();
      const failed = w.next(w.agent, 'call.progress', (d) => d['status'] === 'consult-failed');
      expect((await w.agent.client.request('call.consult', { callId, target: { queue: 'expert-customs' } })).ok).toBe(true);
      await until(async () => (await w.state(w.expert)) === 'reserved', 'the expert is rung');
      await w.clock.advance(RING_SEC * 1000);
      expect((await failed)['reason']).toBe('no-answer');
      expect(await bridgeOf(w, w.queues.connection(callId)!.agentChannelId!)).toBe(`call-${callId}`);
      expect(await w.acd.agent(w.expert.username)).toMatchObject({ status: { state: 'not_ready', reason: 'no_answer' } });
      expect(await w.acd.call(`${callId}-cs1`)).toBeNull(); // no consult left in the ACD
      await w.sim.control.hangup(callId);
      await w.clean();
    });
  });

  describe('when no expert with the skill is ready', () => {
    it('refuses the consult with TRANSFER_TARGET_BUSY and leaves the call as it was', async () => {
      const w = (world = await transferWorld());
      const callId = await w.connectCaller();
      await w.acd.applyAgent(w.expert.username, { type: 'not_ready', reason: 'meeting' });
      const reply = await w.agent.client.request('call.consult', { callId, target: { skill: 'expert-customs' } });
      expect(reply).toMatchObject({ ok: false, error: { code: 'TRANSFER_TARGET_BUSY' } });
      expect((await w.sim.control.channel(callId)).heard.some((h) => h.kind === 'moh')).toBe(false);
      await w.sim.control.hangup(callId);
      await w.clean();
    });
  });

  describe('when the target is not on the allow-list', () => {
    it('refuses consult and transfer with TRANSFER_NOT_ALLOWED and dials nothing', async () => {
      const w = (world = await transferWorld());
      const callId = await w.connectCaller();
      const before = (await w.sim.control.stats()).channels;
      for (const type of ['call.consult', 'call.transfer'] as const) {
        const reply = await w.agent.client.request(type, { callId, target: { number: '13900000000' } });
        expect(reply).toMatchObject({ ok: false, error: { code: 'TRANSFER_NOT_ALLOWED' } });
      }
      expect((await w.sim.control.stats()).channels).toBe(before); // nothing was dialled
      await w.sim.control.hangup(callId);
      await w.clean();
    });
  });

  describe('when the agent transfers blind to an allow-listed number', () => {
    it('rings the number over the trunk and, once answered, leaves the caller with it', async () => {
      const w = (world = await transferWorld());
      await w.sim.control.setEndpoint('PJSIP', '12315@trunk', { behavior: 'answer' });
      const callId = await w.connectCaller();
      const ended = w.next(w.agent, 'call.ended');
      expect((await w.agent.client.request('call.transfer', { callId, target: { number: '12315' } })).ok).toBe(true);
      expect((await ended)['cause']).toBe('transferred');
      const target = w.queues.connection(callId)!.agentChannelId!;
      expect(await bridgeOf(w, target)).toBe(`call-${callId}`);
      expect(await w.state(w.agent)).toBe('wrap_up');
      await w.sim.control.hangup(callId);
      await w.clean();
      expect((await w.records.get(callId))!.transfers[0]).toMatchObject({ kind: 'blind', to: 'number:12315', outcome: 'completed' });
    });
  });

  describe('when the agent transfers blind to a queue', () => {
    it('puts the caller back in the queue with music and the expert answers from there', async () => {
      const w = (world = await transferWorld());
      const callId = await w.connectCaller();
      await w.acd.applyAgent(w.expert.username, { type: 'not_ready', reason: 'later' });
      expect((await w.agent.client.request('call.transfer', { callId, target: { queue: 'expert-customs' } })).ok).toBe(true);
      expect(await bridgeOf(w, callId)).toMatch(/^hold-/);
      expect(await w.state(w.agent)).toBe('wrap_up');
      await w.acd.applyAgent(w.expert.username, { type: 'ready' });
      w.router.kick();
      await until(async () => (await w.state(w.expert)) === 'on_call', 'the expert took the call from the queue');
      await w.sim.control.hangup(callId);
      await w.clean();
      expect((await w.records.get(callId))!.agentIds).toEqual([w.agent.username, w.expert.username]);
    });
  });

  describe('when the agent hands an emergency to 110', () => {
    it('transfers the caller to 110 and notes it on the call record and the call\'s ticket', async () => {
      const w = (world = await transferWorld());
      await w.sim.control.setEndpoint('PJSIP', '110@trunk', { behavior: 'answer' });
      const callId = await w.connectCaller();
      const ticket = await w.tickets.create(
        { channel: 'phone', caller: { phone: '13800000001' }, content: '有人落水', category: 'help', urgency: 'life_safety', callId },
        { username: w.agent.username, roles: ['agent'] },
      );
      await w.records.append(callId, { type: 'ticket', at: w.clock.now(), ticketId: ticket.id });
      expect((await w.agent.client.request('call.emergency', { callId, service: '110' })).ok).toBe(true);
      await until(async () => (await w.state(w.agent)) === 'wrap_up', 'the agent handed the call over');
      const audit = await w.tickets.audit(ticket.id);
      expect(audit.at(-1)).toMatchObject({ action: 'link_call', reason: `emergency hand-off to 110 by ${w.agent.username}` });
      await w.sim.control.hangup(callId);
      await w.clean();
      expect((await w.records.get(callId))!.transfers[0]).toMatchObject({ kind: 'emergency', to: 'number:110', outcome: 'completed' });
    });
  });
});
