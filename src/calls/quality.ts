/**
 * Quality review (质检): a share of each agent's recorded calls is picked for review, and a
 * supervisor scores each picked call on a configurable score sheet.
 *
 * Sampling is systematic per agent and day (Beijing time): a store counter numbers the agent's
 * recorded calls of the day (n = 1, 2, …, atomic across instances), and call n is picked when
 * ⌊(n + φ) / P⌋ > ⌊(n − 1 + φ) / P⌋, with period P = 100 / percent and a phase φ ∈ [0, P) from a
 * hash of agent and day. So every agent gets exactly ⌊N/P⌋ or ⌈N/P⌉ of N calls reviewed — no
 * agent is luckier than another, unlike a coin per call — and which calls is not predictable
 * from the call's position alone (the phase moves daily). The same counter and phase give the
 * same picks again (deterministic, replayable). Agents with calls but no pick on a day get one
 * the next morning (`topUp`): the call chosen by the hash among that day's recordings.
 *
 * Review states: pending ─save draft─► in_progress ─submit─► done (final); pending ─submit─► done.
 */
import { createHash } from 'node:crypto';
import Type, { type Static } from 'typebox';
import Value from 'typebox/value';
import type { Clock } from '../clock.ts';
import { HotlineError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';

export const ScoreSheetSchema = Type.Object({
  criteria: Type.Array(Type.Object({
    id: Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$' }),
    label: Type.String({ minLength: 1, maxLength: 80 }),
    max: Type.Integer({ minimum: 1, maximum: 100 }),
  }, { additionalProperties: false }), { minItems: 1, maxItems: 20 }),
}, { additionalProperties: false });
export type ScoreSheet = Static<typeof ScoreSheetSchema>;

/** The default sheet: five criteria of 20 points each (百分制). */
export const defaultSheet: ScoreSheet = {
  criteria: [
    { id: 'greeting', label: '开头语 greeting', max: 20 },
    { id: 'listening', label: '倾听 listening', max: 20 },
    { id: 'accuracy', label: '答复准确 accuracy', max: 20 },
    { id: 'compliance', label: '规范 compliance', max: 20 },
    { id: 'closing', label: '结束语 closing', max: 20 },
  ],
};

export type ReviewState = 'pending' | 'in_progress' | 'done';

export interface QualityReview {
  readonly id: string;
  readonly callId: string;
  readonly agentId: string;
  readonly recordingId: string;
  /** Beijing day of the call, YYYY-MM-DD. */
  readonly day: string;
  readonly pickedAt: number;
  /** `sampled`: the share; `daily-minimum`: the agent's one call of a day with no other pick. */
  readonly reason: 'sampled' | 'daily-minimum';
  readonly state: ReviewState;
  readonly scores?: Readonly<Record<string, number>>;
  readonly total?: number;
  readonly maxTotal?: number;
  readonly sheet?: ScoreSheet;
  readonly comment?: string;
  readonly reviewer?: string;
  readonly reviewedAt?: number;
}

const keys = {
  review: (id: string) => `quality:review:${id}`,
  all: 'quality:reviews',
  open: 'quality:reviews:open',
  byAgent: (agentId: string) => `quality:reviews:agent:${agentId}`,
  sheet: 'quality:sheet',
  count: (day: string, agentId: string) => `quality:count:${day}:${agentId}`,
  dayAgents: (day: string) => `quality:day:${day}:agents`,
  dayPicked: (day: string) => `quality:day:${day}:picked`,
  dayCalls: (day: string, agentId: string) => `quality:day:${day}:calls:${agentId}`,
  toppedUp: (day: string) => `quality:topped-up:${day}`,
};

const DAY_MS = 86_400_000;
/** The Beijing calendar day of `at` (UTC+8, no daylight saving). */
export const beijingDay = (at: number): string => new Date(at + 8 * 3_600_000).toISOString().slice(0, 10);

const hash32 = (text: string): number => createHash('sha256').update(text).digest().readUInt32BE(0);

/** Phase φ ∈ [0, P) of an agent's day. */
export function samplingPhase(agentId: string, day: string, percent: number): number {
  return (hash32(`${agentId}|${day}`) / 2 ** 32) * (100 / percent);
}

/** Whether the agent's n-th recorded call of the day is picked (n ≥ 1). */
export function isPicked(n: number, percent: number, phase: number): boolean {
  if (percent <= 0) return false;
  if (percent >= 100) return true;
  const period = 100 / percent;
  return Math.floor((n + phase) / period) > Math.floor((n - 1 + phase) / period);
}

/** Checks scores against a sheet; returns total and maximum (QUALITY_SCORES_INVALID otherwise). */
export function scoreSheet(sheet: ScoreSheet, scores: Readonly<Record<string, number>>): { total: number; maxTotal: number } {
  for (const id of Object.keys(scores)) {
    if (!sheet.criteria.some((c) => c.id === id)) throw new HotlineError('QUALITY_SCORES_INVALID', `unknown criterion ${id}`, { criterion: id });
  }
  let total = 0;
  for (const c of sheet.criteria) {
    const score = scores[c.id];
    if (score === undefined || !Number.isInteger(score) || score < 0 || score > c.max) {
      throw new HotlineError('QUALITY_SCORES_INVALID', `${c.id} needs a whole score from 0 to ${c.max}`, { criterion: c.id });
    }
    total += score;
  }
  return { total, maxTotal: sheet.criteria.reduce((s, c) => s + c.max, 0) };
}

export interface QualityOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Share of each agent's recorded calls to review, percent (QUALITY_SAMPLE_PERCENT). */
  readonly percent: number;
}

