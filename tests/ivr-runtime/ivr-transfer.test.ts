/**
 * The IVR's transfer port on the simulator, with the real runtime and the manual clock: a
 * destination that does not answer within the ring time, or is busy, sends the caller on at the
 * node's `failed` exit; a caller who hangs up while it rings leaves no leg ringing. (A transfer
 * that is answered, and the restart, are in tests/e2e/ivr-transfer.test.ts.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CallEvent } from '../../src/calls/call-record.ts';
import { defaultCatalogue } from '../../src/ivr/catalogue.ts';
import { createIvrTransfer } from '../../src/ivr/runtime/ivr-transfer.ts';
import type { TransferPort } from '../../src/ivr/runtime/runtime-ports.ts';
import { until } from '../support/sim-events.ts';
import { logger, nothingLeft, startRig, type IvrRig } from './ivr-harness.ts';
import { transferFlow } from './transfer-flow.ts';

describe('IVR transfer port', () => {
  let rig: IvrRig | undefined;
  let port: ReturnType<typeof createIvrTransfer> | undefined;
  afterEach(async () => {
    if (rig) await nothingLeft(rig.sim);
    port?.close();
    await rig?.close();
    rig = undefined;
    port = undefined;
  });

  /** A call to the flow whose transfer rings the simulator's `120@trunk` behaving as `behavior`; resolves when it rings. */
  async function ringing(behavior: 'no-answer' | 'busy' | 'manual') {
    const events: CallEvent[] = [];
    const transfer: TransferPort = { transfer: (...args) => port!.transfer(...args) };
    const r = (rig = await startRig({ publishShipped: false, didFlows: { didFlows: { 8003: 'transfer-test' } }, transfer }));
    port = createIvrTransfer({ telephony: r.telephony.port, destinations: defaultCatalogue.transferDestinations, clock: r.clock, logger, record: (_, e) => events.push(e) });
    await r.versions.publish({ flow: transferFlow, author: 'test', message: 'transfer test flow', expectedHash: null });
    await r.sim.control.setEndpoint('PJSIP', '120@trunk', { behavior });
    const { channelId } = await r.sim.control.placeCall({ from: '13800138000', did: '8003' });
    await r.hears(channelId, 'sound:test/notice');
    await r.advance(channelId, 1000);
    const legId = `ivrx-${channelId}-1`;
    if (behavior !== 'busy') await until(async () => r.sim.control.channel(legId).then((c) => !c.hungUp, () => false), 'the destination rings');
    return { r, channelId, legId, events };
  }

  describe('when the destination does not answer', () => {
    it('stops the ring after the ring time and the caller goes on at `failed`', async () => {
      const { r, channelId, legId, events } = await ringing('no-answer');
      expect((await r.sim.control.channel(channelId)).heard.some((h) => h.kind === 'moh')).toBe(true); // music while it rings
      const sorry = r.hears(channelId, 'sound:test/sorry');
      await r.advance(channelId, 20_000);
      await sorry;
      expect((await r.sim.control.channel(legId)).hungUp).toBe(true);
      expect(events.filter((e) => e.type.startsWith('transfer'))).toEqual([
        expect.objectContaining({ type: 'transfer', kind: 'ivr', to: 'destination:120' }),
        expect.objectContaining({ type: 'transfer_step', step: 'failed', reason: 'no-answer' }),
      ]);
      await r.advance(channelId, 1000); // the message plays out, goodbye
      await until(async () => (await r.sim.control.channel(channelId)).hungUp, 'the flow hung up');
    });
  });

  describe('when the destination is busy', () => {
    it('the caller goes on at `failed` at once', async () => {
      const { r, channelId, events } = await ringing('busy');
      await until(async () => (await r.played(channelId)).includes('sound:test/sorry'), 'the failed branch plays');
      expect(events.at(-1)).toMatchObject({ type: 'transfer_step', step: 'failed', reason: 'busy' });
      await r.sim.control.hangup(channelId);
    });
  });

  describe('when the caller hangs up while the destination rings', () => {
    it('hangs the ringing leg up; nothing is left', async () => {
      const { r, channelId, legId, events } = await ringing('manual');
      await r.sim.control.hangup(channelId);
      await until(async () => (await r.sim.control.channel(legId)).hungUp, 'the ring is stopped');
      await until(() => r.calls.activeCalls() === 0, 'the call left the IVR');
      await until(() => events.length === 2, 'the transfer is recorded as ended');
      expect(events.at(-1)).toMatchObject({ type: 'transfer_step', step: 'caller_left' });
    });
  });
});
