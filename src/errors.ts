/**
 * The one registry of coded errors. Branch on `code` (or `instanceof HotlineError`), never on
 * message text. Every code is documented in docs/errors.md (a test checks both agree).
 */

interface ErrorSpec {
  /** HTTP status when the error reaches a client. */
  readonly status: number;
  /** What it means, in one line (English; the UI translates by code). */
  readonly meaning: string;
}

export const errorCodes = {
  // general / HTTP
  BAD_REQUEST: { status: 400, meaning: 'the request does not match the route schema' },
  UNAUTHORIZED: { status: 401, meaning: 'no valid credentials were given' },
  FORBIDDEN: { status: 403, meaning: 'the caller is authenticated but its role may not do this' },
  NOT_FOUND: { status: 404, meaning: 'no such route or resource' },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'the request body exceeds the size limit' },
  RATE_LIMITED: { status: 429, meaning: 'too many requests; retry after the given time' },
  INTERNAL: { status: 500, meaning: 'an unexpected error; details are in the server log, not the response' },
  SHUTTING_DOWN: { status: 503, meaning: 'the server is draining for shutdown and takes no new work' },
  // configuration
  CONFIG_INVALID: { status: 500, meaning: 'an environment variable is missing or malformed; the server does not start' },
  // store
  STORE_UNAVAILABLE: { status: 503, meaning: 'the state store (Redis) cannot be reached' },
  STORE_CONFLICT: { status: 409, meaning: 'a concurrent change won; re-read and retry' },
  STORE_BAD_KEY: { status: 500, meaning: 'a store key or value is malformed (a programming error)' },
  // telephony
  ARI_UNAVAILABLE: { status: 503, meaning: 'the ARI connection to Asterisk is down' },
  ARI_REQUEST_FAILED: { status: 502, meaning: 'Asterisk rejected an ARI request' },
  AMI_UNAVAILABLE: { status: 503, meaning: 'the AMI connection to Asterisk is down or not configured' },
  TELEPHONY_TIMEOUT: { status: 504, meaning: 'a wait on a channel (digits, playback, answer) timed out' },
  TELEPHONY_CHANNEL_GONE: { status: 410, meaning: 'the channel hung up while an operation was waiting on it' },
  TELEPHONY_ABORTED: { status: 499, meaning: 'a wait was aborted by its caller' },
  TELEPHONY_ORIGINATE_FAILED: { status: 502, meaning: 'an originated call was not answered (details.reason: no-answer, busy, failed, hung-up)' },
  TELEPHONY_BAD_ARGUMENT: { status: 400, meaning: 'a telephony id, endpoint or option is malformed (a programming error or unfiltered caller data)' },
  TELEPHONY_BAD_TRANSITION: { status: 500, meaning: 'a telephony connection state machine was asked for a move it does not allow' },
  // ACD
  AGENT_BAD_TRANSITION: { status: 409, meaning: 'the agent is not in a state that allows this (e.g. ready while on a call)' },
  SUPERVISION_BAD_STATE: { status: 409, meaning: 'the call or the supervision session does not allow this now (call not connected, supervised by someone else, supervisor busy on another call)' },
  TRANSFER_NOT_ALLOWED: { status: 403, meaning: 'the number is not on the transfer allow-list (TRANSFER_ALLOW), or the queue or skill is not one the hotline knows' },
  TRANSFER_BAD_STATE: { status: 409, meaning: 'the call does not allow this transfer step now (not connected, a consult already running, no consult to join, complete or cancel)' },
  TRANSFER_TARGET_BUSY: { status: 409, meaning: 'no agent with the skill is ready, or the queue refuses the caller now (full, nobody logged in); nothing changed' },
  ROSTER_INVALID: { status: 400, meaning: 'a roster names a bad time of day, a shift id twice or an unknown shift (details.field is its JSON pointer)' },
  // tickets (work orders) and knowledge base
  TICKET_BAD_TRANSITION: { status: 409, meaning: 'the ticket is not in a state that allows this action (details: state, action)' },
  TICKET_NOT_FOUND: { status: 404, meaning: 'no ticket with this id' },
  TICKET_RETURN_LIMIT: { status: 409, meaning: 'the ticket was already returned three times; the hotline assigns the unit and it may not be returned again' },
  TICKET_EXTENSION_REFUSED: { status: 409, meaning: 'an extension must be requested before the handling deadline, one at a time, within the maximum' },
  TICKET_INVALID: { status: 400, meaning: 'a ticket field names an unknown category, urgency, unit or matter type, or is otherwise invalid' },
  TICKET_FORBIDDEN_ACTION: { status: 403, meaning: 'the role may not make this ticket move (details: action, roles allowed)' },
  KB_ARTICLE_NOT_FOUND: { status: 404, meaning: 'no knowledge-base article with this id (or version)' },
  RATING_EXISTS: { status: 409, meaning: 'this call was already rated (一次一评: one rating per call)' },
  // CTI gateway (WebSocket)
  CTI_BAD_MESSAGE: { status: 400, meaning: 'a CTI WebSocket message does not match the protocol schema (details name the field)' },
  CTI_UNKNOWN_COMMAND: { status: 400, meaning: 'the CTI message type is not a command, or no handler serves it on this server' },
  CTI_LIMIT: { status: 429, meaning: 'a per-connection CTI limit was reached (topics, pending commands)' },
  CTI_SLOW_CONSUMER: { status: 408, meaning: 'the CTI client read too slowly; its send buffer passed the limit and it was cut off (close 4008)' },
  // IVR flow versions and the live-call runtime
  FLOW_VERSION_CONFLICT: { status: 409, meaning: 'the flow\'s alias no longer holds the expected version: another admin published or rolled back in between' },
  IVR_NO_FLOW: { status: 503, meaning: 'the DID\'s flow has no published version; the call was sent to the fallback queue' },
  IVR_SERVICE_NOT_ALLOWED: { status: 403, meaning: 'an IVR lookup named a service that is not in the catalogue; it took its error exit' },
  IVR_CALL_IN_FLOW: { status: 409, meaning: 'the call already runs a flow in the IVR; a second one cannot start on it' },
  // simulator control API
  SIM_BAD_REQUEST: { status: 400, meaning: 'a simulator control request is malformed' },
  SIM_NOT_FOUND: { status: 404, meaning: 'no such simulated channel, endpoint or recording' },
  SIM_CONFLICT: { status: 409, meaning: 'the simulated channel is not in a state that allows this' },
  // IVR flows
  FLOW_INVALID: { status: 422, meaning: 'the flow has linter errors; details.findings lists each with its JSON path' },
  FLOW_NOT_FOUND: { status: 404, meaning: 'no flow with this id' },
  IVR_VERSION_MISMATCH: { status: 409, meaning: 'a call state was stepped with another version of its flow than the one it started on' },
  IVR_BAD_INPUT: { status: 400, meaning: 'an interpreter input is malformed (e.g. a DTMF key outside 0-9 * # A-D)' },
  IVR_STEP_BUDGET: { status: 508, meaning: 'a call entered more flow nodes than its step budget allows; it was sent to an agent queue' },
  // call recordings and quality review
  RECORDING_NOT_FOUND: { status: 404, meaning: 'no call recording with this id' },
  RECORDING_NOT_READY: { status: 409, meaning: 'the recording is still running (or failed): there is no audio to play yet' },
  RECORDING_DELETED: { status: 410, meaning: 'the recording was deleted by the retention policy; its metadata remains' },
  RANGE_NOT_SATISFIABLE: { status: 416, meaning: 'the Range header asks for bytes outside the file (Content-Range: bytes */<size> gives the size)' },
  QUALITY_REVIEW_NOT_FOUND: { status: 404, meaning: 'no quality review with this id' },
  QUALITY_REVIEW_DONE: { status: 409, meaning: 'the quality review was already submitted as final; it cannot be scored again' },
  QUALITY_SCORES_INVALID: { status: 400, meaning: 'the score sheet misses a criterion, names an unknown one, or gives a score outside 0..max (details.criterion)' },
  QUALITY_SHEET_INVALID: { status: 400, meaning: 'a quality score sheet needs 1-20 criteria with unique ids and a max score of 1-100' },
  // security
  BLACKLIST_NOT_ALLOWED: { status: 400, meaning: 'the number cannot be blacklisted: only full caller numbers (7-20 digits), never anonymous callers or service numbers such as 110' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorCodes;

/** An error with a registered code; `statusCode` is what Fastify sends. */
export class HotlineError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>, options?: ErrorOptions) {
    super(message ?? errorCodes[code].meaning, options);
    this.name = 'HotlineError';
    this.code = code;
    this.statusCode = errorCodes[code].status;
    this.details = details;
  }
}

export function isHotlineError(error: unknown, code?: ErrorCode): error is HotlineError {
  return error instanceof HotlineError && (code === undefined || error.code === code);
}
