import { afterEach, describe, expect, it } from 'vitest';
import { isHotlineError } from '../../src/errors.ts';
import { createHarness, nextEvent, startAdapter, startSimulator } from './support/harness.ts';

const harness = createHarness();
afterEach(() => harness.run());

describe('telephony port', () => {
  describe('when a caller dials a DID', () => {
    it('reports the call with caller number, name and DID, and answers it', async () => {
      const sim = await startSimulator(harness);
      const adapter = await startAdapter(harness, sim.url);
      const arrived = nextEvent(adapter, 'call-arrived');
      const call = await sim.control.placeCall({ from: '13800138000', fromName: 'Alice', did: '12345' });
      const event = await arrived;
      expect(event).toMatchObject({ channelId: call.channelId, caller: { number: '13800138000', name: 'Alice' }, did: '12345', state: 'Ring' });

      const up = nextEvent(adapter, 'channel-state-changed', call.channelId);
      await adapter.telephony.port.answer(call.channelId);
      expect((await up).state).toBe('Up');
      expect((await sim.control.channel(call.channelId)).state).toBe('Up');
    });
  });

  describe('when a prompt plays to the end', () => {
    it('resolves the playback as finished and the caller heard it', async () => {
      const sim = await startSimulator(harness);
      await sim.control.setMedia('sound:hotline/welcome', { durationMs: 50 });
      const adapter = await startAdapter(harness, sim.url);
      const call = await sim.control.placeCall({ from: '5551001', did: '12345' });
      await nextEvent(adapter, 'call-arrived');
      const port = adapter.telephony.port;
      await port.answer(call.channelId);
      const playback = await port.play({ kind: 'channel', id: call.channelId }, ['sound:hotline/welcome'], { playbackId: 'pb-1', timeoutMs: 5_000 });
      await expect(playback.done).resolves.toEqual({ outcome: 'finished' });
      const report = await sim.control.channel(call.channelId);
      expect(report.heard.some((h) => h.kind === 'playback' && JSON.stringify(h).includes('sound:hotline/welcome'))).toBe(true);
    });
  });

  describe('when the app stops a prompt (barge-in)', () => {
    it('resolves the playback as stopped', async () => {
      const sim = await startSimulator(harness);
      await sim.control.setMedia('sound:long', { durationMs: 60_000 });
      const adapter = await startAdapter(harness, sim.url);
      const call = await sim.control.placeCall({ from: '5551001', did: '12345' });
      await nextEvent(adapter, 'call-arrived');
      const port = adapter.telephony.port;
      await port.answer(call.channelId);
      const started = nextEvent(adapter, 'playback-started');
      const playback = await port.play({ kind: 'channel', id: call.channelId }, ['sound:long'], { playbackId: 'pb-long', timeoutMs: 30_000 });
      await started;
      await playback.stop();
      await expect(playback.done).resolves.toEqual({ outcome: 'stopped' });
    });
  });

  describe('when the caller presses keys', () => {
    it('delivers each digit with its duration, in order', async () => {
      const sim = await startSimulator(harness);
      const adapter = await startAdapter(harness, sim.url);
      const call = await sim.control.placeCall({ from: '5551001', did: '12345' });
      await nextEvent(adapter, 'call-arrived');
      await adapter.telephony.port.answer(call.channelId);
      const pound = adapter.events.next((e) => e.type === 'dtmf' && e.digit === '#');
      await sim.control.sendDtmf(call.channelId, { digits: '12#', durationMs: 120 });
      await pound;
      const digits = adapter.events.values.filter((e) => e.type === 'dtmf');
      expect(digits.map((e) => (e.type === 'dtmf' ? `${e.digit}/${e.durationMs}` : ''))).toEqual(['1/120', '2/120', '#/120']);
    });
  });

  describe('when the app hangs up', () => {
    it('reports hung-up by the app and the channel leaving the app', async () => {
      const sim = await startSimulator(harness);
      const adapter = await startAdapter(harness, sim.url);
      const call = await sim.control.placeCall({ from: '5551001', did: '12345' });
      await nextEvent(adapter, 'call-arrived');
      const left = nextEvent(adapter, 'left-stasis', call.channelId);
      await adapter.telephony.port.hangup(call.channelId);
      await left;
      const hungUp = adapter.events.values.find((e) => e.type === 'hung-up');
      expect(hungUp).toMatchObject({ channelId: call.channelId, byApp: true });
      expect((await sim.control.stats()).channels).toBe(0);
    });
  });

  describe('when an operation targets a channel that is gone', () => {
    it('fails with TELEPHONY_CHANNEL_GONE', async () => {
      const sim = await startSimulator(harness);
      const adapter = await startAdapter(harness, sim.url);
      const error = await adapter.telephony.port.answer('no-such-channel').catch((e: unknown) => e);
      expect(isHotlineError(error, 'TELEPHONY_CHANNEL_GONE')).toBe(true);
    });
  });

  describe('when an argument carries caller data', () => {
    it('refuses it before it reaches Asterisk', async () => {
      const sim = await startSimulator(harness);
      const adapter = await startAdapter(harness, sim.url);
      const error = await adapter.telephony.port
        .originate('PJSIP/1001&DAHDI/1', { channelId: 'a-1', timeoutSec: 5, timeoutMs: 1_000 })
        .catch((e: unknown) => e);
      expect(isHotlineError(error, 'TELEPHONY_BAD_ARGUMENT')).toBe(true);
    });
  });
});
