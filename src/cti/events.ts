/**
 * The events the server publishes on CTI topics, by name, with the shape of their `data`
 * (docs/cti-protocol.md shows examples). `EventBus.publish` is typed by this map, so a publisher
 * cannot misspell a name or forget a field.
 */
import type { AgentState } from '../acd/agent-states.ts';

/** One step of the caller's way through the IVR. */
export interface IvrStep {
  readonly node: string;
  /** Keys pressed at this step, if any. */
  readonly input?: string;
}

/** A ticket shown in the screen pop. */
export interface TicketSummary {
  readonly ticketId: string;
  readonly status: string;
  readonly category: string;
  readonly summary: string;
  readonly createdAt: number;
}

export interface EventMap {
  /** An agent's state changed (topic `agent:<username>`; on `supervisor` the bus batches it into `agents.state`). */
  'agent.state': {
    readonly username: string;
    readonly state: AgentState;
    readonly since: number;
    readonly reason?: string;
    readonly callId?: string;
  };
  /**
   * Agents' states for supervisor consoles, batched (topic `supervisor`): the agents whose state
   * changed since the previous batch, the latest state of each.
   */
  'agents.state': {
    readonly agents: ReadonlyArray<EventMap['agent.state']>;
  };
  /** A call rings for the agent, with the ticket context of the screen pop (topic `agent:<username>`). */
  'call.offer': {
    readonly callId: string;
    readonly caller: string;
    /** The hotline number dialled (12345, 12328, 12360 …). */
    readonly did: string;
    readonly queueId: string;
    /** Time since the call arrived, ms (the 15-second clock runs from arrival). */
    readonly waitingMs: number;
    readonly ivr: readonly IvrStep[];
    /** Earlier calls of this number, newest first. */
    readonly history: ReadonlyArray<{ readonly callId: string; readonly at: number; readonly ticketId?: string }>;
    readonly openTickets: readonly TicketSummary[];
    /** The offer is withdrawn (RONA) after this long, ms. */
    readonly ringTimeoutMs: number;
    /** A callback the caller booked (virtual hold): that call's id. The citizen is called once the agent answers. */
    readonly callbackOf?: string;
  };
  /**
   * The call in hand moved on: answered, held, resumed, joined by a third party … Transfers
   * (docs/transfers.md): `transferring` (the target rings), `consulting` (agent and expert talk,
   * the caller on hold), `conference` (all three), `consult-failed` (back to the caller; `reason`
   * says why), `transferred` (to the expert: the caller is yours now, `consultId` was the consult).
   */
  'call.progress': {
    readonly callId: string;
    readonly status: 'ringing' | 'answered' | 'held' | 'resumed' | 'conference' | 'transferring' | 'consulting' | 'consult-failed' | 'transferred';
    /** Why a consult or transfer failed: `busy` (no expert free), `no-answer`, `declined`, `failed`, `expert-left`. */
    readonly reason?: string;
    /** With `transferred`: the consult call the expert answered. */
    readonly consultId?: string;
  };
  'call.ended': {
    readonly callId: string;
    readonly cause: 'caller_hangup' | 'agent_hangup' | 'transferred' | 'declined' | 'no_answer' | 'failed' | 'dropped';
  };
  /**
   * A supervision session moved on (topic `agent:<supervisor>`): the supervisor's phone rings, the
   * mode changed (monitor, whisper, barge, takeOver), or the session ended and why.
   */
  'supervision.state': {
    readonly sessionId: string;
    readonly callId: string;
    /** The agent whose call is supervised. */
    readonly agentId: string;
    readonly mode: 'ringing' | 'monitor' | 'whisper' | 'barge' | 'takeOver';
    readonly ended: boolean;
    readonly reason?: 'left' | 'supervisor_hangup' | 'caller_hangup' | 'agent_hangup' | 'transferred' | 'no_answer' | 'failed' | 'shutdown';
  };
  /** Live figures of one queue (coalesced: latest value wins). */
  'queue.stats': {
    readonly queueId: string;
    readonly waiting: number;
    readonly longestWaitMs: number;
    readonly agentsReady: number;
    readonly agentsBusy: number;
    /** Share of today's offered calls answered within 15 s; null before the first call of the day. */
    readonly serviceLevel15s: number | null;
  };
  /** Every queue's live figures in one event, for the `supervisor` topic (coalesced: latest value wins). */
  'queues.stats': {
    readonly queues: ReadonlyArray<EventMap['queue.stats']>;
  };
  /** Whole-centre figures for the wallboard (coalesced: latest value wins). */
  wallboard: {
    readonly waiting: number;
    readonly answeredToday: number;
    readonly abandonedToday: number;
    readonly agentsLoggedIn: number;
    readonly serviceLevel15s: number | null;
  };
}

export type EventName = keyof EventMap;

/** An event as stored and delivered. */
export interface BusEvent {
  readonly id: string;
  readonly topic: string;
  readonly name: string;
  readonly data: Readonly<Record<string, unknown>>;
  /** Publication time, ms since the epoch (the publisher's clock). */
  readonly at: number;
}

/** Sent by the gateway, never published: the client's position is gone; refetch state over REST. */
export interface ResyncData {
  readonly reason: 'retention' | 'backlog_too_long';
}
