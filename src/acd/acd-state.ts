/**
 * The ACD's shared state in the store: agents, waiting calls, and the atomic moves between them.
 * Every move reads the documents it changes and commits with their versions (docs/adr/0003), so
 * with any number of server instances on one store an agent never holds two calls and a call is
 * never offered to two agents. Each move also appends to the `acd:events` stream.
 *
 * Keys: `acd:agent:<id>` (AgentRecord), `acd:agents` (set of ids), `acd:ready` (zset, score =
 * ready since: longest idle first), `acd:staffed:<skill>` (zset of the logged-in agents with that
 * skill, score = level), `acd:call:<id>` (QueuedCall), `acd:queue:<id>` (zset of the waiting calls
 * in service order: score = enqueued at + (9 − caller priority) × 10¹³, see `queueScore`),
 * `acd:queues` (set of queue ids in use), `acd:offered` (set of calls ringing an agent),
 * `acd:events` (stream).
 */
import type { Clock } from '../clock.ts';
import { HotlineError } from '../errors.ts';
import type { Check, Op, Store } from '../store/store.ts';
import { transition, type AgentEvent, type AgentStatus } from './agent-states.ts';
import type { ReadyAgent, WaitingCall } from './routing.ts';

export interface AgentRecord {
  readonly agentId: string;
  /** SIP endpoint of the seat, e.g. "1001". */
  readonly extension: string;
  /** skill → level (1 … 10). */
  readonly skills: Readonly<Record<string, number>>;
  readonly status: AgentStatus;
}

export interface QueuedCall extends WaitingCall {
  /** The server instance that holds the call's media (its Asterisk node). */
  readonly instanceId: string;
  /** The caller's channel on that node (to find the call again after a restart). */
  readonly channelId: string;
  readonly callerNumber: string;
  readonly state: 'waiting' | 'offered';
  readonly agentId?: string;
  /** Set when the caller chose to be called back: the place is kept, the caller's channel is gone (virtual hold). */
  readonly callback?: CallbackRequest;
}

export interface CallbackRequest {
  /** The number to call back (digits only, checked when registered). */
  readonly number: string;
  /** The hotline the citizen called, shown as the caller id of the callback. */
  readonly did: string;
  readonly registeredAt: number;
  /** Attempts made so far. */
  readonly attempts: number;
  /** Not to be routed before this time (ms): the pause after an attempt nobody answered. */
  readonly notBefore?: number;
}

/** Agent events that do not involve a call document (those go through reserve/answer/rona/release). */
export type AgentOnlyEvent = Extract<AgentEvent, { type: 'login' | 'ready' | 'not_ready' | 'end_wrap_up' | 'logout' | 'call_ended' }>;

/**
 * A waiting call's score in its queue's zset: the queue lists its callers in service order
 * (higher caller priority first, then arrival in the queue), so the router reads only the heads.
 * Priorities are 0 … 9 (flows); a call queued before this encoding (score = enqueued at) reads as
 * priority 9, ahead of the others, which only the callers waiting during that upgrade notice.
 */
export function queueScore(call: Pick<WaitingCall, 'enqueuedAt' | 'priority'>): number {
  return call.enqueuedAt + (9 - call.priority) * 1e13;
}

const MAX_ATTEMPTS = 50;
const EVENTS_MAX_LEN = 100_000;

const k = {
  agent: (id: string) => `acd:agent:${id}`,
  agents: 'acd:agents',
  ready: 'acd:ready',
  staffed: (skill: string) => `acd:staffed:${encodeURIComponent(skill)}`,
  call: (id: string) => `acd:call:${id}`,
  queue: (id: string) => `acd:queue:${id}`,
  queues: 'acd:queues',
  offered: 'acd:offered',
  events: 'acd:events',
};

export type AcdState = ReturnType<typeof createAcdState>;

/** Told after an agent's change was committed on this instance (the CTI publishes it to every instance). */
export type AgentChangeListener = (agent: AgentRecord) => void;

