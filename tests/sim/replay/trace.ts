/** The golden traces in ../shared/ari-traces (read in place, never copied). */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const tracesDir = path.resolve(import.meta.dirname, '../../../../shared/ari-traces');
export const apiDocsDir = path.resolve(import.meta.dirname, '../../../../shared/asterisk-ari-api-docs');

export interface TraceStep {
  kind: 'request' | 'event' | 'external' | 'pause' | 'ws';
  [key: string]: unknown;
}

export interface Trace { scenario: string; steps: TraceStep[] }

export function loadTrace(name: string): Trace {
  return JSON.parse(readFileSync(path.join(tracesDir, `${name}.json`), 'utf8')) as Trace;
}

/** Scenarios the simulator replays, and those it does not (with the reason). */
export const replayed = [
  'inbound-answer-play-finish', 'inbound-dtmf-bargein', 'inbound-caller-hangup-during-playback', 'inbound-args-did',
  'holding-bridge-moh', 'originate-agent-answer-bridge', 'originate-no-answer-timeout', 'dial-via-create',
  'three-way-conference', 'snoop-spy-whisper', 'record-feedback', 'record-feedback-caller-hangup', 'bridge-record',
  'channel-vars-and-continue', 'errors', 'app-replaced', 'ws-reconnect-with-live-call', 'hold-mute-ring', 'sip-caller-hold',
] as const;

/** Scenarios not replayed, with the reason (none at present: every trace file is replayed). */
export const notReplayed: Record<string, string> = {};

/**
 * Windows whose events may match only as a multiset (Asterisk's order varies there, per the
 * traces' README). Every other window must match in order.
 */
export const reorderAllowed: Record<string, { windows: number; why: string }> = {
  'originate-agent-answer-bridge': { windows: 1, why: 'the two ChannelConnectedLine events after a two-party bridge forms' },
  'snoop-spy-whisper': {
    windows: 3,
    why: 'StasisStart of a snoop vs the BRIDGEPEER re-publication (twice), and where ChannelConnectedLine falls among the hang-up events of a Local pair',
  },
};
