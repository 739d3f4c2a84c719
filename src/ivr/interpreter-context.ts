/**
 * The working context of one step: the flow, the environment, a private copy of the state and
 * the commands emitted so far, with the small helpers every node handler uses.
 */
import type { FlowNode, Prompt } from './flow-schema.ts';
import type { CompiledFlow, InterpreterEnv, IvrCommand, IvrExit, IvrState } from './interpreter-types.ts';
import { resolvePrompt } from './prompt-template.ts';

export interface Ctx {
  readonly flow: CompiledFlow;
  readonly env: InterpreterEnv;
  readonly s: IvrState;
  readonly out: IvrCommand[];
  readonly at: number;
}

/** The next node to move to now, or null when the call waits (or is done). */
export type Next = string | null;

export const nodeOf = (ctx: Ctx): FlowNode => ctx.flow.flow.nodes[ctx.s.node]!;

export function newId(ctx: Ctx, prefix: string): string {
  ctx.s.seq += 1;
  return `${prefix}${ctx.s.seq}`;
}

export function startTimer(ctx: Ctx, purpose: string, ms: number): void {
  cancelTimer(ctx, purpose);
  const timerId = newId(ctx, `${purpose}-`);
  ctx.s.timers[purpose] = timerId;
  ctx.out.push({ type: 'startTimer', timerId, ms });
}

export function cancelTimer(ctx: Ctx, purpose: string): void {
  const timerId = ctx.s.timers[purpose];
  if (timerId === undefined) return;
  delete ctx.s.timers[purpose];
  ctx.out.push({ type: 'cancelTimer', timerId });
}

export function cancelAllTimers(ctx: Ctx): void {
  for (const purpose of Object.keys(ctx.s.timers)) cancelTimer(ctx, purpose);
}

/** Plays prompts (in order) as one playback. */
export function play(ctx: Ctx, prompts: ReadonlyArray<Prompt | undefined>, bargeIn: boolean): void {
  stopPlay(ctx);
  const resolved = prompts.filter((p): p is Prompt => p !== undefined)
    .map((p) => resolvePrompt(p, ctx.s.lang, ctx.flow.flow.languages[0]!, ctx.s.vars));
  if (resolved.length === 0) return;
  const playId = newId(ctx, 'play-');
  ctx.s.play = { id: playId, bargeIn };
  ctx.out.push({
    type: 'play', playId, node: ctx.s.node, lang: resolved[0]!.lang, bargeIn,
    media: resolved.flatMap((r) => r.media), text: resolved.map((r) => r.text).join(' '),
    dynamic: resolved.some((r) => r.dynamic),
  });
}

/** Stops the current playback, if any. */
export function stopPlay(ctx: Ctx): void {
  if (ctx.s.play === null) return;
  if (!ctx.s.hungUp) ctx.out.push({ type: 'stopPrompt', playId: ctx.s.play.id });
  ctx.s.play = null;
}

/** Leaves the current node: timers, playback and collected digits go. */
export function leaveNode(ctx: Ctx): void {
  cancelAllTimers(ctx);
  stopPlay(ctx);
  ctx.s.digits = '';
  ctx.s.pending = null;
}

/** Ends the call's flow. */
export function finish(ctx: Ctx, reason: IvrExit['reason']): Next {
  leaveNode(ctx);
  ctx.s.status = 'done';
  ctx.s.phase = 'done';
  ctx.s.exit = { reason, node: ctx.s.node, at: ctx.at };
  return null;
}

/** Buffers a key pressed while no input node listens (bounded; extra keys are dropped and logged). */
export function bufferKey(ctx: Ctx, digit: string): void {
  const max = ctx.env.typeAheadMax ?? 30;
  if (ctx.s.typeAhead.length < max) ctx.s.typeAhead += digit;
  else ctx.out.push({ type: 'log', level: 'info', event: 'type-ahead-full', node: ctx.s.node });
}
