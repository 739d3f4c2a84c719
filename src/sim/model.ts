/**
 * The simulator's data model: channels, bridges, playbacks, recordings as plain records, and
 * the JSON snapshots Asterisk 22 sends for them (same keys, same key order as the traces).
 */
import type { TimerHandle } from '../clock.ts';

/**
 * Channel states the simulator uses (a subset of Asterisk's):
 * ```
 *   Down ──► Ringing ──► Up        (outgoing legs: originate, /dial)
 *   Down ──► Up                    (answered at once)
 *   Ring ──► Up                    (inbound caller answered by the app)
 * ```
 */
export type ChannelState = 'Down' | 'Ring' | 'Ringing' | 'Up';

/** Allowed state changes; `transition()` in channels.ts rejects anything else. */
export const channelTransitions: Readonly<Record<ChannelState, readonly ChannelState[]>> = {
  Down: ['Ringing', 'Up'],
  Ring: ['Up'],
  Ringing: ['Up'],
  Up: [],
};

/**
 * How a channel came to exist, which decides its events:
 * - `inbound`: a caller's channel that entered Stasis from the dialplan (no ChannelDestroyed);
 * - `phone`: the caller's phone half of the inbound Local pair (never in Stasis, no events);
 * - `originated`: POST /channels with app (gets ChannelDestroyed);
 * - `created`: POST /channels/create (gets ChannelDestroyed, no `;2` events);
 * - `half2`: the `;2` half of an ARI-originated Local pair (its events go to the app);
 * - `snoop`: a snoop channel (no ChannelDestroyed).
 */
export type ChannelKind = 'inbound' | 'phone' | 'originated' | 'created' | 'half2' | 'snoop';

export interface CallerId { name: string; number: string }
export interface Dialplan { context: string; exten: string; priority: number; app_name: string; app_data: string }

/** One thing a channel "heard" or did, for the control API's GET /sim/channels/{id}. */
export interface HeardItem {
  readonly kind: 'playback' | 'moh' | 'recording' | 'beep' | 'dtmf-sent' | 'silence' | 'ring' | 'hold';
  readonly at: number;
  detail: Record<string, unknown>;
}

export interface SimChannel {
  readonly id: string;
  readonly name: string;
  readonly kind: ChannelKind;
  state: ChannelState;
  protocolId: string;
  caller: CallerId;
  connected: CallerId;
  dialplan: Dialplan;
  readonly creationtime: number;
  /** Stasis application currently owning the channel (null: not in Stasis). */
  stasisApp: string | null;
  /** Application receiving this channel's events (may be set before StasisStart). */
  eventApp: string | null;
  bridgeId: string | null;
  readonly variables: Map<string, string>;
  hungUp: boolean;
  /** Cause for ChannelDestroyed (set by DELETE reason or far end). */
  hangupCause: number;
  /** The other half of a Local pair, if any. */
  peer: SimChannel | null;
  /** Endpoint key (`tech/resource`) for originated channels. */
  endpoint: string | null;
  dialstring: string;
  readonly timers: Set<TimerHandle>;
  readonly heard: HeardItem[];
  moh: boolean;
  /** For a ringing outgoing leg: makes the far end answer (used by behaviours and the control API). */
  answer: (() => void) | null;
  /** For a snoop channel: the channel it spies on. */
  spiedId: string | null;
}

export interface SimBridge {
  readonly id: string;
  readonly type: 'mixing' | 'holding';
  readonly name: string;
  readonly creationtime: number;
  readonly channels: string[];
  /** softmix once three channels were in it at the same time, until the next departure. */
  technology: string;
  moh: string | null;
  /** Hidden recorder channels of bridge recordings (they appear only in BRIDGEPEER). */
  readonly recorders: string[];
  /** Application that receives the bridge's own events (BridgeDestroyed). */
  app: string | null;
  /** Whether a channel ever left it by hanging up (Asterisk then sends BridgeDestroyed on DELETE). */
  leftByHangup: boolean;
}

export type PlaybackState = 'queued' | 'playing' | 'done' | 'failed';

export interface SimPlayback {
  readonly id: string;
  readonly mediaUri: string;
  readonly targetUri: string;
  readonly language: string;
  state: PlaybackState;
  readonly app: string | null;
  timer: TimerHandle | null;
  /** Total length, and how much is left as of `resumedAt` (for pause/unpause/restart/skip). */
  durationMs: number;
  remainingMs: number;
  resumedAt: number;
  /** Paused by /control (Asterisk still reports state "playing"). */
  paused: boolean;
  /** Channel whose history records this playback. */
  readonly channelId: string | null;
}

export interface SimRecording {
  readonly name: string;
  readonly format: string;
  readonly targetUri: string;
  state: 'queued' | 'recording' | 'done' | 'failed' | 'canceled';
  readonly startedAt: number;
  readonly terminateOn: string;
  readonly app: string | null;
  readonly channelId: string | null;
  readonly timers: TimerHandle[];
}

/** Asterisk's timestamp format: `2026-11-23T11:18:32.425+0000`. */
export function asteriskTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** The Channel model as Asterisk serialises it. */
export function channelJson(ch: SimChannel): Record<string, unknown> {
  return {
    id: ch.id, name: ch.name, state: ch.state, protocol_id: ch.protocolId,
    caller: { ...ch.caller }, connected: { ...ch.connected }, accountcode: '',
    dialplan: { ...ch.dialplan }, creationtime: asteriskTime(ch.creationtime), language: 'en',
  };
}

/** The Bridge model as Asterisk serialises it. */
export function bridgeJson(b: SimBridge): Record<string, unknown> {
  return {
    id: b.id, technology: b.technology, bridge_type: b.type, bridge_class: 'stasis', creator: 'Stasis',
    name: b.name, channels: [...b.channels], creationtime: asteriskTime(b.creationtime), video_mode: 'talker',
  };
}

export function playbackJson(p: SimPlayback): Record<string, unknown> {
  return { id: p.id, media_uri: p.mediaUri, target_uri: p.targetUri, language: p.language, state: p.state };
}

export function recordingJson(r: SimRecording, extra: Record<string, number> = {}): Record<string, unknown> {
  return { name: r.name, format: r.format, state: r.state, target_uri: r.targetUri, ...extra };
}

/** Asterisk's ast_cause2str for the causes the simulator produces. */
export function causeText(cause: number): string {
  const texts: Record<number, string> = {
    0: 'Unknown', 1: 'Unallocated (unassigned) number', 16: 'Normal Clearing', 17: 'User busy',
    18: 'No user responding', 19: 'User alerting, no answer', 21: 'Call Rejected', 26: 'Answered elsewhere',
    28: 'Invalid number format', 31: 'Normal, unspecified', 34: 'Circuit/channel congestion',
    38: 'Network out of order', 58: 'Bearer capability not available', 127: 'Interworking, unspecified',
  };
  return texts[cause] ?? 'Unknown';
}
