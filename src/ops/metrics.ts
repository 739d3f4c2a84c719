/**
 * Prometheus metrics of the hotline (text exposition format 0.0.4). Each scrape reads the live
 * picture once — calls by state, queues, agents, component health, CTI connections — and the
 * ticket counts, which cost a scan of the ticket index and are therefore refreshed at most every
 * `ticketRefreshMs`. Process metrics and the event-loop lag (perf_hooks monitorEventLoopDelay)
 * come from prom-client's default collectors, once per process. Names and meaning:
 * docs/operations.md#metrics. Plain factory: no Fastify here.
 */
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { AgentRecord, QueuedCall } from '../acd/acd-state.ts';
import type { AgentState } from '../acd/agent-states.ts';
import type { LiveStats } from '../acd/live-stats.ts';
import type { Clock } from '../clock.ts';
import type { TicketState } from '../tickets/ticket-states.ts';
import { ticketStates } from '../tickets/ticket-states.ts';
import type { TicketView } from '../tickets/ticket-queries.ts';

export interface MetricsSources {
  readonly clock: Clock;
  /** The wallboard's picture (queues with waiting, longest wait and today's KPIs; agents). */
  liveStats(): Promise<LiveStats>;
  /** The ACD's calls waiting (booked callbacks included) and agents, from the store (every instance). */
  waitingCalls(): Promise<readonly QueuedCall[]>;
  allAgents(): Promise<readonly AgentRecord[]>;
  /** Calls this instance's IVR runtime holds, and whether it holds a given call. */
  ivrCalls(): number;
  ivrHolds(callId: string): boolean;
  /** Component health (ari, store, ami) as /health reports it. */
  components(): ReadonlyArray<{ readonly name: string; readonly up: boolean }>;
  /** Open CTI connections by role (a `total` entry is left out). */
  ctiConnections?(): Readonly<Record<string, number>>;
  /** Tickets to count (every ticket the index holds, up to the query's scan limit). */
  tickets(): Promise<readonly TicketView[]>;
}

export interface Metrics {
  readonly contentType: string;
  /** The exposition text of one scrape. */
  render(): Promise<string>;
}

/** Every agent state (a Record, so a new state in src/acd/agent-states.ts fails the type check here). */
const agentStates = Object.keys({ logged_out: 1, ready: 1, not_ready: 1, reserved: 1, on_call: 1, wrap_up: 1 } satisfies Record<AgentState, 1>) as AgentState[];

/** The call states counted by `hotline_calls`. */
export const callStates = ['ivr', 'queued', 'ringing', 'talking'] as const;

let processRegistry: Registry | undefined;

