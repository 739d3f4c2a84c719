/**
 * Entering each node type, and the results of the requests nodes make (recording, HTTP, queue,
 * transfer, ticket). After a hang-up only nodes without audio run (the hang-up handler).
 */
import type { Condition, FlowNode, NodeOf } from './flow-schema.ts';
import { evaluateHours } from './hours.ts';
import { enterInput } from './interpreter-input.ts';
import { finish, newId, nodeOf, play, startTimer, leaveNode, type Ctx, type Next } from './interpreter-context.ts';
import type { IvrInput } from './interpreter-types.ts';
import { renderTemplate } from './prompt-template.ts';

const audioTypes = new Set(['menu', 'collect', 'record', 'survey', 'queue', 'transfer']);
const maxVarLength = 500;

/** Runs the current node's entry; returns where to go at once, or null to wait. */
export function enterNode(ctx: Ctx): Next {
  const node = nodeOf(ctx);
  if (ctx.s.hungUp && audioTypes.has(node.type)) return finish(ctx, 'caller-hangup');
  switch (node.type) {
    case 'play':
      if (ctx.s.hungUp) return node.next;
      ctx.s.phase = 'prompt';
      play(ctx, [node.prompt], node.bargeIn ?? true);
      return null;
    case 'menu': case 'collect': case 'survey': return enterInput(ctx, node);
    case 'record': return enterRecord(ctx, node);
    case 'http': return enterHttp(ctx, node);
    case 'hours': {
      const outcome = evaluateHours(ctx.env.catalogue.schedules[node.schedule]!, ctx.env.catalogue.calendars[node.calendar]!, ctx.at);
      return node.next[outcome];
    }
    case 'condition': {
      const hit = node.cases.find((c) => holds(c.when, ctx.s.vars));
      return hit === undefined ? node.default : hit.next;
    }
    case 'set':
      for (const [name, template] of Object.entries(node.vars)) ctx.s.vars[name] = renderTemplate(template, ctx.s.vars).slice(0, maxVarLength);
      return node.next;
    case 'goto': return node.next;
    case 'queue': return request(ctx, 'queue', (requestId) => ({
      type: 'enqueue', requestId, queue: node.queue, priority: node.priority ?? 5, vars: renderAll(node.vars, ctx.s.vars),
    }));
    case 'transfer': return request(ctx, 'transfer', (requestId) => ({ type: 'transfer', requestId, destination: node.destination }));
    case 'ticket': return request(ctx, 'ticket', (requestId) => ({
      type: 'fileTicket', requestId, category: node.category, content: renderTemplate(node.content, ctx.s.vars),
      recording: node.recording === undefined ? undefined : ctx.s.vars[node.recording], fields: renderAll(node.fields, ctx.s.vars),
    }));
    // compiling inlines subflows (subflows.ts), so a compiled flow holds none; go on as a goto would
    case 'subflow': return node.next;
    // a `return` in a flow run on its own (not inlined into a caller) ends the call like a hangup
    case 'return': case 'hangup':
      if (!ctx.s.hungUp) ctx.out.push({ type: 'hangup', reason: node.type === 'hangup' ? node.reason ?? 'normal' : 'normal' });
      return finish(ctx, ctx.s.hungUp ? 'caller-hangup' : 'hangup');
  }
}

function request(ctx: Ctx, kind: 'queue' | 'transfer' | 'ticket', make: (id: string) => Parameters<Ctx['out']['push']>[0]): Next {
  const id = newId(ctx, `${kind}-`);
  ctx.s.pending = { kind, id };
  ctx.s.phase = 'waiting';
  ctx.out.push(make(id));
  return null;
}

function renderAll(templates: Readonly<Record<string, string>> | undefined, vars: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(templates ?? {}).map(([k, t]) => [k, renderTemplate(t, vars)]));
}

function holds(when: Condition, vars: Readonly<Record<string, string>>): boolean {
  const value = Object.hasOwn(vars, when.var) ? vars[when.var] : undefined;
  const want = when.value;
  switch (when.op) {
    case 'set': return value !== undefined && value !== '';
    case 'unset': return value === undefined || value === '';
    case 'eq': return value === want;
    case 'ne': return value !== want;
    case 'in': return Array.isArray(want) && value !== undefined && want.includes(value);
    case 'matches': return typeof want === 'string' && value !== undefined && new RegExp(want).test(value);
    case 'lt': case 'gt': {
      const a = Number(value), b = Number(want);
      if (value === undefined || value === '' || !Number.isFinite(a) || !Number.isFinite(b)) return false;
      return when.op === 'lt' ? a < b : a > b;
    }
  }
}

