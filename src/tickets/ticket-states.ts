/**
 * The ticket (工单) state machine: one transition table, one `transition()`.
 *
 * ```
 * registered ─direct_answer─► direct_answered ─close─► closed ─archive─► archived
 *     ├─not_accept─► not_accepted ─archive─► archived
 *     ├─merge_into─► closed            (a duplicate joins the first ticket; also from pending_dispatch, dispatched)
 *     └─queue_dispatch─► pending_dispatch ─dispatch─► dispatched ─sign─► signed ─start─► in_progress ─reply─► replied
 *                              ▲                         │                 │                ▲   │              │
 *                              └───── approve_return ────┴─request_return─►return_requested │   │  review      │ reject_reply
 *                                     (reject_return ─► signed)                              │   │  ▼           ▼ (重办)
 *                                                                                            │  reviewed      in_progress
 *                                                                                            │   │start_callback
 *                                                                                            │   ▼
 *   callback ─callback_satisfied (满意/基本满意)─► closed      callback ─callback_unreachable─► callback (retry later)
 *   callback ─callback_dissatisfied (不满意)─► callback ─verify_reasonable─► in_progress (+ supervise)
 *                                                        └─verify_unreasonable─► closed
 *
 * actions that keep the state (dispatched, signed, in_progress unless noted):
 *   request_extension / approve_extension / reject_extension (signed, in_progress)
 *   urge (dispatched, signed, in_progress), supervise (also replied, callback)
 *   merge (absorbs a duplicate; any open state), add_unit, link_call (a call or recording about it; any but archived)
 * ```
 * After three approved returns the hotline assigns the unit (`dispatch` again) and
 * `request_return` is refused with TICKET_RETURN_LIMIT.
 */
import { HotlineError } from '../errors.ts';

export const ticketStates = [
  'registered', 'direct_answered', 'not_accepted', 'pending_dispatch', 'dispatched', 'signed', 'return_requested',
  'in_progress', 'replied', 'reviewed', 'callback', 'closed', 'archived',
] as const;
export type TicketState = (typeof ticketStates)[number];

/** Who makes a move: the four user roles plus the server itself (scheduler). */
export type Actor = 'agent' | 'department' | 'supervisor' | 'admin' | 'system';

export const ticketActions = [
  'direct_answer', 'not_accept', 'queue_dispatch', 'dispatch', 'sign', 'request_return', 'approve_return',
  'reject_return', 'start', 'reply', 'review', 'reject_reply', 'start_callback', 'callback_satisfied',
  'callback_unreachable', 'callback_dissatisfied', 'verify_reasonable', 'verify_unreasonable', 'close', 'archive',
  'merge_into', 'request_extension', 'approve_extension', 'reject_extension', 'urge', 'supervise', 'merge', 'add_unit',
  'link_call',
] as const;
export type TicketAction = (typeof ticketActions)[number];

/** Facts about the ticket that some moves depend on (guards). */
export interface TransitionFacts {
  /** Returns approved so far (failed dispatches). */
  readonly returnsApproved: number;
  /** An extension request awaits a decision. */
  readonly extensionPending: boolean;
  /** A 不满意 callback outcome awaits verification. */
  readonly dissatisfiedPending: boolean;
  /** The handling deadline (ms since epoch), if set. */
  readonly handleDueAt: number | null;
  /** Now (ms since epoch). */
  readonly now: number;
}

/** How many approved returns before the hotline assigns the unit for good. */
export const MAX_RETURNS = 3;

interface Move {
  readonly from: readonly TicketState[];
  /** Next state; `null` keeps the current state (an action on the ticket). */
  readonly to: TicketState | null;
  readonly actors: readonly Actor[];
  /** A reason (why) must be given. */
  readonly needsReason?: boolean;
  /** Extra condition; returns the refusal or null. */
  readonly guard?: (facts: TransitionFacts) => HotlineError | null;
}

const open: readonly TicketState[] = ['registered', 'pending_dispatch', 'dispatched', 'signed', 'return_requested', 'in_progress', 'replied', 'reviewed', 'callback'];
const handling: readonly TicketState[] = ['signed', 'in_progress'];
const hotline: readonly Actor[] = ['agent', 'supervisor'];

