/** Reads the audio figures of a call from `RTCPeerConnection.getStats()`. */
import type { CallStats } from './phone.ts';

/** Figures of a call without media yet. */
export const noStats: CallStats = {
  codec: undefined,
  packetsSent: 0,
  packetsReceived: 0,
  packetsLost: 0,
  bytesSent: 0,
  bytesReceived: 0,
  jitterMs: undefined,
  roundTripMs: undefined,
  inboundLevel: undefined,
  inboundEnergy: 0,
  outboundLevel: undefined,
};

type Entry = Record<string, unknown>;

function num(entry: Entry | undefined, key: string): number | undefined {
  const value = entry?.[key];
  return typeof value === 'number' ? value : undefined;
}

/** Sums the audio RTP streams of the report (one of each kind in practice). */
export function callStatsFrom(report: RTCStatsReport): CallStats {
  const entries: Entry[] = [];
  report.forEach((value: Entry) => entries.push(value));
  const audio = (type: string) => entries.filter((e) => e.type === type && (e.kind ?? e.mediaType) === 'audio');
  const outbound = audio('outbound-rtp');
  const inbound = audio('inbound-rtp');
  const remoteInbound = audio('remote-inbound-rtp');
  const source = audio('media-source')[0];
  const sum = (list: Entry[], key: string) => list.reduce((total, e) => total + (num(e, key) ?? 0), 0);
  const codecId = inbound[0]?.codecId ?? outbound[0]?.codecId;
  const codec = entries.find((e) => e.type === 'codec' && e.id === codecId);
  const jitter = num(inbound[0], 'jitter');
  const rtt = num(remoteInbound[0], 'roundTripTime');
  return {
    codec: typeof codec?.mimeType === 'string' ? codec.mimeType : undefined,
    packetsSent: sum(outbound, 'packetsSent'),
    packetsReceived: sum(inbound, 'packetsReceived'),
    packetsLost: sum(inbound, 'packetsLost'),
    bytesSent: sum(outbound, 'bytesSent'),
    bytesReceived: sum(inbound, 'bytesReceived'),
    jitterMs: jitter === undefined ? undefined : jitter * 1000,
    roundTripMs: rtt === undefined ? undefined : rtt * 1000,
    inboundLevel: num(inbound[0], 'audioLevel'),
    inboundEnergy: sum(inbound, 'totalAudioEnergy'),
    outboundLevel: num(source, 'audioLevel'),
  };
}
