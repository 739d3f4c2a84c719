/**
 * Translates raw ARI events (JSON as Asterisk sends it) into the port's TelephonyEvent union,
 * with the ordering key under which the event is queued (`channel:<id>` or `bridge:<id>`).
 * Pure: no I/O, no state; events the port does not report (Dial, ChannelVarset, …) map to
 * undefined.
 */
import { channelState, optNum, parseTargetUri, party, rec, str, strings, type Json } from './ari-json.ts';
import type { MediaTarget, TelephonyEvent } from './port.ts';

/** A mapped event and the queue it belongs to. */
export interface KeyedEvent {
  readonly key: string;
  readonly event: TelephonyEvent;
}

/** Tells which channels this adapter created itself (originate, snoop). */
export type OriginLookup = (channelId: string) => 'originate' | 'snoop' | undefined;

/** The ARI event names the port reacts to. */
export const AriEvent = {
  StasisStart: 'StasisStart',
  StasisEnd: 'StasisEnd',
  ChannelDtmfReceived: 'ChannelDtmfReceived',
  ChannelStateChange: 'ChannelStateChange',
  ChannelHangupRequest: 'ChannelHangupRequest',
  ChannelDestroyed: 'ChannelDestroyed',
  ChannelEnteredBridge: 'ChannelEnteredBridge',
  ChannelLeftBridge: 'ChannelLeftBridge',
  BridgeDestroyed: 'BridgeDestroyed',
  PlaybackStarted: 'PlaybackStarted',
  PlaybackFinished: 'PlaybackFinished',
  RecordingStarted: 'RecordingStarted',
  RecordingFinished: 'RecordingFinished',
  RecordingFailed: 'RecordingFailed',
  ChannelHold: 'ChannelHold',
  ChannelUnhold: 'ChannelUnhold',
  ApplicationReplaced: 'ApplicationReplaced',
} as const;

export const channelKey = (id: string): string => `channel:${id}`;
export const bridgeKey = (id: string): string => `bridge:${id}`;
const targetKey = (target: MediaTarget): string => `${target.kind}:${target.id}`;

type Mapper = (raw: Json, origin: OriginLookup) => KeyedEvent | undefined;

const onChannel = (raw: Json, build: (channelId: string) => TelephonyEvent): KeyedEvent | undefined => {
  const channelId = str(rec(raw, 'channel'), 'id');
  return channelId ? { key: channelKey(channelId), event: build(channelId) } : undefined;
};

const onTarget = (raw: Json, field: string, build: (target: MediaTarget, item: Json) => TelephonyEvent): KeyedEvent | undefined => {
  const item = rec(raw, field);
  const target = parseTargetUri(str(item, 'target_uri'));
  return target ? { key: targetKey(target), event: build(target, item) } : undefined;
};

const mappers: Readonly<Record<string, Mapper>> = {
  [AriEvent.StasisStart]: (raw, origin) => onChannel(raw, (channelId) => {
    const channel = rec(raw, 'channel');
    const args = strings(raw, 'args');
    const known = origin(channelId) ?? (str(channel, 'name').startsWith('Snoop/') ? 'snoop' : undefined);
    if (known) return { type: 'channel-started', channelId, origin: known, args };
    const dialplan = rec(channel, 'dialplan');
    const exten = str(dialplan, 'exten');
    return {
      type: 'call-arrived', channelId, channelName: str(channel, 'name'), caller: party(rec(channel, 'caller')),
      did: args[0] || exten || undefined, args,
      dialplan: { context: str(dialplan, 'context'), exten, priority: optNum(dialplan, 'priority') ?? 0 },
      state: channelState(str(channel, 'state')),
    };
  }),
  [AriEvent.StasisEnd]: (raw) => onChannel(raw, (channelId) => ({ type: 'left-stasis', channelId })),
  [AriEvent.ChannelDtmfReceived]: (raw) => onChannel(raw, (channelId) => ({
    type: 'dtmf', channelId, digit: str(raw, 'digit'), durationMs: optNum(raw, 'duration_ms') ?? 0,
  })),
  [AriEvent.ChannelStateChange]: (raw) => onChannel(raw, (channelId) => ({
    type: 'channel-state-changed', channelId, state: channelState(str(rec(raw, 'channel'), 'state')),
  })),
  [AriEvent.ChannelHangupRequest]: (raw) => onChannel(raw, (channelId) => ({
    type: 'hung-up', channelId, cause: optNum(raw, 'cause'), byApp: raw['soft'] === true,
  })),
  [AriEvent.ChannelDestroyed]: (raw) => onChannel(raw, (channelId) => ({
    type: 'channel-destroyed', channelId, cause: optNum(raw, 'cause') ?? 0, causeText: str(raw, 'cause_txt'),
  })),
  [AriEvent.ChannelEnteredBridge]: (raw) => onChannel(raw, (channelId) => ({
    type: 'entered-bridge', channelId, bridgeId: str(rec(raw, 'bridge'), 'id'),
  })),
  [AriEvent.ChannelLeftBridge]: (raw) => onChannel(raw, (channelId) => ({
    type: 'left-bridge', channelId, bridgeId: str(rec(raw, 'bridge'), 'id'),
  })),
  [AriEvent.BridgeDestroyed]: (raw) => {
    const bridgeId = str(rec(raw, 'bridge'), 'id');
    return bridgeId ? { key: bridgeKey(bridgeId), event: { type: 'bridge-destroyed', bridgeId } } : undefined;
  },
  [AriEvent.PlaybackStarted]: (raw) => onTarget(raw, 'playback', (target, item) => ({
    type: 'playback-started', playbackId: str(item, 'id'), target,
  })),
  [AriEvent.PlaybackFinished]: (raw) => onTarget(raw, 'playback', (target, item) => ({
    type: 'playback-finished', playbackId: str(item, 'id'), target, failed: str(item, 'state') === 'failed',
  })),
  [AriEvent.RecordingStarted]: (raw) => onTarget(raw, 'recording', (target, item) => ({
    type: 'recording-started', name: str(item, 'name'), target,
  })),
  [AriEvent.RecordingFinished]: (raw) => onTarget(raw, 'recording', (target, item) => ({
    type: 'recording-finished', name: str(item, 'name'), target, durationSec: optNum(item, 'duration'),
  })),
  [AriEvent.RecordingFailed]: (raw) => onTarget(raw, 'recording', (target, item) => ({
    type: 'recording-failed', name: str(item, 'name'), target, cause: str(item, 'cause') || str(item, 'state'),
  })),
  [AriEvent.ChannelHold]: (raw) => onChannel(raw, (channelId) => ({
    type: 'far-end-hold', channelId, musicClass: str(raw, 'musicclass'),
  })),
  [AriEvent.ChannelUnhold]: (raw) => onChannel(raw, (channelId) => ({ type: 'far-end-unhold', channelId })),
};

/** Maps one raw ARI event; undefined for events the port does not report. */
export function mapAriEvent(raw: Json, origin: OriginLookup): KeyedEvent | undefined {
  const mapper = mappers[str(raw, 'type')];
  return mapper ? mapper(raw, origin) : undefined;
}
