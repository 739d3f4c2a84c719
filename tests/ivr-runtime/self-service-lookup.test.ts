/**
 * The 12360 parcel-status lookup on a live call, against the stub customs service: the answer is
 * read back; a slow service gets the filler prompt, then the timeout exit to a person.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { defaultCatalogue } from '../../src/ivr/catalogue.ts';
import { createCustomsService, type CustomsService } from '../../src/stub/customs-service.ts';
import { until } from '../support/sim-events.ts';
import { nothingLeft, startRig, type IvrRig } from './ivr-harness.ts';

describe('IVR runtime self-service lookup (12360)', () => {
  let rig: IvrRig | undefined;
  let customs: CustomsService | undefined;
  afterEach(async () => {
    if (rig) await nothingLeft(rig.sim);
    await rig?.close();
    await customs?.close();
    rig = undefined;
    customs = undefined;
  });

  async function enterTrackingNumber(delay: number | 'never'): Promise<{ r: IvrRig; channelId: string }> {
    customs = await createCustomsService({ delayMs: delay });
    const catalogue = { ...defaultCatalogue, services: { 'customs-parcel': { title: 'stub', baseUrl: `${customs.url}/customs-parcel`, methods: ['GET' as const] } } };
    rig = await startRig({ catalogue });
    const r = rig;
    const { channelId } = await r.sim.control.placeCall({ from: '13800138000', did: '12360' });
    await r.hears(channelId, 'sound:hotline/zh/greeting-12360');
    const prompt = r.hears(channelId, 'sound:hotline/zh/enter-tracking');
    await r.sim.control.sendDtmf(channelId, { digits: '1' });
    await prompt;
    await r.sim.control.sendDtmf(channelId, { digits: '87654321#' });
    await until(() => customs!.requests.length === 1, 'the lookup reached the customs service');
    return { r, channelId };
  }

  describe('when the caller enters a tracking number and the service answers', () => {
    it('reads the parcel status back in the caller\'s language', async () => {
      const { r, channelId } = await enterTrackingNumber(0);
      expect(customs!.requests).toEqual(['/customs-parcel/parcels/87654321?lang=zh-CN']);
      await until(() => r.calls.session(channelId)?.state()?.node === 'parcel_result', 'the result is read back');
      expect(r.calls.session(channelId)?.state()?.vars).toMatchObject({ tracking: '87654321', parcel_status: '您的包裹被海关暂扣，请联系海关' });
      await until(async () => (await r.played(channelId)).some((m) => m.startsWith('sound:hotline/tts/zh-CN/')), 'the status is spoken');
      await r.sim.control.hangup(channelId);
      await until(() => r.calls.activeCalls() === 0, 'the call ended');
    });
  });

  describe('when the service does not answer', () => {
    it('plays the filler after 1.5 s, gives up after 4 s and sends the caller to a person', async () => {
      const { r, channelId } = await enterTrackingNumber('never');
      await r.settle(channelId);
      await r.advance(channelId, 1499);
      expect(await r.played(channelId)).not.toContain('sound:hotline/zh/please-wait');
      const filler = r.hears(channelId, 'sound:hotline/zh/please-wait');
      await r.advance(channelId, 1);
      await filler;
      const failed = r.hears(channelId, 'sound:hotline/zh/lookup-failed');
      await r.advance(channelId, 2500);
      await failed;
      await r.advance(channelId, 1000);
      await until(() => r.queue.parked().has(channelId), 'the caller is queued');
      await r.sim.control.hangup(channelId);
      await until(() => r.calls.activeCalls() === 0, 'the call ended');
    });
  });
});
