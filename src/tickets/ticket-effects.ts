/**
 * What each action does to a ticket besides its state: deadlines, counters, reply text, callback
 * outcome. Pure: takes the ticket, the validated move and the configuration, returns the new
 * ticket and the bookkeeping the service writes with it (scheduler timers, callback work list).
 */
import { HotlineError } from '../errors.ts';
import type { WorkingCalendar } from './calendar.ts';
import { addDuration, findRule, withinMaxExtension, yellowAt, type Duration } from './deadlines.ts';
import type { TicketConfig } from './ticket-config.ts';
import type { TicketAction, TicketState } from './ticket-states.ts';
import type { ActionInput, Ticket, TicketDeadlines } from './ticket-types.ts';

/** urge: yellow light of handling; supervise: handling overdue; sign_urge: not signed for in time. */
export type TimerKind = 'urge' | 'supervise' | 'sign_urge';

export interface Timer {
  readonly kind: TimerKind;
  readonly at: number;
}

export interface Effects {
  readonly ticket: Ticket;
  /** Timers to add (for the ticket's new timer generation). */
  readonly timers: readonly Timer[];
  /** Callback work list: add (workable from `at`), remove, or leave as is. */
  readonly callbackList: { readonly op: 'add'; readonly at: number } | { readonly op: 'remove' } | null;
  /** Extra audit details. */
  readonly details: Readonly<Record<string, unknown>>;
}

export interface EffectContext {
  readonly config: TicketConfig;
  readonly calendar: WorkingCalendar;
  readonly now: number;
}

type Handler = (ticket: Ticket, input: ActionInput, ctx: EffectContext) => Partial<Omit<Effects, 'ticket'>> & { ticket?: Partial<Ticket> };

const noDeadlines: TicketDeadlines = { startedAt: null, signForDueAt: null, returnDueAt: null, handleDueAt: null, callbackDueAt: null };

function invalid(message: string): HotlineError {
  return new HotlineError('TICKET_INVALID', message);
}

function requireText(value: string | undefined, what: string): string {
  if (!value?.trim()) throw invalid(`${what} is required`);
  return value.trim();
}

/** Starts the sign-for / handling clocks at `now` and schedules urge and supervise. */
function startClock(ticket: Ticket, ctx: EffectContext, keepSignFor = false): { ticket: Partial<Ticket>; timers: Timer[] } {
  const rule = findRule(ctx.config.rules, ticket.category, ticket.urgency);
  const handleDueAt = addDuration(ctx.calendar, ctx.now, rule.handle);
  const deadlines: TicketDeadlines = {
    ...ticket.deadlines,
    startedAt: ctx.now,
    signForDueAt: keepSignFor ? ticket.deadlines.signForDueAt : addDuration(ctx.calendar, ctx.now, rule.signFor),
    returnDueAt: keepSignFor ? ticket.deadlines.returnDueAt : addDuration(ctx.calendar, ctx.now, rule.returnWithin),
    handleDueAt,
  };
  const timers = timersFor(ctx.now, handleDueAt, ctx.config.yellowShare);
  if (!keepSignFor && deadlines.signForDueAt !== null) timers.push({ kind: 'sign_urge', at: deadlines.signForDueAt });
  return { ticket: { deadlines, timerGeneration: ticket.timerGeneration + 1 }, timers };
}

function timersFor(startedAt: number, dueAt: number, yellowShare: number): Timer[] {
  return [{ kind: 'urge', at: yellowAt(startedAt, dueAt, yellowShare) }, { kind: 'supervise', at: dueAt }];
}

function extend(ticket: Ticket, duration: Duration, ctx: EffectContext): number {
  const due = ticket.deadlines.handleDueAt ?? ctx.now;
  // working days count from the last day of the old deadline, natural time from the instant
  return duration.unit === 'working_days' ? ctx.calendar.addWorkingDays(due - 1, duration.amount) : addDuration(ctx.calendar, due, duration);
}

