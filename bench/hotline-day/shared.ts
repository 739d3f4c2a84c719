/**
 * What the processes of bench/hotline-day.ts share: the shape of the day, IPC messages, the bench
 * users' names and tokens, the clock they compare, percentile summaries and ARI request templates.
 * The clock, the percentiles and the IPC inbox are bench/acd/shared.ts's.
 */
import type { ChildProcess } from 'node:child_process';
import { inbox as acdInbox, type Summary } from '../acd/shared.ts';
export { epochNow, summarize, type Summary } from '../acd/shared.ts';

export const agentName = (n: number): string => `day-agent-${String(n).padStart(4, '0')}`;
export const supervisorName = (n: number): string => `day-sup-${String(n).padStart(4, '0')}`;
export const extensionOf = (n: number): string => String(40000 + n);
/** A bearer token per bench user (the server child writes its session straight into the store). */
export const tokenOf = (username: string): string => `${username.replace(/[^A-Za-z0-9]/g, '')}-daydaydaydaydayday`;
/** The skill (and expert queue) consulted in three-way calls. */
export const EXPERT_SKILL = 'expert-customs';

/** The day's shape; every figure has an env knob (see bench/hotline-day.ts). */
export interface Shape {
  /** Simultaneous calls at the plateau (the callers keep this many up: a call that ends is replaced). */
  readonly concurrent: number;
  /** Agents in all; `experts` of them have only the expert skill, the rest only `general`. */
  readonly agents: number;
  readonly experts: number;
  readonly supervisors: number;
  /** Ramp from 0 to `concurrent` simultaneous calls, then hold. */
  readonly rampS: number;
  readonly holdS: number;
  /** Mix: share of callers who press 9 (suggestion), share of connected calls with a three-way. */
  readonly feedbackShare: number;
  readonly threeWayShare: number;
  /** Share of queued callers who give up after a patience drawn from `patienceS` (uniform). */
  readonly impatientShare: number;
  readonly patienceS: readonly [number, number];
  /** Talk time, uniform in this range (ms), from the caller's entry into the agent's bridge. */
  readonly talkMs: readonly [number, number];
  /** Share of connected calls the agent ends (the caller then takes the survey); the others the caller ends. */
  readonly agentHangsUpShare: number;
  readonly ringMs: number;
  readonly wrapMs: number;
  /** Three-way: consult `consultAfterMs` into the talk, the expert leaves `conferenceMs` after the conference starts. */
  readonly consultAfterMs: number;
  readonly conferenceMs: number;
  /** Length of the suggestion the feedback callers leave (ms, then #). */
  readonly messageMs: number;
  /** Stop after this many calls have ended (0: when the hold is over); the memory phase. */
  readonly totalCalls: number;
  readonly seed: number;
}

/** A small seeded generator: the same seed gives the same day. */
export { seededRandom as seeded } from '../../src/seeded-random.ts';

/**
 * An ARI request as a template: ids in the path become `{id}`, the query keeps its parameter
 * names (sorted), e.g. `POST /channels/{id}/play?media,playbackId`.
 */
export function requestTemplate(method: string, rawPath: string): string {
  const [pathPart = '', query = ''] = rawPath.split('?');
  const segments = pathPart.replace(/^\/ari/, '').split('/').map((segment) => {
    if (segment === '') return segment;
    return /\d/.test(segment) || /^(agent|call|xfer|consult|hold|snoop)-/.test(segment) ? '{id}' : segment;
  });
  const names = query ? [...new Set(query.split('&').map((pair) => decodeURIComponent(pair.split('=')[0]!)))].sort().join(',') : '';
  return `${method} ${segments.join('/')}${names ? `?${names}` : ''}`;
}

/** A process's memory, MB. `afterGc`: taken right after a full collection. */
export interface MemorySample {
  readonly callsEnded: number;
  readonly at: number;
  readonly rssMb: number;
  readonly heapUsedMb: number;
  readonly externalMb: number;
  /** The process's CPU since the start, forced collections left out (ms). */
  readonly cpuMs: number;
}

/** Bench ⇄ the server child and the floor child: the same messages. */
export type ToApp =
  | { type: 'start' }
  | { type: 'sample'; callsEnded: number }
  | { type: 'stop' }
  | { type: 'close' };
export type FromApp =
  | { type: 'ready'; url?: string }
  | { type: 'started' }
  | { type: 'sampled'; sample: MemorySample; gcCpuMs: number }
  | {
      type: 'stopped';
      cpuMs: number;
      wallMs: number;
      /** CPU spent in the forced collections of the memory samples (subtracted from cpuMs by the bench). */
      gcCpuMs: number;
      loopDelay: Summary;
      /** REST requests by template, and in all. */
      requests: Record<string, number>;
      counts: Record<string, number>;
      logged: Record<string, number>;
    };

/** Bench ⇄ the CTI clients child. */
export type ToClients =
  | { type: 'connect'; url: string; shape: Shape }
  | { type: 'start' }
  | { type: 'drain' }
  | { type: 'stop' };
export type FromClients =
  | { type: 'connected'; connectMs: number }
  | { type: 'drained' }
  | {
      type: 'stopped';
      /** Every event on every socket: published (`at`) → parsed. */
      allDelivery: Summary;
      offerDelivery: Summary;
      supervisorDelivery: Summary;
      /** An agent's `ready` (`since`, server clock) → its next `call.offer` parsed. */
      freeToOffer: Summary;
      /** Three-way: `call.consult` sent → `consulting`; `call.conference` sent → `conference`. */
      consultToConsulting: Summary;
      conferenceToJoined: Summary;
      sockets: number;
      clientCpuMs: number;
      counts: Record<string, number>;
    };

/** Waits for IPC messages of a given type from a child, in arrival order (the day's phases take up to 3 min). */
export const inbox = <M extends { type: string }>(child: ChildProcess) => acdInbox<M>(child, 180_000);