export function createAcdState({ store, clock }: { store: Store; clock: Clock }) {
  const listeners = new Set<AgentChangeListener>();
  const changed = (agent: AgentRecord): void => {
    for (const listener of listeners) listener(agent);
  };
  const event = (fields: Record<string, string>): Op => ({ op: 'xadd', key: k.events, fields: { ...fields, at: String(clock.now()) }, maxLen: EVENTS_MAX_LEN });

  /** Ops that keep the ready index in step with an agent's new status. */
  const readyIndex = (agent: AgentRecord): Op =>
    agent.status.state === 'ready'
      ? { op: 'zadd', key: k.ready, member: agent.agentId, score: agent.status.since }
      : { op: 'zrem', key: k.ready, member: agent.agentId };

  /**
   * Ops that keep the per-skill index of logged-in agents in step with an agent's new status and
   * skills (`before`: the record replaced, whose dropped skills leave the index). Written on every
   * agent-only move, not just login and logout, so an index that lacks an agent heals at its next move.
   */
  const staffIndex = (agent: AgentRecord, before: AgentRecord | undefined): Op[] => {
    const on = agent.status.state !== 'logged_out';
    const ops: Op[] = Object.entries(agent.skills).map(([skill, level]): Op =>
      on ? { op: 'zadd', key: k.staffed(skill), member: agent.agentId, score: level } : { op: 'zrem', key: k.staffed(skill), member: agent.agentId },
    );
    for (const skill of Object.keys(before?.skills ?? {})) {
      if (!(skill in agent.skills)) ops.push({ op: 'zrem', key: k.staffed(skill), member: agent.agentId });
    }
    return ops;
  };

  /** Runs `attempt` until its commit wins; `attempt` returns undefined to give up without writing. */
  async function retrying<T>(what: string, attempt: () => Promise<{ checks: Check[]; ops: Op[]; result: T } | { result: T }>): Promise<T> {
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      const plan = await attempt();
      if (!('ops' in plan)) return plan.result;
      if ((await store.commit(plan.checks, plan.ops)).ok) return plan.result;
    }
    throw new HotlineError('STORE_CONFLICT', `${what}: too much contention, try again`);
  }

  async function readAgent(agentId: string) {
    const found = await store.get<AgentRecord>(k.agent(agentId));
    if (!found) throw new HotlineError('NOT_FOUND', `no agent ${agentId}`);
    return found;
  }

  /** Registers or updates an agent's seat and skills (state unchanged; new agents are logged out). */
  async function upsertAgent(agentId: string, seat: { extension: string; skills: Readonly<Record<string, number>> }): Promise<AgentRecord> {
    return retrying('upsert agent', async () => {
      const found = await store.get<AgentRecord>(k.agent(agentId));
      const agent: AgentRecord = {
        agentId,
        extension: seat.extension,
        skills: seat.skills,
        status: found?.value.status ?? { state: 'logged_out', since: clock.now() },
      };
      return {
        checks: [{ key: k.agent(agentId), version: found?.version ?? 0 }],
        ops: [{ op: 'put', key: k.agent(agentId), value: agent }, { op: 'sadd', key: k.agents, member: agentId }, ...staffIndex(agent, found?.value)],
        result: agent,
      };
    });
  }

  /** Applies an agent-only event (login, ready, not ready, end wrap-up, logout, call ended). */
  async function applyAgent(agentId: string, agentEvent: AgentOnlyEvent): Promise<AgentRecord> {
    const agent = await retrying(`agent ${agentEvent.type}`, async () => {
      const found = await readAgent(agentId);
      const agent = { ...found.value, status: transition(found.value.status, agentEvent, clock.now()) };
      return {
        checks: [{ key: k.agent(agentId), version: found.version }],
        ops: [
          { op: 'put', key: k.agent(agentId), value: agent },
          readyIndex(agent),
          ...staffIndex(agent, found.value),
          event({ kind: 'agent', agentId, event: agentEvent.type, state: agent.status.state, reason: agent.status.reason ?? '' }),
        ],
        result: agent,
      };
    });
    changed(agent);
    return agent;
  }

  /** Puts a call in its queue; fails with STORE_CONFLICT if the call is queued already. */
  async function enqueue(call: Omit<QueuedCall, 'state' | 'agentId'>): Promise<void> {
    const queued: QueuedCall = { ...call, state: 'waiting' };
    const result = await store.commit(
      [{ key: k.call(call.callId), version: 0 }],
      [
        { op: 'put', key: k.call(call.callId), value: queued },
        { op: 'zadd', key: k.queue(call.queueId), member: call.callId, score: queueScore(call) },
        { op: 'sadd', key: k.queues, member: call.queueId },
        event({ kind: 'call', callId: call.callId, event: 'enqueued', queueId: call.queueId }),
      ],
    );
    if (!result.ok) throw new HotlineError('STORE_CONFLICT', `call ${call.callId} is queued already`);
  }

  /**
   * Offers `callId` to `agentId` atomically: only if the call is still waiting and the agent still
   * ready. Returns false when either changed meanwhile (someone else won; route again).
   */
  async function reserve(callId: string, agentId: string): Promise<boolean> {
    const [call, agent] = await Promise.all([store.get<QueuedCall>(k.call(callId)), store.get<AgentRecord>(k.agent(agentId))]);
    if (!call || !agent || call.value.state !== 'waiting' || agent.value.status.state !== 'ready') return false;
    const reserved: AgentRecord = { ...agent.value, status: transition(agent.value.status, { type: 'offer', callId }, clock.now()) };
    const offered: QueuedCall = { ...call.value, state: 'offered', agentId };
    const result = await store.commit(
      [{ key: k.call(callId), version: call.version }, { key: k.agent(agentId), version: agent.version }],
      [
        { op: 'put', key: k.agent(agentId), value: reserved },
        { op: 'put', key: k.call(callId), value: offered },
        { op: 'zrem', key: k.ready, member: agentId },
        { op: 'zrem', key: k.queue(call.value.queueId), member: callId },
        { op: 'sadd', key: k.offered, member: callId },
        event({ kind: 'call', callId, event: 'offered', agentId }),
      ],
    );
    if (result.ok) changed(reserved);
    return result.ok;
  }

  /** Moves an offered call and its agent together, checking both still belong to each other. */
  async function settleOffer(
    what: string,
    callId: string,
    agentId: string,
    decide: (call: QueuedCall, agent: AgentRecord) => { call: QueuedCall | null; agent: AgentRecord },
  ): Promise<boolean> {
    let settled: AgentRecord | undefined;
    const ok = await retrying(what, async () => {
      const [call, agent] = await Promise.all([store.get<QueuedCall>(k.call(callId)), store.get<AgentRecord>(k.agent(agentId))]);
      if (!call || !agent || call.value.state !== 'offered' || call.value.agentId !== agentId) return { result: false };
      const next = decide(call.value, agent.value);
      settled = next.agent;
      const callOps: Op[] = next.call
        ? [{ op: 'put', key: k.call(callId), value: next.call }, { op: 'zadd', key: k.queue(next.call.queueId), member: callId, score: queueScore(next.call) }]
        : [{ op: 'del', key: k.call(callId) }];
      return {
        checks: [{ key: k.call(callId), version: call.version }, { key: k.agent(agentId), version: agent.version }],
        ops: [
          { op: 'put', key: k.agent(agentId), value: next.agent },
          readyIndex(next.agent),
          { op: 'srem', key: k.offered, member: callId },
          ...callOps,
          event({ kind: 'call', callId, event: what, agentId }),
        ],
        result: true,
      };
    });
    if (ok && settled) changed(settled);
    return ok;
  }

  /** The agent answered: agent on call, the call leaves the ACD (the call session owns it now). */
  const answered = (callId: string, agentId: string) =>
    settleOffer('answered', callId, agentId, (_call, agent) => ({
      call: null,
      agent: { ...agent, status: transition(agent.status, { type: 'answer' }, clock.now()) },
    }));

  /** Ring-no-answer: the call goes back to the head of its queue (arrival order kept), the agent to not ready. */
  const rona = (callId: string, agentId: string) =>
    settleOffer('rona', callId, agentId, (call, agent) => {
      const { agentId: _offeredTo, ...rest } = call;
      return { call: { ...rest, state: 'waiting' }, agent: { ...agent, status: transition(agent.status, { type: 'rona' }, clock.now()) } };
    });

  /** The offer is taken back through no fault of the agent (e.g. the server restarted while it rang): call to the head, agent ready. */
  const withdrawOffer = (callId: string, agentId: string) =>
    settleOffer('withdrawn', callId, agentId, (call, agent) => {
      const { agentId: _offeredTo, ...rest } = call;
      return { call: { ...rest, state: 'waiting' }, agent: { ...agent, status: transition(agent.status, { type: 'withdraw' }, clock.now()) } };
    });

  /**
   * The call leaves the ACD unanswered: the caller hung up while waiting or ringing (`abandoned`),
   * or the queue gave it back to the IVR (`overflow`). A ringing agent is freed. Returns whether it was queued.
   */
  async function abandon(callId: string, reason: 'abandoned' | 'overflow' = 'abandoned'): Promise<boolean> {
    let freed: AgentRecord | undefined;
    const ok = await retrying('abandon', async () => {
      freed = undefined;
      const call = await store.get<QueuedCall>(k.call(callId));
      if (!call) return { result: false };
      const ops: Op[] = [
        { op: 'del', key: k.call(callId) },
        { op: 'zrem', key: k.queue(call.value.queueId), member: callId },
        { op: 'srem', key: k.offered, member: callId },
        event({ kind: 'call', callId, event: reason }),
      ];
      const checks: Check[] = [{ key: k.call(callId), version: call.version }];
      if (call.value.state === 'offered' && call.value.agentId) {
        const agent = await readAgent(call.value.agentId);
        if (agent.value.status.state === 'reserved' && agent.value.status.callId === callId) {
          freed = { ...agent.value, status: transition(agent.value.status, { type: 'withdraw' }, clock.now()) };
          checks.push({ key: k.agent(freed.agentId), version: agent.version });
          ops.push({ op: 'put', key: k.agent(freed.agentId), value: freed }, readyIndex(freed));
        }
      }
      return { checks, ops, result: true };
    });
    if (ok && freed) changed(freed);
    return ok;
  }

  /**
   * The waiting caller chose a callback: the call keeps its place (same queue, same enqueued time)
   * without a channel. Returns false if the call is no longer waiting (an agent was reserved meanwhile).
   */
  async function registerCallback(callId: string, callback: { number: string; did: string }): Promise<boolean> {
    return retrying('register callback', async () => {
      const found = await store.get<QueuedCall>(k.call(callId));
      if (!found || found.value.state !== 'waiting') return { result: false };
      const call: QueuedCall = { ...found.value, channelId: '', callback: { ...callback, registeredAt: clock.now(), attempts: 0 } };
      return {
        checks: [{ key: k.call(callId), version: found.version }],
        ops: [{ op: 'put', key: k.call(callId), value: call }, event({ kind: 'call', callId, event: 'callback-registered', queueId: call.queueId })],
        result: true,
      };
    });
  }

  /**
   * A callback attempt did not reach the citizen: the agent is ready again (no fault of theirs) and
   * the call waits at its place until `retryAt`, or leaves the ACD when `retryAt` is null (given up).
   */
  const callbackFailed = (callId: string, agentId: string, retryAt: number | null) =>
    settleOffer(retryAt === null ? 'callback-given-up' : 'callback-retry', callId, agentId, (call, agent) => {
      const { agentId: _offeredTo, ...rest } = call;
      const attempts = (call.callback?.attempts ?? 0) + 1;
      return {
        call: retryAt === null || !call.callback ? null : { ...rest, state: 'waiting', callback: { ...call.callback, attempts, notBefore: retryAt } },
        agent: { ...agent, status: transition(agent.status, { type: 'withdraw' }, clock.now()) },
      };
    });

  /** Every waiting call of every queue (for the router). */
  async function waitingCalls(): Promise<QueuedCall[]> {
    const queueIds = await store.smembers(k.queues);
    const ids = (await Promise.all(queueIds.map((q) => store.zrangeByScore(k.queue(q), -Infinity, Infinity)))).flat().map((e) => e.member);
    const docs = await store.getMany<QueuedCall>(ids.map(k.call));
    return docs.flatMap((doc) => (doc && doc.value.state === 'waiting' ? [doc.value] : []));
  }

  /** The queues that have had callers (for the router). */
  const queueIds = (): Promise<string[]> => store.smembers(k.queues);

  /**
   * Up to `count` callers of a queue from the `offset`-th in service order (for the router, which
   * reads the heads of its queues): `listed` is how many the queue listed (fewer than `count`: the
   * queue has no more), `calls` those still waiting, in service order.
   */
  async function waitingPage(queueId: string, offset: number, count: number): Promise<{ listed: number; calls: QueuedCall[] }> {
    const entries = await store.zrangeByScore(k.queue(queueId), -Infinity, Infinity, { offset, count });
    const docs = await store.getMany<QueuedCall>(entries.map((e) => k.call(e.member)));
    return { listed: entries.length, calls: docs.flatMap((doc) => (doc && doc.value.state === 'waiting' ? [doc.value] : [])) };
  }

  /** How many calls wait in a queue (booked callbacks included: they hold a place). One store read. */
  const waitingCount = (queueId: string): Promise<number> => store.zcard(k.queue(queueId));

  /** Calls waiting or ringing whose media `instanceId` holds (to adopt them again after a restart). */
  async function callsOf(instanceId: string): Promise<QueuedCall[]> {
    const offered = await store.smembers(k.offered);
    const docs = await store.getMany<QueuedCall>(offered.map(k.call));
    const ringing = docs.flatMap((doc) => (doc && doc.value.state === 'offered' ? [doc.value] : []));
    return [...(await waitingCalls()), ...ringing].filter((call) => call.instanceId === instanceId);
  }

  /** Ready agents, longest idle first (for the router). */
  async function readyAgents(): Promise<ReadyAgent[]> {
    const ids = (await store.zrangeByScore(k.ready, -Infinity, Infinity)).map((e) => e.member);
    const docs = await store.getMany<AgentRecord>(ids.map(k.agent));
    return docs.flatMap((doc) =>
      doc && doc.value.status.state === 'ready' ? [{ agentId: doc.value.agentId, skills: doc.value.skills, readySince: doc.value.status.since }] : [],
    );
  }

  /** How many callers wait ahead of `callId` in its queue (served before it: higher priority, or as high and enqueued earlier); null if not waiting. */
  async function callsAhead(callId: string): Promise<number | null> {
    const found = await store.get<QueuedCall>(k.call(callId));
    if (!found || found.value.state !== 'waiting') return null;
    return (await store.zrangeByScore(k.queue(found.value.queueId), -Infinity, queueScore(found.value) - 1)).length;
  }

  /**
   * Whether an agent with any of `skills` is logged in (any state but logged out): queue admission's
   * "could anyone ever take this call". Reads the per-skill index (one ZCARD per skill); only when it
   * finds nobody does it confirm with every agent's document, so agents logged in before the index
   * existed still count.
   */
  async function anyLoggedIn(skills: readonly string[]): Promise<boolean> {
    if (skills.length === 0) return false;
    const counts = await Promise.all(skills.map((skill) => store.zcard(k.staffed(skill))));
    if (counts.some((count) => count > 0)) return true;
    const wanted = new Set(skills);
    return (await allAgents()).some((a) => a.status.state !== 'logged_out' && Object.keys(a.skills).some((skill) => wanted.has(skill)));
  }

  /** Every registered agent, in no particular order. */
  async function allAgents(): Promise<AgentRecord[]> {
    const ids = await store.smembers(k.agents);
    return (await store.getMany<AgentRecord>(ids.map(k.agent))).flatMap((doc) => (doc ? [doc.value] : []));
  }

  async function agent(agentId: string): Promise<AgentRecord | null> {
    return (await store.get<AgentRecord>(k.agent(agentId)))?.value ?? null;
  }

  async function call(callId: string): Promise<QueuedCall | null> {
    return (await store.get<QueuedCall>(k.call(callId)))?.value ?? null;
  }

  return {
    upsertAgent, applyAgent, enqueue, reserve, answered, rona, withdrawOffer, abandon, registerCallback, callbackFailed, waitingCalls, waitingCount, callsOf, readyAgents, allAgents,
    anyLoggedIn, queueIds, waitingPage,
    callsAhead, agent, call,
    eventsKey: k.events,
    /** Registers a listener for agent changes committed by this instance; returns its removal. */
    onAgentChange(listener: AgentChangeListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
