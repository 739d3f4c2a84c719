/**
 * The working-day calendar of mainland China: weekends, public holidays and make-up working days
 * (调休) as data, one document per year (src/tickets/data/cn-holidays-<year>.json ships the
 * defaults; admins replace them through the API). A year with no data, or with `announced: false`,
 * counts weekends only.
 *
 * Local time is Asia/Shanghai, a fixed UTC+8 with no daylight saving since 1991, so dates are
 * computed with a fixed offset and need no time-zone database.
 */
import Type, { type Static } from 'typebox';
import Value from 'typebox/value';
import { HotlineError } from '../errors.ts';

/** UTC+8: Asia/Shanghai. */
export const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

const IsoDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });

/** One year of holiday data as stored and as edited by admins. */
export const CalendarYearSchema = Type.Object({
  year: Type.Integer({ minimum: 2000, maximum: 2100 }),
  region: Type.Optional(Type.String({ maxLength: 100 })),
  /** False while the State Council has not announced the year: weekends only. */
  announced: Type.Boolean(),
  /** Where the dates come from. */
  source: Type.String({ minLength: 1, maxLength: 500 }),
  holidays: Type.Array(Type.Object({
    name: Type.String({ minLength: 1, maxLength: 50 }),
    from: IsoDate,
    to: IsoDate,
  }, { additionalProperties: false }), { maxItems: 50 }),
  /** Saturdays or Sundays that are working days (调休上班). */
  makeUpWorkdays: Type.Array(IsoDate, { maxItems: 50 }),
}, { additionalProperties: false });
export type CalendarYear = Static<typeof CalendarYearSchema>;

export type DayKind = 'workday' | 'weekend' | 'holiday' | 'makeup_workday';

export interface WorkingCalendar {
  /** The years this calendar holds, as given. */
  readonly years: readonly CalendarYear[];
  /** Whether the holidays of `year` are known (false: weekends only). */
  isAnnounced(year: number): boolean;
  /** What kind of day a local date (YYYY-MM-DD) is. */
  dayKind(date: string): DayKind;
  isWorkingDay(date: string): boolean;
  /** The holiday's name on a date, if any. */
  holidayName(date: string): string | undefined;
  /**
   * The end of the `n`-th working day after the local date of `fromMs` (the day of `fromMs` itself
   * never counts): the instant 24:00 Asia/Shanghai of that day. n = 0 gives the end of today.
   */
  addWorkingDays(fromMs: number, n: number): number;
  /** Working days strictly after the local date of `fromMs` up to and including that of `toMs`. */
  workingDaysBetween(fromMs: number, toMs: number): number;
}

/** Checks one year document; throws TICKET_INVALID naming the problem. */
export function parseCalendarYear(value: unknown): CalendarYear {
  if (!Value.Check(CalendarYearSchema, value)) {
    const first = Value.Errors(CalendarYearSchema, value)[0];
    throw new HotlineError('TICKET_INVALID', `calendar year: ${first ? `${first.instancePath || '/'} ${first.message}` : 'invalid'}`);
  }
  for (const date of [...value.holidays.flatMap((h) => [h.from, h.to]), ...value.makeUpWorkdays]) {
    if (!isValidDate(date) || Number(date.slice(0, 4)) !== value.year) {
      throw new HotlineError('TICKET_INVALID', `calendar year ${value.year}: ${date} is not a date of that year`);
    }
  }
  for (const h of value.holidays) {
    if (h.from > h.to) throw new HotlineError('TICKET_INVALID', `calendar year ${value.year}: holiday ${h.name} ends before it starts`);
  }
  return value;
}

/** Builds a calendar from year documents (validated). A later document for the same year wins. */
export function createWorkingCalendar(years: readonly unknown[]): WorkingCalendar {
  const parsed = years.map(parseCalendarYear);
  const byYear = new Map(parsed.map((y) => [y.year, y]));
  const holidays = new Map<string, string>();
  const makeUp = new Set<string>();
  for (const year of byYear.values()) {
    if (!year.announced) continue;
    for (const h of year.holidays) {
      for (let day = toDayNumber(h.from); day <= toDayNumber(h.to); day++) holidays.set(fromDayNumber(day), h.name);
    }
    for (const date of year.makeUpWorkdays) makeUp.add(date);
  }

  function dayKind(date: string): DayKind {
    if (makeUp.has(date)) return 'makeup_workday';
    if (holidays.has(date)) return 'holiday';
    const weekday = new Date(toDayNumber(date) * DAY_MS).getUTCDay();
    return weekday === 0 || weekday === 6 ? 'weekend' : 'workday';
  }
  const isWorkingDay = (date: string): boolean => {
    const kind = dayKind(date);
    return kind === 'workday' || kind === 'makeup_workday';
  };

  return {
    years: [...byYear.values()],
    isAnnounced: (year) => byYear.get(year)?.announced ?? false,
    dayKind,
    isWorkingDay,
    holidayName: (date) => holidays.get(date),
    addWorkingDays(fromMs, n) {
      if (!Number.isInteger(n) || n < 0) throw new HotlineError('TICKET_INVALID', 'working days must be a whole number ≥ 0');
      let day = localDayNumber(fromMs);
      for (let left = n; left > 0;) {
        day++;
        if (isWorkingDay(fromDayNumber(day))) left--;
      }
      return (day + 1) * DAY_MS - SHANGHAI_OFFSET_MS;
    },
    workingDaysBetween(fromMs, toMs) {
      let count = 0;
      for (let day = localDayNumber(fromMs) + 1; day <= localDayNumber(toMs); day++) if (isWorkingDay(fromDayNumber(day))) count++;
      return count;
    },
  };
}

/** The local (Asia/Shanghai) date of an instant, YYYY-MM-DD. */
export function shanghaiDate(ms: number): string {
  return fromDayNumber(localDayNumber(ms));
}

/** The instant 00:00 Asia/Shanghai of a local date. */
export function shanghaiMidnight(date: string): number {
  return toDayNumber(date) * DAY_MS - SHANGHAI_OFFSET_MS;
}

function localDayNumber(ms: number): number {
  return Math.floor((ms + SHANGHAI_OFFSET_MS) / DAY_MS);
}
function toDayNumber(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}
function fromDayNumber(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
function isValidDate(date: string): boolean {
  const ms = Date.parse(`${date}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === date;
}
