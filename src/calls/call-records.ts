/**
 * Call records in the store: `call:<callId>` (the CallRecord), indexed by caller number
 * (`calls:by-phone:<number>`, newest first: the screen pop's caller history) and by arrival
 * (`calls:by-time`, for KPIs by period), and per server instance the calls it still writes
 * (`calls:open:<instance>`). Several handlers of one call append concurrently; each
 * append is a read-apply-commit with the record's version, retried on conflict.
 */
import type { Clock } from '../clock.ts';
import { HotlineError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import { applyCallEvent, newCallRecord, type CallEvent, type CallRecord } from './call-record.ts';

const MAX_ATTEMPTS = 50;
/** Records per store read in `getMany`: a whole day at once would be one huge reply to parse. */
const READ_PAGE = 2_000;
const recordKey = (callId: string) => `call:${callId}`;
const phoneKey = (number: string) => `calls:by-phone:${number}`;
const TIME_KEY = 'calls:by-time';
const openKey = (holder: string) => `calls:open:${holder}`;

/** Caller numbers are keys only in a normalised form: digits and a leading +, at most 32. */
export function normalisePhone(number: string): string {
  return number.replace(/[^0-9+]/g, '').replace(/(?!^)\+/g, '').slice(0, 32) || 'unknown';
}

export type CallRecords = ReturnType<typeof createCallRecords>;

export function createCallRecords({ store, clock }: { store: Store; clock: Clock }) {
  /** Opens the record of an arriving call (idempotent: a second start keeps the first). */
  async function start(call: { callId: string; did: string; callerNumber: string; arrivedAt?: number; callbackOf?: string }): Promise<CallRecord> {
    const record = newCallRecord({ ...call, callerNumber: normalisePhone(call.callerNumber), arrivedAt: call.arrivedAt ?? clock.now() });
    const result = await store.commit(
      [{ key: recordKey(call.callId), version: 0 }],
      [
        { op: 'put', key: recordKey(call.callId), value: record },
        { op: 'zadd', key: phoneKey(record.callerNumber), member: call.callId, score: record.arrivedAt },
        { op: 'zadd', key: TIME_KEY, member: call.callId, score: record.arrivedAt },
      ],
    );
    if (result.ok) return record;
    return (await get(call.callId))!;
  }

  /** Appends events to a call's record; unknown calls are an error (start first). */
  async function append(callId: string, ...events: CallEvent[]): Promise<CallRecord> {
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      const found = await store.get<CallRecord>(recordKey(callId));
      if (!found) throw new HotlineError('NOT_FOUND', `no call record ${callId}`);
      const next = events.reduce(applyCallEvent, found.value);
      if (next === found.value) return next;
      const result = await store.commit([{ key: recordKey(callId), version: found.version }], [{ op: 'put', key: recordKey(callId), value: next }]);
      if (result.ok) return next;
    }
    throw new HotlineError('STORE_CONFLICT', `call record ${callId}: too much contention`);
  }

  async function get(callId: string): Promise<CallRecord | null> {
    return (await store.get<CallRecord>(recordKey(callId)))?.value ?? null;
  }

  /** A caller's calls, newest first. */
  async function byPhone(number: string, limit = 20): Promise<CallRecord[]> {
    const ids = await store.zrangeByScore(phoneKey(normalisePhone(number)), -Infinity, Infinity, { reverse: true, count: limit });
    return (await store.getMany<CallRecord>(ids.map((e) => recordKey(e.member)))).flatMap((d) => (d ? [d.value] : []));
  }

  /** Calls that arrived in [from, to), oldest first. */
  async function between(from: number, to: number, limit = 10_000): Promise<CallRecord[]> {
    const ids = await store.zrangeByScore(TIME_KEY, from, to - 1, { count: limit });
    return (await store.getMany<CallRecord>(ids.map((e) => recordKey(e.member)))).flatMap((d) => (d ? [d.value] : []));
  }

  /** Ids of the calls that arrived in [from, to), with their arrival (the `calls:by-time` score), oldest first; no cap. */
  async function idsBetween(from: number, to: number): Promise<Array<{ callId: string; arrivedAt: number }>> {
    return (await store.zrangeByScore(TIME_KEY, from, to - 1)).map((e) => ({ callId: e.member, arrivedAt: e.score }));
  }

  /** The records of these calls (unknown ids left out), read in pages of READ_PAGE. */
  async function getMany(callIds: readonly string[]): Promise<CallRecord[]> {
    const found: CallRecord[] = [];
    for (let i = 0; i < callIds.length; i += READ_PAGE) {
      const page = await store.getMany<CallRecord>(callIds.slice(i, i + READ_PAGE).map(recordKey));
      for (const d of page) if (d) found.push(d.value);
    }
    return found;
  }

  /**
   * The calls whose records a server instance (`holder`) keeps writing until they end
   * (`calls:open:<holder>`): after a crash, the restarted instance ends the records of those whose
   * channel is gone (call-recorder.ts).
   */
  const open = {
    add: async (holder: string, callId: string): Promise<void> => void (await store.commit([], [{ op: 'sadd', key: openKey(holder), member: callId }])),
    remove: async (holder: string, callId: string): Promise<void> => void (await store.commit([], [{ op: 'srem', key: openKey(holder), member: callId }])),
    list: (holder: string): Promise<string[]> => store.smembers(openKey(holder)),
  };

  return { start, append, get, getMany, byPhone, between, idsBetween, open };
}
