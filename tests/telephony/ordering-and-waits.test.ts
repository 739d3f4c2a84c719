import { afterEach, describe, expect, it } from 'vitest';
import { isHotlineError } from '../../src/errors.ts';
import type { TelephonyEvent } from '../../src/telephony/port.ts';
import { createHarness, nextEvent, startAdapter, startSimulator } from './support/harness.ts';

const harness = createHarness();
afterEach(() => harness.run());

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const describeEvent = (e: TelephonyEvent): string => (e.type === 'dtmf' ? `dtmf ${e.digit}` : e.type);

describe('per-channel event order', () => {
  describe('when the handler of one event is slow', () => {
    it('runs the next handler of that channel only after it settled, while other channels go on', async () => {
      const sim = await startSimulator(harness);
      await sim.control.setMedia('sound:x', { durationMs: 10 });
      const adapter = await startAdapter(harness, sim.url);
      const port = adapter.telephony.port;
      const log: string[] = [];
      const first = gate();
      const otherArrived = gate();
      const lastDigitDone = gate();
      let firstChannel: string | undefined;
      port.onEvent(async (event) => {
        if (event.type === 'call-arrived' && firstChannel === undefined) {
          firstChannel = event.channelId;
          log.push('start call-arrived');
          await first.promise;
          log.push('end call-arrived');
          return;
        }
        if (event.type === 'call-arrived') {
          otherArrived.open();
          return;
        }
        if (!('channelId' in event) || event.channelId !== firstChannel) return;
        log.push(`start ${describeEvent(event)}`);
        await new Promise((resolve) => setImmediate(resolve));
        log.push(`end ${describeEvent(event)}`);
        if (event.type === 'dtmf' && event.digit === '3') lastDigitDone.open();
      });

      const a = await sim.control.placeCall({ from: '5551001', did: '12345' });
      await port.answer(a.channelId);
      await sim.control.sendDtmf(a.channelId, { digits: '123' });
      await sim.control.placeCall({ from: '5551002', did: '12328' });
      await otherArrived.promise;
      expect(log).toEqual(['start call-arrived']);

      first.open();
      await lastDigitDone.promise;
      expect(log).toEqual([
        'start call-arrived', 'end call-arrived',
        'start channel-state-changed', 'end channel-state-changed',
        'start dtmf 1', 'end dtmf 1', 'start dtmf 2', 'end dtmf 2', 'start dtmf 3', 'end dtmf 3',
      ]);
    });
  });

  describe('when a handler awaits a port wait', () => {
    it('is not deadlocked by its own channel queue', async () => {
      const sim = await startSimulator(harness);
      await sim.control.setMedia('sound:short', { durationMs: 20 });
      const adapter = await startAdapter(harness, sim.url);
      const port = adapter.telephony.port;
      const result = new Promise<unknown>((resolve) => {
        port.onEvent(async (event) => {
          if (event.type !== 'call-arrived') return;
          await port.answer(event.channelId);
          const playback = await port.play({ kind: 'channel', id: event.channelId }, ['sound:short'], { playbackId: 'in-handler', timeoutMs: 5_000 });
          resolve(await playback.done);
        });
      });
      await sim.control.placeCall({ from: '5551001', did: '12345' });
      await expect(result).resolves.toEqual({ outcome: 'finished' });
    });
  });
});

describe('adapter bookkeeping', () => {
  describe('when many calls come, play, get an agent and end', () => {
    it('keeps no queue, wait or tracked id once they are over', async () => {
      const sim = await startSimulator(harness);
      await sim.control.setMedia('sound:hi', { durationMs: 5 });
      await sim.control.setEndpoint('PJSIP', 'agent', { behavior: 'answer' });
      const adapter = await startAdapter(harness, sim.url);
      const port = adapter.telephony.port;
      for (let i = 0; i < 25; i++) {
        const call = await sim.control.placeCall({ from: '5551001', did: '12345' });
        await nextEvent(adapter, 'call-arrived', call.channelId);
        await port.answer(call.channelId);
        const playback = await port.play({ kind: 'channel', id: call.channelId }, ['sound:hi'], { playbackId: `hi-${i}`, timeoutMs: 5_000 });
        await playback.done;
        await port.originate('PJSIP/agent', { channelId: `agent-${i}`, timeoutSec: 5, timeoutMs: 5_000 });
        const gone = nextEvent(adapter, 'channel-destroyed', `agent-${i}`);
        await port.hangup(`agent-${i}`);
        await gone;
        const left = nextEvent(adapter, 'left-stasis', call.channelId);
        await port.hangup(call.channelId);
        await left;
      }
      await adapter.telephony.idle();
      expect(adapter.telephony.stats()).toEqual({ busyQueues: 0, waits: 0, tracked: 0 });
    });
  });
});

