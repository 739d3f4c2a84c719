import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock, type ManualClock } from '../../src/clock.ts';
import type { Simulator } from '../../src/sim/simulator.ts';
import { ari, openEvents, startSim, type EventStream } from './support.ts';

async function control(sim: Simulator, method: string, path: string, body?: unknown, token = 'sim') {
  const res = await fetch(`${sim.url}/sim${path}`, {
    method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? null : JSON.parse(text) as unknown };
}

describe('simulator control API', () => {
  let clock: ManualClock;
  let sim: Simulator;
  let events: EventStream;
  beforeEach(async () => {
    clock = createManualClock();
    sim = await startSim(clock);
    events = await openEvents(sim.url);
  });
  afterEach(async () => {
    await events.close();
    await sim.close();
  });

  describe('when the token is wrong or the request is bad', () => {
    it('answers 401, 400 and 404 with coded bodies', async () => {
      expect((await control(sim, 'GET', '/stats', undefined, 'nope')).status).toBe(401);
      expect(await control(sim, 'POST', '/calls', { from: 5 })).toEqual({
        status: 400, body: { statusCode: 400, code: 'SIM_BAD_REQUEST', message: 'from must be a non-empty string' },
      });
      expect(await control(sim, 'POST', '/channels/nope/dtmf', { digits: '1' })).toMatchObject({ status: 404, body: { code: 'SIM_NOT_FOUND' } });
      expect(await control(sim, 'POST', '/clock/nope', {})).toMatchObject({ status: 404, body: { code: 'SIM_NOT_FOUND' } });
    });
  });

  describe('when a citizen dials a DID over HTTP', () => {
    it('enters Stasis(hotline,DID) ringing, hears prompts for their configured length, and is reported after hang-up', async () => {
      const placed = await control(sim, 'POST', '/calls', { from: '13800138000', fromName: 'Citizen', did: '12328' });
      expect(placed.status).toBe(201);
      const { channelId } = placed.body as { channelId: string };
      const start = await events.next('StasisStart');
      expect(start).toMatchObject({ args: ['12328'], channel: { id: channelId, state: 'Ring', caller: { name: 'Citizen', number: '13800138000' } } });

      expect((await control(sim, 'PUT', '/media', { uri: 'sound:welcome', durationMs: 5000 })).status).toBe(204);
      await ari(sim.url, 'POST', `/channels/${channelId}/answer`);
      await ari(sim.url, 'POST', `/channels/${channelId}/play`, { media: 'sound:welcome', playbackId: 'pb1' });
      await events.next('PlaybackStarted');
      await control(sim, 'POST', '/clock/advance', { ms: 4999 });
      expect((await ari(sim.url, 'GET', '/playbacks/pb1')).status).toBe(200);
      await control(sim, 'POST', '/clock/advance', { ms: 1 });
      expect((await events.next('PlaybackFinished')).playback).toMatchObject({ id: 'pb1', state: 'done' });

      await control(sim, 'POST', `/channels/${channelId}/dtmf`, { digits: '12' });
      expect((await events.next('ChannelDtmfReceived')).digit).toBe('1');
      expect((await events.next('ChannelDtmfReceived')).digit).toBe('2');
      await control(sim, 'POST', `/channels/${channelId}/hold`);
      expect(await events.next('ChannelHold')).toMatchObject({ musicclass: 'default' });
      await control(sim, 'POST', `/channels/${channelId}/hangup`, { cause: 16 });
      expect(await events.next('ChannelHangupRequest')).toMatchObject({ cause: 16 });
      await events.next('StasisEnd');

      expect((await control(sim, 'GET', '/stats')).body).toEqual({ channels: 0, bridges: 0, playbacks: 0, recordings: 0 });
      const report = (await control(sim, 'GET', `/channels/${channelId}`)).body as { hungUp: boolean; heard: { kind: string }[] };
      expect(report.hungUp).toBe(true);
      expect(report.heard.map((h) => h.kind)).toEqual(['playback', 'hold']);
    });
  });

  describe('when no events WebSocket is connected for the app', () => {
    it('refuses the call as Stasis() would (STASISSTATUS=FAILED)', async () => {
      await events.close();
      const res = await control(sim, 'POST', '/calls', { from: '5551001', did: '12345' });
      expect(res).toMatchObject({ status: 409, body: { code: 'SIM_CONFLICT' } });
      expect((await control(sim, 'GET', '/stats')).body).toMatchObject({ channels: 0 });
    });
  });

  describe('when endpoints are registered with behaviours', () => {
    it('rings a manual agent until answered, then it enters Stasis', async () => {
      await control(sim, 'PUT', '/endpoints/PJSIP/1001', { behavior: 'manual' });
      const res = await ari(sim.url, 'POST', '/channels', { endpoint: 'PJSIP/1001', app: 'hotline', appArgs: 'agent', channelId: 'agent-1' });
      expect(res.body).toMatchObject({ id: 'agent-1', state: 'Down' });
      expect((await events.next('Dial')).dialstatus).toBe('');
      expect((await events.next('Dial')).dialstatus).toBe('RINGING');
      await control(sim, 'POST', '/channels/agent-1/answer');
      expect((await events.next('StasisStart')).args).toEqual(['agent']);
    });

    it('gives busy (17), no answer after the timeout (19), and 500 for an unregistered endpoint', async () => {
      await control(sim, 'PUT', '/endpoints/PJSIP/1002', { behavior: 'busy' });
      await control(sim, 'PUT', '/endpoints/PJSIP/1003', { behavior: 'no-answer' });
      await ari(sim.url, 'POST', '/channels', { endpoint: 'PJSIP/1002', app: 'hotline', channelId: 'busy-1' });
      expect(await events.next('ChannelDestroyed')).toMatchObject({ cause: 17, cause_txt: 'User busy', channel: { id: 'busy-1' } });
      await ari(sim.url, 'POST', '/channels', { endpoint: 'PJSIP/1003', app: 'hotline', channelId: 'late-1', timeout: '3' });
      await clock.advance(2999);
      expect((await ari(sim.url, 'GET', '/channels/late-1')).status).toBe(200);
      await clock.advance(1);
      expect(await events.next('ChannelDestroyed')).toMatchObject({ cause: 19, channel: { id: 'late-1' } });
      expect(events.received.some((e) => e.type === 'StasisStart')).toBe(false);

      expect((await control(sim, 'DELETE', '/endpoints/PJSIP/1002')).status).toBe(204);
      expect(await ari(sim.url, 'POST', '/channels', { endpoint: 'PJSIP/1002', app: 'hotline' })).toEqual({ status: 500, body: { error: 'Allocation failed' } });
    });

    it('lets the app give up on a ringing agent (ring no answer) without a StasisStart or leftovers', async () => {
      await control(sim, 'PUT', '/endpoints/Local/agent@hotline-test', { behavior: 'answer', answerAfterMs: 10_000 });
      await ari(sim.url, 'POST', '/channels', { endpoint: 'Local/agent@hotline-test/n', app: 'hotline', channelId: 'rona-1' });
      await events.next('Dial');
      expect((await events.next('ChannelStateChange')).channel).toMatchObject({ id: 'rona-1', state: 'Ringing' });
      expect((await ari(sim.url, 'DELETE', '/channels/rona-1')).status).toBe(204);
      expect(await events.next('ChannelDestroyed')).toMatchObject({ channel: { id: 'rona-1' } });
      expect(await events.next('ChannelDestroyed')).toMatchObject({ channel: { id: 'rona-1;2' } });
      await clock.advance(10_000);
      expect(events.received.some((e) => e.type === 'StasisStart')).toBe(false);
      expect((await control(sim, 'GET', '/stats')).body).toEqual({ channels: 0, bridges: 0, playbacks: 0, recordings: 0 });
    });
  });
});
