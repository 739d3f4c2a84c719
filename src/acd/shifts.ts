/**
 * Shifts and the roster, pure: shift definitions (白班 08:00–16:00, 夜班 00:00–08:00, …; a shift
 * whose end is before its start ends the next day), who works them (named agents, and a headcount
 * of seats per shift for planning before names are known), and the agents on shift in each hour
 * of the week — the staffed side of the 7×24 coverage view. Times are Asia/Shanghai (UTC+8).
 *
 * The week grid is an array of 168 hours, Monday 00:00 first: index = (weekday − 1) × 24 + hour,
 * weekday 1 = Monday … 7 = Sunday. A shift's weekdays are the days it starts on, so Sunday's
 * night shift that ends at 08:00 covers Monday morning.
 */
import Type, { type Static } from 'typebox';
import Value from 'typebox/value';
import { HotlineError } from '../errors.ts';

export const HOURS_PER_WEEK = 168;
const MINUTES_PER_DAY = 1440;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

const ShiftId = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,31}$' });
const timeOfDay = (description: string) => Type.String({ pattern: '^\\d{2}:\\d{2}$', description });

export const ShiftSchema = Type.Object({
  id: ShiftId,
  /** Shown to supervisors, e.g. 白班. */
  name: Type.String({ minLength: 1, maxLength: 30 }),
  start: timeOfDay('HH:MM, 00:00–23:59, Asia/Shanghai'),
  end: timeOfDay('HH:MM; before the start: the shift ends the next day'),
  weekdays: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), { minItems: 1, maxItems: 7, uniqueItems: true, description: 'days the shift starts on, 1 = Monday … 7 = Sunday' }),
  queues: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,47}$' }), { maxItems: 50, uniqueItems: true, description: 'queues its seats answer; absent: every queue' })),
}, { additionalProperties: false });
export type Shift = Static<typeof ShiftSchema>;

export const RosterSchema = Type.Object({
  shifts: Type.Array(ShiftSchema, { maxItems: 50 }),
  assignments: Type.Record(Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }), Type.Array(ShiftId, { maxItems: 50, uniqueItems: true }), {
    additionalProperties: false, maxProperties: 5000, description: 'agent id → the shifts the agent works',
  }),
  headcounts: Type.Record(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,31}$' }), Type.Integer({ minimum: 0, maximum: 5000 }), {
    additionalProperties: false, description: 'shift id → seats on it besides the named agents',
  }),
}, { additionalProperties: false });
export type Roster = Static<typeof RosterSchema>;

const everyDay = [1, 2, 3, 4, 5, 6, 7];

/**
 * The demo roster of a 7×24 hotline: day, evening and night shifts every day, which together
 * cover every hour of the week. Demo agents 1001 and 1002 work the day and evening shifts.
 */
export const defaultRoster: Roster = {
  shifts: [
    { id: 'day', name: '白班', start: '08:00', end: '16:00', weekdays: everyDay },
    { id: 'evening', name: '中班', start: '16:00', end: '00:00', weekdays: everyDay },
    { id: 'night', name: '夜班', start: '00:00', end: '08:00', weekdays: everyDay },
  ],
  assignments: { agent1001: ['day'], agent1002: ['evening'] },
  headcounts: { day: 3, evening: 2, night: 1 },
};

/** Validates a roster as a supervisor sends it; throws ROSTER_INVALID naming the field (a JSON pointer in details.field). */
export function parseRoster(value: unknown): Roster {
  if (!Value.Check(RosterSchema, value)) {
    const first = Value.Errors(RosterSchema, value)[0];
    const field = first?.instancePath || '/';
    throw new HotlineError('ROSTER_INVALID', `roster ${field}: ${first?.message ?? 'invalid'}`, { field });
  }
  checkRoster(value);
  return value;
}

