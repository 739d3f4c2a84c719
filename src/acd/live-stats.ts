/**
 * The live picture for wallboards: per queue, callers waiting and the longest wait (from arrival,
 * IVR time included); per agent, state and time in state; and the day's call KPIs per queue and
 * per DID from the call records (formulas in src/calls/call-kpis.ts).
 *
 * A snapshot runs every 2 s (wallboard-feed.ts) and on GET /api/stats/live. Reading all of the
 * day's records each time stalled the event loop for tens of ms on a busy day and stopped at
 * `between`'s 10,000 (issue 5), so the day's records are kept here: a record no longer changes
 * once it ended (`applyCallEvent` ignores later events), so ended ones stay in memory until
 * midnight in Beijing and each snapshot reads only the calls that arrived since the last one and
 * those still open. Each server instance keeps its own copy of the shared store's records.
 */
import type { Clock } from '../clock.ts';
import { callKpis, callKpisBy, type CallKpis } from '../calls/call-kpis.ts';
import type { CallRecord } from '../calls/call-record.ts';
import type { CallRecords } from '../calls/call-records.ts';
import type { AcdState } from './acd-state.ts';
import type { AgentState } from './agent-states.ts';

export interface QueueLive {
  readonly queueId: string;
  readonly waiting: number;
  readonly longestWaitSec: number;
  readonly today: CallKpis;
}

export interface AgentLive {
  readonly agentId: string;
  readonly extension: string;
  readonly state: AgentState;
  readonly reason?: string;
  readonly secondsInState: number;
}

export interface LiveStats {
  readonly at: number;
  readonly queues: readonly QueueLive[];
  readonly agents: readonly AgentLive[];
  readonly today: CallKpis;
  readonly todayByDid: Readonly<Record<string, CallKpis>>;
}

/** Midnight in Asia/Shanghai (UTC+8, no daylight saving) of the day that contains `at`. */
export function startOfDayShanghai(at: number): number {
  const offset = 8 * 3600_000;
  return Math.floor((at + offset) / 86_400_000) * 86_400_000 - offset;
}

export function createLiveStats({ acd, records, clock, queueIds }: { acd: AcdState; records: CallRecords; clock: Clock; queueIds: readonly string[] }) {
  const todaysCalls = createTodaysCalls(records);
  return async function snapshot(): Promise<LiveStats> {
    const now = clock.now();
    const [waiting, agents, today] = await Promise.all([acd.waitingCalls(), acd.allAgents(), todaysCalls(now)]);
    const byQueue = callKpisBy(today, (r) => r.queues.map((q) => q.queueId));
    const queues = [...new Set([...queueIds, ...waiting.map((c) => c.queueId)])].sort().map((queueId) => {
      const mine = waiting.filter((c) => c.queueId === queueId);
      return {
        queueId,
        waiting: mine.length,
        longestWaitSec: mine.length === 0 ? 0 : Math.round((now - Math.min(...mine.map((c) => c.arrivedAt))) / 1000),
        today: byQueue.get(queueId) ?? callKpis([]),
      };
    });
    return {
      at: now,
      queues,
      agents: agents
        .map((a) => ({
          agentId: a.agentId,
          extension: a.extension,
          state: a.status.state,
          ...(a.status.reason ? { reason: a.status.reason } : {}),
          secondsInState: Math.round((now - a.status.since) / 1000),
        }))
        .sort((a, b) => a.agentId.localeCompare(b.agentId)),
      today: callKpis(today),
      todayByDid: Object.fromEntries(callKpisBy(today, (r) => r.did)),
    };
  };
}

/**
 * How far back each snapshot looks again for arrivals. A record is indexed by its arrival time,
 * which is stamped before its `start` is committed, and several instances (with their own clocks)
 * write records: one that shows up a little after a snapshot can carry an earlier arrival time.
 * 60 s is far more than that delay or the instances' clock drift; ids already held are not re-read.
 */
const LATE_ARRIVAL_MS = 60_000;

/**
 * How often a snapshot looks at the whole day's arrivals again (their ids; it reads only records it
 * does not hold): a record written minutes after its call arrived — the store was down, an
 * instance caught up — is counted within this time instead of never.
 */
const WHOLE_DAY_MS = 5 * 60_000;

/**
 * The records of the calls that arrived today (Beijing) up to `now`, all of them. Reads of the
 * store are chained so that two snapshots at once do not interleave their updates.
 */
function createTodaysCalls(records: CallRecords) {
  let day = { start: Number.NaN, ended: new Map<string, CallRecord>(), open: new Map<string, CallRecord>(), readUntil: -Infinity, wholeDayAt: -Infinity };
  let last: Promise<unknown> = Promise.resolve();

  async function refresh(now: number): Promise<CallRecord[]> {
    const start = startOfDayShanghai(now);
    if (day.start !== start) day = { start, ended: new Map(), open: new Map(), readUntil: -Infinity, wholeDayAt: -Infinity };
    const wholeDay = now - day.wholeDayAt >= WHOLE_DAY_MS;
    if (wholeDay) day.wholeDayAt = now;
    const arrived = await records.idsBetween(wholeDay ? start : Math.max(start, day.readUntil - LATE_ARRIVAL_MS), now + 1);
    const toRead = new Set(day.open.keys());
    for (const { callId } of arrived) if (!day.ended.has(callId)) toRead.add(callId);
    const open = new Map<string, CallRecord>();
    for (const record of await records.getMany([...toRead])) {
      if (record.arrivedAt < start || record.arrivedAt > now) continue;
      if (record.endedAt === undefined) open.set(record.callId, record);
      else day.ended.set(record.callId, record);
    }
    day.open = open;
    day.readUntil = Math.max(day.readUntil, now);
    return [...day.ended.values(), ...day.open.values()];
  }

  return (now: number): Promise<CallRecord[]> => {
    const next = last.then(() => refresh(now));
    last = next.catch(() => undefined);
    return next;
  };
}
