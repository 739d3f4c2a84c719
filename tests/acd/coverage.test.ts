import { describe, expect, it } from 'vitest';
import { callSample, coverage, shortHours, type CallSample } from '../../src/acd/coverage.ts';
import { staffedByHour, type Roster } from '../../src/acd/shifts.ts';
import { applyCallEvent, newCallRecord } from '../../src/calls/call-record.ts';

const HOUR = 3_600_000;
const monday = Date.parse('2026-11-02T00:00:00+08:00');
const at = (weekday: number, hour: number) => (weekday - 1) * 24 + hour;

/** `perHour` calls in `hour` of every day of `weeks` weeks from `monday`, each handled in `handleSec` (null: unanswered). */
function calls(hour: number, perHour: number, handleSec: number | null, weeks = 4): CallSample[] {
  return Array.from({ length: weeks * 7 * perHour }, (_, i) => {
    const day = Math.floor(i / perHour);
    return { arrivedAt: monday + day * 24 * HOUR + hour * HOUR + (i % perHour) * 60_000, handleSec };
  });
}

const threeShifts: Roster = {
  shifts: [
    { id: 'day', name: '白班', start: '08:00', end: '16:00', weekdays: [1, 2, 3, 4, 5, 6, 7] },
    { id: 'evening', name: '中班', start: '16:00', end: '00:00', weekdays: [1, 2, 3, 4, 5, 6, 7] },
    { id: 'night', name: '夜班', start: '00:00', end: '08:00', weekdays: [1, 2, 3, 4, 5, 6, 7] },
  ],
  assignments: {},
  headcounts: { day: 4, evening: 2, night: 1 },
};

describe('coverage', () => {
  describe('when the night shift has one agent and the nights need two at 02:00', () => {
    // 6 calls an hour of 330 s: 0.55 Erlang; one agent answers 46 % within 15 s, two 89 %.
    const hours = coverage({ calls: [...calls(2, 6, 330), ...calls(10, 12, 330)], weeks: 4, staffed: staffedByHour(threeShifts) });

    it('marks 02:00 of every day short by one agent', () => {
      expect(hours[at(3, 2)]).toEqual({ weekday: 3, hour: 2, forecastCalls: 6, handleSec: 330, required: 2, staffed: 1, missing: 1 });
      expect(shortHours(hours).map((h) => [h.weekday, h.hour, h.missing])).toEqual([1, 2, 3, 4, 5, 6, 7].map((d) => [d, 2, 1]));
    });

    it('leaves a day whose hours are covered unmarked', () => {
      const wednesday = hours.slice(at(3, 8), at(3, 24));
      expect(wednesday.filter((h) => h.missing > 0)).toEqual([]);
      expect(hours[at(3, 10)]).toMatchObject({ forecastCalls: 12, required: 3, staffed: 4, missing: 0 });
    });

    it('needs nobody in an hour without calls', () => {
      expect(hours[at(3, 3)]).toMatchObject({ forecastCalls: 0, required: 0, staffed: 1, missing: 0 });
    });
  });

  describe('when an hour is not staffed at all', () => {
    it('is short by every agent it needs', () => {
      const dayOnly: Roster = { ...threeShifts, headcounts: { day: 4 } };
      const hours = coverage({ calls: calls(20, 12, 330), weeks: 4, staffed: staffedByHour(dayOnly) });
      expect(hours[at(5, 20)]).toMatchObject({ required: 3, staffed: 0, missing: 3 });
    });
  });

  describe('when the history is shorter or longer than the window', () => {
    it('averages over the weeks asked for', () => {
      const hours = coverage({ calls: calls(2, 6, 330, 2), weeks: 4, staffed: staffedByHour(threeShifts) });
      expect(hours[at(1, 2)]).toMatchObject({ forecastCalls: 3, required: 2 });
    });
  });

  describe('when an hour has calls but none was answered', () => {
    it('takes the handle time of the whole window, or the default when nothing was answered', () => {
      const hours = coverage({ calls: [...calls(2, 6, null), ...calls(10, 1, 200)], weeks: 4, staffed: staffedByHour(threeShifts) });
      expect(hours[at(1, 2)]?.handleSec).toBe(200);
      const none = coverage({ calls: calls(2, 6, null), weeks: 4, staffed: staffedByHour(threeShifts), defaultHandleSec: 240 });
      expect(none[at(1, 2)]?.handleSec).toBe(240);
    });
  });

  describe('when the target is stricter', () => {
    it('needs more agents', () => {
      const hours = coverage({ calls: calls(2, 6, 330), weeks: 4, staffed: staffedByHour(threeShifts), target: { share: 0.99, withinSec: 10 } });
      expect(hours[at(1, 2)]?.required).toBeGreaterThan(2);
    });
  });
});

describe('callSample', () => {
  const arrived = monday + 2 * HOUR;
  const base = newCallRecord({ callId: 'c1', did: '12345', callerNumber: '13800138000', arrivedAt: arrived });
  const queued = applyCallEvent(base, { type: 'enqueued', at: arrived + 5000, queueId: 'general' });

  it('takes talk time plus wrap-up for an answered call', () => {
    const talked = [
      { type: 'answered', at: arrived + 10_000, agentId: 'li' },
      { type: 'ended', at: arrived + 310_000, by: 'caller' },
    ] as const;
    const record = talked.reduce(applyCallEvent, queued);
    expect(callSample(record, { wrapUpSec: 30 })).toEqual({ arrivedAt: arrived, handleSec: 330 });
  });

  it('keeps an abandoned call as load without a handle time', () => {
    const record = applyCallEvent(queued, { type: 'ended', at: arrived + 20_000, by: 'caller' });
    expect(callSample(record, { queueId: 'general', wrapUpSec: 30 })).toEqual({ arrivedAt: arrived, handleSec: null });
  });

  it('leaves out calls that never asked for an agent, or asked in another queue', () => {
    expect(callSample(base, { wrapUpSec: 30 })).toBeNull();
    expect(callSample(queued, { queueId: 'transport', wrapUpSec: 30 })).toBeNull();
  });
});
