/**
 * The audit of supervision: one document per session, `supervision:<sessionId>` — who supervised
 * whom, on which call, each mode with its times, start, end, how long and why it ended — indexed
 * by start time (`supervisions:by-time`). Each session has a single writer (the instance holding
 * its call), which writes the whole document after every change, in order.
 */
import type { Clock } from '../clock.ts';
import type { Store } from '../store/store.ts';
import type { EndReason, SupervisionMode } from './supervision-session.ts';

export interface SupervisionRecord {
  readonly sessionId: string;
  /** The supervisor's username. */
  readonly supervisor: string;
  /** The agent whose call was supervised. */
  readonly agentId: string;
  readonly callId: string;
  /** The server instance that ran the session. */
  readonly instanceId: string;
  /** When the supervisor asked (ms since the epoch); the phone rang from then. */
  readonly startedAt: number;
  /** Modes in order; the current one has no `until`. Empty when the phone was never answered. */
  readonly modes: ReadonlyArray<{ readonly mode: SupervisionMode; readonly at: number; readonly until?: number }>;
  readonly endedAt?: number;
  /** endedAt − startedAt. */
  readonly durationMs?: number;
  readonly endReason?: EndReason;
}

export interface SessionQuery {
  /** Sessions started at or after this time (ms). */
  readonly since?: number;
  /** Sessions started before this time (ms). */
  readonly until?: number;
  readonly supervisor?: string;
  readonly agentId?: string;
  readonly callId?: string;
  /** At most this many, newest first. */
  readonly limit?: number;
}

const recordKey = (sessionId: string): string => `supervision:${sessionId}`;
const TIME_KEY = 'supervisions:by-time';
/** Sessions read per page while filtering. */
const PAGE = 200;

export type SupervisionAudit = ReturnType<typeof createSupervisionAudit>;

export function createSupervisionAudit({ store, clock }: { store: Store; clock: Clock }) {
  const write = async (record: SupervisionRecord): Promise<void> => {
    await store.commit([], [{ op: 'put', key: recordKey(record.sessionId), value: record }]);
  };

  return {
    /** Opens a session's record. */
    async start(record: Pick<SupervisionRecord, 'sessionId' | 'supervisor' | 'agentId' | 'callId' | 'instanceId' | 'startedAt'>): Promise<SupervisionRecord> {
      const opened: SupervisionRecord = { ...record, modes: [] };
      await store.commit([], [
        { op: 'put', key: recordKey(record.sessionId), value: opened },
        { op: 'zadd', key: TIME_KEY, member: record.sessionId, score: record.startedAt },
      ]);
      return opened;
    },
    /** The record after the session entered `mode` at `at` (the previous mode closed then). */
    async mode(record: SupervisionRecord, mode: SupervisionMode, at = clock.now()): Promise<SupervisionRecord> {
      const next = { ...record, modes: [...closeModes(record.modes, at), { mode, at }] };
      await write(next);
      return next;
    },
    /** The record after the session ended. */
    async end(record: SupervisionRecord, reason: EndReason, at = clock.now()): Promise<SupervisionRecord> {
      const next: SupervisionRecord = { ...record, modes: closeModes(record.modes, at), endedAt: at, durationMs: at - record.startedAt, endReason: reason };
      await write(next);
      return next;
    },
    async get(sessionId: string): Promise<SupervisionRecord | null> {
      return (await store.get<SupervisionRecord>(recordKey(sessionId)))?.value ?? null;
    },
    /** Sessions newest first, filtered. */
    async list(query: SessionQuery = {}): Promise<SupervisionRecord[]> {
      const limit = Math.min(query.limit ?? 100, 1000);
      const max = query.until === undefined ? Infinity : query.until - 1;
      const found: SupervisionRecord[] = [];
      for (let offset = 0; found.length < limit; offset += PAGE) {
        const ids = await store.zrangeByScore(TIME_KEY, query.since ?? -Infinity, max, { reverse: true, offset, count: PAGE });
        const records = await store.getMany<SupervisionRecord>(ids.map((e) => recordKey(e.member)));
        for (const doc of records) if (doc && matches(doc.value, query) && found.length < limit) found.push(doc.value);
        if (ids.length < PAGE) break;
      }
      return found;
    },
  };
}

function closeModes(modes: SupervisionRecord['modes'], at: number): SupervisionRecord['modes'] {
  return modes.map((m, i) => (i === modes.length - 1 && m.until === undefined ? { ...m, until: at } : m));
}

function matches(record: SupervisionRecord, query: SessionQuery): boolean {
  return (query.supervisor === undefined || record.supervisor === query.supervisor)
    && (query.agentId === undefined || record.agentId === query.agentId)
    && (query.callId === undefined || record.callId === query.callId);
}