export type Quality = ReturnType<typeof createQuality>;

export function createQuality(options: QualityOptions) {
  const { store, clock, percent } = options;
  const log = options.logger.child({ component: 'quality' });

  async function sheet(): Promise<ScoreSheet> {
    return (await store.get<ScoreSheet>(keys.sheet))?.value ?? defaultSheet;
  }

  async function get(id: string): Promise<QualityReview> {
    const found = /^q-[A-Za-z0-9_-]{1,120}$/.test(id) ? await store.get<QualityReview>(keys.review(id)) : null;
    if (!found) throw new HotlineError('QUALITY_REVIEW_NOT_FOUND', 'no quality review with this id');
    return found.value;
  }

  /** Creates the review of a recording (once). */
  async function pick(call: { callId: string; agentId: string; recordingId: string; day: string }, reason: QualityReview['reason']): Promise<QualityReview | null> {
    const review: QualityReview = { id: `q-${call.recordingId}`, ...call, pickedAt: clock.now(), reason, state: 'pending' };
    const result = await store.commit([{ key: keys.review(review.id), version: 0 }], [
      { op: 'put', key: keys.review(review.id), value: review },
      { op: 'zadd', key: keys.all, member: review.id, score: review.pickedAt },
      { op: 'zadd', key: keys.open, member: review.id, score: review.pickedAt },
      { op: 'zadd', key: keys.byAgent(call.agentId), member: review.id, score: review.pickedAt },
      { op: 'sadd', key: keys.dayPicked(call.day), member: call.agentId },
    ]);
    if (!result.ok) return null;
    log.info({ callId: call.callId, agentId: call.agentId, reviewId: review.id, reason }, 'call picked for quality review');
    return review;
  }

  /** A recorded call of `agentId` started: counts it, and picks it when its number comes up. */
  async function consider(call: { callId: string; agentId: string; recordingId: string }): Promise<QualityReview | null> {
    if (call.agentId === '') return null;
    const day = beijingDay(clock.now());
    const n = await store.incr(keys.count(day, call.agentId), 3 * DAY_MS);
    await store.commit([], [
      { op: 'sadd', key: keys.dayAgents(day), member: call.agentId },
      { op: 'zadd', key: keys.dayCalls(day, call.agentId), member: `${call.callId}|${call.recordingId}`, score: n },
    ]);
    if (!isPicked(n, percent, samplingPhase(call.agentId, day, percent))) return null;
    return pick({ ...call, day }, 'sampled');
  }

  /**
   * At least one review per agent and day: for each finished day (up to `days` back) not yet
   * topped up, agents with recorded calls but no pick get one, chosen by the hash. Returns the picks.
   */
  async function topUp(days = 3): Promise<QualityReview[]> {
    const picked: QualityReview[] = [];
    if (percent <= 0) return picked;
    const today = beijingDay(clock.now());
    for (let back = days; back >= 1; back--) {
      const day = beijingDay(clock.now() - back * DAY_MS);
      if (day === today || (await store.get(keys.toppedUp(day)))) continue;
      const [agents, already] = await Promise.all([store.smembers(keys.dayAgents(day)), store.smembers(keys.dayPicked(day))]);
      for (const agentId of agents.filter((a) => !already.includes(a)).sort()) {
        const calls = await store.zrangeByScore(keys.dayCalls(day, agentId), -Infinity, Infinity);
        if (calls.length === 0) continue;
        const [callId = '', recordingId = ''] = calls[hash32(`${agentId}|${day}|minimum`) % calls.length]!.member.split('|');
        const review = await pick({ callId, agentId, recordingId, day }, 'daily-minimum');
        if (review) picked.push(review);
      }
      await store.commit([], [
        { op: 'put', key: keys.toppedUp(day), value: { at: clock.now(), picked: picked.length }, ttlMs: 30 * DAY_MS },
        { op: 'del', key: keys.dayAgents(day) }, { op: 'del', key: keys.dayPicked(day) },
        ...agents.map((agentId) => ({ op: 'del', key: keys.dayCalls(day, agentId) }) as const),
      ]);
    }
    return picked;
  }

  /** Scores a review: a draft (`final: false`) keeps it in progress; a final one closes it. */
  async function score(id: string, input: { scores: Record<string, number>; comment?: string; final?: boolean }, reviewer: string): Promise<QualityReview> {
    const current = await sheet();
    const { total, maxTotal } = scoreSheet(current, input.scores);
    for (let attempt = 0; attempt < 20; attempt++) {
      const found = /^q-[A-Za-z0-9_-]{1,120}$/.test(id) ? await store.get<QualityReview>(keys.review(id)) : null;
      if (!found) throw new HotlineError('QUALITY_REVIEW_NOT_FOUND', 'no quality review with this id');
      if (found.value.state === 'done') throw new HotlineError('QUALITY_REVIEW_DONE', 'this review was submitted as final');
      const final = input.final ?? true;
      const next: QualityReview = {
        ...found.value, state: final ? 'done' : 'in_progress', scores: { ...input.scores }, total, maxTotal, sheet: current,
        ...(input.comment !== undefined ? { comment: input.comment } : {}), reviewer, reviewedAt: clock.now(),
      };
      const result = await store.commit([{ key: keys.review(id), version: found.version }], [
        { op: 'put', key: keys.review(id), value: next },
        ...(final ? [{ op: 'zrem', key: keys.open, member: id } as const] : []),
      ]);
      if (result.ok) return next;
    }
    throw new HotlineError('STORE_CONFLICT', `review ${id}: too much contention`);
  }

  async function list(filter: { open?: boolean; agentId?: string; limit?: number } = {}): Promise<QualityReview[]> {
    const key = filter.agentId !== undefined ? keys.byAgent(filter.agentId) : filter.open ? keys.open : keys.all;
    const ids = await store.zrangeByScore(key, -Infinity, Infinity, { reverse: true, count: filter.agentId !== undefined ? 1000 : filter.limit ?? 100 });
    const reviews = (await store.getMany<QualityReview>(ids.map((e) => keys.review(e.member)))).flatMap((d) => (d ? [d.value] : []));
    return reviews.filter((r) => !filter.open || r.state !== 'done').slice(0, filter.limit ?? 100);
  }

  return {
    consider,
    topUp,
    score,
    get,
    list,
    sheet,
    async setSheet(input: unknown): Promise<ScoreSheet> {
      const ids = Value.Check(ScoreSheetSchema, input) ? input.criteria.map((c) => c.id) : [];
      if (!Value.Check(ScoreSheetSchema, input) || new Set(ids).size !== ids.length) {
        throw new HotlineError('QUALITY_SHEET_INVALID', 'a score sheet needs 1-20 criteria with unique ids (a-z, 0-9, _) and a max of 1-100');
      }
      await store.commit([], [{ op: 'put', key: keys.sheet, value: input }]);
      return input;
    },
    /** Whether a review of the recording exists and is not final (retention keeps its audio). */
    async inProgress(recordingId: string): Promise<boolean> {
      const found = await store.get<QualityReview>(keys.review(`q-${recordingId}`));
      return found !== null && found.value.state !== 'done';
    },
    /** An agent's final reviews: count and mean score in percent of the maximum, overall and per criterion. */
    async agentSummary(agentId: string) {
      const done = (await list({ agentId, limit: 1000 })).filter((r) => r.state === 'done');
      const mean = (values: number[]) => (values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length);
      const criteria = [...new Set(done.flatMap((r) => Object.keys(r.scores ?? {})))];
      return {
        agentId, reviews: done.length,
        meanPercent: mean(done.map((r) => (100 * (r.total ?? 0)) / (r.maxTotal || 1))),
        byCriterion: Object.fromEntries(criteria.map((id) => [id, mean(done.flatMap((r) => {
          const max = r.sheet?.criteria.find((c) => c.id === id)?.max;
          return r.scores?.[id] !== undefined && max ? [(100 * r.scores[id]) / max] : [];
        }))])),
      };
    },
  };
}
