/**
 * The agent's state machine: one table, one `transition()`.
 *
 * ```
 *              login                      offer                answer
 * logged_out ─────────► ready ◄────────► reserved ─────────────► on_call
 *     ▲                 │  ▲  withdraw (caller gone)  │ rona          │ call ended
 *     │ logout          │  │                          ▼               ▼
 *     ├──────────── not_ready(reason) ◄─────────── (no answer)     wrap_up
 *     │                 ▲  │ ready                                 │  │ end wrap-up / timer
 *     │                 │  └──────────────────────────────────────────►  ready
 *     └─────────────────┴────────── not_ready / logout ◄─────────────┘
 * ```
 * A ring that is not answered in time (RONA) puts the agent to not_ready("no_answer"), so a
 * phone left unattended stops receiving calls. Pause reasons are configuration.
 */
import { HotlineError } from '../errors.ts';

export type AgentState = 'logged_out' | 'ready' | 'not_ready' | 'reserved' | 'on_call' | 'wrap_up';

export type AgentEvent =
  | { readonly type: 'login'; readonly ready: boolean }
  | { readonly type: 'ready' }
  | { readonly type: 'not_ready'; readonly reason: string }
  | { readonly type: 'offer'; readonly callId: string }
  | { readonly type: 'answer' }
  | { readonly type: 'rona' }
  | { readonly type: 'withdraw' }
  | { readonly type: 'call_ended' }
  | { readonly type: 'end_wrap_up' }
  | { readonly type: 'logout' };

export interface AgentStatus {
  readonly state: AgentState;
  /** When the agent entered this state (ms since epoch): "time in state", longest idle. */
  readonly since: number;
  /** Why not ready (a configured pause reason, or `no_answer` after RONA). */
  readonly reason?: string;
  /** The call offered or in hand (reserved, on_call, wrap_up). */
  readonly callId?: string;
}

const table: Readonly<Record<AgentEvent['type'], readonly AgentState[]>> = {
  login: ['logged_out'],
  ready: ['not_ready', 'wrap_up'],
  not_ready: ['ready', 'not_ready', 'wrap_up'],
  offer: ['ready'],
  answer: ['reserved'],
  rona: ['reserved'],
  withdraw: ['reserved'],
  call_ended: ['on_call'],
  end_wrap_up: ['wrap_up'],
  logout: ['ready', 'not_ready', 'wrap_up'],
};

/** Whether `event` may happen in `state` (the table above). */
export function canTransition(state: AgentState, event: AgentEvent['type']): boolean {
  return table[event].includes(state);
}

/** The status after `event`, or AGENT_BAD_TRANSITION. `now` stamps `since`. */
export function transition(status: AgentStatus, event: AgentEvent, now: number): AgentStatus {
  if (!canTransition(status.state, event.type)) {
    throw new HotlineError('AGENT_BAD_TRANSITION', `an agent who is ${status.state} cannot ${event.type.replace('_', ' ')}`, {
      state: status.state,
      event: event.type,
    });
  }
  switch (event.type) {
    case 'login':
      return event.ready ? { state: 'ready', since: now } : { state: 'not_ready', since: now, reason: 'login' };
    case 'ready':
    case 'withdraw':
    case 'end_wrap_up':
      return { state: 'ready', since: now };
    case 'not_ready':
      return { state: 'not_ready', since: now, reason: event.reason };
    case 'offer':
      return { state: 'reserved', since: now, callId: event.callId };
    case 'answer':
      return { state: 'on_call', since: now, ...(status.callId ? { callId: status.callId } : {}) };
    case 'rona':
      return { state: 'not_ready', since: now, reason: 'no_answer' };
    case 'call_ended':
      return { state: 'wrap_up', since: now, ...(status.callId ? { callId: status.callId } : {}) };
    case 'logout':
      return { state: 'logged_out', since: now };
  }
}
