/**
 * Queue settings an admin changes in the store (issue 5, "overflow after a configurable wait"):
 * the queue service reads them at each enqueue, so the next caller gets the new limits — a changed
 * `maxWaiting` refuses or admits callers, a changed `maxWaitSec` overflows at the new time — while
 * a caller already waiting keeps the overflow timer and callback key it was queued with.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createQueueSettings, type QueueSettings, type QueueSettingsStore } from '../../src/acd/queue-settings.ts';
import { until } from '../support/sim-events.ts';
import { generalQueue, queueCaller, queueWorld, type QueueWorld } from './queue-world.ts';

describe('queue settings changed by an admin', () => {
  let world: QueueWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  /** Agent 1001 on shift but not ready: callers wait. The queue service reads its limits from the settings in the store. */
  async function setup(extra: { announceEverySec?: number } = {}) {
    const left: Array<[string, string]> = [];
    const late: { settings?: QueueSettingsStore } = {};
    world = await queueWorld({ '1001': { behavior: 'manual' } }, 15, {
      ...extra, limits: (queueId) => late.settings!.limits(queueId), onLeft: (callId, outcome) => left.push([callId, outcome]),
    });
    const settings = (late.settings = createQueueSettings({ store: world.store, clock: world.clock, queues: generalQueue }));
    await world.acd.applyAgent('agent1001', { type: 'not_ready', reason: 'meal' });
    const change = async (values: Partial<QueueSettings>) => {
      const { maxWaitSec, maxWaiting, callbackKey, record } = await settings.get('general');
      await settings.set('general', { maxWaitSec, maxWaiting, record, ...(callbackKey !== undefined ? { callbackKey } : {}), ...values }, 'admin');
    };
    return { w: world, left, change };
  }

  describe('when maxWaiting changes', () => {
    it('refuses the next caller once the new maximum waits, and admits callers again when it is raised', async () => {
      const { w, left, change } = await setup();
      await change({ maxWaiting: 1 });
      const first = await queueCaller(w, '13800000031');
      const refused = await queueCaller(w, '13800000032');
      expect(left).toEqual([[refused, 'full']]);
      expect((await w.acd.call(first))?.state).toBe('waiting');

      await change({ maxWaiting: 2 });
      const admitted = await queueCaller(w, '13800000033');
      expect(left).toEqual([[refused, 'full']]);
      expect((await w.acd.call(admitted))?.state).toBe('waiting');
      expect(await w.acd.waitingCount('general')).toBe(2);
      for (const id of [first, refused, admitted]) await w.sim.control.hangup(id);
    });
  });

  describe('when maxWaitSec changes', () => {
    it('overflows a caller queued after the change at the new time, and one already waiting at the time it was queued with', async () => {
      const { w, left, change } = await setup();
      await change({ maxWaitSec: 60 });
      const early = await queueCaller(w, '13800000041');
      await change({ maxWaitSec: 120 });
      const late = await queueCaller(w, '13800000042');

      await w.clock.advance(60_000);
      await until(() => left.length === 1, 'the first caller\'s wait of 60 s passed');
      expect(left).toEqual([[early, 'timeout']]);
      expect((await w.acd.call(late))?.state).toBe('waiting');

      await w.clock.advance(60_000);
      await until(() => left.length === 2, 'the second caller\'s wait of 120 s passed');
      expect(left[1]).toEqual([late, 'timeout']);
      expect(await w.acd.call(late)).toBeNull();
      for (const id of [early, late]) await w.sim.control.hangup(id);
    });
  });

  describe('when the callback key changes', () => {
    it('tells the next caller the new key and books a callback on it', async () => {
      const { w, change } = await setup({ announceEverySec: 30 });
      await change({ callbackKey: '2' });
      const caller = await queueCaller(w, '13800138000');
      await w.clock.advance(30_000);
      const heard = async () => (await w.sim.control.channel(caller)).heard.filter((h) => h.kind === 'playback').flatMap((h) => h['media'] as string[]);
      await until(async () => (await heard()).includes('digits:2'), 'the announcement names the new key');
      expect((await heard()).slice(-2)).toEqual(['sound:hotline/zh/callback-offer-key', 'digits:2']);

      await w.sim.control.sendDtmf(caller, { digits: '2' });
      await until(async () => (await w.acd.call(caller))?.callback !== undefined, 'the callback is booked on 2');
      await w.clock.advance(10_000); // the confirmation plays
      await until(async () => (await w.sim.control.channel(caller)).hungUp, 'the caller was hung up');
    });
  });
});
