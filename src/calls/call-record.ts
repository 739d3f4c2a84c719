/**
 * The call record (CDR): everything that happened to one inbound call, built by a pure reducer
 * from call events. Whoever handles a part of the call (IVR runtime, queues, transfers, survey)
 * appends events; a caller who hangs up at any point still leaves a complete record, because
 * `ended` closes whatever was open (an IVR step, a queue wait, a ringing offer, a hold).
 */

export type EndedBy = 'caller' | 'agent' | 'system';

export type CallEvent =
  | { readonly type: 'flow'; readonly at: number; readonly flowId: string; readonly version: string }
  | { readonly type: 'ivr_node'; readonly at: number; readonly node: string; readonly input?: string }
  | { readonly type: 'ivr_ended'; readonly at: number; readonly exit: string }
  | { readonly type: 'enqueued'; readonly at: number; readonly queueId: string }
  | { readonly type: 'offered'; readonly at: number; readonly agentId: string }
  | { readonly type: 'rona'; readonly at: number; readonly agentId: string }
  | { readonly type: 'answered'; readonly at: number; readonly agentId: string }
  /** The agent answered but their leg was gone before the caller was joined: the answer does not count, the caller waits again. */
  | { readonly type: 'dropped'; readonly at: number; readonly agentId: string }
  | { readonly type: 'overflow'; readonly at: number; readonly queueId: string; readonly to: string }
  | { readonly type: 'callback_booked'; readonly at: number }
  | { readonly type: 'hold'; readonly at: number }
  | { readonly type: 'unhold'; readonly at: number }
  /** A consult or transfer began (docs/transfers.md): `to` is `skill:<id>`, `queue:<id>`, `number:<digits>` or — a flow's transfer node — `destination:<id>`; `by` the agent (none for the IVR). */
  | { readonly type: 'transfer'; readonly at: number; readonly kind: TransferKind; readonly to: string; readonly by?: string }
  /** The running consult or transfer moved on; `agentId` is the expert who answered. */
  | { readonly type: 'transfer_step'; readonly at: number; readonly step: TransferStep; readonly reason?: string; readonly agentId?: string }
  /** A supervisor started supervising, switched mode (monitor, whisper, barge, takeOver) or left (`left`). */
  | { readonly type: 'supervision'; readonly at: number; readonly supervisor: string; readonly mode: string }
  | { readonly type: 'ticket'; readonly at: number; readonly ticketId: string }
  | { readonly type: 'recording'; readonly at: number; readonly name: string }
  | { readonly type: 'rating'; readonly at: number; readonly rating: string }
  | { readonly type: 'ended'; readonly at: number; readonly by: EndedBy; readonly cause?: number };

/** `consult`: the agent talks to the target first; `blind`: the target takes the caller when it answers; `queue`: the caller goes back to a queue; `ivr`: a flow's transfer node (a catalogue destination takes the caller when it answers). */
export type TransferKind = 'consult' | 'blind' | 'emergency' | 'queue' | 'ivr';
/** `answered` and `conference` are steps of a running transfer; the others end it. */
export type TransferStep = 'answered' | 'conference' | 'completed' | 'cancelled' | 'failed' | 'target_left' | 'caller_left' | 'agent_left';

/** One consult or transfer of a call, with its times and parties. */
export interface TransferVisit {
  readonly at: number;
  readonly kind: TransferKind;
  readonly to: string;
  /** The agent who started it. */
  readonly by?: string;
  /** The expert agent who answered (a target through the ACD). */
  readonly agentId?: string;
  readonly answeredAt?: number;
  readonly conferenceAt?: number;
  readonly endedAt?: number;
  /** How it ended (`call_ended`: the call ended while it ran). */
  readonly outcome?: Exclude<TransferStep, 'answered' | 'conference'> | 'call_ended';
  /** Why it failed: busy, no-answer, declined, failed. */
  readonly reason?: string;
}

export interface QueueVisit {
  readonly queueId: string;
  readonly enqueuedAt: number;
  readonly leftAt?: number;
  /** `callback`: the caller booked a callback that keeps the place (the callback is a call of its own). */
  readonly outcome?: 'answered' | 'abandoned' | 'overflow' | 'callback' | 'ended';
}

