/**
 * The live picture for wallboards: per queue, callers waiting and the longest wait (from arrival,
 * IVR time included); per agent, state and time in state; and the day's call KPIs per queue and
 * per DID from the call records (formulas in src/calls/call-kpis.ts).
 */
import type { Clock } from '../clock.ts';
import { callKpis, callKpisBy, type CallKpis } from '../calls/call-kpis.ts';
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
  return async function snapshot(): Promise<LiveStats> {
    const now = clock.now();
    const [waiting, agents, today] = await Promise.all([acd.waitingCalls(), acd.allAgents(), records.between(startOfDayShanghai(now), now + 1)]);
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