const handlers: Partial<Record<TicketAction, Handler>> = {
  direct_answer: (_t, input) => ({ ticket: { directAnswered: true, publicReply: requireText(input.reply, 'the answer given (reply)') } }),
  not_accept: () => ({}),
  dispatch: (t, input, ctx) => {
    const fromCatalogue = ctx.config.catalogue.find((e) => e.matterType === t.matterType);
    const unit = input.unit ?? fromCatalogue?.leadUnit;
    if (!unit) throw invalid('dispatch needs a unit, or a matter type the catalogue knows');
    if (!ctx.config.units.includes(unit)) throw invalid(`unknown unit ${unit}`);
    const assisting = input.unit === undefined ? fromCatalogue?.assistingUnits ?? [] : t.assistingUnits;
    const clock = startClock(t, ctx);
    return { ticket: { ...clock.ticket, leadUnit: unit, assistingUnits: [...new Set(assisting)] }, timers: clock.timers, details: { unit, assigned: t.returnsApproved >= 3 } };
  },
  request_return: (t, input) => ({ ticket: { returnReason: requireText(input.reason, 'reason') }, details: { unit: t.leadUnit } }),
  approve_return: (t) => ({ ticket: { returnsApproved: t.returnsApproved + 1, leadUnit: null, deadlines: noDeadlines, timerGeneration: t.timerGeneration + 1 } }),
  reject_return: () => ({ ticket: { returnReason: null } }),
  reply: (_t, input, ctx) => ({ ticket: { publicReply: requireText(input.reply, 'the reply text'), repliedAt: ctx.now } }),
  review: (t, _input, ctx) => {
    const rule = findRule(ctx.config.rules, t.category, t.urgency);
    const callbackDueAt = addDuration(ctx.calendar, ctx.now, rule.callback);
    return { ticket: { deadlines: { ...t.deadlines, callbackDueAt } }, callbackList: { op: 'add', at: ctx.now } };
  },
  reject_reply: (t, _input, ctx) => ({ ticket: { repliedAt: null, deadlines: t.deadlines }, details: { at: ctx.now } }),
  callback_satisfied: (t, input, ctx) => ({
    ticket: { callbackOutcome: input.outcome ?? 'satisfied', callbackAttempts: t.callbackAttempts + 1, closedAt: ctx.now, rectified: t.badRatingReasonable || t.rectified },
    callbackList: { op: 'remove' },
  }),
  callback_unreachable: (t, _input, ctx) => ({
    ticket: { callbackOutcome: t.callbackOutcome === null ? 'unreachable' : t.callbackOutcome, callbackAttempts: t.callbackAttempts + 1 },
    callbackList: { op: 'add', at: ctx.now + ctx.config.callbackRetryMinutes * 60_000 },
  }),
  callback_dissatisfied: (t) => ({ ticket: { callbackOutcome: 'dissatisfied', callbackAttempts: t.callbackAttempts + 1, dissatisfiedPending: true }, callbackList: { op: 'remove' } }),
  verify_reasonable: (t, _input, ctx) => {
    const clock = startClock(t, ctx, true);
    return { ticket: { ...clock.ticket, dissatisfiedPending: false, badRatingReasonable: true, superviseCount: t.superviseCount + 1, repliedAt: null }, timers: clock.timers, details: { supervised: true } };
  },
  verify_unreasonable: (_t, _input, ctx) => ({ ticket: { dissatisfiedPending: false, closedAt: ctx.now } }),
  close: (_t, _input, ctx) => ({ ticket: { closedAt: ctx.now } }),
  merge_into: (_t, input, ctx) => ({ ticket: { mergedInto: requireText(input.into, 'into (the first ticket)'), closedAt: ctx.now }, callbackList: { op: 'remove' } }),
  request_extension: (t, input, ctx) => {
    const duration = input.extension;
    if (!duration) throw invalid('extension (how much more time) is required');
    const max = findRule(ctx.config.rules, t.category, t.urgency).maxExtension;
    if (!withinMaxExtension([...t.extensionsGranted], duration, max)) throw new HotlineError('TICKET_EXTENSION_REFUSED', 'the extensions would exceed the maximum of this rule');
    return { ticket: { extensionPending: { duration, reason: requireText(input.reason, 'reason') } }, details: { extension: duration } };
  },
  approve_extension: (t, _input, ctx) => {
    const duration = t.extensionPending!.duration;
    const handleDueAt = extend(t, duration, ctx);
    const startedAt = t.deadlines.startedAt ?? ctx.now;
    return {
      ticket: { extensionPending: null, extensionsGranted: [...t.extensionsGranted, duration], deadlines: { ...t.deadlines, handleDueAt }, timerGeneration: t.timerGeneration + 1 },
      timers: timersFor(startedAt, handleDueAt, ctx.config.yellowShare).filter((timer) => timer.at > ctx.now || timer.kind === 'supervise'),
      details: { handleDueAt },
    };
  },
  reject_extension: () => ({ ticket: { extensionPending: null } }),
  urge: (t) => ({ ticket: { urgeCount: t.urgeCount + 1 } }),
  supervise: (t) => ({ ticket: { superviseCount: t.superviseCount + 1 } }),
  add_unit: (t, input, ctx) => {
    const unit = requireText(input.unit, 'unit');
    if (!ctx.config.units.includes(unit)) throw invalid(`unknown unit ${unit}`);
    if (unit === t.leadUnit) throw invalid(`${unit} is already the lead unit`);
    return { ticket: { assistingUnits: [...new Set([...t.assistingUnits, unit])] }, details: { unit } };
  },
  link_call: (t, input) => {
    if (!input.callId && !input.recordingId) throw invalid('link_call needs a callId or a recordingId');
    return {
      ticket: {
        callIds: input.callId ? [...new Set([...t.callIds, input.callId])] : t.callIds,
        recordingIds: input.recordingId ? [...new Set([...t.recordingIds, input.recordingId])] : t.recordingIds,
      },
      details: { callId: input.callId ?? null, recordingId: input.recordingId ?? null },
    };
  },
};

/** Applies `action`'s effects; `to` is the state `transition()` returned. */
export function applyEffects(ticket: Ticket, action: TicketAction, to: TicketState, input: ActionInput, ctx: EffectContext): Effects {
  const result = handlers[action]?.(ticket, input, ctx) ?? {};
  const leaving = to === 'closed' || to === 'archived' || to === 'not_accepted';
  return {
    ticket: { ...ticket, ...result.ticket, state: to, updatedAt: ctx.now },
    timers: result.timers ?? [],
    callbackList: result.callbackList ?? (leaving ? { op: 'remove' } : null),
    details: result.details ?? {},
  };
}
