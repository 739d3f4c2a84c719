/**
 * Turns what an ARI request rejects with into coded errors. The REST client (ari-rest.ts) rejects
 * with an AriHttpError whose message is Asterisk's response body, as ari-client 2.2.0 did with
 * `new Error(<response body>)`; it also carries the HTTP status (`status`, kept as the coded error's
 * `cause`). The kind of failure is read from Asterisk's own body text (`{"message": …}` or
 * `{"error": …}`), not from the status, which does not tell them apart (404 is a gone channel and an
 * unset variable alike; 500 is a failed allocation and much else) — in this one function and nowhere else.
 */
import { HotlineError, isHotlineError } from '../errors.ts';
import { isRecord } from './ari-json.ts';

export type AriFailureKind = 'not-found' | 'conflict' | 'allocation-failed' | 'not-in-stasis' | 'other';

export interface AriFailure {
  readonly kind: AriFailureKind;
  /** Asterisk's message, e.g. `Channel not found`. */
  readonly text: string;
}

/** Classifies a rejection of an ARI operation. */
export function classifyAriError(error: unknown): AriFailure {
  const raw = error instanceof Error ? error.message : String(error);
  let text = raw;
  try {
    const body: unknown = JSON.parse(raw);
    if (isRecord(body)) {
      const message = body['message'] ?? body['error'];
      if (typeof message === 'string') text = message;
    }
  } catch {
    // not JSON: a transport error or an HTML page; keep the raw text
  }
  const kind: AriFailureKind = /allocation failed/i.test(text)
    ? 'allocation-failed'
    : /not found/i.test(text)
      ? 'not-found'
      : /already exists/i.test(text)
        ? 'conflict'
        : /not in stasis/i.test(text)
          ? 'not-in-stasis'
          : 'other';
  return { kind, text };
}

/**
 * The coded error for a failed operation on channel/bridge `subject`: a vanished channel or bridge
 * is TELEPHONY_CHANNEL_GONE, anything else ARI_REQUEST_FAILED. HotlineErrors pass through.
 */
export function toHotlineError(error: unknown, operation: string, subject: string): HotlineError {
  if (isHotlineError(error)) return error;
  const failure = classifyAriError(error);
  const details = { operation, asterisk: failure.text, kind: failure.kind };
  if (failure.kind === 'not-found' && /^(channel|bridge) not found$/i.test(failure.text)) {
    return new HotlineError('TELEPHONY_CHANNEL_GONE', `${operation} ${subject}: ${failure.text}`, details, { cause: error });
  }
  return new HotlineError('ARI_REQUEST_FAILED', `${operation} ${subject}: ${failure.text}`, details, { cause: error });
}
