/**
 * How the desktop ties the seat's SIP calls to the CTI (pure functions, no DOM; tested in
 * tests/browser/sip-link.test.ts).
 *
 * - Settings: `GET /api/me/sip` hands out endpoint, password, wsUrl, ICE servers; with `wsUrl` and
 *   `password` null (demo mode) the desktop has no SIP phone and answers through the CTI.
 * - An INVITE carrying `X-Hotline-Call-Id` belongs to the CTI `call.offer` with that `callId`,
 *   whichever of the two arrives first: an early INVITE waits in the phone until the offer comes
 *   (`phone.callByCorrelationId(offer.callId)`).
 * - An INVITE without the header comes from Asterisk's fallback queue (extensions.conf
 *   [stasis-returned]: the server is down, so no offer will ever come): the desktop shows it as a
 *   call of its own, answerable on the phone, with no ticket context. So does a correlated INVITE
 *   while the CTI is down (its offer cannot arrive).
 */
import type { SipCall, SipSettings } from '../../sip/phone.ts';
import type { CallPhase, CallView } from './model.ts';

/** The body of `GET /api/me/sip` (src/http/routes/sip.ts). */
export interface SeatSipBody {
  readonly endpoint: string;
  readonly domain: string;
  readonly wsUrl: string | null;
  readonly password: string | null;
  readonly iceServers: readonly RTCIceServer[];
  readonly correlationHeader: string;
}

/** SIP settings for `createPhone`, or null in demo mode (no wsUrl or no password). */
export function sipSettingsFrom(body: SeatSipBody | null): SipSettings | null {
  if (!body?.wsUrl || !body.password) return null;
  return {
    wsUrl: body.wsUrl, endpoint: body.endpoint, domain: body.domain, password: body.password,
    iceServers: body.iceServers, correlationHeader: body.correlationHeader,
  };
}

/** Prefix of the local id of a call shown without a CTI offer. */
export const NO_CONTEXT_PREFIX = 'sip-';

/**
 * The caller's number as far as the INVITE says (user part of the far end's URI, digits and + only);
 * '' when it shows none. Untrusted: for display only.
 */
export function callerFromRemote(remote: string): string {
  const user = /sip:([^@>;\s]+)@/i.exec(remote)?.[1] ?? '';
  return /^\+?[0-9]{1,20}$/.test(user) ? user : '';
}

/** A call view for a SIP call that has no CTI offer (fallback queue, or CTI down): no ticket context. */
export function contextlessCall(call: SipCall, now: number): CallView {
  return {
    offer: {
      callId: `${NO_CONTEXT_PREFIX}${call.id}`, caller: callerFromRemote(call.remote), did: '', queueId: 'hotline-fallback', waitingMs: 0,
      ivr: [], history: [], openTickets: [], ringTimeoutMs: 0, receivedAt: now,
    },
    phase: 'ringing',
    ticketIds: [],
    noContext: true,
    sipCallId: call.id,
  };
}

/** Whether a new SIP call should be shown at once without an offer (see the module comment). */
export function showsWithoutOffer(call: SipCall, ctiOpen: boolean, current: CallView | null): boolean {
  if (current && current.phase !== 'ended') return false; // busy with a call: the queue rings someone else
  return call.correlationId === undefined || !ctiOpen;
}

/** The phase of a context-less call from its SIP state. */
export function phaseOfSip(state: SipCall['state']): CallPhase {
  return state === 'ringing' || state === 'answering' ? 'ringing' : state === 'held' ? 'held' : state === 'ended' ? 'ended' : 'connected';
}