function enterRecord(ctx: Ctx, node: NodeOf<'record'>): Next {
  if (node.prompt !== undefined) {
    ctx.s.phase = 'prompt';
    play(ctx, [node.prompt], false);
    if (ctx.s.play !== null) return null;
  }
  return startRecording(ctx, node);
}

/** The record node's prompt ended: the recording starts (with its beep). */
export function startRecording(ctx: Ctx, node: NodeOf<'record'>): Next {
  ctx.s.play = null;
  const safeCall = ctx.s.callId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
  const recordingId = `ivr/${safeCall}/${ctx.s.node}-${newId(ctx, 'r')}`;
  ctx.s.pending = { kind: 'recording', id: recordingId };
  ctx.s.phase = 'recording';
  ctx.out.push({
    type: 'startRecording', recordingId, beep: node.beep ?? true, maxSeconds: node.maxSeconds ?? 120,
    maxSilenceSeconds: node.maxSilenceSeconds, terminateKey: node.terminateKey ?? '#',
  });
  return null;
}

/** The recording ended (key, limit, silence or hang-up): its name goes into the variable. */
export function recordingDone(ctx: Ctx, node: NodeOf<'record'>, recordingId: string, durationSec: number | undefined): Next {
  ctx.s.vars[node.into] = recordingId;
  ctx.s.vars[`${node.into}_seconds`] = String(Math.max(0, Math.round(durationSec ?? 0)));
  leaveNode(ctx);
  if (!ctx.s.hungUp) return node.next;
  return node.onHangup ?? ctx.flow.flow.onHangup ?? finish(ctx, 'caller-hangup');
}

function enterHttp(ctx: Ctx, node: NodeOf<'http'>): Next {
  const requestId = newId(ctx, 'http-');
  const timeoutMs = node.timeoutMs ?? 3_000;
  ctx.s.pending = { kind: 'http', id: requestId };
  ctx.s.phase = 'waiting';
  ctx.out.push({
    type: 'httpRequest', requestId, service: node.service, method: node.method, timeoutMs,
    path: renderTemplate(node.url, ctx.s.vars, encodePathValue),
    body: node.body === undefined ? undefined : renderAll(node.body, ctx.s.vars),
  });
  startTimer(ctx, 'http', timeoutMs);
  if (node.filler !== undefined && !ctx.s.hungUp) startTimer(ctx, 'filler', node.fillerAfterMs ?? 1_500);
  return null;
}

/** URL-encodes a variable's value for a path or query; dots too, so no value can climb out with `..`. */
function encodePathValue(value: string): string {
  return encodeURIComponent(value).replace(/\./g, '%2E');
}

/** The HTTP answer came: map the body into variables, or take the error/timeout exit. */
export function httpDone(ctx: Ctx, node: NodeOf<'http'>, input: Extract<IvrInput, { type: 'httpResult' }>): Next {
  leaveNode(ctx);
  if (input.outcome !== 'ok') return node.next[input.outcome];
  for (const [name, pointer] of Object.entries(node.assign ?? {})) {
    const value = resolvePointer(input.body, pointer);
    if (value === undefined && (node.optional ?? []).includes(name)) continue;
    if (value === undefined) {
      ctx.out.push({ type: 'log', level: 'warn', event: 'http-answer-unusable', node: ctx.s.node, detail: `no scalar at ${pointer}` });
      return node.next.error;
    }
    ctx.s.vars[name] = value.slice(0, maxVarLength);
  }
  return node.next.ok;
}

/** A JSON pointer's scalar value as a string; undefined when absent or not a scalar. */
export function resolvePointer(body: unknown, pointer: string): string | undefined {
  let at: unknown = body;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  if (typeof at === 'string') return at;
  if (typeof at === 'number' || typeof at === 'boolean') return String(at);
  return undefined;
}

export type { FlowNode };
