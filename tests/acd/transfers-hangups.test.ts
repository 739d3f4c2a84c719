/**
 * The hang-up matrix of transfers (docs/transfers.md): caller, expert and agent hanging up while
 * the expert rings, during the consult and during the three-way, on the simulator through the real
 * ari-client. After each, no channel and no bridge but the queues' holding bridges is left, and
 * each agent is where the table says (on call, wrap-up, ready). Leaving a three-way, and a ring
 * stopped, undo each thing once: no REST DELETE is sent twice, none answers 404.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ariRequestLog, type AriRequest, type AriRequestLog } from '../support/ari-request-log.ts';
import { until } from '../support/sim-events.ts';
import { transferWorld, type Phone, type TransferWorld } from './transfer-world.ts';

describe('transfer hang-ups', () => {
  let world: TransferWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  /** A caller connected to the agent, who consults the customs expert; `stage` says how far it gets. */
  async function consult(stage: 'ringing' | 'consulting' | 'conference', expertPhone: Phone = stage === 'ringing' ? 'manual' : 'answer') {
    const w = (world = await transferWorld({ expert: expertPhone }));
    const callId = await w.connectCaller();
    const agentLeg = w.queues.connection(callId)!.agentChannelId!;
    const consulting = stage === 'ringing' ? undefined : w.next(w.agent, 'call.progress', (d) => d['status'] === 'consulting');
    expect((await w.agent.client.request('call.consult', { callId, target: { skill: 'expert-customs' } })).ok).toBe(true);
    if (stage === 'ringing') await until(async () => (await w.state(w.expert)) === 'reserved', 'the expert is rung');
    else await consulting;
    if (stage === 'conference') expect((await w.agent.client.request('call.conference', { callId })).ok).toBe(true);
    const expertLeg = `xfer-${callId}-1`;
    return { w, callId, agentLeg, expertLeg };
  }

  const bridgeOf = async (w: TransferWorld, channelId: string) => (await w.sim.control.channel(channelId)).bridgeId;

  describe('when the caller hangs up', () => {
    it('while the expert rings: the ring stops, the expert is ready again, the agent wraps up', async () => {
      const { w, callId } = await consult('ringing');
      await w.sim.control.hangup(callId);
      await w.clean();
      expect(await w.state(w.agent)).toBe('wrap_up');
      expect(await w.state(w.expert)).toBe('ready');
      const record = (await w.records.get(callId))!;
      expect(record.endedBy).toBe('caller');
      expect(record.transfers[0]!.endedAt).toBe(record.endedAt); // the consult ended with the call
    });

    it('during the consult: agent and expert are hung up and both wrap up', async () => {
      const { w, callId } = await consult('consulting');
      await w.sim.control.hangup(callId);
      await w.clean();
      expect(await w.state(w.agent)).toBe('wrap_up');
      expect(await w.state(w.expert)).toBe('wrap_up');
    });

    it('during the three-way: agent and expert are hung up and both wrap up', async () => {
      const { w, callId } = await consult('conference');
      await w.sim.control.hangup(callId);
      await w.clean();
      expect(await w.state(w.agent)).toBe('wrap_up');
      expect(await w.state(w.expert)).toBe('wrap_up');
    });
  });

  describe('when the expert hangs up', () => {
    it('during the consult: the agent gets the caller back, told why', async () => {
      const { w, callId, agentLeg, expertLeg } = await consult('consulting');
      const failed = w.next(w.agent, 'call.progress', (d) => d['status'] === 'consult-failed');
      await w.sim.control.hangup(expertLeg);
      expect((await failed)['reason']).toBe('expert-left');
      expect(await bridgeOf(w, agentLeg)).toBe(`call-${callId}`);
      expect(await bridgeOf(w, callId)).toBe(`call-${callId}`);
      expect((await w.sim.control.channel(callId)).heard.filter((h) => h.kind === 'moh').map((h) => h['on'])).toEqual([true, false]);
      expect(await w.state(w.agent)).toBe('on_call');
      await until(async () => (await w.state(w.expert)) === 'wrap_up', 'the expert wraps up');
      await w.sim.control.hangup(callId);
      await w.clean();
      expect(await w.state(w.agent)).toBe('wrap_up');
    });

    it('during the three-way: caller and agent go on', async () => {
      const { w, callId, agentLeg, expertLeg } = await consult('conference');
      await w.sim.control.hangup(expertLeg);
      await until(async () => (await w.state(w.expert)) === 'wrap_up', 'the expert wraps up');
      expect(await bridgeOf(w, agentLeg)).toBe(`call-${callId}`);
      expect(await bridgeOf(w, callId)).toBe(`call-${callId}`);
      expect(await w.state(w.agent)).toBe('on_call');
      await w.sim.control.hangup(agentLeg);
      await w.clean();
      expect(await w.state(w.agent)).toBe('wrap_up');
      expect((await w.records.get(callId))!.transfers[0]).toMatchObject({ outcome: 'target_left' });
    });

    it('by declining the ring: the agent gets the caller back, told declined, and the expert is not ready', async () => {
      const { w, callId, agentLeg } = await consult('ringing');
      const failed = w.next(w.agent, 'call.progress', (d) => d['status'] === 'consult-failed');
      expect((await w.expert.client.request('call.decline', { callId: `${callId}-cs1` })).ok).toBe(true);
      expect((await failed)['reason']).toBe('declined');
      expect(await bridgeOf(w, agentLeg)).toBe(`call-${callId}`);
      expect(await w.state(w.expert)).toBe('not_ready');
      await w.sim.control.hangup(callId);
      await w.clean();
    });
  });

  describe('nothing is undone twice (issue 6: leaving a three-way undid the hold a second time, answered 404)', () => {
    let log: AriRequestLog | undefined;
    afterEach(() => {
      log?.close();
      log = undefined;
    });

    /** A three-way, with the REST requests logged from the moment the agent joins everyone. */
    async function threeWay() {
      const started = await consult('consulting');
      log = ariRequestLog();
      expect((await started.w.agent.client.request('call.conference', { callId: started.callId })).ok).toBe(true);
      return started;
    }
    /** Every channel hung up, bridge destroyed, music stopped — once, and on something still there. */
    function undoneOnce(requests: readonly AriRequest[]): void {
      const deletes = requests.map((r) => r.request).filter((r) => r.startsWith('DELETE '));
      expect(deletes.filter((r, i) => deletes.indexOf(r) !== i)).toEqual([]);
      expect(requests.filter((r) => r.status === 404)).toEqual([]);
    }

    const expertLeaves = {
      'the expert hangs up on the desk': (w: TransferWorld, callId: string) => w.expert.client.request('call.hangup', { callId: `${callId}-cs1` }).then((r) => expect(r.ok).toBe(true)),
      'the expert\'s phone hangs up': (w: TransferWorld, callId: string) => w.sim.control.hangup(`xfer-${callId}-1`),
    };
    for (const [how, leave] of Object.entries(expertLeaves)) {
      it(`${how}: caller and agent go on, and nothing is undone twice`, async () => {
        const { w, callId, agentLeg } = await threeWay();
        const resumed = w.next(w.agent, 'call.progress', (d) => d['status'] === 'resumed');
        await leave(w, callId);
        await resumed;
        await until(async () => (await w.state(w.expert)) === 'wrap_up', 'the expert wraps up');
        await w.telephony.idle();
        undoneOnce(log!.requests);
        expect(await bridgeOf(w, agentLeg)).toBe(`call-${callId}`);
        expect(await bridgeOf(w, callId)).toBe(`call-${callId}`);
        expect((await w.sim.control.channel(callId)).heard.filter((h) => h.kind === 'moh').map((h) => h['on'])).toEqual([true, false]);
        expect(await w.state(w.agent)).toBe('on_call');
        await w.sim.control.hangup(agentLeg);
        await w.clean();
        expect((await w.records.get(callId))!.transfers[0]).toMatchObject({ outcome: 'target_left' });
      });
    }

    it('the agent\'s phone hangs up: caller and expert go on, and nothing is undone twice', async () => {
      const { w, callId, agentLeg, expertLeg } = await threeWay();
      const transferred = w.next(w.expert, 'call.progress', (d) => d['status'] === 'transferred');
      await w.sim.control.hangup(agentLeg);
      await transferred;
      await until(async () => (await w.state(w.agent)) === 'wrap_up', 'the agent wraps up');
      await w.telephony.idle();
      undoneOnce(log!.requests);
      expect(await bridgeOf(w, callId)).toBe(await bridgeOf(w, expertLeg));
      expect(await w.state(w.expert)).toBe('on_call');
      await w.sim.control.hangup(callId);
      await w.clean();
    });

    it('the caller hangs up while the expert rings: the ring is stopped once', async () => {
      const { w, callId } = await consult('ringing');
      log = ariRequestLog();
      await w.sim.control.hangup(callId);
      await w.clean();
      await w.telephony.idle();
      undoneOnce(log.requests);
      expect(await w.state(w.expert)).toBe('ready');
    });
  });

  describe('when the agent disconnects', () => {
    it('while the expert rings: the ring stops, the expert is ready again, the call ends like an agent hang-up', async () => {
      const { w, agentLeg } = await consult('ringing');
      await w.sim.control.hangup(agentLeg);
      await w.clean();
      expect(await w.state(w.agent)).toBe('wrap_up');
      expect(await w.state(w.expert)).toBe('ready');
    });

    it('during the consult: the caller joins the expert, who ends the call later', async () => {
      const { w, callId, agentLeg, expertLeg } = await consult('consulting');
      await w.sim.control.hangup(agentLeg);
      await until(async () => (await w.state(w.agent)) === 'wrap_up', 'the agent wraps up');
      expect(await bridgeOf(w, callId)).toBe(await bridgeOf(w, expertLeg));
      expect(await w.state(w.expert)).toBe('on_call');
      await w.sim.control.hangup(expertLeg);
      await w.clean();
      expect(await w.state(w.expert)).toBe('wrap_up');
      expect((await w.records.get(callId))!).toMatchObject({ agentIds: [w.agent.username, w.expert.username], transfers: [expect.objectContaining({ outcome: 'agent_left' })] });
    });

    it('during the three-way: caller and expert go on', async () => {
      const { w, callId, agentLeg, expertLeg } = await consult('conference');
      await w.sim.control.hangup(agentLeg);
      await until(async () => (await w.state(w.agent)) === 'wrap_up', 'the agent wraps up');
      expect(await bridgeOf(w, callId)).toBe(await bridgeOf(w, expertLeg));
      await w.sim.control.hangup(callId);
      await w.clean();
      expect(await w.state(w.expert)).toBe('wrap_up');
    });
  });
});
