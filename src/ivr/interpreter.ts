/**
 * The IVR interpreter: a pure step function `step(state, input) → { state, commands }`. No I/O,
 * no clock, no randomness: the shell (the headless flow simulator, or the live call runtime on
 * the telephony port) carries out the commands and feeds back what happened. The state is plain
 * JSON and names the flow id and version it runs, so a call stays on the version it started with
 * and can be stored after every step. See docs/adr/0004-ivr-pure-interpreter.md.
 */
import { HotlineError } from '../errors.ts';
import {
  cancelAllTimers, finish, leaveNode, nodeOf, play, stopPlay, bufferKey, startTimer, type Ctx, type Next,
} from './interpreter-context.ts';
import { inputDigit, inputPromptEnded, inputTimeout, enterInput } from './interpreter-input.ts';
import { enterNode, httpDone, recordingDone, startRecording } from './interpreter-nodes.ts';
import type { CompiledFlow, InterpreterEnv, IvrInput, IvrState, StepResult } from './interpreter-types.ts';

export type * from './interpreter-types.ts';

/** An interpreter bound to one compiled flow and its environment. */
export interface Interpreter {
  readonly flow: CompiledFlow;
  /** The state and first commands of a new call (`started` input). */
  start(input: Extract<IvrInput, { type: 'started' }>): StepResult;
  /** One step. Never mutates `state`. Throws IVR_VERSION_MISMATCH for a state of another flow version. */
  step(state: IvrState, input: IvrInput): StepResult;
}

const digitPattern = /^[0-9*#A-D]$/;
const inputNodeTypes = new Set(['menu', 'collect', 'survey']);
/** Waits of seconds whose keys are their own, never typed ahead (a ticket is filed in milliseconds: keys carry over it). */
const keyOwningWaits = new Set(['queue', 'transfer']);

export function createInterpreter(flow: CompiledFlow, env: InterpreterEnv): Interpreter {
  return {
    flow,
    start: (input) => start(flow, env, input),
    step: (state, input) => step(flow, env, state, input),
  };
}

function start(flow: CompiledFlow, env: InterpreterEnv, input: Extract<IvrInput, { type: 'started' }>): StepResult {
  const lang = input.lang !== undefined && flow.flow.languages.includes(input.lang) ? input.lang : flow.flow.languages[0]!;
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.vars ?? {})) if (/^[a-z][a-z0-9_]{0,31}$/.test(k)) vars[k] = String(v).slice(0, 200);
  vars.call_id = input.callId;
  vars.lang = lang;
  const state: IvrState = {
    v: 1, flowId: flow.id, version: flow.version, callId: input.callId, lang, status: 'running', node: flow.flow.entry,
    phase: 'waiting', vars, noInput: 0, noMatch: 0, repeats: 0, digits: '', typeAhead: '', play: null, timers: {},
    pending: null, seq: 0, steps: 0, hungUp: false, path: [], startedAt: input.at, exit: null,
  };
  const ctx: Ctx = { flow, env, s: state, out: [], at: input.at };
  run(ctx, flow.flow.entry, true);
  return { state, commands: ctx.out };
}

function step(flow: CompiledFlow, env: InterpreterEnv, state: IvrState, input: IvrInput): StepResult {
  if (state.flowId !== flow.id || state.version !== flow.version) {
    throw new HotlineError('IVR_VERSION_MISMATCH', `the call runs flow ${state.flowId}@${state.version}, not ${flow.id}@${flow.version}`);
  }
  const ctx: Ctx = { flow, env, s: structuredClone(state), out: [], at: input.at };
  if (ctx.s.status === 'done') return { state: ctx.s, commands: [] };
  const next = dispatch(ctx, input);
  if (next !== null) run(ctx, next, false);
  return { state: ctx.s, commands: ctx.out };
}

