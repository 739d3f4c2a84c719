/**
 * Erlang C: the probability that a caller waits, the service level, and the agents needed to meet
 * a target, for the 7×24 coverage view (which hours are short of staff for the forecast load).
 */

/** Probability that an arriving call waits, with `agents` agents and `traffic` Erlangs offered. */
export function probabilityOfWaiting(agents: number, traffic: number): number {
  if (traffic <= 0) return 0;
  if (agents <= traffic) return 1;
  // Erlang B by the stable recurrence, then C from B.
  let b = 1;
  for (let k = 1; k <= agents; k++) b = (traffic * b) / (k + traffic * b);
  return (agents * b) / (agents - traffic * (1 - b));
}

export interface Load {
  /** Calls per hour. */
  readonly callsPerHour: number;
  /** Mean handle time (talk + hold + wrap-up), seconds. */
  readonly handleSec: number;
}

export function trafficErlangs({ callsPerHour, handleSec }: Load): number {
  return (callsPerHour * handleSec) / 3600;
}

/** Share of calls answered within `targetSec` (e.g. 15 s per GB/T 33358). */
export function serviceLevel(agents: number, load: Load, targetSec: number): number {
  const traffic = trafficErlangs(load);
  if (traffic <= 0) return 1;
  if (agents <= traffic) return 0;
  const pw = probabilityOfWaiting(agents, traffic);
  return 1 - pw * Math.exp(-((agents - traffic) * targetSec) / load.handleSec);
}

/** Mean wait in seconds over all calls. */
export function meanWaitSec(agents: number, load: Load): number {
  const traffic = trafficErlangs(load);
  if (traffic <= 0) return 0;
  if (agents <= traffic) return Infinity;
  return (probabilityOfWaiting(agents, traffic) * load.handleSec) / (agents - traffic);
}

/** The fewest agents that answer `share` of calls within `targetSec` (e.g. 0.8 within 15 s). */
export function agentsNeeded(load: Load, targetSec: number, share: number): number {
  const traffic = trafficErlangs(load);
  if (traffic <= 0) return 0;
  let agents = Math.max(1, Math.floor(traffic) + 1);
  while (serviceLevel(agents, load, targetSec) < share) agents++;
  return agents;
}
