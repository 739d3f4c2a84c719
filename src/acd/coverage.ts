/**
 * The 7×24 coverage view, pure: for each hour of the week, the calls forecast from the last weeks
 * (mean arrivals in that hour, mean handle time), the agents Erlang C says are needed to answer the
 * target share in time, the agents the roster puts on shift, and how many are missing.
 *
 * The forecast counts calls that asked for an agent (entered a queue), answered or not: offered
 * load. Handle time is talk (answer → end, holds included) plus wrap-up; an hour with no answered
 * call takes the window's mean, a window with none takes `defaultHandleSec`.
 */
import type { CallRecord } from '../calls/call-record.ts';
import { agentsNeeded } from './erlang-c.ts';
import { HOURS_PER_WEEK, hourOfWeek, weekdayHour } from './shifts.ts';

export interface ServiceTarget {
  /** Share of calls to answer within `withinSec`, 0–1. */
  readonly share: number;
  readonly withinSec: number;
}

/** The hotline's target: answer within 15 s (GB/T 33358), 15-second answer rate ≥ 80 %. */
export const hotlineTarget: ServiceTarget = { share: 0.8, withinSec: 15 };

/** What the forecast needs of one past call. */
export interface CallSample {
  readonly arrivedAt: number;
  /** Talk + wrap-up, seconds; null when no agent answered. */
  readonly handleSec: number | null;
}

export interface CoverageInput {
  /** Calls of the window: exactly `weeks` weeks, so each hour of the week occurs `weeks` times. */
  readonly calls: readonly CallSample[];
  readonly weeks: number;
  /** Agents on shift per hour of the week (from `staffedByHour`). */
  readonly staffed: readonly number[];
  readonly target?: ServiceTarget;
  /** Handle time when the window has no answered call, seconds (default 300). */
  readonly defaultHandleSec?: number;
}

export interface CoverageHour {
  /** 1 = Monday … 7 = Sunday (Asia/Shanghai). */
  readonly weekday: number;
  /** 0–23: the hour from hour:00 to hour:59. */
  readonly hour: number;
  /** Mean calls in this hour over the window. */
  readonly forecastCalls: number;
  /** Mean handle time, seconds. */
  readonly handleSec: number;
  readonly required: number;
  readonly staffed: number;
  /** Agents missing to meet the target; 0 when covered. */
  readonly missing: number;
}

/** The week's 168 hours, Monday 00:00 first. */
export function coverage({ calls, weeks, staffed, target = hotlineTarget, defaultHandleSec = 300 }: CoverageInput): CoverageHour[] {
  const arrivals = new Array<number>(HOURS_PER_WEEK).fill(0);
  const handled: number[][] = Array.from({ length: HOURS_PER_WEEK }, () => []);
  for (const call of calls) {
    const slot = hourOfWeek(call.arrivedAt);
    arrivals[slot]! += 1;
    if (call.handleSec !== null) handled[slot]!.push(call.handleSec);
  }
  const windowHandleSec = mean(handled.flat()) ?? defaultHandleSec;
  return arrivals.map((count, slot) => {
    const callsPerHour = count / weeks;
    const handleSec = mean(handled[slot]!) ?? windowHandleSec;
    const required = agentsNeeded({ callsPerHour, handleSec }, target.withinSec, target.share);
    const onShift = staffed[slot] ?? 0;
    return {
      ...weekdayHour(slot),
      forecastCalls: round(callsPerHour, 2),
      handleSec: round(handleSec, 1),
      required,
      staffed: onShift,
      missing: Math.max(0, required - onShift),
    };
  });
}

/** The hours short of agents, most missing first (then in week order). */
export function shortHours(hours: readonly CoverageHour[]): CoverageHour[] {
  return hours.filter((h) => h.missing > 0).sort((a, b) => b.missing - a.missing || a.weekday - b.weekday || a.hour - b.hour);
}

/**
 * The sample of a stored call for the forecast of `queueId` (any queue when absent), or null when
 * the call did not ask for an agent there. `wrapUpSec` is added to talk time (records hold no wrap-up).
 */
export function callSample(record: CallRecord, options: { queueId?: string | undefined; wrapUpSec: number }): CallSample | null {
  const { queueId, wrapUpSec } = options;
  if (!record.queues.some((q) => queueId === undefined || q.queueId === queueId)) return null;
  const talked = record.answeredAt !== undefined && record.endedAt !== undefined;
  return { arrivedAt: record.arrivedAt, handleSec: talked ? (record.endedAt! - record.answeredAt!) / 1000 + wrapUpSec : null };
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((sum, v) => sum + v, 0) / values.length;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
