/**
 * The interpreter's vocabulary: its inputs (what happened on the call), its commands (what the
 * shell must do), and its state (plain JSON, stored between steps so a call can resume).
 */
import type { ErrorCode } from '../errors.ts';
import type { Catalogue } from './catalogue.ts';
import type { Flow } from './flow-schema.ts';

/** A flow that passed the linter, with the hash that pins live calls to it. */
export interface CompiledFlow {
  readonly id: string;
  /** sha256 (16 hex) of the canonical JSON: the version a call carries. */
  readonly version: string;
  readonly flow: Flow;
  /** The subflows inlined into `flow`: the subflow node, the child flow and its version (hash). */
  readonly subflows?: readonly InlinedSubflow[];
}

/** One subflow node inlined at compile / publish time, and the child version it copied. */
export interface InlinedSubflow {
  readonly node: string;
  readonly flowId: string;
  readonly version: string;
}

/** Everything that can happen to a call, with the time (epoch ms) it happened. */
export type IvrInput = { readonly at: number } & (
  | { readonly type: 'started'; readonly callId: string; readonly lang?: string; readonly vars?: Readonly<Record<string, string>> }
  | { readonly type: 'promptFinished'; readonly playId: string }
  | { readonly type: 'promptFailed'; readonly playId: string }
  | { readonly type: 'dtmf'; readonly digit: string }
  | { readonly type: 'timer'; readonly timerId: string }
  | { readonly type: 'recordingFinished'; readonly recordingId: string; readonly durationSec?: number; readonly failed?: boolean }
  | { readonly type: 'httpResult'; readonly requestId: string; readonly outcome: 'ok' | 'error' | 'timeout'; readonly status?: number; readonly body?: unknown }
  | { readonly type: 'queueResult'; readonly requestId: string; readonly outcome: 'answered' | 'timeout' | 'full' | 'no-agents' }
  | { readonly type: 'transferResult'; readonly requestId: string; readonly ok: boolean }
  | { readonly type: 'ticketFiled'; readonly requestId: string; readonly ok: boolean; readonly ticketId?: string }
  | { readonly type: 'hangup' }
  /** After a server restart: the shell lost its timers and playbacks; the node starts again. */
  | { readonly type: 'resumed' }
);

export type IvrInputType = IvrInput['type'];

/** What the shell must do, in order. Ids are chosen by the interpreter; results quote them. */
export type IvrCommand =
  | { readonly type: 'play'; readonly playId: string; readonly node: string; readonly lang: string; readonly media: readonly string[]; readonly text: string; readonly dynamic: boolean; readonly bargeIn: boolean }
  | { readonly type: 'stopPrompt'; readonly playId: string }
  | { readonly type: 'startTimer'; readonly timerId: string; readonly ms: number }
  | { readonly type: 'cancelTimer'; readonly timerId: string }
  | { readonly type: 'startRecording'; readonly recordingId: string; readonly beep: boolean; readonly maxSeconds: number; readonly maxSilenceSeconds: number | undefined; readonly terminateKey: '#' | '*' | 'any' | 'none' }
  | { readonly type: 'stopRecording'; readonly recordingId: string }
  | { readonly type: 'httpRequest'; readonly requestId: string; readonly service: string; readonly method: 'GET' | 'POST'; readonly path: string; readonly body: Readonly<Record<string, string>> | undefined; readonly timeoutMs: number }
  | { readonly type: 'enqueue'; readonly requestId: string; readonly queue: string; readonly priority: number; readonly vars: Readonly<Record<string, string>> }
  | { readonly type: 'transfer'; readonly requestId: string; readonly destination: string }
  | { readonly type: 'fileTicket'; readonly requestId: string; readonly category: string; readonly content: string; readonly recording: string | undefined; readonly fields: Readonly<Record<string, string>> }
  | { readonly type: 'surveyRated'; readonly rating: 1 | 2 | 3; readonly label: 'satisfied' | 'basically-satisfied' | 'dissatisfied' }
  | { readonly type: 'hangup'; readonly reason: 'normal' | 'busy' | 'congestion' }
  | { readonly type: 'log'; readonly level: 'info' | 'warn'; readonly event: string; readonly node: string; readonly code?: ErrorCode; readonly detail?: string };

export type IvrCommandType = IvrCommand['type'];

/** How a call left the flow. */
export interface IvrExit {
  readonly reason: 'hangup' | 'caller-hangup' | 'agent' | 'transferred' | 'step-budget';
  readonly node: string;
  readonly at: number;
}

/** What the current node is waiting for. */
export type IvrPhase =
  | 'prompt' | 'listen' | 'digits' | 'recording' | 'stopping' | 'waiting' | 'fallback-queue' | 'done';

/** The state of one call in the flow: plain JSON. */
export interface IvrState {
  readonly v: 1;
  flowId: string;
  version: string;
  callId: string;
  lang: string;
  status: 'running' | 'done';
  node: string;
  phase: IvrPhase;
  vars: Record<string, string>;
  noInput: number;
  noMatch: number;
  repeats: number;
  /** Digits the current input node has collected. */
  digits: string;
  /** Keys pressed while no input node listened, for the next one (never those pressed while a queue or a transfer is pending; emptied when its result comes back). */
  typeAhead: string;
  play: { id: string; bargeIn: boolean } | null;
  /** Running timers by purpose (`input`, `http`, `filler`, `grace`) → timer id. */
  timers: Record<string, string>;
  /** The outstanding request (recording, http, queue, transfer, ticket) and its id. */
  pending: { kind: 'recording' | 'http' | 'queue' | 'transfer' | 'ticket'; id: string } | null;
  seq: number;
  steps: number;
  hungUp: boolean;
  /** Nodes visited, in order (bounded by the step budget). */
  path: string[];
  startedAt: number;
  exit: IvrExit | null;
}

export interface StepResult {
  readonly state: IvrState;
  readonly commands: readonly IvrCommand[];
}

/** What the interpreter needs besides the flow; all data, no I/O. */
export interface InterpreterEnv {
  readonly catalogue: Catalogue;
  /** Nodes entered per call before the call is sent to an agent (default: the flow's, else 200). */
  readonly stepBudget?: number;
  /** Type-ahead buffer size (default 30). */
  readonly typeAheadMax?: number;
  /** Queue for calls that ran out of steps (default: the flow's fallbackQueue, else `general`). */
  readonly fallbackQueue?: string;
  /** How long to wait for a recording's end after a hang-up (default 5000 ms). */
  readonly recordingGraceMs?: number;
}