describe('port waits', () => {
  async function answeredCall() {
    const sim = await startSimulator(harness);
    await sim.control.setMedia('sound:long', { durationMs: 60_000 });
    const adapter = await startAdapter(harness, sim.url);
    const call = await sim.control.placeCall({ from: '5551001', did: '12345' });
    await nextEvent(adapter, 'call-arrived');
    await adapter.telephony.port.answer(call.channelId);
    return { sim, adapter, port: adapter.telephony.port, channelId: call.channelId };
  }

  describe('when the caller hangs up during a prompt', () => {
    it('ends the playback wait with TELEPHONY_CHANNEL_GONE', async () => {
      const { sim, adapter, port, channelId } = await answeredCall();
      const started = nextEvent(adapter, 'playback-started');
      const playback = await port.play({ kind: 'channel', id: channelId }, ['sound:long'], { playbackId: 'p-gone', timeoutMs: 30_000 });
      await started;
      await sim.control.hangup(channelId, 16);
      const error = await playback.done.catch((e: unknown) => e);
      expect(isHotlineError(error, 'TELEPHONY_CHANNEL_GONE')).toBe(true);
      const hungUp = await nextEvent(adapter, 'left-stasis', channelId).then(() => adapter.events.values.find((e) => e.type === 'hung-up'));
      expect(hungUp).toMatchObject({ channelId, cause: 16, byApp: false });
    });
  });

  describe('when the caller hangs up during a recording', () => {
    it('ends the recording wait with TELEPHONY_CHANNEL_GONE', async () => {
      const { sim, adapter, port, channelId } = await answeredCall();
      const started = nextEvent(adapter, 'recording-started');
      const recording = await port.record({ kind: 'channel', id: channelId }, {
        name: 'feedback-gone', format: 'wav', maxDurationSeconds: 60, terminateOn: '#', beep: true, ifExists: 'overwrite', timeoutMs: 30_000,
      });
      await started;
      await sim.control.hangup(channelId, 16);
      const error = await recording.done.catch((e: unknown) => e);
      expect(isHotlineError(error, 'TELEPHONY_CHANNEL_GONE')).toBe(true);
    });
  });

  describe('when the caller ends a recording with #', () => {
    it('resolves the recording as finished, and the stored recording can be deleted', async () => {
      const { sim, port, channelId } = await answeredCall();
      const recording = await port.record({ kind: 'channel', id: channelId }, {
        name: 'feedback-1', format: 'wav', maxDurationSeconds: 60, terminateOn: '#', ifExists: 'overwrite', timeoutMs: 30_000,
      });
      await sim.control.sendDtmf(channelId, { digits: '#' });
      await expect(recording.done).resolves.toMatchObject({ result: 'finished' });
      await port.deleteStoredRecording('feedback-1');
      const again = await port.deleteStoredRecording('feedback-1').catch((e: unknown) => e);
      expect(isHotlineError(again, 'ARI_REQUEST_FAILED')).toBe(true);
    });
  });

  describe('when a wait times out', () => {
    it('fails with TELEPHONY_TIMEOUT and stops the prompt', async () => {
      const { adapter, port, channelId } = await answeredCall();
      const finished = nextEvent(adapter, 'playback-finished');
      const playback = await port.play({ kind: 'channel', id: channelId }, ['sound:long'], { playbackId: 'p-slow', timeoutMs: 30 });
      const error = await playback.done.catch((e: unknown) => e);
      expect(isHotlineError(error, 'TELEPHONY_TIMEOUT')).toBe(true);
      expect((await finished).playbackId).toBe('p-slow');
    });
  });

  describe('when the signal was aborted before the prompt even started', () => {
    it('still stops the prompt once Asterisk has started it', async () => {
      const { adapter, port, channelId } = await answeredCall();
      const abort = new AbortController();
      abort.abort();
      const finished = adapter.events.next((e) => e.type === 'playback-finished' && e.playbackId === 'p-early');
      const playback = await port.play({ kind: 'channel', id: channelId }, ['sound:long'], { playbackId: 'p-early', timeoutMs: 30_000, signal: abort.signal });
      await expect(playback.done).rejects.toMatchObject({ code: 'TELEPHONY_ABORTED' });
      await finished;
    });
  });

  describe('when the caller of a wait aborts it', () => {
    it('fails with TELEPHONY_ABORTED', async () => {
      const { port, channelId } = await answeredCall();
      const abort = new AbortController();
      const playback = await port.play({ kind: 'channel', id: channelId }, ['sound:long'], { playbackId: 'p-abort', timeoutMs: 30_000, signal: abort.signal });
      abort.abort();
      const error = await playback.done.catch((e: unknown) => e);
      expect(isHotlineError(error, 'TELEPHONY_ABORTED')).toBe(true);
    });
  });
});
