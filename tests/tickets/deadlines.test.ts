import { describe, expect, it } from 'vitest';
import { createDefaultCalendar } from '../../src/tickets/default-calendar.ts';
import {
  addDuration, defaultDeadlineRules, findRule, lightOf, parseDeadlineRules, withinMaxExtension, yellowAt,
} from '../../src/tickets/deadlines.ts';

const local = (iso: string): number => Date.parse(`${iso}+08:00`);
const calendar = createDefaultCalendar();

describe('deadlines', () => {
  describe('when picking a rule', () => {
    it('prefers the exact category × urgency, then falls back to any category', () => {
      expect(findRule(defaultDeadlineRules, 'consultation', 'general').handle).toEqual({ unit: 'working_days', amount: 1 });
      expect(findRule(defaultDeadlineRules, 'complaint', 'general').handle).toEqual({ unit: 'working_days', amount: 5 });
      expect(findRule(defaultDeadlineRules, 'complaint', 'life_safety').signFor).toEqual({ unit: 'minutes', amount: 15 });
      expect(findRule(defaultDeadlineRules, 'help', 'utilities').signFor).toEqual({ unit: 'minutes', amount: 30 });
    });

    it('refuses an urgency no rule covers', () => {
      expect(() => findRule(defaultDeadlineRules, 'complaint', 'cosmic')).toThrow(expect.objectContaining({ code: 'TICKET_INVALID' }));
    });
  });

  describe('when an emergency arrives on a holiday', () => {
    it('runs on natural time: 15 minutes on National Day are 15 minutes', () => {
      const at = local('2026-10-03T03:00:00');
      expect(addDuration(calendar, at, findRule(defaultDeadlineRules, 'help', 'life_safety').signFor)).toBe(at + 15 * 60_000);
    });
  });

  describe('when a general complaint is dispatched before a holiday', () => {
    it('gets 5 working days that skip the Spring Festival and count the make-up Saturday', () => {
      // Thu 12 Feb 2026: Fri 13, Sat 14 (make-up), [15–23 off], Tue 24, Wed 25, Thu 26 → end of 26 Feb
      const due = addDuration(calendar, local('2026-02-12T15:00:00'), findRule(defaultDeadlineRules, 'complaint', 'general').handle);
      expect(due).toBe(local('2026-02-27T00:00:00'));
    });

    it('signs for within one working day: Wednesday 30 Sep → end of Thursday 8 Oct', () => {
      const due = addDuration(calendar, local('2026-09-30T16:00:00'), findRule(defaultDeadlineRules, 'complaint', 'general').signFor);
      expect(due).toBe(local('2026-10-09T00:00:00'));
    });
  });

  describe('when showing the light', () => {
    const start = 0;
    const due = 1000;
    it('is green before 80 %, yellow from 80 %, red after the deadline', () => {
      expect([lightOf(start, due, 799), lightOf(start, due, 800), lightOf(start, due, 1000), lightOf(start, due, 1001)])
        .toEqual(['green', 'yellow', 'yellow', 'red']);
    });

    it('takes the yellow share as configuration', () => {
      expect(lightOf(start, due, 500, 0.5)).toBe('yellow');
      expect(yellowAt(start, due, 0.5)).toBe(500);
      expect(() => yellowAt(start, due, 0)).toThrow(expect.objectContaining({ code: 'TICKET_INVALID' }));
    });
  });

  describe('when an admin edits the rules', () => {
    it('accepts the defaults and rejects a malformed table', () => {
      expect(parseDeadlineRules(structuredClone(defaultDeadlineRules))).toHaveLength(defaultDeadlineRules.length);
      expect(() => parseDeadlineRules([{ category: '*', urgency: 'general' }])).toThrow(expect.objectContaining({ code: 'TICKET_INVALID' }));
      expect(() => parseDeadlineRules('rules')).toThrow(expect.objectContaining({ code: 'TICKET_INVALID' }));
    });
  });

  describe('when checking the extension maximum', () => {
    it('allows up to 10 working days in total for general tickets', () => {
      const max = findRule(defaultDeadlineRules, 'complaint', 'general').maxExtension;
      expect(withinMaxExtension([{ unit: 'working_days', amount: 5 }], { unit: 'working_days', amount: 5 }, max)).toBe(true);
      expect(withinMaxExtension([{ unit: 'working_days', amount: 5 }], { unit: 'working_days', amount: 6 }, max)).toBe(false);
    });
  });
});
