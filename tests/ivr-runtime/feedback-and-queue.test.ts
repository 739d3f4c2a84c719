/**
 * The 12345 flow on a live (simulated) call: the feedback key files a suggestion ticket with the
 * recording, also when the caller hangs up mid-recording; no key sends the caller to the general
 * queue. Through the real ari-client on the simulator, on a manual clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { nextEvent, until } from '../support/sim-events.ts';
import { nothingLeft, sounds12345 as s, startRig, type IvrRig } from './ivr-harness.ts';

describe('IVR runtime on the 12345 flow', () => {
  let rig: IvrRig | undefined;
  afterEach(async () => {
    if (rig) await nothingLeft(rig.sim);
    await rig?.close();
    rig = undefined;
  });

  /** Dials 12345 and lets the greeting and the menu prompt play out (1 s each in the simulator). */
  async function dialAndReachMenu(r: IvrRig, from = '13800138000'): Promise<string> {
    const greeting = nextEvent(r.sim, (e) => e['type'] === 'PlaybackStarted', 'the greeting');
    const { channelId } = await r.sim.control.placeCall({ from, did: '12345' });
    await greeting;
    expect(await r.played(channelId)).toEqual([s.greeting]);
    const menu = r.hears(channelId, s.main);
    await r.advance(channelId, 1000);
    await menu;
    return channelId;
  }

  async function pressNineAndSpeak(r: IvrRig, channelId: string, speakMs: number): Promise<void> {
    const recordPrompt = r.hears(channelId, s.record);
    await r.sim.control.sendDtmf(channelId, { digits: '9' });
    await recordPrompt;
    const recording = nextEvent(r.sim, (e) => e['type'] === 'RecordingStarted', 'the recording');
    await r.advance(channelId, 1000);
    await recording;
    await r.advance(channelId, speakMs);
  }

  describe('when the caller presses 9, speaks and presses #', () => {
    it('files one suggestion ticket with the recording, thanks the caller and hangs up', async () => {
      rig = await startRig();
      const channelId = await dialAndReachMenu(rig);
      await pressNineAndSpeak(rig, channelId, 6000);
      const thanks = rig.hears(channelId, s.thanks);
      await rig.sim.control.sendDtmf(channelId, { digits: '#' });
      await thanks;
      const [ticket, ...others] = await rig.intake.list();
      expect(others).toEqual([]);
      expect(ticket).toMatchObject({
        callId: channelId, category: 'suggestion', did: '12345', callerNumber: '13800138000', flowId: '12345',
        recording: expect.stringMatching(/^ivr\/.+\/feedback-r\d+$/), fields: { channel: 'feedback-key', did: '12345' },
      });
      expect(ticket?.content).toContain('来电 13800138000');
      const { heard } = await rig.sim.control.channel(channelId);
      expect(heard.filter((h) => h.kind === 'beep')).toHaveLength(1);
      expect(heard.find((h) => h.kind === 'recording')).toMatchObject({ name: ticket?.recording, state: 'done' });
      const gone = nextEvent(rig.sim, (e) => e['type'] === 'StasisEnd', 'the hang-up');
      await rig.advance(channelId, 1000);
      await gone;
      await until(() => rig!.calls.activeCalls() === 0, 'the runtime forgot the call');
      expect(await rig.played(channelId)).toEqual([s.greeting, s.main, s.record, s.thanks]);
    });
  });

  describe('when the caller hangs up while recording', () => {
    it('still files the suggestion ticket with the recording', async () => {
      rig = await startRig();
      const channelId = await dialAndReachMenu(rig, '13900139000');
      await pressNineAndSpeak(rig, channelId, 4000);
      await rig.sim.control.hangup(channelId);
      await until(async () => (await rig!.intake.list()).length === 1, 'the ticket is filed');
      const [ticket] = await rig.intake.list();
      expect(ticket).toMatchObject({ category: 'suggestion', callerNumber: '13900139000', recording: expect.stringMatching(/feedback-r\d+$/) });
      await until(() => rig!.calls.activeCalls() === 0, 'the runtime forgot the call');
      expect(await rig.played(channelId)).toEqual([s.greeting, s.main, s.record]);
    });
  });

  describe('when the runtime drains for shutdown', () => {
    it('hands new callers back to the dialplan and resolves once the running call ended', async () => {
      rig = await startRig();
      const r = rig;
      const running = await dialAndReachMenu(r);
      let drained = false;
      const draining = r.calls.drain(60_000).then(() => void (drained = true));
      const { channelId: late } = await r.sim.control.placeCall({ from: '13900000000', did: '12345' });
      await until(async () => !(await r.sim.control.channel(late)).inStasis, 'the new caller went back to the dialplan');
      expect(await r.played(late)).toEqual([]);
      expect(drained).toBe(false);
      await r.sim.control.hangup(running);
      await draining;
      expect(r.calls.activeCalls()).toBe(0);
    });
  });

  describe('when the caller presses nothing', () => {
    it('parks the caller in the general queue with music on hold after the first-digit timeout', async () => {
      rig = await startRig();
      const channelId = await dialAndReachMenu(rig);
      await rig.advance(channelId, 1000); // the menu prompt ends; the first-digit timer (1.5 s) starts
      await rig.advance(channelId, 1499);
      expect(rig.queue.parked().size).toBe(0);
      const moh = nextEvent(rig.sim, (e) => e['type'] === 'ChannelEnteredBridge', 'the holding bridge');
      await rig.advance(channelId, 1);
      await moh;
      await until(() => rig!.queue.parked().get(channelId) === 'general', 'the caller is queued to general');
      await until(async () => (await rig!.sim.control.channel(channelId)).bridgeId === `ivr-hold-${channelId}`, 'in the holding bridge');
      await rig.sim.control.hangup(channelId);
      await until(() => rig!.calls.activeCalls() === 0 && rig!.queue.parked().size === 0, 'the queue let go of the caller');
      expect(await rig.intake.list()).toEqual([]);
    });
  });
});
