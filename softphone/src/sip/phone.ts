/**
 * The softphone's SIP layer, as the UI sees it.
 *
 * This file is the contract between the UI (softphone/src/**, outside src/sip/) and the SIP layer.
 * The UI imports ONLY the types below and `createPhone` from `./phone.ts`; SIP.js stays inside
 * src/sip/ (implementation in `create-phone.ts` and `sip-call.ts`, see README.md there).
 *
 * Registration states (table in `registration-status.ts`):
 *
 *   idle ──start()──▶ connecting ──▶ registered
 *                       │    ▲            │ socket lost / re-REGISTER refused
 *                       │    │ retry      ▼
 *                       │    └──── reconnecting ◀─┐ (back-off, attempt 1, 2, …)
 *                       │                 └───────┘ connect failed again
 *                       ▼ credentials refused (401/403), no WebSocket URL
 *                     failed   (final: start() again after fixing the settings)
 *   any ──stop()──▶ idle
 *
 * Calls (per call, table in `sip-call.ts`):
 *
 *   ringing ──answer()──▶ answering ──▶ connected ◀──unhold()── held
 *      │                                   └────────hold()──────▶ │
 *      └── decline() / caller cancelled / hangup() / far end hung up / failure ──▶ ended
 *
 * Mute is a flag beside the state (microphone track disabled, no re-INVITE).
 */

/** Settings the server hands out for the agent's seat. */
export interface SipSettings {
  /** WebSocket URL of the SIP server, e.g. wss://pbx.example/ws. */
  readonly wsUrl: string;
  /** The seat's SIP endpoint (user part), e.g. "1001". */
  readonly endpoint: string;
  /** SIP domain; defaults to the wsUrl host. */
  readonly domain?: string;
  readonly password: string;
  readonly iceServers: readonly RTCIceServer[];
  /** SIP header on the agent leg's INVITE that carries the CTI call id; default "X-Hotline-Call-Id". */
  readonly correlationHeader?: string;
}

/**
 * `reconnecting`: the socket was lost or the registrar answered an error; the phone retries by
 * itself (back-off 1 s doubling to 30 s). `failed`: it will not retry (credentials refused, no
 * WebSocket URL = demo mode); the UI answers through CTI.
 */
export type RegistrationState = 'idle' | 'connecting' | 'registered' | 'reconnecting' | 'failed';

export interface RegistrationStatus {
  readonly state: RegistrationState;
  /** Why (human readable, e.g. "401 Unauthorized", "WebSocket closed"), when reconnecting or failed. */
  readonly reason?: string;
  /** When the next automatic attempt is due (ms since epoch), when reconnecting. */
  readonly retryAt?: number;
  /** Attempt number from 1, when reconnecting. */
  readonly attempt?: number;
}

export type SipCallState = 'ringing' | 'answering' | 'connected' | 'held' | 'ended';

/** Why a call ended. */
export type SipCallEndReason = 'declined' | 'local-hangup' | 'remote-hangup' | 'cancelled' | 'failed';

/**
 * One incoming call on the seat (the agent leg the server originates). Methods reject with a
 * `PhoneError` (code `PHONE_BAD_STATE`, …) when the call does not allow them now.
 */
export interface SipCall {
  /** Local id (the SIP.js session id), stable for the call's life. */
  readonly id: string;
  /** The CTI call id read from the correlation header, when present (and well-formed). */
  readonly correlationId: string | undefined;
  /** Far end as signalled ("display name <sip:uri>"): untrusted text, display it only. */
  readonly remote: string;
  readonly state: SipCallState;
  /** Set once `ended`. */
  readonly endReason: SipCallEndReason | undefined;
  /** A header of the INVITE (case-insensitive name), undefined if absent. Untrusted text. */
  header(name: string): string | undefined;
  answer(): Promise<void>;
  decline(): Promise<void>;
  hangup(): Promise<void>;
  hold(): Promise<void>;
  unhold(): Promise<void>;
  setMuted(muted: boolean): void;
  readonly muted: boolean;
  /**
   * DTMF as RTP telephone-events (RFC 4733, RTCDTMFSender) — not SIP INFO. One or more of
   * `0-9 * # A-D`; resolves when the tones were played out.
   */
  sendDtmf(digits: string): Promise<void>;
  /** Audio figures from `RTCPeerConnection.getStats()` (zeros before answer). */
  getStats(): Promise<CallStats>;
}