/** The one transition table: action → allowed source states, target, actors. */
export const transitionTable: Readonly<Record<TicketAction, Move>> = {
  direct_answer: { from: ['registered'], to: 'direct_answered', actors: ['agent'] },
  not_accept: { from: ['registered'], to: 'not_accepted', actors: ['agent'], needsReason: true },
  queue_dispatch: { from: ['registered'], to: 'pending_dispatch', actors: ['agent'] },
  dispatch: { from: ['pending_dispatch'], to: 'dispatched', actors: ['agent', 'supervisor', 'system'] },
  sign: { from: ['dispatched'], to: 'signed', actors: ['department'] },
  request_return: {
    from: ['dispatched', 'signed'], to: 'return_requested', actors: ['department'], needsReason: true,
    guard: (f) => (f.returnsApproved >= MAX_RETURNS
      ? new HotlineError('TICKET_RETURN_LIMIT', `returned ${f.returnsApproved} times: the hotline has assigned this unit`)
      : null),
  },
  approve_return: { from: ['return_requested'], to: 'pending_dispatch', actors: hotline },
  reject_return: { from: ['return_requested'], to: 'signed', actors: hotline, needsReason: true },
  start: { from: ['signed'], to: 'in_progress', actors: ['department'] },
  reply: { from: ['in_progress'], to: 'replied', actors: ['department'] },
  review: { from: ['replied'], to: 'reviewed', actors: ['supervisor'] },
  reject_reply: { from: ['replied'], to: 'in_progress', actors: ['supervisor'], needsReason: true },
  start_callback: { from: ['reviewed'], to: 'callback', actors: ['agent', 'supervisor', 'system'] },
  callback_satisfied: { from: ['callback'], to: 'closed', actors: ['agent'], guard: noDissatisfied },
  callback_unreachable: { from: ['callback'], to: null, actors: ['agent'], guard: noDissatisfied },
  callback_dissatisfied: { from: ['callback'], to: null, actors: ['agent'], guard: noDissatisfied },
  verify_reasonable: { from: ['callback'], to: 'in_progress', actors: ['supervisor'], needsReason: true, guard: dissatisfied },
  verify_unreasonable: { from: ['callback'], to: 'closed', actors: ['supervisor'], needsReason: true, guard: dissatisfied },
  close: { from: ['direct_answered'], to: 'closed', actors: ['agent', 'system'] },
  archive: { from: ['closed', 'not_accepted'], to: 'archived', actors: ['admin', 'system'] },
  merge_into: { from: ['registered', 'pending_dispatch', 'dispatched'], to: 'closed', actors: ['agent', 'supervisor'] },
  request_extension: {
    from: handling, to: null, actors: ['department'], needsReason: true,
    guard: (f) => (f.extensionPending
      ? new HotlineError('TICKET_EXTENSION_REFUSED', 'an extension request already awaits a decision')
      : f.handleDueAt !== null && f.now >= f.handleDueAt
        ? new HotlineError('TICKET_EXTENSION_REFUSED', 'the handling deadline has passed: extensions are requested before it')
        : null),
  },
  approve_extension: { from: handling, to: null, actors: hotline, guard: extensionPending },
  reject_extension: { from: handling, to: null, actors: hotline, needsReason: true, guard: extensionPending },
  urge: { from: ['dispatched', 'signed', 'in_progress'], to: null, actors: ['supervisor', 'system'] },
  supervise: { from: ['dispatched', 'signed', 'in_progress', 'replied', 'callback'], to: null, actors: ['supervisor', 'system'], needsReason: true },
  merge: { from: open, to: null, actors: ['agent', 'supervisor'] },
  add_unit: { from: ['pending_dispatch', 'dispatched', 'signed', 'in_progress'], to: null, actors: hotline },
  link_call: { from: ticketStates.filter((s) => s !== 'archived'), to: null, actors: ['agent', 'system'] },
};

function noDissatisfied(f: TransitionFacts): HotlineError | null {
  return f.dissatisfiedPending ? bad('a 不满意 outcome awaits verification by a supervisor') : null;
}
function dissatisfied(f: TransitionFacts): HotlineError | null {
  return f.dissatisfiedPending ? null : bad('no 不满意 outcome awaits verification');
}
function extensionPending(f: TransitionFacts): HotlineError | null {
  return f.extensionPending ? null : new HotlineError('TICKET_EXTENSION_REFUSED', 'no extension request awaits a decision');
}
function bad(message: string): HotlineError {
  return new HotlineError('TICKET_BAD_TRANSITION', message);
}

export function isTicketAction(value: unknown): value is TicketAction {
  return typeof value === 'string' && Object.hasOwn(transitionTable, value);
}

/** Whether `action` is allowed from `state` by the table alone (no role, no guard). */
export function canTransition(state: TicketState, action: TicketAction): boolean {
  return transitionTable[action].from.includes(state);
}

/** Actions the table allows from `state` (for UIs: which buttons to show). */
export function actionsFrom(state: TicketState): TicketAction[] {
  return ticketActions.filter((action) => canTransition(state, action));
}

export interface TransitionRequest {
  readonly state: TicketState;
  readonly action: TicketAction;
  /** The roles of whoever asks; one allowed actor suffices. */
  readonly actors: readonly Actor[];
  readonly facts: TransitionFacts;
  readonly reason?: string;
}

/**
 * Checks a move against the table and returns the next state. Throws TICKET_BAD_TRANSITION (409)
 * when the table does not allow it from this state or a guard refuses, TICKET_FORBIDDEN_ACTION
 * (403) when no given actor may make it, TICKET_INVALID when a required reason is missing, and the
 * guard's own code (TICKET_RETURN_LIMIT, TICKET_EXTENSION_REFUSED) otherwise.
 */
export function transition(request: TransitionRequest): TicketState {
  const { state, action } = request;
  const move = transitionTable[action];
  if (!move.from.includes(state)) {
    throw new HotlineError('TICKET_BAD_TRANSITION', `cannot ${action} a ticket that is ${state}`, { state, action });
  }
  if (!request.actors.some((actor) => move.actors.includes(actor))) {
    throw new HotlineError('TICKET_FORBIDDEN_ACTION', `${action} needs one of: ${move.actors.join(', ')}`, { action, allowed: move.actors });
  }
  if (move.needsReason && !request.reason?.trim()) {
    throw new HotlineError('TICKET_INVALID', `${action} needs a reason`, { action });
  }
  const refusal = move.guard?.(request.facts);
  if (refusal) throw refusal;
  return move.to ?? state;
}