/** Moves from node to node until one waits; enforces the step budget. */
function run(ctx: Ctx, first: string, initial: boolean): void {
  let target: Next = first;
  let fresh = initial;
  while (target !== null && ctx.s.status === 'running') {
    const budget = ctx.env.stepBudget ?? ctx.flow.flow.stepBudget ?? 200;
    if (ctx.s.steps >= budget) { budgetExhausted(ctx); return; }
    if (!fresh) leaveNode(ctx);
    if (target !== ctx.s.node || fresh) { ctx.s.noInput = 0; ctx.s.noMatch = 0; ctx.s.repeats = 0; }
    fresh = false;
    ctx.s.node = target;
    ctx.s.steps += 1;
    ctx.s.path.push(target);
    target = enterNode(ctx);
  }
}

function budgetExhausted(ctx: Ctx): void {
  leaveNode(ctx);
  ctx.out.push({ type: 'log', level: 'warn', event: 'step-budget', code: 'IVR_STEP_BUDGET', node: ctx.s.node, detail: `${ctx.s.steps} steps` });
  if (ctx.s.hungUp) { finish(ctx, 'caller-hangup'); return; }
  const queue = ctx.env.fallbackQueue ?? ctx.flow.flow.fallbackQueue ?? 'general';
  const requestId = `fallback-${ctx.s.seq + 1}`;
  ctx.s.seq += 1;
  ctx.s.pending = { kind: 'queue', id: requestId };
  ctx.s.phase = 'fallback-queue';
  ctx.out.push({ type: 'enqueue', requestId, queue, priority: 9, vars: { reason: 'step-budget' } });
}

function dispatch(ctx: Ctx, input: IvrInput): Next {
  const s = ctx.s;
  switch (input.type) {
    case 'started': return null;
    case 'hangup': return hangup(ctx);
    case 'resumed': return resumed(ctx);
    case 'dtmf':
      if (!digitPattern.test(input.digit)) throw new HotlineError('IVR_BAD_INPUT', 'a DTMF input must be one key of 0-9 * # A-D');
      return digit(ctx, input.digit);
    case 'promptFinished': case 'promptFailed':
      if (s.play?.id !== input.playId) return null;
      return promptEnded(ctx);
    case 'timer': {
      const purpose = Object.keys(s.timers).find((p) => s.timers[p] === input.timerId);
      if (purpose === undefined) return null; // stale: cancelled or superseded
      delete s.timers[purpose];
      return timer(ctx, purpose);
    }
    case 'recordingFinished': {
      const node = nodeOf(ctx);
      if (s.pending?.id !== input.recordingId || node.type !== 'record') return null;
      return recordingDone(ctx, node, input.recordingId, input.durationSec);
    }
    case 'httpResult': {
      const node = nodeOf(ctx);
      if (s.pending?.id !== input.requestId || node.type !== 'http') return null;
      return httpDone(ctx, node, input);
    }
    case 'queueResult': {
      if (s.pending?.id !== input.requestId) return null;
      // the caller comes back after a wait: the next menu prompts and listens, whatever was typed before
      s.typeAhead = '';
      if (input.outcome === 'answered') return finish(ctx, 'agent');
      if (s.phase === 'fallback-queue') { ctx.out.push({ type: 'hangup', reason: 'congestion' }); return finish(ctx, 'step-budget'); }
      const node = nodeOf(ctx);
      if (node.type !== 'queue') return null;
      return node.next[input.outcome === 'no-agents' ? 'noAgents' : input.outcome];
    }
    case 'transferResult': {
      const node = nodeOf(ctx);
      if (s.pending?.id !== input.requestId || node.type !== 'transfer') return null;
      s.typeAhead = ''; // back from the ringing, as from a queue: the next menu prompts
      return input.ok ? finish(ctx, 'transferred') : node.next.failed;
    }
    case 'ticketFiled': {
      const node = nodeOf(ctx);
      if (s.pending?.id !== input.requestId || node.type !== 'ticket') return null;
      if (input.ok && input.ticketId !== undefined) s.vars.ticket_id = input.ticketId.slice(0, 64);
      return input.ok ? node.next.ok : node.next.error;
    }
  }
}

