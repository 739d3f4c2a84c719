/**
 * Per-call ratings (一次一评): the IVR survey after the agent hangs up records 1 满意 / 2 基本满意 /
 * 3 不满意 once per call, stored with the call and the agent (and the caller's phone for history).
 */
import type { Clock } from '../clock.ts';
import { HotlineError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import { normalizePhone, ticketKeys } from './ticket-keys.ts';

export const ratingScores = { 1: 'satisfied', 2: 'basically_satisfied', 3: 'dissatisfied' } as const;
export type RatingValue = (typeof ratingScores)[keyof typeof ratingScores];

export interface CallRating {
  readonly callId: string;
  readonly agent: string;
  readonly rating: RatingValue;
  readonly phone: string | null;
  readonly ticketId: string | null;
  readonly at: number;
}

export interface RateCallInput {
  readonly callId: string;
  readonly agent: string;
  /** The key pressed: 1, 2 or 3. */
  readonly digit: 1 | 2 | 3;
  readonly phone?: string;
  readonly ticketId?: string;
}

export interface CallRatings {
  /** Records the rating of a call; a second rating of the same call is refused with RATING_EXISTS. */
  rate(input: RateCallInput): Promise<CallRating>;
  get(callId: string): Promise<CallRating | null>;
  /** Ratings of an agent's calls, newest first. */
  byAgent(agent: string, limit?: number): Promise<CallRating[]>;
  /** Ratings of calls from a phone, newest first. */
  byPhone(phone: string, limit?: number): Promise<CallRating[]>;
}

const ID = /^[A-Za-z0-9._:@-]{1,128}$/;

export function createCallRatings(options: { store: Store; clock: Clock }): CallRatings {
  const { store, clock } = options;

  async function list(key: string, limit: number): Promise<CallRating[]> {
    const entries = await store.zrangeByScore(key, -Infinity, Infinity, { reverse: true, count: limit });
    const docs = await store.getMany<CallRating>(entries.map((e) => ticketKeys.rating(e.member)));
    return docs.flatMap((d) => (d ? [d.value] : []));
  }

  return {
    async rate(input) {
      if (!ID.test(input.callId) || !ID.test(input.agent)) throw new HotlineError('TICKET_INVALID', 'callId and agent must be ids');
      const rating = ratingScores[input.digit];
      if (!rating) throw new HotlineError('TICKET_INVALID', 'the rating digit must be 1, 2 or 3');
      const phone = input.phone === undefined ? null : normalizePhone(input.phone);
      const record: CallRating = { callId: input.callId, agent: input.agent, rating, phone, ticketId: input.ticketId ?? null, at: clock.now() };
      const ops = [
        { op: 'put', key: ticketKeys.rating(input.callId), value: record } as const,
        { op: 'zadd', key: ticketKeys.ratingsByAgent(input.agent), member: input.callId, score: record.at } as const,
        ...(phone ? [{ op: 'zadd', key: ticketKeys.ratingsByPhone(phone), member: input.callId, score: record.at } as const] : []),
      ];
      const result = await store.commit([{ key: ticketKeys.rating(input.callId), version: 0 }], ops);
      if (!result.ok) throw new HotlineError('RATING_EXISTS', `call ${input.callId} was already rated`);
      return record;
    },
    async get(callId) {
      return ID.test(callId) ? (await store.get<CallRating>(ticketKeys.rating(callId)))?.value ?? null : null;
    },
    byAgent: (agent, limit = 100) => (ID.test(agent) ? list(ticketKeys.ratingsByAgent(agent), limit) : Promise.resolve([])),
    byPhone(phone, limit = 100) {
      const normalized = normalizePhone(phone);
      return normalized ? list(ticketKeys.ratingsByPhone(normalized), limit) : Promise.resolve([]);
    },
  };
}
