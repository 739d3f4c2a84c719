/**
 * What the live-call IVR runtime needs from the rest of the hotline, as small interfaces the
 * composition root fills in: ticket intake (the ticket service), queue entry (the ACD), transfers,
 * and HTTP lookups. The runtime never imports those services; tests and the server pass real
 * implementations (see intake-stream.ts and holding-queue.ts for the ones used until the ticket
 * service and the ACD land).
 */

/** What the IVR files as a ticket (a suggestion left with the feedback key, …). */
export interface IvrTicketFields {
  /** The call (its channel id) and the flow request, together an idempotency key. */
  readonly callId: string;
  readonly requestId: string;
  readonly flowId: string;
  /** The flow version hash the call ran. */
  readonly flowVersion: string;
  readonly did: string | undefined;
  /** Caller number as the trunk sent it, filtered to digits and `+` (caller data). */
  readonly callerNumber: string;
  readonly category: string;
  readonly content: string;
  /** Stored recording name (Asterisk), when the node recorded one. */
  readonly recording: string | undefined;
  readonly fields: Readonly<Record<string, string>>;
}

export interface TicketIntake {
  /** Files a ticket; must be idempotent on (callId, requestId) — a resumed call may ask twice. */
  fileFromIvr(fields: IvrTicketFields): Promise<{ readonly ticketId: string }>;
}

export type QueueOutcome = 'answered' | 'timeout' | 'full' | 'no-agents';

/** The call handed to a queue. */
export interface QueuedCall {
  readonly channelId: string;
  readonly requestId: string;
  /** When the call reached the hotline (ms): the 15-second answer clock counts from here. */
  readonly arrivedAt: number;
  /** Caller number, filtered to digits and `+`. */
  readonly callerNumber: string;
  /** Report the queue's outcome; `answered` ends the IVR's part (the ACD owns the call then). */
  onOutcome(outcome: QueueOutcome): void;
  /** Fires when the caller hung up while queued (not on shutdown: queued callers keep their place). */
  readonly signal: AbortSignal;
}

export interface QueueEntry {
  /** Puts the call in `queueId`; resolves once it is queued. Idempotent per call (a resumed call may enqueue again). */
  enqueue(callId: string, queueId: string, priority: number, vars: Readonly<Record<string, string>>, call: QueuedCall): Promise<void>;
}

export interface TransferPort {
  /**
   * Transfers the call to a catalogue destination; resolves true when it was taken over. `signal`
   * fires when the flow stops waiting: with the reason `caller-left` after the caller hung up.
   * `callerNumber` (digits and `+`, '' when withheld) is presented to the destination: 110 or 120
   * call the citizen back on it.
   */
  transfer(channelId: string, destinationId: string, signal: AbortSignal, callerNumber: string): Promise<boolean>;
}

/** An HTTP lookup the flow asked for, already resolved against the catalogue. */
export interface HttpLookupRequest {
  readonly service: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body: Readonly<Record<string, string>> | undefined;
  /** The interpreter times the lookup out on the call's clock; this bounds the socket in real time. */
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

export interface HttpLookupResult {
  readonly outcome: 'ok' | 'error' | 'timeout';
  readonly status?: number;
  readonly body?: unknown;
}
