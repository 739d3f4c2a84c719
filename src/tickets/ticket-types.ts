/**
 * The ticket record and the inputs of the ticket service. Field names follow the glossary of
 * docs (hotline-domain.md); times are ms since the epoch.
 */
import type { Duration } from './deadlines.ts';
import type { CallbackOutcome } from './kpis.ts';
import type { Actor, TicketAction, TicketState } from './ticket-states.ts';

export const channels = ['phone', 'web', 'sms', 'mailbox'] as const;
export type Channel = (typeof channels)[number];

export interface Caller {
  readonly name?: string;
  /** Digits, optionally with a leading +. */
  readonly phone: string;
  readonly address?: string;
}

export interface TicketDeadlines {
  /** When the clock for sign-for and handling started (dispatch, or re-handling after a bad rating). */
  readonly startedAt: number | null;
  readonly signForDueAt: number | null;
  readonly returnDueAt: number | null;
  readonly handleDueAt: number | null;
  readonly callbackDueAt: number | null;
}

export interface Ticket {
  readonly id: string;
  readonly state: TicketState;
  readonly channel: Channel;
  readonly caller: Caller;
  readonly content: string;
  readonly category: string;
  readonly urgency: string;
  readonly confidential: boolean;
  readonly matterType: string | null;
  readonly leadUnit: string | null;
  readonly assistingUnits: readonly string[];
  readonly callIds: readonly string[];
  readonly recordingIds: readonly string[];
  /** Duplicates joined to this ticket. */
  readonly mergedIds: readonly string[];
  /** The first ticket this duplicate was joined to. */
  readonly mergedInto: string | null;
  readonly publicReply: string | null;
  readonly deadlines: TicketDeadlines;
  /** Bumped whenever the deadlines change, so stale scheduler timers are ignored. */
  readonly timerGeneration: number;
  readonly returnsApproved: number;
  readonly returnReason: string | null;
  readonly extensionPending: { readonly duration: Duration; readonly reason: string } | null;
  readonly extensionsGranted: readonly Duration[];
  readonly urgeCount: number;
  readonly superviseCount: number;
  readonly callbackAttempts: number;
  readonly callbackOutcome: CallbackOutcome | null;
  readonly dissatisfiedPending: boolean;
  readonly badRatingReasonable: boolean;
  readonly rectified: boolean;
  readonly directAnswered: boolean;
  readonly createdAt: number;
  readonly createdBy: string;
  readonly updatedAt: number;
  readonly repliedAt: number | null;
  readonly closedAt: number | null;
}

/** What intake supplies (any channel). */
export interface CreateTicketInput {
  readonly channel: Channel;
  readonly caller: Caller;
  readonly content: string;
  readonly category: string;
  readonly urgency: string;
  readonly confidential?: boolean;
  readonly matterType?: string;
  readonly callId?: string;
  readonly recordingId?: string;
}

/** Extra data some actions take. */
export interface ActionInput {
  readonly reason?: string;
  /** dispatch: the lead unit (else the catalogue's unit for the matter type); add_unit: the assisting unit. */
  readonly unit?: string;
  /** reply / direct_answer: the public reply text. */
  readonly reply?: string;
  /** callback_satisfied: 满意 or 基本满意. */
  readonly outcome?: 'satisfied' | 'basically_satisfied';
  /** merge_into: the first ticket; merge is done through merge_into on the duplicate. */
  readonly into?: string;
  /** request_extension: how much more time. */
  readonly extension?: Duration;
  /** link_call: a call and/or recording about this ticket. */
  readonly callId?: string;
  readonly recordingId?: string;
}

/** Who acts: a user (with roles) or the server itself. */
export interface TicketActor {
  readonly username: string;
  readonly roles: readonly Actor[];
  /**
   * Set for users acting through the API: a department user's unit (null when the user has none).
   * Then department-only actions are allowed only on tickets dispatched to that unit (lead or
   * assisting). Left out only by trusted internal callers (the scheduler, the IVR intake, tests).
   */
  readonly unit?: string | null;
}

/** One entry of a ticket's audit trail: who, when, from, to, why. */
export interface AuditEntry {
  readonly id: string;
  readonly at: number;
  readonly by: string;
  readonly action: TicketAction | 'create';
  readonly from: TicketState | null;
  readonly to: TicketState;
  readonly reason: string | null;
  readonly details: Readonly<Record<string, unknown>>;
}