export interface Offer {
  readonly agentId: string;
  readonly at: number;
  readonly outcome?: 'answered' | 'rona' | 'withdrawn' | 'dropped';
  readonly outcomeAt?: number;
}

export interface CallRecord {
  readonly callId: string;
  readonly did: string;
  readonly callerNumber: string;
  readonly arrivedAt: number;
  /** A callback attempt: the call whose caller booked it (this call's number is the one called back). */
  readonly callbackOf?: string;
  /** When the caller booked a callback (left the queue keeping the place). */
  readonly callbackBookedAt?: number;
  readonly flow?: { readonly flowId: string; readonly version: string };
  /** IVR nodes in the order visited, with the keys the caller pressed there. */
  readonly ivrPath: ReadonlyArray<{ readonly node: string; readonly at: number; readonly input?: string }>;
  readonly ivrEndedAt?: number;
  readonly ivrExit?: string;
  readonly queues: readonly QueueVisit[];
  readonly offers: readonly Offer[];
  readonly answeredAt?: number;
  readonly agentIds: readonly string[];
  readonly holds: ReadonlyArray<{ readonly at: number; readonly until?: number }>;
  readonly transfers: readonly TransferVisit[];
  /** Supervision of the call, in order (audit in full: GET /api/supervision/sessions). */
  readonly supervisions?: ReadonlyArray<{ readonly at: number; readonly supervisor: string; readonly mode: string }>;
  readonly ticketIds: readonly string[];
  readonly recordings: readonly string[];
  readonly rating?: string;
  readonly endedAt?: number;
  readonly endedBy?: EndedBy;
  readonly hangupCause?: number;
}

export function newCallRecord(call: { callId: string; did: string; callerNumber: string; arrivedAt: number; callbackOf?: string }): CallRecord {
  return { ...call, ivrPath: [], queues: [], offers: [], agentIds: [], holds: [], transfers: [], ticketIds: [], recordings: [] };
}

/** The record after `event`. Events after `ended` are ignored (a late event cannot reopen a call). */
export function applyCallEvent(record: CallRecord, event: CallEvent): CallRecord {
  if (record.endedAt !== undefined) return record;
  switch (event.type) {
    case 'flow':
      return { ...record, flow: { flowId: event.flowId, version: event.version } };
    case 'ivr_node':
      return { ...record, ivrPath: [...record.ivrPath, { node: event.node, at: event.at, ...(event.input !== undefined ? { input: event.input } : {}) }] };
    case 'ivr_ended':
      return { ...record, ivrEndedAt: event.at, ivrExit: event.exit };
    case 'enqueued':
      return { ...record, queues: [...record.queues, { queueId: event.queueId, enqueuedAt: event.at }] };
    case 'offered':
      return { ...record, offers: [...record.offers, { agentId: event.agentId, at: event.at }] };
    case 'rona':
      return { ...record, offers: settleOffer(record.offers, event.agentId, 'rona', event.at) };
    case 'answered':
      return {
        ...record,
        answeredAt: record.answeredAt ?? event.at,
        agentIds: record.agentIds.includes(event.agentId) ? record.agentIds : [...record.agentIds, event.agentId],
        offers: settleOffer(record.offers, event.agentId, 'answered', event.at),
        queues: leaveQueue(record.queues, 'answered', event.at),
      };
    case 'dropped':
      return dropAnswer(record, event);
    case 'overflow':
      return { ...record, queues: leaveQueue(record.queues, 'overflow', event.at) };
    case 'callback_booked':
      return { ...record, callbackBookedAt: event.at, queues: leaveQueue(record.queues, 'callback', event.at) };
    case 'hold':
      return { ...record, holds: [...record.holds, { at: event.at }] };
    case 'unhold':
      return { ...record, holds: record.holds.map((h, i) => (i === record.holds.length - 1 && h.until === undefined ? { ...h, until: event.at } : h)) };
    case 'transfer':
      return { ...record, transfers: [...record.transfers, { at: event.at, kind: event.kind, to: event.to, ...(event.by ? { by: event.by } : {}) }] };
    case 'transfer_step':
      return { ...record, transfers: transferStep(record.transfers, event) };
    case 'supervision':
      return { ...record, supervisions: [...(record.supervisions ?? []), { at: event.at, supervisor: event.supervisor, mode: event.mode }] };
    case 'ticket':
      return record.ticketIds.includes(event.ticketId) ? record : { ...record, ticketIds: [...record.ticketIds, event.ticketId] };
    case 'recording':
      return { ...record, recordings: [...record.recordings, event.name] };
    case 'rating':
      return { ...record, rating: event.rating };
    case 'ended':
      return closeOpen(record, event);
  }
}

