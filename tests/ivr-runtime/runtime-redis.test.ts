/**
 * The IVR runtime with its state on a real Redis: the feedback ticket, and a call carried on by a
 * restarted runtime from the state saved in Redis.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createManualClock } from '../../src/clock.ts';
import { createRedisStore } from '../../src/store/redis-store.ts';
import type { Store } from '../../src/store/store.ts';
import { createSimulator, type Simulator } from '../../src/sim/simulator.ts';
import { deletePrefix, uniquePrefix } from '../support/redis.ts';
import { nextEvent, until } from '../support/sim-events.ts';
import { logger, nothingLeft, sounds12345 as s, startRig, type IvrRig } from './ivr-harness.ts';

const url = inject('redisUrl');

describe('IVR runtime on Redis', () => {
  const open: Array<{ close(): Promise<void> }> = [];
  let sim: Simulator | undefined;
  let prefix: string | undefined;
  afterEach(async () => {
    if (sim) await nothingLeft(sim);
    for (const o of open.splice(0).reverse()) await o.close();
    if (prefix) await deletePrefix(url, prefix);
    sim = undefined;
    prefix = undefined;
  });

  async function setup(): Promise<{ clock: ReturnType<typeof createManualClock>; store: Store; rig: IvrRig; sim: Simulator }> {
    const clock = createManualClock();
    prefix = uniquePrefix('ivr');
    const store = createRedisStore({ url, prefix, logger });
    open.push(store);
    sim = await createSimulator({ port: 0, user: 'hotline', password: 'ivr-test-pw', controlToken: 'tok', logger, clock });
    const started = sim;
    open.push({ close: () => started.close() });
    const rig = await startRig({ sim, store, clock });
    return { clock, store, rig, sim };
  }

  describe('when a caller leaves a suggestion and the server restarts in the middle', () => {
    it('resumes from the state in Redis and files exactly one ticket with the recording', async () => {
      const w = await setup();
      const { channelId } = await w.sim.control.placeCall({ from: '13800138000', did: '12345' });
      await w.rig.hears(channelId, s.greeting);
      const menu = w.rig.hears(channelId, s.main);
      await w.rig.advance(channelId, 1000);
      await menu;
      await w.rig.close();

      const second = await startRig({ sim: w.sim, store: w.store, clock: w.clock });
      open.push(second);
      await until(() => second.calls.activeCalls() === 1, 'the restarted runtime carries the call');
      const record = second.hears(channelId, s.record);
      await w.sim.control.sendDtmf(channelId, { digits: '9' });
      await record;
      const recording = nextEvent(w.sim, (e) => e['type'] === 'RecordingStarted', 'the recording');
      await second.advance(channelId, 1000);
      await recording;
      await second.advance(channelId, 3000);
      const thanks = second.hears(channelId, s.thanks);
      await w.sim.control.sendDtmf(channelId, { digits: '#' });
      await thanks;
      const tickets = await second.intake.list();
      expect(tickets).toHaveLength(1);
      expect(tickets[0]).toMatchObject({ callId: channelId, category: 'suggestion', recording: expect.stringMatching(/feedback-r\d+$/) });
      await w.sim.control.hangup(channelId);
      await until(() => second.calls.activeCalls() === 0, 'the call ended');
      expect(await w.store.smembers('ivr-calls:local')).toEqual([]);
    });
  });
});
