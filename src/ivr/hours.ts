/**
 * Opening hours, pure: given a schedule, a holiday calendar and an instant, is the service open,
 * closed, or on holiday? Times are China Standard Time (UTC+8, no daylight saving).
 */
import type { CatalogueCalendar, CatalogueSchedule } from './catalogue.ts';

export type HoursOutcome = 'open' | 'closed' | 'holiday';

const cstOffsetMs = 8 * 3600_000;

/** Decides the hours exit at `atMs` (epoch ms). */
export function evaluateHours(schedule: CatalogueSchedule, calendar: CatalogueCalendar, atMs: number): HoursOutcome {
  const local = new Date(atMs + cstOffsetMs);
  const date = local.toISOString().slice(0, 10);
  if (calendar.holidays.includes(date)) return 'holiday';
  const weekday = calendar.workdays.includes(date) ? 1 : local.getUTCDay();
  const minute = local.getUTCHours() * 60 + local.getUTCMinutes();
  const ranges = schedule.weekly[String(weekday) as keyof CatalogueSchedule['weekly']];
  return ranges.some((r) => inRange(r, minute)) ? 'open' : 'closed';
}

function inRange(range: string, minute: number): boolean {
  const m = /^(\d\d):(\d\d)-(\d\d):(\d\d)$/.exec(range);
  if (m === null) return false;
  const from = Number(m[1]) * 60 + Number(m[2]);
  const to = Number(m[3]) * 60 + Number(m[4]);
  return minute >= from && minute < to;
}
