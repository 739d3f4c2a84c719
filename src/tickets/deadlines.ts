/**
 * Deadline rules and their calculation. One rule table keyed by category × urgency gives the
 * sign-for, handle and callback limits; emergencies run on natural time (minutes, hours), the rest
 * on working days of the calendar (see calendar.ts for the semantics: "N working days" ends at
 * 24:00 Asia/Shanghai of the N-th working day after the day the clock starts).
 *
 * Lights: green while less than `yellowShare` (default 0.8) of the time from start to deadline
 * has passed (wall-clock time), yellow from then, red once the deadline has passed.
 */
import Type, { type Static } from 'typebox';
import Value from 'typebox/value';
import { HotlineError } from '../errors.ts';
import type { WorkingCalendar } from './calendar.ts';

export const Duration = Type.Union([
  Type.Object({ unit: Type.Literal('minutes'), amount: Type.Integer({ minimum: 1, maximum: 100_000 }) }, { additionalProperties: false }),
  Type.Object({ unit: Type.Literal('hours'), amount: Type.Integer({ minimum: 1, maximum: 10_000 }) }, { additionalProperties: false }),
  Type.Object({ unit: Type.Literal('working_days'), amount: Type.Integer({ minimum: 0, maximum: 365 }) }, { additionalProperties: false }),
]);
export type Duration = Static<typeof Duration>;

/** `category` or `urgency` '*' matches any; the most specific rule wins (both set > one set > none). */
export const DeadlineRuleSchema = Type.Object({
  category: Type.String({ minLength: 1, maxLength: 40 }),
  urgency: Type.String({ minLength: 1, maxLength: 40 }),
  signFor: Duration,
  /** Time a unit has to return a ticket it cannot handle (from dispatch). */
  returnWithin: Duration,
  handle: Duration,
  /** Longest total extension a unit can be granted. */
  maxExtension: Duration,
  /** Callback after the reply is reviewed. */
  callback: Duration,
}, { additionalProperties: false });
export type DeadlineRule = Static<typeof DeadlineRuleSchema>;

export const defaultCategories = ['consultation', 'help', 'complaint', 'report', 'suggestion', 'praise', 'other'] as const;
/** Chinese names of the default categories (UI). */
export const categoryNames: Readonly<Record<string, string>> = {
  consultation: '咨询', help: '求助', complaint: '投诉', report: '举报', suggestion: '建议', praise: '表扬', other: '其他',
};
export const defaultUrgencies = ['life_safety', 'utilities', 'general'] as const;

const wd = (amount: number): Duration => ({ unit: 'working_days', amount });

/**
 * Defaults from docs (hotline-domain.md): sign-for 15 min (life-safety, natural), 30 min
 * (utilities, natural), 1 working day (general); return within 2 working days; handle 5 working
 * days with up to 10 more; consultation handled within 1 working day; callback the working day
 * after the reply. Handle limits for emergencies (24 h, 48 h) are this system's choice.
 */
export const defaultDeadlineRules: readonly DeadlineRule[] = [
  { category: '*', urgency: 'general', signFor: wd(1), returnWithin: wd(2), handle: wd(5), maxExtension: wd(10), callback: wd(1) },
  { category: 'consultation', urgency: 'general', signFor: wd(1), returnWithin: wd(2), handle: wd(1), maxExtension: wd(5), callback: wd(1) },
  { category: '*', urgency: 'utilities', signFor: { unit: 'minutes', amount: 30 }, returnWithin: { unit: 'hours', amount: 2 }, handle: { unit: 'hours', amount: 48 }, maxExtension: { unit: 'hours', amount: 48 }, callback: wd(1) },
  { category: '*', urgency: 'life_safety', signFor: { unit: 'minutes', amount: 15 }, returnWithin: { unit: 'hours', amount: 1 }, handle: { unit: 'hours', amount: 24 }, maxExtension: { unit: 'hours', amount: 24 }, callback: wd(1) },
];

/** Validates a rule table (admin edits); throws TICKET_INVALID. */
export function parseDeadlineRules(value: unknown): DeadlineRule[] {
  const schema = Type.Array(DeadlineRuleSchema, { minItems: 1, maxItems: 500 });
  if (!Value.Check(schema, value)) {
    const first = Value.Errors(schema, value)[0];
    throw new HotlineError('TICKET_INVALID', `deadline rules: ${first ? `${first.instancePath || '/'} ${first.message}` : 'invalid'}`);
  }
  if (!value.some((r) => r.category === '*' && r.urgency === '*') && !value.some((r) => r.category === '*')) {
    throw new HotlineError('TICKET_INVALID', 'deadline rules: at least one rule must match any category (category "*")');
  }
  return value;
}

/** The rule for a category and urgency: exact, then category × '*', then '*' × urgency, then '*' × '*'. */
export function findRule(rules: readonly DeadlineRule[], category: string, urgency: string): DeadlineRule {
  const candidates: Array<[string, string]> = [[category, urgency], [category, '*'], ['*', urgency], ['*', '*']];
  for (const [c, u] of candidates) {
    const rule = rules.find((r) => r.category === c && r.urgency === u);
    if (rule) return rule;
  }
  throw new HotlineError('TICKET_INVALID', `no deadline rule for category ${category} × urgency ${urgency}`);
}

/** The instant a duration ends when it starts at `fromMs`. */
export function addDuration(calendar: WorkingCalendar, fromMs: number, duration: Duration): number {
  switch (duration.unit) {
    case 'minutes': return fromMs + duration.amount * 60_000;
    case 'hours': return fromMs + duration.amount * 3_600_000;
    case 'working_days': return calendar.addWorkingDays(fromMs, duration.amount);
  }
}

/** Whether extending by `requested` stays within `max` (same unit; working days by count). */
export function withinMaxExtension(alreadyGranted: Duration[], requested: Duration, max: Duration): boolean {
  const minutes = (d: Duration): number => (d.unit === 'minutes' ? d.amount : d.unit === 'hours' ? d.amount * 60 : d.amount * 24 * 60);
  const total = [...alreadyGranted, requested].reduce((sum, d) => sum + minutes(d), 0);
  return total <= minutes(max);
}

export type Light = 'green' | 'yellow' | 'red';

/** The red/yellow light of a deadline that started at `startMs`. */
export function lightOf(startMs: number, dueMs: number, nowMs: number, yellowShare = 0.8): Light {
  if (nowMs > dueMs) return 'red';
  return nowMs >= yellowAt(startMs, dueMs, yellowShare) ? 'yellow' : 'green';
}

/** The instant the light turns yellow (the automatic urge fires then). */
export function yellowAt(startMs: number, dueMs: number, yellowShare = 0.8): number {
  if (!(yellowShare > 0 && yellowShare <= 1)) throw new HotlineError('TICKET_INVALID', 'the yellow share must be in (0, 1]');
  return startMs + Math.floor((dueMs - startMs) * yellowShare);
}
