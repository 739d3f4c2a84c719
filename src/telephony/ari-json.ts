/**
 * Narrowing helpers for ARI JSON (events and REST bodies arrive as `unknown`) and the conversion
 * of ARI channel and bridge objects to the port's plain types. Only src/telephony/ uses these.
 */
import type { BridgeInfo, ChannelInfo, ChannelState, MediaTarget, Party } from './port.ts';

export type Json = Readonly<Record<string, unknown>>;

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function rec(value: unknown, key: string): Json {
  const inner = isRecord(value) ? value[key] : undefined;
  return isRecord(inner) ? inner : {};
}

export function str(value: unknown, key: string): string {
  const inner = isRecord(value) ? value[key] : undefined;
  return typeof inner === 'string' ? inner : '';
}

export function optNum(value: unknown, key: string): number | undefined {
  const inner = isRecord(value) ? value[key] : undefined;
  return typeof inner === 'number' && Number.isFinite(inner) ? inner : undefined;
}

export function strings(value: unknown, key: string): string[] {
  const inner = isRecord(value) ? value[key] : undefined;
  return Array.isArray(inner) ? inner.filter((v): v is string => typeof v === 'string') : [];
}

const channelStates: readonly ChannelState[] = [
  'Down', 'Rsrved', 'OffHook', 'Dialing', 'Ring', 'Ringing', 'Up', 'Busy', 'Dialing Offhook', 'Pre-ring',
];

export function channelState(value: string): ChannelState {
  return (channelStates as readonly string[]).includes(value) ? (value as ChannelState) : 'Unknown';
}

export function party(value: unknown): Party {
  return { number: str(value, 'number'), name: str(value, 'name') };
}

/** `channel:<id>` / `bridge:<id>` → a target; undefined for other schemes. */
export function parseTargetUri(uri: string): MediaTarget | undefined {
  const match = /^(channel|bridge):(.+)$/.exec(uri);
  if (!match) return undefined;
  return { kind: match[1] === 'channel' ? 'channel' : 'bridge', id: match[2]! };
}

/** An ARI Channel object → ChannelInfo. */
export function toChannelInfo(raw: unknown, inApp: boolean): ChannelInfo {
  const dialplan = rec(raw, 'dialplan');
  return {
    id: str(raw, 'id'),
    name: str(raw, 'name'),
    state: channelState(str(raw, 'state')),
    caller: party(rec(raw, 'caller')),
    connected: party(rec(raw, 'connected')),
    dialplan: {
      context: str(dialplan, 'context'),
      exten: str(dialplan, 'exten'),
      priority: optNum(dialplan, 'priority') ?? 0,
      appName: str(dialplan, 'app_name'),
      appData: str(dialplan, 'app_data'),
    },
    inApp,
  };
}

/** An ARI Bridge object → BridgeInfo. */
export function toBridgeInfo(raw: unknown): BridgeInfo {
  const bridgeType = str(raw, 'bridge_type');
  return {
    id: str(raw, 'id'),
    type: bridgeType === 'mixing' || bridgeType === 'holding' ? bridgeType : 'other',
    channelIds: strings(raw, 'channels'),
  };
}
