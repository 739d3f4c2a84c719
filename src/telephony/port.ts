/**
 * The telephony port: the only way the rest of the hotline controls calls. Everything above
 * src/telephony/ (call sessions, IVR, ACD, transfers, supervision) sees these types and nothing of
 * ARI or ari-client. Ids of channels, bridges, playbacks, snoops and recordings are chosen by the
 * caller of the port (subscribe before you act: a waiter is registered before the request leaves).
 *
 * Every wait the port offers (playback done, recording done, originate answered) takes a timeout
 * and an AbortSignal, and ends with TELEPHONY_CHANNEL_GONE when its channel (or bridge) ends,
 * TELEPHONY_TIMEOUT when the timeout passes and TELEPHONY_ABORTED when the signal fires.
 */

/** Channel states as Asterisk reports them. */
export type ChannelState =
  | 'Down' | 'Rsrved' | 'OffHook' | 'Dialing' | 'Ring' | 'Ringing' | 'Up' | 'Busy'
  | 'Dialing Offhook' | 'Pre-ring' | 'Unknown';

/** A party's number and display name (caller-controlled: log only via `untrusted()`). */
export interface Party {
  readonly number: string;
  readonly name: string;
}

export interface DialplanLocation {
  readonly context: string;
  readonly exten: string;
  readonly priority: number;
}

/** A channel as listed after a (re)connect. */
export interface ChannelInfo {
  readonly id: string;
  readonly name: string;
  readonly state: ChannelState;
  readonly caller: Party;
  readonly connected: Party;
  readonly dialplan: DialplanLocation & { readonly appName: string; readonly appData: string };
  /** Whether the channel is currently in this app's Stasis (GET /applications/{app}). */
  readonly inApp: boolean;
}

export type BridgeType = 'mixing' | 'holding';

export interface BridgeInfo {
  readonly id: string;
  readonly type: BridgeType | 'other';
  readonly channelIds: readonly string[];
}

/** What the call layer gets after every (re)connect, before any event of the new connection. */
export interface ReconcileSnapshot {
  readonly channels: readonly ChannelInfo[];
  readonly bridges: readonly BridgeInfo[];
  /** True for the first connect of this adapter, false after a reconnect. */
  readonly firstConnect: boolean;
}

export type ReconcileHook = (snapshot: ReconcileSnapshot) => Promise<void> | void;

/** Where a playback or recording goes. */
export type MediaTarget =
  | { readonly kind: 'channel'; readonly id: string }
  | { readonly kind: 'bridge'; readonly id: string };

/** The discriminated union of everything the port reports. */
export type TelephonyEvent =
  /** A caller entered the app from the dialplan (Stasis(app[,DID])). */
  | {
      readonly type: 'call-arrived'; readonly channelId: string; readonly channelName: string;
      readonly caller: Party; readonly did: string | undefined; readonly args: readonly string[];
      readonly dialplan: DialplanLocation; readonly state: ChannelState;
    }
  /** A channel this adapter originated or snooped entered the app (answered / snoop up). */
  | {
      readonly type: 'channel-started'; readonly channelId: string; readonly origin: 'originate' | 'snoop';
      readonly args: readonly string[];
    }
  | { readonly type: 'dtmf'; readonly channelId: string; readonly digit: string; readonly durationMs: number }
  | { readonly type: 'channel-state-changed'; readonly channelId: string; readonly state: ChannelState }
  /** A hang-up was requested (by the far end, or `soft` by the app). `cause` is Q.850 if known. */
  | { readonly type: 'hung-up'; readonly channelId: string; readonly cause: number | undefined; readonly byApp: boolean }
  /** The channel no longer exists (only delivered for channels originated through ARI). */
  | { readonly type: 'channel-destroyed'; readonly channelId: string; readonly cause: number; readonly causeText: string }
  | { readonly type: 'left-stasis'; readonly channelId: string }
  | { readonly type: 'entered-bridge'; readonly channelId: string; readonly bridgeId: string }
  | { readonly type: 'left-bridge'; readonly channelId: string; readonly bridgeId: string }
  | { readonly type: 'bridge-destroyed'; readonly bridgeId: string }
  | { readonly type: 'playback-started'; readonly playbackId: string; readonly target: MediaTarget }
  | { readonly type: 'playback-finished'; readonly playbackId: string; readonly target: MediaTarget; readonly failed: boolean }
  | { readonly type: 'recording-started'; readonly name: string; readonly target: MediaTarget }
  | { readonly type: 'recording-finished'; readonly name: string; readonly target: MediaTarget; readonly durationSec: number | undefined }
  | { readonly type: 'recording-failed'; readonly name: string; readonly target: MediaTarget; readonly cause: string }
  /** The far end (a SIP phone) put the call on hold / resumed it. */
  | { readonly type: 'far-end-hold'; readonly channelId: string; readonly musicClass: string }
  | { readonly type: 'far-end-unhold'; readonly channelId: string }
  | { readonly type: 'connection-up'; readonly firstConnect: boolean }
  | { readonly type: 'connection-down'; readonly reason: string };

