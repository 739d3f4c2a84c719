import { describe, expect, it } from 'vitest';
import { createWorkingCalendar, shanghaiDate, shanghaiMidnight } from '../../src/tickets/calendar.ts';
import { createDefaultCalendar, defaultCalendarYears } from '../../src/tickets/default-calendar.ts';

/** An instant given in Shanghai local time. */
const local = (iso: string): number => Date.parse(`${iso}+08:00`);

describe('working calendar', () => {
  const calendar = createDefaultCalendar();

  describe('when reading the shipped 2026 data', () => {
    it('knows the seven holidays of the State Council notice', () => {
      expect(['2026-01-01', '2026-02-15', '2026-02-23', '2026-04-06', '2026-05-05', '2026-06-19', '2026-09-25', '2026-10-07'].map(calendar.holidayName))
        .toEqual(['元旦', '春节', '春节', '清明节', '劳动节', '端午节', '中秋节', '国庆节']);
    });

    it('treats the make-up Saturdays and Sundays as working days', () => {
      for (const date of ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']) {
        expect(calendar.dayKind(date)).toBe('makeup_workday');
        expect(calendar.isWorkingDay(date)).toBe(true);
      }
    });

    it('has 9 days of Spring Festival and ordinary weekends off', () => {
      const days = Array.from({ length: 9 }, (_, i) => `2026-02-${String(15 + i).padStart(2, '0')}`);
      expect(days.every((d) => calendar.dayKind(d) === 'holiday')).toBe(true);
      expect(calendar.dayKind('2026-02-24')).toBe('workday');
      expect(calendar.dayKind('2026-11-28')).toBe('weekend');
    });

    it('names its source and marks 2027 as not yet announced', () => {
      const [y2026, y2027] = defaultCalendarYears();
      expect(y2026!.source).toContain('国务院办公厅');
      expect(calendar.isAnnounced(2026)).toBe(true);
      expect(calendar.isAnnounced(2027)).toBe(false);
      expect(y2027!.announced).toBe(false);
    });
  });

  describe('when counting working days', () => {
    it('ends N working days at 24:00 Shanghai of the N-th working day after the start day', () => {
      // Monday 23 Nov 2026 10:00 → 1 working day ends Tuesday 24:00 local
      expect(calendar.addWorkingDays(local('2026-11-23T10:00:00'), 1)).toBe(local('2026-11-25T00:00:00'));
      // Friday → Monday
      expect(shanghaiDate(calendar.addWorkingDays(local('2026-11-27T23:59:00'), 1) - 1)).toBe('2026-11-30');
    });

    it('skips the National Day week and counts the make-up Saturday', () => {
      // Wed 30 Sep: 1 Oct–7 Oct off, Thu 8, Fri 9, Sat 10 (make-up) are working days
      const end = calendar.addWorkingDays(local('2026-09-30T09:00:00'), 3);
      expect(shanghaiDate(end - 1)).toBe('2026-10-10');
    });

    it('counts the Sunday make-up day before National Day', () => {
      // Sat 19 Sep → next working day is Sun 20 Sep (make-up)
      expect(shanghaiDate(calendar.addWorkingDays(local('2026-09-19T12:00:00'), 1) - 1)).toBe('2026-09-20');
    });

    it('counts working days between two instants', () => {
      expect(calendar.workingDaysBetween(local('2026-02-13T10:00:00'), local('2026-02-24T10:00:00'))).toBe(2); // 14 (make-up), 24
    });
  });

  describe('when a year is not announced', () => {
    it('counts weekends only', () => {
      expect(calendar.dayKind('2027-01-01')).toBe('workday');
      expect(calendar.dayKind('2027-01-02')).toBe('weekend');
    });
  });

  describe('when an admin supplies its own data', () => {
    it('uses it instead of the shipped data', () => {
      const custom = createWorkingCalendar([{ year: 2027, announced: true, source: 'test', holidays: [{ name: '元旦', from: '2027-01-01', to: '2027-01-01' }], makeUpWorkdays: ['2027-01-02'] }]);
      expect(custom.dayKind('2027-01-01')).toBe('holiday');
      expect(custom.isWorkingDay('2027-01-02')).toBe(true);
    });

    it('rejects dates of another year or impossible dates with TICKET_INVALID', () => {
      for (const bad of [
        { year: 2027, announced: true, source: 's', holidays: [{ name: 'x', from: '2026-12-31', to: '2027-01-01' }], makeUpWorkdays: [] },
        { year: 2027, announced: true, source: 's', holidays: [], makeUpWorkdays: ['2027-02-30'] },
        { year: 2027, announced: true, source: 's', holidays: [] },
      ]) {
        expect(() => createWorkingCalendar([bad])).toThrow(expect.objectContaining({ code: 'TICKET_INVALID' }));
      }
      expect(() => createWorkingCalendar([{}])).toThrow(expect.objectContaining({ code: 'TICKET_INVALID' }));
    });
  });

  describe('when converting instants', () => {
    it('uses Shanghai dates, not UTC', () => {
      expect(shanghaiDate(Date.parse('2026-11-22T16:30:00Z'))).toBe('2026-11-23');
      expect(shanghaiMidnight('2026-11-23')).toBe(Date.parse('2026-11-22T16:00:00Z'));
    });
  });
});