function digit(ctx: Ctx, key: string): Next {
  const node = nodeOf(ctx);
  const s = ctx.s;
  if (s.hungUp) return null;
  if (s.pending !== null && keyOwningWaits.has(s.pending.kind)) return null; // the wait's keys (a queue's callback key), never typed ahead
  if (inputNodeTypes.has(node.type) && ['prompt', 'listen', 'digits'].includes(s.phase)) return inputDigit(ctx, key);
  if (node.type === 'record' && s.phase === 'recording') {
    const term = node.terminateKey ?? '#';
    if (term === 'any' || term === key) { s.phase = 'stopping'; ctx.out.push({ type: 'stopRecording', recordingId: s.pending!.id }); }
    return null;
  }
  if (node.type === 'play' && s.phase === 'prompt' && s.play?.bargeIn === true) {
    stopPlay(ctx);
    bufferKey(ctx, key);
    return node.next;
  }
  if (node.type === 'record') return null; // keys during the record prompt are not typed ahead
  bufferKey(ctx, key);
  return null;
}

function promptEnded(ctx: Ctx): Next {
  const node = nodeOf(ctx);
  ctx.s.play = null;
  if (node.type === 'play') return node.next;
  if (node.type === 'record' && ctx.s.phase === 'prompt') return startRecording(ctx, node);
  if (inputNodeTypes.has(node.type) && ctx.s.phase === 'prompt') return inputPromptEnded(ctx);
  return null; // a filler prompt ended while waiting
}

function timer(ctx: Ctx, purpose: string): Next {
  const node = nodeOf(ctx);
  if (purpose === 'input') return inputTimeout(ctx);
  if (purpose === 'filler' && node.type === 'http') {
    // keys pressed during the filler are typed ahead, never barge in
    if (node.filler !== undefined) play(ctx, [node.filler], false);
    return null;
  }
  if (purpose === 'http' && node.type === 'http') {
    ctx.out.push({ type: 'log', level: 'warn', event: 'http-timeout', node: ctx.s.node });
    leaveNode(ctx);
    return node.next.timeout;
  }
  if (purpose === 'grace' && node.type === 'record' && ctx.s.pending !== null) {
    return recordingDone(ctx, node, ctx.s.pending.id, undefined);
  }
  return null;
}

/** The caller hung up: end, or run the hang-up handler (after a recording has been saved). */
function hangup(ctx: Ctx): Next {
  const s = ctx.s;
  s.hungUp = true;
  s.play = null;
  const node = nodeOf(ctx);
  if (node.type === 'record' && (s.phase === 'recording' || s.phase === 'stopping') && s.pending !== null) {
    cancelAllTimers(ctx);
    startTimer(ctx, 'grace', ctx.env.recordingGraceMs ?? 5_000);
    return null;
  }
  const handler = ctx.flow.flow.onHangup;
  if (handler === undefined || s.node === handler) return finish(ctx, 'caller-hangup');
  leaveNode(ctx);
  return handler;
}

/** After a restart the shell has no timers or playbacks: start the current node again. */
function resumed(ctx: Ctx): Next {
  const s = ctx.s;
  s.timers = {};
  s.play = null;
  const node = nodeOf(ctx);
  if (node.type === 'record' && s.pending !== null) { ctx.out.push({ type: 'stopRecording', recordingId: s.pending.id }); return null; }
  if (node.type === 'http') { s.pending = null; return node.next.error; }
  if (s.pending !== null) return null; // queue, transfer, ticket: the shell still owns the request
  s.digits = '';
  if (inputNodeTypes.has(node.type) && (node.type === 'menu' || node.type === 'collect' || node.type === 'survey')) return enterInput(ctx, node);
  return enterNode(ctx);
}