/** Process and runtime metrics (CPU, memory, handles, GC, event-loop lag): one collector per process. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, eventLoopMonitoringPrecision: 10 });
  }
  return processRegistry;
}

export function createMetrics(sources: MetricsSources, options: { ticketRefreshMs?: number } = {}): Metrics {
  const ticketRefreshMs = options.ticketRefreshMs ?? 60_000;
  const registry = new Registry();
  const gauge = (name: string, help: string, labelNames: readonly string[] = []) =>
    new Gauge({ name, help, labelNames: [...labelNames], registers: [registry] });

  const calls = gauge('hotline_calls', 'Calls now, by state: ivr (in a flow on this instance), queued (waiting for an agent), ringing (offered to an agent), talking (connected to an agent)', ['state']);
  const callbacks = gauge('hotline_callbacks_waiting', 'Booked callbacks holding a place in a queue (the caller hung up; virtual hold)');
  const waiting = gauge('hotline_queue_waiting', 'Callers waiting in the queue (booked callbacks included: they hold a place)', ['queue']);
  const longest = gauge('hotline_queue_longest_wait_seconds', 'Longest current wait in the queue, from arrival (IVR time included)', ['queue']);
  const level = gauge('hotline_queue_service_level_15s_ratio', 'Today (Asia/Shanghai day): answered within 15 s of arrival ÷ answered; absent before the first answer', ['queue']);
  const answered = gauge('hotline_queue_answered_today', 'Today: calls of the queue answered by an agent', ['queue']);
  const abandoned = gauge('hotline_queue_abandoned_today', 'Today: callers who hung up while waiting in the queue', ['queue']);
  const agents = gauge('hotline_agents', 'Agents by state', ['state']);
  const up = gauge('hotline_component_up', '1 when the component (ari, store, ami) is connected, else 0', ['component']);
  const cti = gauge('hotline_cti_connections', 'Open CTI WebSocket connections by role (a user with two roles counts under both)', ['role']);
  const tickets = gauge('hotline_tickets', 'Tickets by state (as of hotline_tickets_refreshed_timestamp_seconds)', ['state']);
  const overdue = gauge('hotline_tickets_overdue', 'Tickets past their handling deadline with the clock running (red light)');
  const dueSoon = gauge('hotline_tickets_due_soon', 'Tickets near their handling deadline (yellow light)');
  const refreshed = gauge('hotline_tickets_refreshed_timestamp_seconds', 'When the ticket counts were last computed');

  let ticketsAt = -Infinity;
  let ticketRefresh: Promise<void> | undefined;
  let chain: Promise<unknown> = Promise.resolve();

  async function refreshTickets(): Promise<void> {
    const now = sources.clock.now();
    if (now - ticketsAt < ticketRefreshMs) return;
    const all = await sources.tickets();
    const byState = new Map<TicketState, number>(ticketStates.map((s) => [s, 0]));
    for (const t of all) byState.set(t.state, (byState.get(t.state) ?? 0) + 1);
    for (const [state, count] of byState) tickets.set({ state }, count);
    overdue.set(all.filter((t) => t.light === 'red').length);
    dueSoon.set(all.filter((t) => t.light === 'yellow').length);
    refreshed.set(now / 1000);
    ticketsAt = now;
  }

  async function collect(): Promise<string> {
    ticketRefresh ??= refreshTickets().finally(() => (ticketRefresh = undefined));
    const [live, queued, agentList] = await Promise.all([sources.liveStats(), sources.waitingCalls(), sources.allAgents(), ticketRefresh]);
    setCalls(queued, agentList);
    for (const g of [waiting, longest, level, answered, abandoned, agents, up, cti]) g.reset();
    for (const q of live.queues) {
      const queue = { queue: q.queueId };
      waiting.set(queue, q.waiting);
      longest.set(queue, q.longestWaitSec);
      answered.set(queue, q.today.answered);
      abandoned.set(queue, q.today.abandoned);
      if (q.today.answeredWithin15sRate !== null) level.set(queue, q.today.answeredWithin15sRate);
    }
    for (const state of agentStates) agents.set({ state }, agentList.filter((a) => a.status.state === state).length);
    for (const c of sources.components()) up.set({ component: c.name }, c.up ? 1 : 0);
    for (const [role, count] of Object.entries(sources.ctiConnections?.() ?? {})) if (role !== 'total') cti.set({ role }, count);
    return (await Registry.merge([registry, processMetrics()]).metrics());
  }

  function setCalls(queued: readonly QueuedCall[], agentList: readonly AgentRecord[]): void {
    const live = queued.filter((c) => !c.callback);
    const callIdsIn = (state: string) => new Set(agentList.flatMap((a) => (a.status.state === state && a.status.callId ? [a.status.callId] : [])));
    const ringing = callIdsIn('reserved');
    const talking = callIdsIn('on_call');
    const inAcd = [...live.map((c) => c.callId), ...ringing, ...talking];
    const ivr = sources.ivrCalls() - new Set(inAcd.filter((callId) => sources.ivrHolds(callId))).size;
    calls.set({ state: 'ivr' }, Math.max(0, ivr));
    calls.set({ state: 'queued' }, live.length);
    calls.set({ state: 'ringing' }, ringing.size);
    calls.set({ state: 'talking' }, talking.size);
    callbacks.set(queued.length - live.length);
  }

  return {
    contentType: registry.contentType,
    render() {
      const next = chain.then(collect, collect); // one scrape at a time: each sets the gauges, then reads them
      chain = next.catch(() => undefined);
      return next;
    },
  };
}
