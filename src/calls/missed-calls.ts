/**
 * The missed-call work list: callers who hung up while waiting for an agent, for agents to call
 * back (GB/T 33358 and 66号: missed calls are called back). A call leaves the list when an agent
 * records the callback's outcome, or when the same number got through to an agent later.
 * Short abandons (under `shortAbandonSec` of waiting) are listed too but marked, since many are
 * misdials. A caller who booked a callback is listed once the system has given up calling back
 * (`callbackFailed`), not while the callback still waits for its turn.
 */
import type { Clock } from '../clock.ts';
import { HotlineError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import type { CallRecord } from './call-record.ts';
import type { CallRecords } from './call-records.ts';

export interface MissedCall {
  readonly callId: string;
  readonly callerNumber: string;
  readonly did: string;
  readonly queueId: string;
  readonly arrivedAt: number;
  readonly waitedSec: number;
  readonly short: boolean;
  /** The caller booked a callback and the system's attempts did not reach them. */
  readonly callbackFailed: boolean;
}

export interface CallbackOutcome {
  readonly callId: string;
  readonly outcome: 'reached' | 'unreachable';
  readonly note?: string;
  readonly by: string;
  readonly at: number;
}

const doneKey = (callId: string) => `missed-call-done:${callId}`;

export interface MissedCallsOptions {
  readonly records: CallRecords;
  readonly store: Store;
  readonly clock: Clock;
  readonly shortAbandonSec?: number;
  /** Whether a booked callback of this call still waits for its turn in the ACD. */
  readonly callbackPending?: (callId: string) => Promise<boolean>;
}

export function createMissedCalls({ records, store, clock, shortAbandonSec = 5, callbackPending }: MissedCallsOptions) {
  function missed(record: CallRecord): MissedCall | null {
    const visit = record.queues.at(-1);
    if (!visit || (visit.outcome !== 'abandoned' && visit.outcome !== 'callback') || visit.leftAt === undefined || record.answeredAt !== undefined) return null;
    const waitedSec = Math.round((visit.leftAt - record.arrivedAt) / 1000);
    return {
      callId: record.callId, callerNumber: record.callerNumber, did: record.did, queueId: visit.queueId,
      arrivedAt: record.arrivedAt, waitedSec, short: visit.outcome === 'abandoned' && visit.leftAt - visit.enqueuedAt < shortAbandonSec * 1000,
      callbackFailed: visit.outcome === 'callback',
    };
  }

  /** Missed calls since `from` not yet called back, newest first; one entry per number. */
  async function list(from: number): Promise<MissedCall[]> {
    const calls = await records.between(from, clock.now() + 1);
    const reachedLater = new Set<string>();
    const byNumber = new Map<string, MissedCall>();
    for (const record of [...calls].reverse()) {
      if (record.answeredAt !== undefined) reachedLater.add(record.callerNumber);
      const entry = missed(record);
      if (entry && !reachedLater.has(entry.callerNumber) && !byNumber.has(entry.callerNumber)) byNumber.set(entry.callerNumber, entry);
    }
    const entries = [...byNumber.values()];
    const [done, pending] = await Promise.all([
      store.getMany<CallbackOutcome>(entries.map((e) => doneKey(e.callId))),
      Promise.all(entries.map((e) => (e.callbackFailed && callbackPending ? callbackPending(e.callId) : false))),
    ]);
    return entries.filter((_, i) => done[i] === null && !pending[i]);
  }

  /** Records the callback of a missed call; once only. */
  async function calledBack(callId: string, outcome: Omit<CallbackOutcome, 'callId' | 'at'>): Promise<CallbackOutcome> {
    const record = await records.get(callId);
    if (!record || !missed(record)) throw new HotlineError('NOT_FOUND', `no missed call ${callId}`);
    const done: CallbackOutcome = { callId, ...outcome, at: clock.now() };
    const result = await store.commit([{ key: doneKey(callId), version: 0 }], [{ op: 'put', key: doneKey(callId), value: done }]);
    if (!result.ok) throw new HotlineError('STORE_CONFLICT', 'this missed call was called back already');
    return done;
  }

  return { list, calledBack };
}

export type MissedCalls = ReturnType<typeof createMissedCalls>;