/** The checks the schema cannot make: times of day, unique shift ids, known shift ids. */
export function checkRoster(roster: Roster): void {
  const ids = new Set<string>();
  roster.shifts.forEach((shift, i) => {
    if (ids.has(shift.id)) invalid(`/shifts/${i}/id`, `shift id "${shift.id}" is used twice`);
    ids.add(shift.id);
    const start = minuteOfDay(shift.start, `/shifts/${i}/start`);
    if (minuteOfDay(shift.end, `/shifts/${i}/end`) === start) invalid(`/shifts/${i}/end`, 'a shift must end at another time than it starts');
  });
  for (const [agentId, shiftIds] of Object.entries(roster.assignments)) {
    shiftIds.forEach((id, i) => {
      if (!ids.has(id)) invalid(`/assignments/${agentId}/${i}`, `no shift "${id}"`);
    });
  }
  for (const id of Object.keys(roster.headcounts)) {
    if (!ids.has(id)) invalid(`/headcounts/${id}`, `no shift "${id}"`);
  }
}

/**
 * Agents on shift in each hour of the week (168 numbers, Monday 00:00 first): the fewest on shift
 * at any minute of the hour, so an hour with a gap or a late start is not counted as covered. An
 * agent on two overlapping shifts counts once. With `queueId`, only shifts that answer that queue.
 */
export function staffedByHour(roster: Roster, queueId?: string): number[] {
  checkRoster(roster);
  const serving = roster.shifts.filter((s) => queueId === undefined || s.queues === undefined || s.queues.includes(queueId));
  const minutesOf = new Map(serving.map((s) => [s.id, shiftMinutes(s)]));
  const onShift = new Array<number>(MINUTES_PER_WEEK).fill(0);
  for (const shiftIds of Object.values(roster.assignments)) {
    for (const minute of new Set(shiftIds.flatMap((id) => minutesOf.get(id) ?? []))) onShift[minute]! += 1;
  }
  for (const [id, count] of Object.entries(roster.headcounts)) {
    for (const minute of minutesOf.get(id) ?? []) onShift[minute]! += count;
  }
  return Array.from({ length: HOURS_PER_WEEK }, (_, h) => Math.min(...onShift.slice(h * 60, h * 60 + 60)));
}

/** Index in the week grid of the hour that contains `ms` (epoch ms), in Asia/Shanghai. */
export function hourOfWeek(ms: number): number {
  const localHours = Math.floor((ms + SHANGHAI_OFFSET_MS) / 3_600_000);
  // 1970-01-01 00:00 was a Thursday: 3 days after a Monday 00:00.
  return (((localHours + 3 * 24) % HOURS_PER_WEEK) + HOURS_PER_WEEK) % HOURS_PER_WEEK;
}

/** The weekday (1 = Monday … 7 = Sunday) and hour (0–23) of a week-grid index. */
export function weekdayHour(index: number): { weekday: number; hour: number } {
  return { weekday: Math.floor(index / 24) + 1, hour: index % 24 };
}

/** Minutes of the week (0 = Monday 00:00) a shift covers, over every weekday it starts on. */
function shiftMinutes(shift: Shift): number[] {
  const start = minuteOfDay(shift.start, 'start');
  const length = (minuteOfDay(shift.end, 'end') - start + MINUTES_PER_DAY) % MINUTES_PER_DAY;
  return shift.weekdays.flatMap((weekday) => {
    const first = (weekday - 1) * MINUTES_PER_DAY + start;
    return Array.from({ length }, (_, i) => (first + i) % MINUTES_PER_WEEK);
  });
}

function minuteOfDay(text: string, field: string): number {
  const match = /^(\d\d):(\d\d)$/.exec(text);
  const hours = Number(match?.[1]);
  const minutes = Number(match?.[2]);
  if (!match || hours > 23 || minutes > 59) invalid(field, `"${text}" is not a time of day (HH:MM, 00:00–23:59)`);
  return hours * 60 + minutes;
}

function invalid(field: string, problem: string): never {
  throw new HotlineError('ROSTER_INVALID', `roster ${field}: ${problem}`, { field });
}
