/**
 * The transfer state machine of one connected call: one table, one `transition()` (pure; the shell
 * that moves channels and bridges is src/acd/transfer-desk.ts, the diagrams are in docs/transfers.md).
 *
 * ```
 *            consult / blind (target rings; caller on hold with music, agent in the consult bridge)
 *   (none) ───────────────────────────► ringing
 *     ▲  ▲  failed (busy, no answer,     │  │ answered, blind ──► hand-over: caller + target go on
 *     │  │  declined) / cancel           │  │
 *     │  └─── back-to-caller ◄───────────┘  │ answered, consult
 *     │                                     ▼
 *     │  cancel / target left         consulting (agent ↔ target privately)
 *     ├──── back-to-caller ◄─────────────┤  │ conference
 *     │                                  │  ▼
 *     │  cancel / target left         conference (all three)
 *     └──── two-way ◄────────────────────┤
 *                                        │ complete / agent left (from consulting or conference)
 *                                        └──► hand-over: the agent leaves, caller + target go on
 *   caller left (any state) ──► end-call: the target is hung up, the call ends
 *   agent left while a consult rings ──► agent-gone: the ring stops, the call ends like an agent hang-up
 *   agent left while a blind transfer rings ──► unattended (release-agent: the agent wraps up, the
 *       caller keeps the music) ──► answered: hand-over │ failed: requeue (back to the queue the
 *       call came from, at its head) │ caller left: end-call
 * ```
 * `blind` transfers (to a number or an expert skill, and the emergency hand-off) ring the target
 * the same way and hand over as soon as it answers; until then the agent can still cancel, and a
 * target that is not reached gives the caller back to the agent (recall) — or, once the agent has
 * hung up, back to the queue.
 */
import { HotlineError } from '../errors.ts';

export type TransferState = 'ringing' | 'unattended' | 'consulting' | 'conference' | 'ended';
export type TransferMode = 'consult' | 'blind';

/** Why a target was not reached, or why a consult ended early (the agent is told). */
export type ConsultFailure = 'busy' | 'no-answer' | 'declined' | 'failed';

export type TransferEvent =
  | { readonly type: 'answered' }
  | { readonly type: 'failed'; readonly reason: ConsultFailure }
  | { readonly type: 'conference' }
  | { readonly type: 'complete' }
  | { readonly type: 'cancel' }
  | { readonly type: 'target_left' }
  | { readonly type: 'agent_left' }
  | { readonly type: 'caller_left' };

/** What the shell does after a move. */
export type TransferAction =
  /** The target joins the agent in the consult bridge. */
  | 'join-consult'
  /** Agent and target join the caller in the call's bridge; the music stops. */
  | 'conference'
  /** The target takes the agent's place (queue service `handOver`); the agent leg is hung up. */
  | 'hand-over'
  /** The target is hung up (or its ring stopped); the agent is back with the caller, the music stops. */
  | 'back-to-caller'
  /** The target is hung up (or left); caller and agent go on in the call's bridge. */
  | 'two-way'
  /** The caller hung up: the target is hung up and the call ends. */
  | 'end-call'
  /** The agent hung up while the target rang: the ring stops, the call ends like an agent hang-up. */
  | 'agent-gone'
  /** The agent hung up while a blind transfer's target rang: the agent wraps up, the target keeps ringing for the caller. */
  | 'release-agent'
  /** A blind transfer the agent left was not reached: the caller goes back to the queue the call came from. */
  | 'requeue';

/** Pseudo-queue of the ACD documents that reserve expert agents for consults (the router never routes it). */
export const CONSULT_QUEUE = 'consult';

/** Ids of a transfer's legs and bridge (`n` counts the transfers of the instance): the reconcile reads them back after a restart. */
export const transferIds = (callId: string, n: number) => ({
  consultId: `${callId}-cs${n}`,
  targetChannelId: `xfer-${callId}-${n}`,
  consultBridgeId: `consult-${callId}-${n}`,
});

/** The call id and number of a transfer's target leg (`xfer-<callId>-<n>`) or consult bridge (`consult-<callId>-<n>`). */
export function parseTransferId(id: string): { callId: string; n: number } | null {
  const m = /^(?:xfer|consult)-(.+)-(\d{1,9})$/.exec(id);
  return m ? { callId: m[1]!, n: Number(m[2]) } : null;
}

type Move = readonly [TransferState, TransferAction];

const table: Readonly<Record<Exclude<TransferState, 'ended'>, Partial<Record<TransferEvent['type'], Move | ((mode: TransferMode) => Move)>>>> = {
  ringing: {
    answered: (mode) => (mode === 'blind' ? ['ended', 'hand-over'] : ['consulting', 'join-consult']),
    failed: ['ended', 'back-to-caller'],
    cancel: ['ended', 'back-to-caller'],
    agent_left: (mode) => (mode === 'blind' ? ['unattended', 'release-agent'] : ['ended', 'agent-gone']),
    caller_left: ['ended', 'end-call'],
  },
  unattended: {
    answered: ['ended', 'hand-over'],
    failed: ['ended', 'requeue'],
    caller_left: ['ended', 'end-call'],
  },
  consulting: {
    conference: ['conference', 'conference'],
    complete: ['ended', 'hand-over'],
    cancel: ['ended', 'back-to-caller'],
    target_left: ['ended', 'back-to-caller'],
    agent_left: ['ended', 'hand-over'],
    caller_left: ['ended', 'end-call'],
  },
  conference: {
    complete: ['ended', 'hand-over'],
    agent_left: ['ended', 'hand-over'],
    cancel: ['ended', 'two-way'],
    target_left: ['ended', 'two-way'],
    caller_left: ['ended', 'end-call'],
  },
};

/** Whether `event` may happen in `state`. */
export function canTransfer(state: TransferState, event: TransferEvent['type']): boolean {
  return state !== 'ended' && table[state][event] !== undefined;
}

/** The state after `event` and what to do, or TRANSFER_BAD_STATE. */
export function transferTransition(state: TransferState, mode: TransferMode, event: TransferEvent): { state: TransferState; action: TransferAction } {
  const move = state === 'ended' ? undefined : table[state][event.type];
  if (!move) {
    throw new HotlineError('TRANSFER_BAD_STATE', `a transfer that is ${state} cannot ${event.type.replace('_', ' ')}`, { state, event: event.type });
  }
  const [next, action] = typeof move === 'function' ? move(mode) : move;
  return { state: next, action };
}
