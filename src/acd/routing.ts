/**
 * The routing decision, pure: which ready agent gets which waiting call.
 *
 * Order of callers: queue priority (higher first), then caller priority, then arrival (earlier
 * first) — the head of the queue is served first. Order of agents for a caller: a sticky agent
 * (the one who served this caller last) if ready and eligible, else the longest-idle eligible
 * agent (ties: the higher skill level). Skill levels decide eligibility (`minLevel`), not rank, so
 * experts are not flooded with calls anyone could take. Escalation widens the skills a caller may
 * be served by as it waits.
 */

export interface SkillStep {
  /** From this many seconds of waiting on … */
  readonly afterSec: number;
  /** … agents with any of these skills (at `minLevel` or better) may take the call. */
  readonly skills: readonly string[];
  readonly minLevel?: number;
}

export interface RoutingQueue {
  readonly id: string;
  /** Higher is served first when agents are shared between queues. */
  readonly priority: number;
  /** Escalation steps, ordered by `afterSec`; the first must have `afterSec` 0. */
  readonly steps: readonly SkillStep[];
}

export interface WaitingCall {
  readonly callId: string;
  readonly queueId: string;
  /** When the call arrived at the hotline (ms): escalation and KPIs count from arrival. */
  readonly arrivedAt: number;
  /** When it entered the queue (ms): order within equal priority. */
  readonly enqueuedAt: number;
  readonly priority: number;
  /** The agent who served this caller last, if sticky routing applies. */
  readonly stickyAgentId?: string;
}

export interface ReadyAgent {
  readonly agentId: string;
  /** skill → level (1 basic … 10 expert). */
  readonly skills: Readonly<Record<string, number>>;
  /** When the agent became ready (ms): longest idle first. */
  readonly readySince: number;
}

export interface Assignment {
  readonly callId: string;
  readonly agentId: string;
}

/** The skills step in force for a call that has waited `waitedMs`. */
export function activeStep(queue: RoutingQueue, waitedMs: number): SkillStep | undefined {
  let step: SkillStep | undefined;
  for (const candidate of queue.steps) if (waitedMs >= candidate.afterSec * 1000) step = candidate;
  return step;
}

/** The best skill level an agent has for a step, or undefined if not eligible. */
export function eligibleLevel(agent: ReadyAgent, step: SkillStep): number | undefined {
  let best: number | undefined;
  for (const skill of step.skills) {
    const level = agent.skills[skill];
    if (level !== undefined && level >= (step.minLevel ?? 1) && (best === undefined || level > best)) best = level;
  }
  return best;
}

/** The order callers are served in: negative when `a` goes before `b`. */
export function serviceOrder(a: WaitingCall, b: WaitingCall, queues: ReadonlyMap<string, RoutingQueue>): number {
  const queuePriority = (call: WaitingCall) => queues.get(call.queueId)?.priority ?? 0;
  return queuePriority(b) - queuePriority(a) || b.priority - a.priority || a.enqueuedAt - b.enqueuedAt || (a.callId < b.callId ? -1 : a.callId > b.callId ? 1 : 0);
}

/** Callers in the order they are served. */
export function orderCalls(calls: readonly WaitingCall[], queues: ReadonlyMap<string, RoutingQueue>): WaitingCall[] {
  return [...calls].sort((a, b) => serviceOrder(a, b, queues));
}

/**
 * Matches waiting calls with ready agents: each call (in service order) takes its best eligible
 * agent; each agent is used at most once. Returns the assignments to attempt; the caller makes
 * each one atomic (the store's commit) and retries the next round on a conflict.
 */
export function assign(
  calls: readonly WaitingCall[],
  agents: readonly ReadyAgent[],
  queues: ReadonlyMap<string, RoutingQueue>,
  now: number,
): Assignment[] {
  const matcher = createMatcher(agents, queues, now);
  matcher.serve(calls);
  return matcher.assignments;
}

/**
 * The matching of `assign`, fed in parts: `serve` takes callers that all go after the callers
 * served before (in service order), so a router can read the heads of its queues page by page
 * and stop once no agent is left free, with the same result as `assign` over every caller.
 */
export function createMatcher(agents: readonly ReadyAgent[], queues: ReadonlyMap<string, RoutingQueue>, now: number) {
  const free = new Map(agents.map((agent) => [agent.agentId, agent]));
  const assignments: Assignment[] = [];
  return {
    assignments,
    /** Agents not matched yet. */
    free: () => free.size,
    /**
     * Whether an agent not matched yet could take some caller of the queue: one eligible for any
     * of its escalation steps, not only the step of the callers seen so far. A queue lists its
     * callers by caller priority, then entry into the queue, while escalation counts from arrival
     * at the hotline: a caller further down (a lower priority, a longer IVR, a transfer) may have
     * waited longest and be at any step. A sticky agent widens nothing (`pickAgent` takes one only
     * when eligible). False: no caller of the queue, read or not, can be matched from now on (free
     * agents only get fewer), so a router may stop reading it (the expert seats left free while
     * the general queue is long, issue 5).
     */
    mayServe(queueId: string): boolean {
      const queue = queues.get(queueId);
      if (!queue) return false;
      for (const agent of free.values()) {
        if (queue.steps.some((step) => eligibleLevel(agent, step) !== undefined)) return true;
      }
      return false;
    },
    serve(calls: readonly WaitingCall[]): void {
      for (const call of orderCalls(calls, queues)) {
        if (free.size === 0) return;
        const queue = queues.get(call.queueId);
        const step = queue ? activeStep(queue, now - call.arrivedAt) : undefined;
        if (!step) continue;
        const agent = pickAgent(call, free, step);
        if (!agent) continue;
        free.delete(agent.agentId);
        assignments.push({ callId: call.callId, agentId: agent.agentId });
      }
    },
  };
}

function pickAgent(call: WaitingCall, free: ReadonlyMap<string, ReadyAgent>, step: SkillStep): ReadyAgent | undefined {
  const sticky = call.stickyAgentId ? free.get(call.stickyAgentId) : undefined;
  if (sticky && eligibleLevel(sticky, step) !== undefined) return sticky;
  let best: { agent: ReadyAgent; level: number } | undefined;
  for (const agent of free.values()) {
    const level = eligibleLevel(agent, step);
    if (level === undefined) continue;
    if (!best || agent.readySince < best.agent.readySince || (agent.readySince === best.agent.readySince && level > best.level)) {
      best = { agent, level };
    }
  }
  return best?.agent;
}
