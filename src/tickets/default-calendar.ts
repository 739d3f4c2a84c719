/**
 * The calendar years shipped with the hotline (mainland China, current and next year). 2027 is
 * weekends only (`announced: false`) until the State Council publishes it and an admin enters it.
 */
import y2026 from './data/cn-holidays-2026.json' with { type: 'json' };
import y2027 from './data/cn-holidays-2027.json' with { type: 'json' };
import { createWorkingCalendar, parseCalendarYear, type CalendarYear, type WorkingCalendar } from './calendar.ts';

/** The shipped year documents, validated. */
export function defaultCalendarYears(): CalendarYear[] {
  return [y2026, y2027].map((year) => parseCalendarYear(structuredClone(year)));
}

/** A calendar of the shipped years. */
export function createDefaultCalendar(): WorkingCalendar {
  return createWorkingCalendar(defaultCalendarYears());
}
