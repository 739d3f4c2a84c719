import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock, type ManualClock } from '../../src/clock.ts';
import type { Simulator } from '../../src/sim/simulator.ts';
import { ari, openEvents, startSim, type EventStream } from './support.ts';

describe('simulated media', () => {
  let clock: ManualClock;
  let sim: Simulator;
  let events: EventStream;
  let caller: string;
  beforeEach(async () => {
    clock = createManualClock();
    sim = await startSim(clock);
    events = await openEvents(sim.url);
    caller = (await sim.control.placeCall({ from: '5551001', did: '12345' })).channelId;
    await events.next('StasisStart');
    await ari(sim.url, 'POST', `/channels/${caller}/answer`);
  });
  afterEach(async () => {
    await events.close();
    await sim.close();
  });

  describe('when a playback is paused, resumed and restarted', () => {
    it('finishes only after its remaining time has played', async () => {
      await sim.control.setMedia('sound:queue-position', { durationMs: 4000 });
      await ari(sim.url, 'POST', `/channels/${caller}/play/pb1`, { media: 'sound:queue-position' });
      await clock.advance(1000);
      expect((await ari(sim.url, 'POST', '/playbacks/pb1/control', { operation: 'pause' })).status).toBe(204);
      await clock.advance(10_000);
      expect((await ari(sim.url, 'GET', '/playbacks/pb1')).body).toMatchObject({ state: 'playing' });
      await ari(sim.url, 'POST', '/playbacks/pb1/control', { operation: 'unpause' });
      await clock.advance(2999);
      await ari(sim.url, 'POST', '/playbacks/pb1/control', { operation: 'restart' });
      await clock.advance(3999);
      expect((await ari(sim.url, 'GET', '/playbacks/pb1')).status).toBe(200);
      await clock.advance(1);
      expect((await events.next('PlaybackFinished')).playback).toMatchObject({ id: 'pb1', state: 'done' });
      expect(await ari(sim.url, 'POST', '/playbacks/pb1/control', { operation: 'pause' })).toEqual({ status: 404, body: { message: 'Playback not found' } });
    });

    it('rejects an unknown operation with 400', async () => {
      await ari(sim.url, 'POST', `/channels/${caller}/play/pb2`, { media: 'sound:x' });
      expect(await ari(sim.url, 'POST', '/playbacks/pb2/control', { operation: 'sideways' })).toEqual({ status: 400, body: { message: 'Invalid operation sideways' } });
    });
  });

  describe('when a recording reaches maxDurationSeconds', () => {
    it('finishes on the clock, is stored, and a second take with ifExists=fail is refused', async () => {
      const res = await ari(sim.url, 'POST', `/channels/${caller}/record`, { name: 'msg1', format: 'wav', maxDurationSeconds: '5', beep: 'true' });
      expect(res).toMatchObject({ status: 201, body: { name: 'msg1', format: 'wav', target_uri: `channel:${caller}` } });
      await events.next('RecordingStarted');
      await clock.advance(5000);
      expect((await events.next('RecordingFinished')).recording).toMatchObject({ name: 'msg1', state: 'done', duration: 4 });
      expect((await ari(sim.url, 'GET', '/recordings/stored')).body).toEqual([{ name: 'msg1', format: 'wav' }]);
      expect((await ari(sim.url, 'POST', `/channels/${caller}/record`, { name: 'msg1', format: 'wav' })).status).toBe(409);
      const heard = (await sim.control.channel(caller)).heard.map((h) => h.kind);
      expect(heard).toEqual(['beep', 'recording']);
    });
  });

  describe('when a bridge plays a prompt and has music on hold', () => {
    it('targets the bridge and notes the music in each member history', async () => {
      await ari(sim.url, 'POST', '/bridges/q1', { type: 'holding' });
      await ari(sim.url, 'POST', '/bridges/q1/addChannel', { channel: caller });
      await ari(sim.url, 'POST', '/bridges/q1/moh', { mohClass: 'default' });
      const res = await ari(sim.url, 'POST', '/bridges/q1/play', { media: 'sound:queue-periodic-announce' });
      expect(res.body).toMatchObject({ target_uri: 'bridge:q1', state: 'queued' });
      await clock.advance(1000);
      expect((await events.next('PlaybackFinished')).playback).toMatchObject({ target_uri: 'bridge:q1', state: 'done' });
      expect((await sim.control.channel(caller)).heard).toEqual([expect.objectContaining({ kind: 'moh', on: true, bridgeId: 'q1' })]);
    });
  });
});