export type TelephonyEventType = TelephonyEvent['type'];

/**
 * Receives events. Events of one channel (or bridge, for bridge-only events) are handed over
 * strictly one after the other: the handler for event N+1 starts after the promise of event N
 * settled. Port waits are resolved out of band, so a handler may await them.
 */
export type TelephonyEventHandler = (event: TelephonyEvent) => Promise<void> | void;

/** Options of every wait. */
export interface WaitOptions {
  /** Give up with TELEPHONY_TIMEOUT after this long. */
  readonly timeoutMs: number;
  /** Give up with TELEPHONY_ABORTED when this fires. */
  readonly signal?: AbortSignal;
}

export interface PlaybackOptions extends WaitOptions {
  readonly playbackId: string;
  /** Sound language, e.g. `zh` (default: the channel's). */
  readonly language?: string;
}

/** `stopped`: ended by `stop()`; `failed`: Asterisk could not play the media. */
export interface PlaybackResult {
  readonly outcome: 'finished' | 'stopped' | 'failed';
}

export interface PlaybackHandle {
  readonly playbackId: string;
  /** Settles when the playback ends (or the wait times out / is aborted / the channel goes). */
  readonly done: Promise<PlaybackResult>;
  /** Stops the playback; `done` then resolves with `stopped`. */
  stop(): Promise<void>;
}

export interface RecordOptions extends WaitOptions {
  /** Recording name (client-chosen; letters, digits, `-`, `_`, `/`; no caller data). */
  readonly name: string;
  readonly format: 'wav' | 'gsm' | 'ulaw' | 'alaw' | 'sln';
  readonly maxDurationSeconds?: number;
  readonly maxSilenceSeconds?: number;
  /** DTMF that ends the recording: `none`, `any`, `*` or `#`. */
  readonly terminateOn?: 'none' | 'any' | '*' | '#';
  readonly beep?: boolean;
  readonly ifExists?: 'fail' | 'overwrite' | 'append';
}

export interface RecordingResult {
  readonly result: 'finished' | 'failed';
  /** Seconds of audio, when Asterisk reports it. */
  readonly durationSec: number | undefined;
}

export interface RecordingHandle {
  readonly name: string;
  readonly done: Promise<RecordingResult>;
  /** Stops and keeps the recording. */
  stop(): Promise<void>;
}

export interface OriginateOptions extends WaitOptions {
  readonly channelId: string;
  readonly otherChannelId?: string;
  /** Seconds Asterisk lets the endpoint ring before giving up (cause 19). */
  readonly timeoutSec: number;
  readonly callerId?: string;
  readonly variables?: Readonly<Record<string, string>>;
  readonly appArgs?: string;
}

/** Why an originate did not end in an answered channel (`details.reason` of TELEPHONY_ORIGINATE_FAILED). */
export type OriginateFailureReason = 'no-answer' | 'busy' | 'failed' | 'hung-up';

export interface SnoopOptions {
  readonly snoopId: string;
  readonly spy: 'none' | 'in' | 'out' | 'both';
  readonly whisper: 'none' | 'in' | 'out' | 'both';
  readonly appArgs?: string;
}

