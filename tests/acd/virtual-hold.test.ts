/**
 * Virtual hold: a waiting caller presses 1 (or waits the longest allowed) and books a callback
 * that keeps the place; when the place comes up the agent is rung first, then the citizen is
 * called back from 12345 and joins the agent. Unanswered attempts are retried, then given up.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CallbackEvent } from '../../src/acd/queue-service.ts';
import { until } from '../support/sim-events.ts';
import { queueCaller, queueWorld, type QueueWorld } from './queue-world.ts';

const citizen = '13800138000';
const citizenPhone = `${citizen}@trunk`;

describe('virtual hold', () => {
  let world: QueueWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  async function setup(timeoutTo: 'flow' | 'callback' = 'flow') {
    const events: CallbackEvent[] = [];
    const limits = new Map([['general', { maxWaitSec: 120, maxWaiting: 0, callbackKey: '1', timeoutTo }]]);
    world = await queueWorld({ '1001': { behavior: 'answer' } }, 15, { limits, onCallback: (e) => events.push(e), callbacks: { retryAfterSec: 300, maxAttempts: 2 } });
    await world.acd.applyAgent('agent1001', { type: 'not_ready', reason: 'meal' }); // everyone busy: callers wait
    return { w: world, events };
  }

  const heard = async (w: QueueWorld, channelId: string) =>
    (await w.sim.control.channel(channelId)).heard.filter((h) => h.kind === 'playback').flatMap((h) => h['media'] as string[]);

  describe('when a waiting caller presses 1', () => {
    it('hangs up after the confirmation, keeps the place, rings the agent first and then connects the citizen', async () => {
      const { w, events } = await setup();
      await w.sim.control.setEndpoint('PJSIP', citizenPhone, { behavior: 'answer', answerAfterMs: 0 });
      const first = await queueCaller(w, citizen);
      await w.clock.advance(1_000);
      const second = await queueCaller(w, '13900139000');
      await w.clock.advance(30_000);
      await until(async () => (await heard(w, first)).includes('sound:hotline/zh/callback-offer'), 'the announcement offers a callback');

      await w.sim.control.sendDtmf(first, { digits: '1' });
      await until(() => events.length === 1, 'the callback is booked');
      await w.clock.advance(10_000); // the confirmation plays
      await until(async () => (await w.sim.control.channel(first)).hungUp, 'the caller was hung up');
      expect(await heard(w, first)).toContain('sound:hotline/zh/callback-registered');
      expect(events).toEqual([{ type: 'registered', callId: first, queueId: 'general', number: citizen }]);
      expect(await w.acd.callsAhead(second)).toBe(1); // the booked callback still stands ahead

      await w.acd.applyAgent('agent1001', { type: 'ready' });
      w.router.kick();
      await until(async () => (await w.acd.agent('agent1001'))?.status.state === 'on_call', 'the callback is connected');
      const attempt = `${first}-cb1`;
      const called = await w.sim.control.channel(attempt);
      expect(called.channel['name']).toMatch(/^PJSIP\/13800138000@trunk-/);
      expect((called.channel['caller'] as { number: string }).number).toBe('12345');
      expect(called.bridgeId).toBe(`call-${attempt}`);
      expect((await w.sim.control.channel(`agent-${attempt}-1`)).bridgeId).toBe(`call-${attempt}`);
      expect(events.map((e) => e.type)).toEqual(['registered', 'dialling']);
      expect((await w.acd.call(second))?.state).toBe('waiting'); // served after the callback, as it queued later

      await w.sim.control.hangup(attempt);
      await until(async () => (await w.acd.agent('agent1001'))?.status.state === 'wrap_up', 'the agent wraps up');
      await w.sim.control.hangup(second);
    });
  });

  describe('when the citizen does not answer the callback', () => {
    it('frees the agent, tries again after the pause, and gives up after the last attempt', async () => {
      const { w, events } = await setup();
      await w.sim.control.setEndpoint('PJSIP', citizenPhone, { behavior: 'busy' });
      const caller = await queueCaller(w, citizen);
      await w.sim.control.sendDtmf(caller, { digits: '1' });
      await until(() => events.length === 1, 'the callback is booked');

      await w.acd.applyAgent('agent1001', { type: 'ready' });
      w.router.kick();
      await until(() => events.some((e) => e.type === 'unreached'), 'the first attempt failed');
      expect(events.at(-1)).toMatchObject({ type: 'unreached', attemptId: `${caller}-cb1`, givenUp: false });
      await until(async () => (await w.acd.agent('agent1001'))?.status.state === 'ready', 'the agent is ready again, without penalty');
      expect((await w.acd.call(caller))?.callback?.attempts).toBe(1);

      await w.clock.advance(60_000);
      w.router.kick();
      await w.clock.advance(1_000);
      expect(events.filter((e) => e.type === 'dialling')).toHaveLength(1); // not before the pause is over

      await w.clock.advance(240_000);
      w.router.kick();
      await until(() => events.filter((e) => e.type === 'unreached').length === 2, 'the second attempt failed');
      expect(events.at(-1)).toMatchObject({ type: 'unreached', attemptId: `${caller}-cb2`, givenUp: true });
      expect(await w.acd.call(caller)).toBeNull();
      await until(async () => (await w.sim.control.stats()).channels === 0, 'no leg is left');
      await until(async () => (await w.acd.agent('agent1001'))?.status.state === 'ready', 'the agent is ready');
    });
  });

  describe('when a caller without a callable number presses 1', () => {
    it('says so and keeps the caller waiting', async () => {
      const { w, events } = await setup();
      const caller = await queueCaller(w, 'anonymous');
      await w.sim.control.sendDtmf(caller, { digits: '1' });
      await until(async () => (await heard(w, caller)).includes('sound:hotline/zh/callback-unavailable'), 'the caller heard why');
      expect(events).toEqual([]);
      expect((await w.sim.control.channel(caller)).bridgeId).toMatch(/^hold-/);
      expect((await w.acd.call(caller))?.state).toBe('waiting');
      await w.sim.control.hangup(caller);
    });
  });

  describe('when the queue turns callers who waited the longest allowed into callbacks', () => {
    it('books the callback instead of giving the caller back to the flow', async () => {
      const { w, events } = await setup('callback');
      const caller = await queueCaller(w, citizen);
      await w.clock.advance(120_000);
      await until(() => events.length === 1, 'the callback is booked');
      await w.clock.advance(10_000); // the confirmation plays
      await until(async () => (await w.sim.control.channel(caller)).hungUp, 'the caller was hung up after the confirmation');
      expect((await w.acd.call(caller))?.callback).toMatchObject({ number: citizen, did: '12345', attempts: 0 });
    });
  });
});
