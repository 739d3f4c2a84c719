/**
 * The gateway's counters: plain numbers, for the metrics endpoint to export and for tests.
 */
import type { Role } from '../auth/roles.ts';

/** Counters since the gateway started (monotonic). */
export interface GatewayCounters {
  connectionsOpened: number;
  upgradesRejected: number;
  messagesIn: number;
  messagesOut: number;
  commands: number;
  badMessages: number;
  /** Clients cut off as slow consumers (close 4008). */
  cutOffs: number;
  /** Clients terminated for silence (no pong or message for two heartbeat intervals). */
  heartbeatTimeouts: number;
  /** Heartbeat pings answered. */
  pongs: number;
  resumes: number;
  resyncs: number;
  replayed: number;
}

export function createCounters(): GatewayCounters {
  return {
    connectionsOpened: 0, upgradesRejected: 0, messagesIn: 0, messagesOut: 0, commands: 0, badMessages: 0,
    cutOffs: 0, heartbeatTimeouts: 0, pongs: 0, resumes: 0, resyncs: 0, replayed: 0,
  };
}

/** Open connections, in total and by role (a user with two roles counts under both). */
export function countByRole(sessions: Iterable<{ readonly roles: readonly Role[] }>): { total: number } & Record<Role, number> {
  const counts = { total: 0, agent: 0, supervisor: 0, admin: 0, department: 0 };
  for (const session of sessions) {
    counts.total++;
    for (const role of session.roles) counts[role]++;
  }
  return counts;
}
