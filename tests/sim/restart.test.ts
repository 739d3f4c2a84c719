import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/simulator.ts';
import { ari, openEvents, startSim } from './support.ts';

describe('simulator across an app restart', () => {
  let sim: Simulator;
  beforeEach(async () => { sim = await startSim(); });
  afterEach(async () => { await sim.close(); });

  describe('when the app socket drops during a call and a new one connects', () => {
    it('keeps the call, drops the events of the gap and delivers only new ones', async () => {
      const first = await openEvents(sim.url);
      const call = await sim.control.placeCall({ from: '5551001', did: '12345' });
      await first.next('StasisStart');
      await ari(sim.url, 'POST', `/channels/${call.channelId}/answer`);
      await first.next('ChannelStateChange');
      await first.close();

      await sim.control.sendDtmf(call.channelId, { digits: '5' });
      expect((await ari(sim.url, 'GET', '/applications/hotline')).body).toMatchObject({ name: 'hotline', channel_ids: [call.channelId] });

      const second = await openEvents(sim.url);
      const listed = (await ari(sim.url, 'GET', '/channels')).body as { id: string; state: string }[];
      expect(listed.find((c) => c.id === call.channelId)?.state).toBe('Up');
      await sim.control.sendDtmf(call.channelId, { digits: '6' });
      expect((await second.next()).type).toBe('ChannelDtmfReceived');
      expect(second.received.map((e) => e.digit)).toEqual(['6']);
      await ari(sim.url, 'DELETE', `/channels/${call.channelId}`);
      await second.next('StasisEnd');
      await second.close();
    });
  });

  describe('when a second socket registers the same app', () => {
    it('sends ApplicationReplaced to the first and everything else to the second', async () => {
      const first = await openEvents(sim.url);
      const second = await openEvents(sim.url);
      expect((await first.next()).type).toBe('ApplicationReplaced');
      await sim.control.placeCall({ from: '5551001', did: '12345' });
      await second.next('StasisStart');
      expect(first.received.map((e) => e.type)).toEqual(['ApplicationReplaced']);
      await first.close();
      await second.close();
    });
  });
});