function settleOffer(offers: readonly Offer[], agentId: string, outcome: Offer['outcome'] & string, at: number): Offer[] {
  const index = offers.findLastIndex((o) => o.agentId === agentId && o.outcome === undefined);
  return offers.map((o, i) => (i === index ? { ...o, outcome, outcomeAt: at } : o));
}

function transferStep(transfers: readonly TransferVisit[], event: Extract<CallEvent, { type: 'transfer_step' }>): TransferVisit[] {
  const index = transfers.findLastIndex((t) => t.endedAt === undefined);
  return transfers.map((t, i) => {
    if (i !== index) return t;
    const withAgent = event.agentId ? { ...t, agentId: event.agentId } : t;
    if (event.step === 'answered') return { ...withAgent, answeredAt: event.at };
    if (event.step === 'conference') return { ...withAgent, conferenceAt: event.at };
    return { ...withAgent, endedAt: event.at, outcome: event.step, ...(event.reason ? { reason: event.reason } : {}) };
  });
}

/** Takes back the agent's last answer: the caller is in the queue again and, unless another agent answered, not answered yet. */
function dropAnswer(record: CallRecord, event: Extract<CallEvent, { type: 'dropped' }>): CallRecord {
  const index = record.offers.findLastIndex((o) => o.agentId === event.agentId && o.outcome === 'answered');
  if (index < 0) return record;
  const offers = record.offers.map((o, i) => (i === index ? { ...o, outcome: 'dropped' as const, outcomeAt: event.at } : o));
  const answered = offers.filter((o) => o.outcome === 'answered');
  const last = record.queues.at(-1);
  const { answeredAt: _dropped, ...rest } = record;
  return {
    ...(answered.length > 0 ? record : rest),
    offers,
    agentIds: record.agentIds.filter((id) => id !== event.agentId || answered.some((o) => o.agentId === id)),
    queues: last?.outcome === 'answered' ? [...record.queues.slice(0, -1), { queueId: last.queueId, enqueuedAt: last.enqueuedAt }] : record.queues,
  };
}

function leaveQueue(queues: readonly QueueVisit[], outcome: QueueVisit['outcome'] & string, at: number): QueueVisit[] {
  return queues.map((q, i) => (i === queues.length - 1 && q.leftAt === undefined ? { ...q, leftAt: at, outcome } : q));
}

/** Ends the call and closes whatever was still open at that moment. */
function closeOpen(record: CallRecord, event: Extract<CallEvent, { type: 'ended' }>): CallRecord {
  const inQueue = record.queues.at(-1)?.leftAt === undefined && record.queues.length > 0;
  return {
    ...record,
    ...(record.flow && record.ivrEndedAt === undefined ? { ivrEndedAt: event.at, ivrExit: 'hangup' } : {}),
    queues: inQueue ? leaveQueue(record.queues, event.by === 'caller' ? 'abandoned' : 'ended', event.at) : record.queues,
    offers: record.offers.map((o) => (o.outcome === undefined ? { ...o, outcome: 'withdrawn', outcomeAt: event.at } : o)),
    holds: record.holds.map((h) => (h.until === undefined ? { ...h, until: event.at } : h)),
    transfers: record.transfers.map((t) => (t.endedAt === undefined ? { ...t, endedAt: event.at, outcome: 'call_ended' } : t)),
    endedAt: event.at,
    endedBy: event.by,
    ...(event.cause !== undefined ? { hangupCause: event.cause } : {}),
  };
}
