/**
 * The softphone's SIP layer, as the UI sees it.
 *
 * NOTE TO THE SIP ENGINEER: this file is the contract between the UI (softphone/src/**, outside
 * src/sip/) and the SIP layer. The UI imports ONLY the types below and `createPhone` from
 * `./phone.js` (you may move the implementation elsewhere under src/sip/ and re-export it here).
 * Implement `createPhone` with SIP.js (UserAgent + Registerer, your own reconnect loop,
 * `sendDTMFUsingSessionDescriptionHandler`, ICE gathering cut short). Until then the stub below
 * reports `failed` with reason 'not implemented', and the UI falls back to CTI answering.
 * Change the shapes if you must, but keep the UI compiling (grep softphone/src for the names).
 *
 * Registration states:
 *
 *   idle ──start()──▶ connecting ──▶ registered
 *                         ▲  │            │ transport lost / register refused
 *                         │  ▼            ▼
 *                         └─ failed ◀─────┘   (automatic retry goes back to connecting)
 *   any ──stop()──▶ idle
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
  /** SIP header on the agent leg's INVITE that carries the CTI call id (e.g. "X-Hotline-Call"). */
  readonly correlationHeader?: string;
}

export type RegistrationState = 'idle' | 'connecting' | 'registered' | 'failed';

export interface RegistrationStatus {
  readonly state: RegistrationState;
  /** Why it failed (human readable, e.g. "401 Unauthorized", "WebSocket closed"), when failed. */
  readonly reason?: string;
  /** When the next automatic attempt is due (ms since epoch), when failed. */
  readonly retryAt?: number;
}

export type SipCallState = 'ringing' | 'answering' | 'connected' | 'held' | 'ended';

/** One incoming call on the seat (the agent leg the server originates). */
export interface SipCall {
  /** The CTI call id read from the correlation header, when present. */
  readonly correlationId: string | undefined;
  readonly remote: string;
  readonly state: SipCallState;
  answer(): Promise<void>;
  decline(): Promise<void>;
  hangup(): Promise<void>;
  hold(): Promise<void>;
  unhold(): Promise<void>;
  setMuted(muted: boolean): void;
  readonly muted: boolean;
  /** RFC 4733 DTMF. */
  sendDtmf(digit: string): void;
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
  /** Connects and registers; resolves once the first attempt ends (registered or failed). */
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

/** Placeholder until the SIP layer lands: always `failed`. */
export function createPhone(settings: SipSettings): Phone {
  void settings;
  const listeners: { [K in keyof PhoneEvents]: Set<PhoneEvents[K]> } = {
    registration: new Set(), incoming: new Set(), callState: new Set(),
  };
  let status: RegistrationStatus = { state: 'idle' };
  const audio = document.createElement('audio');
  audio.autoplay = true;
  return {
    get status() { return status; },
    audio,
    async start() {
      status = { state: 'failed', reason: 'not implemented' };
      for (const listener of listeners.registration) listener(status);
    },
    async stop() {
      status = { state: 'idle' };
      for (const listener of listeners.registration) listener(status);
    },
    on(event, listener) {
      const set = listeners[event] as Set<typeof listener>;
      set.add(listener);
      return () => { set.delete(listener); };
    },
    async listDevices() { return { inputs: [], outputs: [] }; },
    async setDevices() { /* nothing to choose yet */ },
  };
}
