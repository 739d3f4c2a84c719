/**
 * The post-call survey (一次一评) run by the IVR on a channel it does not hold yet, as call
 * sessions will do after the agent hangs up: the caller rates, hears thanks, and is hung up.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CallRating } from '../../src/ivr/runtime/ivr-calls.ts';
import { isHotlineError } from '../../src/errors.ts';
import { until } from '../support/sim-events.ts';
import { nothingLeft, startRig, type IvrRig } from './ivr-harness.ts';

describe('IVR runtime running the survey flow', () => {
  let rig: IvrRig | undefined;
  afterEach(async () => {
    if (rig) await nothingLeft(rig.sim);
    await rig?.close();
    rig = undefined;
  });

  describe.each([
    { keys: '1', rating: 1, label: 'satisfied', last: 'sound:hotline/zh/survey-thanks' },
    { keys: '3', rating: 3, label: 'dissatisfied', last: 'sound:hotline/zh/survey-thanks' },
    { keys: '', rating: undefined, label: undefined, last: 'sound:hotline/zh/goodbye' },
  ])('when the caller answers "$keys" on the live call (empty: silence)', ({ keys, rating, label, last }) => {
    it('stores that rating, or none after the one retry, says goodbye and hangs up', async () => {
      const ratings: CallRating[] = [];
      rig = await startRig({ onRating: (r) => ratings.push(r) });
      const r = rig;
      await r.sim.control.setEndpoint('PJSIP', '13800138001', { behavior: 'answer' });
      const { channelId } = await r.telephony.port.originate('PJSIP/13800138001', { channelId: `survey-leg-${keys || 'silent'}`, timeoutSec: 30, timeoutMs: 5_000, appArgs: 'survey' });
      const prompt = r.hears(channelId, 'sound:hotline/zh/survey');
      await r.calls.startFlow(channelId, 'survey', { callerNumber: '13800138001', did: '12345' });
      await prompt;
      const ending = r.hears(channelId, last);
      if (keys) {
        await r.sim.control.sendDtmf(channelId, { digits: keys });
      } else {
        const retry = r.hears(channelId, 'sound:hotline/zh/survey-retry');
        for (let s = 0; s < 10; s++) await r.advance(channelId, 1000); // the question plays, then 8 s without a key
        await retry;
        for (let s = 0; s < 10; s++) await r.advance(channelId, 1000);
      }
      await ending;
      expect(ratings).toEqual(rating === undefined ? [] : [{ callId: channelId, flowId: 'survey', rating, label }]);
      const gone = until(async () => (await r.sim.control.channel(channelId)).hungUp, 'the survey hung up');
      await r.advance(channelId, 2000);
      await gone;
    });
  });

  describe('when a caller is handed to the survey and presses 2', () => {
    it('reports the rating "basically satisfied", thanks the caller and hangs up', async () => {
      const ratings: CallRating[] = [];
      rig = await startRig({ onRating: (rating) => ratings.push(rating) });
      const r = rig;
      await r.sim.control.setEndpoint('PJSIP', '13800138000', { behavior: 'answer' });
      const { channelId } = await r.telephony.port.originate('PJSIP/13800138000', { channelId: 'survey-leg-1', timeoutSec: 30, timeoutMs: 5_000, appArgs: 'survey' });
      const prompt = r.hears(channelId, 'sound:hotline/zh/survey');
      await r.calls.startFlow(channelId, 'survey', { callerNumber: '13800138000', did: '12345' });
      await prompt;
      const code = await r.calls.startFlow(channelId, 'survey', { callerNumber: '13800138000' }).then(() => 'started', (e: unknown) => (isHotlineError(e) ? e.code : 'other'));
      expect(code).toBe('IVR_CALL_IN_FLOW');
      const thanks = r.hears(channelId, 'sound:hotline/zh/survey-thanks');
      await r.sim.control.sendDtmf(channelId, { digits: '2' });
      await thanks;
      expect(ratings).toEqual([{ callId: channelId, flowId: 'survey', rating: 2, label: 'basically-satisfied' }]);
      const gone = until(async () => (await r.sim.control.channel(channelId)).hungUp, 'the survey hung up');
      await r.advance(channelId, 1000);
      await gone;
      await until(() => r.calls.activeCalls() === 0, 'the IVR let go');
    });
  });
});
