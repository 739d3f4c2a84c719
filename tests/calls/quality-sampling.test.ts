/**
 * Quality sampling on a real Redis: each agent gets the configured share of their recorded calls
 * picked (exactly, within one call), the same picks again from the same counters, and at least one
 * call a day; score sheets are checked against the configured sheet.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createQuality, isPicked, samplingPhase, scoreSheet, defaultSheet } from '../../src/calls/quality.ts';
import { createManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/log.ts';
import { createStore } from '../../src/store/create-store.ts';
import { deletePrefix, uniquePrefix } from '../support/redis.ts';

const logger = createLogger('silent');
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setup(percent: number) {
  const redisUrl = inject('redisUrl');
  const prefix = uniquePrefix('quality');
  cleanups.push(() => deletePrefix(redisUrl, prefix));
  const store = createStore({ REDIS_URL: redisUrl, REDIS_PREFIX: prefix }, logger);
  cleanups.push(() => store.close());
  const clock = createManualClock(Date.UTC(2026, 2, 2, 1, 0, 0)); // 09:00 in Beijing
  return { store, clock, quality: createQuality({ store, clock, logger, percent }) };
}

/** Feeds `count` recorded calls of `agentId`; returns the numbers (1-based) of the picked ones. */
async function feed(quality: ReturnType<typeof createQuality>, agentId: string, count: number): Promise<number[]> {
  const picked: number[] = [];
  for (let n = 1; n <= count; n++) {
    if (await quality.consider({ callId: `${agentId}-c${n}`, agentId, recordingId: `call-${agentId}-c${n}-1` })) picked.push(n);
  }
  return picked;
}

describe('quality sampling', () => {
  describe('when agents take 100, 40 and 3 recorded calls in a day at 5 %', () => {
    it('picks 5 and 2 of the first two, and the third gets its one call the next morning', async () => {
      const { quality, clock } = setup(5);
      const a = await feed(quality, 'agent-a', 100);
      const b = await feed(quality, 'agent-b', 40);
      const c = await feed(quality, 'agent-c', 3);
      expect([a.length, b.length]).toEqual([5, 2]);
      expect(a.every((n, i) => i === 0 || n - a[i - 1]! === 20)).toBe(true); // one every 20 calls, at this agent's daily phase
      expect(c.length).toBeLessThanOrEqual(1);
      expect(await quality.topUp()).toEqual([]); // the day is not over

      await clock.advance(86_400_000);
      const topped = await quality.topUp();
      const perAgent = async (agentId: string) => (await quality.list({ agentId })).length;
      expect([await perAgent('agent-a'), await perAgent('agent-b'), await perAgent('agent-c')]).toEqual([5, 2, 1]);
      expect(topped.map((r) => r.agentId)).toEqual(c.length === 0 ? ['agent-c'] : []);
      expect(await quality.topUp()).toEqual([]); // once per day
    });
  });

  describe('when the same calls are counted again on a fresh store', () => {
    it('picks the same calls (deterministic)', async () => {
      const first = await feed(setup(5).quality, 'agent-a', 60);
      const second = await feed(setup(5).quality, 'agent-a', 60);
      expect(second).toEqual(first);
      expect(first.length).toBe(3);
    });
  });

  describe('the sampling rule', () => {
    it('gives every phase exactly ⌊N/P⌋ or ⌈N/P⌉ picks of N calls', () => {
      for (const percent of [5, 10, 12.5, 33]) {
        for (let phaseSeed = 0; phaseSeed < 50; phaseSeed++) {
          const phase = samplingPhase(`agent-${phaseSeed}`, '2026-03-02', percent);
          const picks = Array.from({ length: 97 }, (_, i) => i + 1).filter((n) => isPicked(n, percent, phase)).length;
          expect(picks).toBeGreaterThanOrEqual(Math.floor((97 * percent) / 100));
          expect(picks).toBeLessThanOrEqual(Math.ceil((97 * percent) / 100));
        }
      }
      expect(isPicked(1, 0, 0)).toBe(false);
      expect(isPicked(7, 100, 0)).toBe(true);
    });
  });

  describe('when a supervisor scores a picked call', () => {
    it('checks each criterion against the sheet, keeps a draft in progress, and closes it when final', async () => {
      const { quality } = setup(100);
      const [n] = await feed(quality, 'agent-a', 1);
      expect(n).toBe(1);
      const id = 'q-call-agent-a-c1-1';
      expect(() => scoreSheet(defaultSheet, { greeting: 20 })).toThrow(expect.objectContaining({ code: 'QUALITY_SCORES_INVALID', details: { criterion: 'listening' } }));
      await expect(quality.score(id, { scores: { greeting: 5, listening: 5, accuracy: 5, compliance: 5, closing: 5, humour: 1 } }, 'sup')).rejects.toMatchObject({ code: 'QUALITY_SCORES_INVALID' });
      const draft = await quality.score(id, { scores: { greeting: 10, listening: 10, accuracy: 10, compliance: 10, closing: 10 }, final: false }, 'sup');
      expect(draft).toMatchObject({ state: 'in_progress', total: 50 });
      expect((await quality.list({ open: true })).map((r) => r.id)).toEqual([id]);
      await quality.setSheet({ criteria: [{ id: 'greeting', label: '开头语', max: 50 }, { id: 'closing', label: '结束语', max: 50 }] });
      const done = await quality.score(id, { scores: { greeting: 45, closing: 40 }, comment: 'ok' }, 'sup');
      expect(done).toMatchObject({ state: 'done', total: 85, maxTotal: 100, sheet: { criteria: [{ id: 'greeting' }, { id: 'closing' }] } });
      expect(await quality.list({ open: true })).toEqual([]);
      await expect(quality.score(id, { scores: { greeting: 1, closing: 1 } }, 'sup')).rejects.toMatchObject({ code: 'QUALITY_REVIEW_DONE' });
      await expect(quality.setSheet({ criteria: [{ id: 'a', label: 'x', max: 5 }, { id: 'a', label: 'y', max: 5 }] })).rejects.toMatchObject({ code: 'QUALITY_SHEET_INVALID' });
      expect(await quality.agentSummary('agent-a')).toEqual({ agentId: 'agent-a', reviews: 1, meanPercent: 85, byCriterion: { greeting: 90, closing: 80 } });
    });
  });
});