/** The file of a stored recording, whole (GET /recordings/stored/{name}/file). */
export interface StoredRecordingFile {
  /** As Asterisk sends it: `audio/<format>`, e.g. `audio/wav`. */
  readonly contentType: string;
  readonly data: Uint8Array;
}

/** Hang-up reasons ARI accepts (the Q.850 cause is derived by Asterisk). */
export type HangupReason =
  | 'normal' | 'busy' | 'congestion' | 'no_answer' | 'timeout' | 'rejected' | 'unallocated'
  | 'normal_unspecified' | 'number_incomplete' | 'codec_mismatch' | 'interworking' | 'failure'
  | 'answered_elsewhere';

export type MuteDirection = 'in' | 'out' | 'both';

export interface ContinueOptions {
  readonly context?: string;
  readonly extension?: string;
  readonly priority?: number;
  readonly label?: string;
}

/** Connection state for GET /health. */
export interface ConnectionState {
  readonly status: 'up' | 'down' | 'not-configured' | 'closed';
  /** Since when (epoch ms) the connection is in this status. */
  readonly since: number;
  readonly lastError: string | undefined;
  /** Failed (re)connect attempts since the last time it was up. */
  readonly attempts: number;
}

/** The port. Implemented over ARI by `createTelephony()`. */
export interface TelephonyPort {
  answer(channelId: string): Promise<void>;
  hangup(channelId: string, reason?: HangupReason): Promise<void>;
  continueInDialplan(channelId: string, options?: ContinueOptions): Promise<void>;
  ring(channelId: string): Promise<void>;
  ringStop(channelId: string): Promise<void>;
  hold(channelId: string): Promise<void>;
  unhold(channelId: string): Promise<void>;
  mute(channelId: string, direction?: MuteDirection): Promise<void>;
  unmute(channelId: string, direction?: MuteDirection): Promise<void>;
  startMoh(channelId: string, mohClass?: string): Promise<void>;
  stopMoh(channelId: string): Promise<void>;
  sendDtmf(channelId: string, digits: string, options?: { betweenMs?: number; durationMs?: number }): Promise<void>;
  setVariable(channelId: string, name: string, value: string): Promise<void>;
  /** `undefined` when the variable is not set. */
  getVariable(channelId: string, name: string): Promise<string | undefined>;

  play(target: MediaTarget, media: readonly string[], options: PlaybackOptions): Promise<PlaybackHandle>;
  record(target: MediaTarget, options: RecordOptions): Promise<RecordingHandle>;
  deleteStoredRecording(name: string): Promise<void>;
  /** The audio of a stored recording; ARI_REQUEST_FAILED with `details.kind` `not-found` when Asterisk has no such recording. */
  storedRecordingFile(name: string): Promise<StoredRecordingFile>;

  createBridge(type: BridgeType, bridgeId: string, name?: string): Promise<void>;
  addToBridge(bridgeId: string, channelIds: readonly string[]): Promise<void>;
  removeFromBridge(bridgeId: string, channelIds: readonly string[]): Promise<void>;
  destroyBridge(bridgeId: string): Promise<void>;
  startBridgeMoh(bridgeId: string, mohClass?: string): Promise<void>;
  stopBridgeMoh(bridgeId: string): Promise<void>;

  /** Resolves when the endpoint answered and its channel entered the app. */
  originate(endpoint: string, options: OriginateOptions): Promise<{ readonly channelId: string }>;
  snoop(channelId: string, options: SnoopOptions): Promise<{ readonly snoopId: string }>;

  listChannels(): Promise<readonly ChannelInfo[]>;
  listBridges(): Promise<readonly BridgeInfo[]>;

  /** Registers the event handler (one per port user); returns an unsubscribe function. */
  onEvent(handler: TelephonyEventHandler): () => void;
  /** Registers a hook called after every (re)connect with the live channels and bridges. */
  onReconcile(hook: ReconcileHook): () => void;
  /** ARI connection state, for health checks. */
  state(): ConnectionState;
}
