import { describe, expect, it } from 'vitest';
import { defaultRoster, hourOfWeek, parseRoster, staffedByHour, type Roster, type Shift } from '../../src/acd/shifts.ts';
import { isHotlineError } from '../../src/errors.ts';

const at = (weekday: number, hour: number) => (weekday - 1) * 24 + hour;
const roster = (shifts: Shift[], extra: Partial<Roster> = {}): Roster => ({ shifts, assignments: {}, headcounts: {}, ...extra });

function rosterError(value: unknown): { field: unknown; message: string } {
  try {
    parseRoster(value);
  } catch (error) {
    if (isHotlineError(error, 'ROSTER_INVALID')) return { field: error.details?.['field'], message: error.message };
    throw error;
  }
  throw new Error('the roster was accepted');
}

describe('shifts', () => {
  describe('when a night shift crosses midnight', () => {
    it('covers the hours after midnight of the next day, and Sunday night runs into Monday', () => {
      const night: Shift = { id: 'night', name: '夜班', start: '22:00', end: '06:00', weekdays: [7] };
      const staffed = staffedByHour(roster([night], { headcounts: { night: 2 } }));
      const covered = staffed.flatMap((n, i) => (n > 0 ? [i] : []));
      expect(covered).toEqual([0, 1, 2, 3, 4, 5, at(7, 22), at(7, 23)]);
      expect(staffed[at(7, 23)]).toBe(2);
      expect(staffed[at(1, 6)]).toBe(0);
    });
  });

  describe('when a shift starts or ends within an hour', () => {
    it('counts an agent in an hour only when on shift for all of it, and a hand-over at half past keeps one on', () => {
      const early: Shift = { id: 'early', name: '早班', start: '08:30', end: '12:30', weekdays: [1] };
      const late: Shift = { id: 'late', name: '午班', start: '12:30', end: '17:00', weekdays: [1] };
      const staffed = staffedByHour(roster([early, late], { assignments: { li: ['early'], wang: ['late'] } }));
      expect(staffed.slice(at(1, 8), at(1, 17))).toEqual([0, 1, 1, 1, 1, 1, 1, 1, 1]);
      expect(staffed[at(1, 17)]).toBe(0);
    });
  });

  describe('when agents and headcounts share a shift', () => {
    it('adds them, and an agent on two overlapping shifts counts once', () => {
      const day: Shift = { id: 'day', name: '白班', start: '08:00', end: '16:00', weekdays: [1, 2, 3, 4, 5] };
      const peak: Shift = { id: 'peak', name: '高峰班', start: '09:00', end: '12:00', weekdays: [1] };
      const staffed = staffedByHour(roster([day, peak], { assignments: { li: ['day', 'peak'], zhang: ['peak'] }, headcounts: { day: 2 } }));
      expect(staffed[at(1, 8)]).toBe(3);
      expect(staffed[at(1, 10)]).toBe(4);
      expect(staffed[at(2, 10)]).toBe(3);
      expect(staffed[at(6, 10)]).toBe(0);
    });
  });

  describe('when a shift answers some queues only', () => {
    it('staffs those queues and not the others', () => {
      const customs: Shift = { id: 'customs', name: '海关专席', start: '09:00', end: '17:00', weekdays: [1], queues: ['customs'] };
      const r = roster([customs], { headcounts: { customs: 2 } });
      expect(staffedByHour(r, 'customs')[at(1, 10)]).toBe(2);
      expect(staffedByHour(r, 'general')[at(1, 10)]).toBe(0);
      expect(staffedByHour(r)[at(1, 10)]).toBe(2);
    });
  });

  describe('the demo roster', () => {
    it('covers every hour of the week (12345 is a 7×24 hotline)', () => {
      const staffed = staffedByHour(parseRoster(defaultRoster));
      expect(staffed).toHaveLength(168);
      expect(staffed.filter((n) => n < 1)).toEqual([]);
    });
  });

  describe('when the roster is malformed', () => {
    const day: Shift = { id: 'day', name: '白班', start: '08:00', end: '16:00', weekdays: [1] };

    it('names a time of day out of range', () => {
      expect(rosterError(roster([{ ...day, start: '25:00' }]))).toEqual({ field: '/shifts/0/start', message: expect.stringContaining('"25:00" is not a time of day') });
      expect(rosterError(roster([day, { ...day, id: 'late', end: '16:60' }])).field).toBe('/shifts/1/end');
    });

    it('names a time that is not HH:MM, a shift that ends when it starts, and a shift id used twice', () => {
      expect(rosterError(roster([{ ...day, start: '8am' }])).field).toBe('/shifts/0/start');
      expect(rosterError(roster([{ ...day, end: '08:00' }])).field).toBe('/shifts/0/end');
      expect(rosterError(roster([day, day])).field).toBe('/shifts/1/id');
    });

    it('names an assignment or headcount of a shift that does not exist', () => {
      expect(rosterError(roster([day], { assignments: { li: ['day', 'night'] } })).field).toBe('/assignments/li/1');
      expect(rosterError(roster([day], { headcounts: { night: 1 } })).field).toBe('/headcounts/night');
    });
  });
});

describe('hourOfWeek', () => {
  it('counts from Monday 00:00 in Asia/Shanghai', () => {
    expect(hourOfWeek(Date.parse('2026-11-23T00:00:00+08:00'))).toBe(0); // a Monday
    expect(hourOfWeek(Date.parse('2026-11-23T02:59:59+08:00'))).toBe(2);
    expect(hourOfWeek(Date.parse('2026-11-29T23:30:00+08:00'))).toBe(167); // Sunday night
    expect(hourOfWeek(Date.parse('2026-11-30T00:00:00+08:00'))).toBe(0);
  });
});
