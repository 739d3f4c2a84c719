/**
 * storedRecordingFile(): the audio of a stored recording over GET /recordings/stored/{name}/file,
 * fetched byte-exact (ari-client would decode it as text). The simulator serves silence as long
 * as the recording lasted on its clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/clock.ts';
import { isHotlineError } from '../../src/errors.ts';
import { createHarness, nextEvent, startAdapter, startSimulator } from './support/harness.ts';

const harness = createHarness();
afterEach(() => harness.run());

describe('stored recording files', () => {
  describe('when a recorded bridge ran for 3 seconds', () => {
    it('fetches a WAV of 3 s (8 kHz, 16 bit) and, once deleted, answers not-found', async () => {
      const clock = createManualClock();
      const sim = await startSimulator(harness, 0, clock);
      const adapter = await startAdapter(harness, sim.url);
      const port = adapter.telephony.port;
      const call = await sim.control.placeCall({ from: '5551001', did: '12345' });
      await nextEvent(adapter, 'call-arrived');
      await port.answer(call.channelId);
      await port.createBridge('mixing', 'talk-1');
      await port.addToBridge('talk-1', [call.channelId]);
      const started = nextEvent(adapter, 'recording-started');
      const recording = await port.record({ kind: 'bridge', id: 'talk-1' }, { name: 'call-5551-1', format: 'wav', timeoutMs: 30_000 });
      await started;
      await clock.advance(3_000);
      await recording.stop();
      await expect(recording.done).resolves.toEqual({ result: 'finished', durationSec: 3 });

      const file = await port.storedRecordingFile('call-5551-1');
      expect(file.contentType).toBe('audio/wav');
      expect(file.data.length).toBe(44 + 3 * 16_000);
      const bytes = Buffer.from(file.data);
      expect([bytes.toString('ascii', 0, 4), bytes.toString('ascii', 8, 12), bytes.readUInt32LE(24), bytes.readUInt32LE(40)]).toEqual(['RIFF', 'WAVE', 8000, 48_000]);

      await port.deleteStoredRecording('call-5551-1');
      const error = await port.storedRecordingFile('call-5551-1').catch((e: unknown) => e);
      expect(isHotlineError(error, 'ARI_REQUEST_FAILED') && error.details?.['kind']).toBe('not-found');
    });
  });

  describe('when the name could carry a path', () => {
    it('refuses it before any request (TELEPHONY_BAD_ARGUMENT)', async () => {
      const sim = await startSimulator(harness);
      const adapter = await startAdapter(harness, sim.url);
      await expect(adapter.telephony.port.storedRecordingFile('../etc/passwd')).rejects.toMatchObject({ code: 'TELEPHONY_BAD_ARGUMENT' });
    });
  });
});