/** Audio figures of one call; counters are cumulative since answer. */
export interface CallStats {
  /** Negotiated audio codec, e.g. "audio/opus", "audio/PCMU". */
  readonly codec: string | undefined;
  readonly packetsSent: number;
  readonly packetsReceived: number;
  readonly packetsLost: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  readonly jitterMs: number | undefined;
  readonly roundTripMs: number | undefined;
  /** Level 0..1 of the far end's audio as received now (inbound-rtp audioLevel). */
  readonly inboundLevel: number | undefined;
  /** Energy of all audio received so far (inbound-rtp totalAudioEnergy): > 0 once sound arrived. */
  readonly inboundEnergy: number;
  /** Level 0..1 of the own microphone now (media-source audioLevel). */
  readonly outboundLevel: number | undefined;
}

export interface AudioDevices {
  readonly inputs: readonly MediaDeviceInfo[];
  readonly outputs: readonly MediaDeviceInfo[];
}

export interface PhoneEvents {
  registration(status: RegistrationStatus): void;
  /** A new incoming call; its later changes come through `callState`. */
  incoming(call: SipCall): void;
  callState(call: SipCall): void;
}

export interface Phone {
  readonly status: RegistrationStatus;
  /** Calls not yet ended, oldest first. */
  readonly calls: readonly SipCall[];
  /** The live call whose INVITE carried this CTI call id (the `call.offer`'s callId), if any. */
  callByCorrelationId(correlationId: string): SipCall | undefined;
  /**
   * Connects and registers; resolves once the first attempt ends (registered, reconnecting or
   * failed) — the `registration` events tell the rest.
   */
  start(): Promise<void>;
  /** Unregisters, hangs up, disconnects. */
  stop(): Promise<void>;
  on<K extends keyof PhoneEvents>(event: K, listener: PhoneEvents[K]): () => void;
  listDevices(): Promise<AudioDevices>;
  /** Chooses the microphone (deviceId) and speaker (sinkId) for current and next calls. */
  setDevices(choice: { input?: string; output?: string }): Promise<void>;
  /** The element the remote audio plays in (the UI places it in the page). */
  readonly audio: HTMLAudioElement;
}

/** Tuning, for tests and special sites; the defaults suit an intranet with Asterisk. */
export interface PhoneOptions {
  /** Reconnect back-off in ms: first delay and cap (default 1000 and 30000, doubling, ±20 % jitter). */
  readonly reconnectDelayMs?: { readonly initial: number; readonly max: number };
  /** REGISTER expiry in seconds (default 300). */
  readonly registerExpiresS?: number;
  /** Stop ICE gathering after this many ms (default 800). */
  readonly iceGatheringTimeoutMs?: number;
  /** Diagnostics sink (SIP.js's own log at warn and above goes here too). */
  readonly log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
}

/** Codes of `PhoneError`: branch on these, never on the message. */
export type PhoneErrorCode =
  | 'PHONE_BAD_STATE' // the call does not allow this now (hold while ringing, answer an ended call)
  | 'PHONE_NO_MICROPHONE' // getUserMedia refused or no device
  | 'PHONE_BAD_DTMF' // digits outside 0-9 * # A-D
  | 'PHONE_SIGNALLING'; // the far end or the proxy refused the request (re-INVITE, BYE, …)

export class PhoneError extends Error {
  readonly code: PhoneErrorCode;
  constructor(code: PhoneErrorCode, message: string) {
    super(message);
    this.name = 'PhoneError';
    this.code = code;
  }
}

export { createPhone } from './create-phone.ts';
