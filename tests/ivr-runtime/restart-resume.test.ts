/**
 * A restarted server carries the IVR calls on from their saved states: the same simulator and
 * store, a second runtime (the first one closed as on shutdown, its calls left in Stasis).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/log.ts';
import { createSimulator, type Simulator } from '../../src/sim/simulator.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import type { Store } from '../../src/store/store.ts';
import { nextEvent, until } from '../support/sim-events.ts';
import { nothingLeft, sounds12345 as s, startRig, type IvrRig } from './ivr-harness.ts';

describe('IVR runtime across a restart', () => {
  const open: Array<{ close(): Promise<void> }> = [];
  let sim: Simulator | undefined;
  afterEach(async () => {
    if (sim) await nothingLeft(sim);
    for (const o of open.splice(0).reverse()) await o.close();
    sim = undefined;
  });

  async function world(): Promise<{ clock: ReturnType<typeof createManualClock>; store: Store; first: IvrRig; sim: Simulator }> {
    const clock = createManualClock();
    sim = await createSimulator({ port: 0, user: 'hotline', password: 'ivr-test-pw', controlToken: 'tok', logger: createLogger('silent'), clock });
    const started = sim;
    open.push({ close: () => started.close() });
    const store = createMemoryStore({ clock });
    const first = await startRig({ sim, store, clock });
    return { clock, store, first, sim };
  }

  async function restart(w: { clock: ReturnType<typeof createManualClock>; store: Store; first: IvrRig; sim: Simulator }): Promise<IvrRig> {
    await w.first.close();
    const second = await startRig({ sim: w.sim, store: w.store, clock: w.clock });
    open.push(second);
    return second;
  }

  async function toMenu(r: IvrRig, from: string): Promise<string> {
    const { channelId } = await r.sim.control.placeCall({ from, did: '12345' });
    await r.hears(channelId, s.greeting);
    const menu = r.hears(channelId, s.main);
    await r.advance(channelId, 1000);
    await menu;
    return channelId;
  }

  describe('when the server restarts while a caller listens to the menu', () => {
    it('plays the menu again on the same version and takes the caller\'s key', async () => {
      const w = await world();
      const channelId = await toMenu(w.first, '13800138000');
      const version = w.first.calls.session(channelId)?.version;
      const again = nextEvent(w.sim, (e) => e['type'] === 'PlaybackStarted', 'the menu again');
      const second = await restart(w);
      await again;
      expect(second.calls.session(channelId)?.version).toBe(version);
      const record = second.hears(channelId, s.record);
      await w.sim.control.sendDtmf(channelId, { digits: '9' });
      await record;
      expect(await second.played(channelId)).toEqual([s.greeting, s.main, s.main, s.record]);
      await w.sim.control.hangup(channelId);
      await until(() => second.calls.activeCalls() === 0, 'the call ended');
    });
  });

  describe('when the server restarts while a caller waits in the queue', () => {
    it('keeps the caller in the queue, and takes the holding bridge down when the caller hangs up', async () => {
      const w = await world();
      const channelId = await toMenu(w.first, '13800138001');
      await w.first.advance(channelId, 1000);
      await w.first.advance(channelId, 1500);
      await until(() => w.first.queue.parked().has(channelId), 'queued');
      expect((await w.sim.control.channel(channelId)).bridgeId).toBe(`ivr-hold-${channelId}`);
      const second = await restart(w);
      await until(() => second.queue.parked().get(channelId) === 'general', 'still queued after the restart');
      expect((await w.sim.control.channel(channelId)).bridgeId).toBe(`ivr-hold-${channelId}`);
      await w.sim.control.hangup(channelId);
      await until(() => second.calls.activeCalls() === 0 && second.queue.parked().size === 0, 'the caller left the queue');
    });
  });

  describe('when the caller hangs up mid-recording while the server is down', () => {
    it('the restarted server still files the suggestion ticket', async () => {
      const w = await world();
      const channelId = await toMenu(w.first, '13800138002');
      const prompt = w.first.hears(channelId, s.record);
      await w.sim.control.sendDtmf(channelId, { digits: '9' });
      await prompt;
      const recording = nextEvent(w.sim, (e) => e['type'] === 'RecordingStarted', 'the recording');
      await w.first.advance(channelId, 1000);
      await recording;
      await w.first.close();
      await w.clock.advance(3000);
      await w.sim.control.hangup(channelId);
      const second = await startRig({ sim: w.sim, store: w.store, clock: w.clock });
      open.push(second);
      await until(async () => (await second.intake.list()).length === 1, 'the ticket is filed');
      const [ticket] = await second.intake.list();
      expect(ticket).toMatchObject({ callId: channelId, category: 'suggestion', recording: expect.stringMatching(/feedback-r\d+$/) });
      await until(() => second.calls.activeCalls() === 0, 'the call ended');
    });
  });
});
