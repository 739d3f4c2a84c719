/**
 * One Asterisk, several Stasis applications (one per server instance): the dialplan sends each
 * caller to one app, and every event of a channel goes to the app it is in, never to the others.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/clock.ts';
import type { Simulator } from '../../src/sim/simulator.ts';
import { ari, openEvents, startSim, type EventStream } from './support.ts';

describe('simulator with two Stasis applications', () => {
  let sim: Simulator;
  let a: EventStream;
  let b: EventStream;
  beforeEach(async () => {
    sim = await startSim(createManualClock());
    a = await openEvents(sim.url, 'hotline-a');
    b = await openEvents(sim.url, 'hotline-b');
  });
  afterEach(async () => {
    await a.close();
    await b.close();
    await sim.close();
  });

  describe('when a caller is sent to the second app', () => {
    it('enters Stasis(hotline-b,DID) and only that app hears of the call and of the agent leg it originates', async () => {
      const { channelId } = await sim.control.placeCall({ from: '13800138000', did: '12345', app: 'hotline-b' });
      expect(await b.next('StasisStart')).toMatchObject({
        application: 'hotline-b', args: ['12345'], channel: { id: channelId, dialplan: { app_name: 'Stasis', app_data: 'hotline-b,12345' } },
      });
      await sim.control.setEndpoint('PJSIP', '1001', { behavior: 'answer' });
      expect((await ari(sim.url, 'POST', '/channels', { endpoint: 'PJSIP/1001', app: 'hotline-b', appArgs: 'agent', channelId: 'agent-1' })).status).toBe(200);
      expect(await b.next('StasisStart')).toMatchObject({ application: 'hotline-b', channel: { id: 'agent-1' } });
      expect((await ari(sim.url, 'GET', '/applications/hotline-b')).body).toMatchObject({ channel_ids: expect.arrayContaining([channelId, 'agent-1']) });
      expect((await ari(sim.url, 'GET', '/applications/hotline-a')).body).toMatchObject({ channel_ids: [] });

      const { channelId: other } = await sim.control.placeCall({ from: '13800138001', did: '12345', app: 'hotline-a' });
      expect(await a.next('StasisStart')).toMatchObject({ application: 'hotline-a', channel: { id: other } });
      await sim.control.hangup(channelId);
      await b.next('StasisEnd');
      expect(a.received.map((e) => e.type)).toEqual(['StasisStart']);
      expect(b.received.every((e) => e['application'] === 'hotline-b')).toBe(true);
    });
  });

  describe('when the app a caller is sent to has no WebSocket', () => {
    it('fails that call (STASISSTATUS=FAILED) while the other app still takes calls, also over HTTP', async () => {
      await b.close();
      const post = (body: unknown) => fetch(`${sim.url}/sim/calls`, { method: 'POST', headers: { authorization: 'Bearer sim' }, body: JSON.stringify(body) });
      expect((await post({ from: '13800138000', did: '12345', app: 'hotline-b' })).status).toBe(409);
      expect((await post({ from: '13800138000', did: '12345', app: 'no,comma' })).status).toBe(400);
      const placed = await post({ from: '13800138000', did: '12345', app: 'hotline-a' });
      expect(placed.status).toBe(201);
      expect(await a.next('StasisStart')).toMatchObject({ application: 'hotline-a', channel: { id: ((await placed.json()) as { channelId: string }).channelId } });
    });
  });
});
