import { afterEach, describe, expect, it } from 'vitest';
import { isHotlineError } from '../../src/errors.ts';
import { createHarness, nextEvent, startAdapter, startSimulator } from './support/harness.ts';

const harness = createHarness();
afterEach(() => harness.run());

async function answeredCall() {
  const sim = await startSimulator(harness);
  const adapter = await startAdapter(harness, sim.url);
  const call = await sim.control.placeCall({ from: '5551001', did: '12345' });
  await nextEvent(adapter, 'call-arrived');
  await adapter.telephony.port.answer(call.channelId);
  return { sim, adapter, port: adapter.telephony.port, channelId: call.channelId };
}

const kinds = (heard: ReadonlyArray<{ kind: string; on?: unknown }>): string[] =>
  heard.filter((h) => h.kind !== 'playback').map((h) => (h.on === undefined ? h.kind : `${h.kind}:${String(h.on)}`));

describe('channel control', () => {
  describe('when the app rings, holds, plays music and sends DTMF', () => {
    it('does each of them on the caller’s channel, in order', async () => {
      const { sim, port, channelId } = await answeredCall();
      await port.ring(channelId);
      await port.ringStop(channelId);
      await port.hold(channelId);
      await port.unhold(channelId);
      await port.startMoh(channelId, 'default');
      await port.stopMoh(channelId);
      await port.sendDtmf(channelId, '1#', { durationMs: 100 });
      const report = await sim.control.channel(channelId);
      expect(kinds(report.heard)).toEqual(['ring:true', 'ring:false', 'hold:true', 'hold:false', 'moh:true', 'moh:false', 'dtmf-sent']);
    });
  });

  describe('when the app mutes and unmutes', () => {
    it('mutes in the requested direction and unmutes again', async () => {
      const { sim, port, channelId } = await answeredCall();
      await port.mute(channelId, 'in');
      expect((await sim.control.channel(channelId)).variables['SIM_MUTED']).toBe('in');
      await port.unmute(channelId, 'in');
      expect((await sim.control.channel(channelId)).variables['SIM_MUTED']).toBeUndefined();
    });
  });

  describe('when the caller’s phone puts the call on hold', () => {
    it('reports far-end hold and unhold', async () => {
      const { sim, adapter, channelId } = await answeredCall();
      const held = nextEvent(adapter, 'far-end-hold', channelId);
      await sim.control.hold(channelId);
      expect((await held).musicClass).toBe('default');
      const resumed = nextEvent(adapter, 'far-end-unhold', channelId);
      await sim.control.unhold(channelId);
      await resumed;
    });
  });

  describe('when the app sends the call back to the dialplan', () => {
    it('reports the channel leaving the app, and it is listed as no longer in the app', async () => {
      const { adapter, port, channelId } = await answeredCall();
      const left = nextEvent(adapter, 'left-stasis', channelId);
      await port.continueInDialplan(channelId, { context: 'hotline-fallback', extension: 's', priority: 1 });
      await left;
      const listed = (await port.listChannels()).find((c) => c.id === channelId);
      expect(listed?.inApp ?? false).toBe(false);
    });
  });

  describe('when a prompt plays into a holding bridge', () => {
    it('plays to the bridge, and destroying the bridge stops it', async () => {
      const { sim, adapter, port, channelId } = await answeredCall();
      await sim.control.setMedia('sound:queue-position', { durationMs: 60_000 });
      await port.createBridge('holding', 'hold-1');
      await port.addToBridge('hold-1', [channelId]);
      await port.startBridgeMoh('hold-1');
      await port.stopBridgeMoh('hold-1');
      const started = nextEvent(adapter, 'playback-started');
      const playback = await port.play({ kind: 'bridge', id: 'hold-1' }, ['sound:queue-position'], { playbackId: 'bp-1', timeoutMs: 30_000 });
      expect((await started).target).toEqual({ kind: 'bridge', id: 'hold-1' });
      await port.removeFromBridge('hold-1', [channelId]);
      await port.destroyBridge('hold-1');
      await expect(playback.done).resolves.toEqual({ outcome: 'stopped' });
    });
  });

  describe('when a bridge is destroyed while a recording of it waits', () => {
    it('ends the wait with TELEPHONY_CHANNEL_GONE (Asterisk does not always send BridgeDestroyed)', async () => {
      const { adapter, port, channelId } = await answeredCall();
      await port.createBridge('mixing', 'rec-br');
      await port.addToBridge('rec-br', [channelId]);
      const started = nextEvent(adapter, 'recording-started');
      const recording = await port.record({ kind: 'bridge', id: 'rec-br' }, { name: 'calls/rec-br', format: 'wav', timeoutMs: 30_000 });
      await started;
      await port.removeFromBridge('rec-br', [channelId]);
      await port.destroyBridge('rec-br');
      const outcome = await recording.done.then((r) => r.result, (e: unknown) => (isHotlineError(e, 'TELEPHONY_CHANNEL_GONE') ? 'gone' : String(e)));
      expect(['finished', 'gone']).toContain(outcome);
    });
  });

  describe('when a two-party bridge is recorded and the app stops the recording', () => {
    it('resolves the recording as finished', async () => {
      const { sim, adapter, port, channelId } = await answeredCall();
      await sim.control.setEndpoint('PJSIP', 'agent9', { behavior: 'answer' });
      await port.originate('PJSIP/agent9', { channelId: 'agent-9', timeoutSec: 10, timeoutMs: 5_000 });
      await port.createBridge('mixing', 'talk-1');
      await port.addToBridge('talk-1', [channelId, 'agent-9']);
      const started = nextEvent(adapter, 'recording-started');
      const recording = await port.record({ kind: 'bridge', id: 'talk-1' }, { name: 'calls/talk-1', format: 'wav', ifExists: 'overwrite', timeoutMs: 30_000 });
      expect((await started).target).toEqual({ kind: 'bridge', id: 'talk-1' });
      await recording.stop();
      await expect(recording.done).resolves.toMatchObject({ result: 'finished' });
    });
  });
});
