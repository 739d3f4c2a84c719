/**
 * The shape of a flow as a graph: each node's exits (with their JSON paths), the prompts and
 * templates it holds, the variables it sets on each exit and reads. Shared by the linter, the
 * interpreter's coverage report and the prompt renderer.
 */
import type { Flow, FlowNode, Prompt } from './flow-schema.ts';
import { templateRefs, type TemplateRef } from './prompt-template.ts';

/** One exit of a node. */
export interface Exit {
  /** Name used in transcripts and coverage, e.g. `next`, `option 9`, `noInput`, `case 0`. */
  readonly name: string;
  /** JSON path of the target field, e.g. `/nodes/main/options/9/next`. */
  readonly path: string;
  readonly target: string;
  /** Variables set when the node leaves through this exit. */
  readonly sets: readonly string[];
}

/** Node types that wait for the caller (break loops, may consume type-ahead). */
export const inputTypes = new Set(['menu', 'collect', 'record', 'survey']);
/** Node types that wait for something slow enough to break a loop. */
export const waitTypes = new Set([...inputTypes, 'queue']);
/** Node types that put the caller through to a person. */
export const humanTypes = new Set(['queue', 'transfer']);

/** Variables the shell sets before the first step. */
export const builtinVars = ['call_id', 'caller_number', 'did', 'lang'] as const;

const p = (id: string, ...rest: Array<string | number>): string =>
  ['', 'nodes', id, ...rest].map((s) => String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/** The exits of a node, in declaration order. */
export function exitsOf(id: string, node: FlowNode): Exit[] {
  const one = (name: string, target: string, path: string, sets: readonly string[] = []): Exit => ({ name, target, path, sets });
  const named = (next: Record<string, string>, sets: Record<string, readonly string[]> = {}): Exit[] =>
    Object.entries(next).map(([k, t]) => one(k, t, p(id, 'next', k), sets[k] ?? []));
  switch (node.type) {
    case 'play': case 'set': case 'goto': case 'subflow':
      return [one('next', node.next, p(id, 'next'), node.type === 'set' ? Object.keys(node.vars) : [])];
    case 'record': {
      const sets = [node.into, `${node.into}_seconds`];
      const exits = [one('next', node.next, p(id, 'next'), sets)];
      if (node.onHangup !== undefined) exits.push(one('onHangup', node.onHangup, p(id, 'onHangup'), sets));
      return exits;
    }
    case 'menu':
      return [
        ...Object.entries(node.options).map(([key, o]) => one(`option ${key}`, o.next, p(id, 'options', key, 'next'))),
        ...named(node.next),
      ];
    case 'collect': return named(node.next, { ok: [node.into] });
    case 'http': return named(node.next, { ok: Object.keys(node.assign ?? {}).filter((v) => !(node.optional ?? []).includes(v)) });
    case 'hours': case 'queue': case 'transfer': return named(node.next);
    case 'ticket': return named(node.next, { ok: ['ticket_id'] });
    case 'survey': return named(node.next, { rated: [node.into ?? 'rating'] });
    case 'condition':
      return [
        ...node.cases.map((c, i) => one(`case ${i}`, c.next, p(id, 'cases', i, 'next'))),
        one('default', node.default, p(id, 'default')),
      ];
    case 'hangup': case 'return': return [];
  }
}

/** Every prompt of a node with its JSON path. */
export function promptsOf(id: string, node: FlowNode): Array<{ path: string; prompt: Prompt }> {
  const out: Array<{ path: string; prompt: Prompt }> = [];
  const add = (prompt: Prompt | undefined, ...at: Array<string | number>): void => {
    if (prompt !== undefined) out.push({ path: p(id, ...at), prompt });
  };
  if ('prompt' in node) add(node.prompt, 'prompt');
  if (node.type === 'menu' || node.type === 'collect') {
    add(node.shortPrompt, 'shortPrompt');
    node.noInputPrompts?.forEach((pr, i) => add(pr, 'noInputPrompts', i));
    node.noMatchPrompts?.forEach((pr, i) => add(pr, 'noMatchPrompts', i));
  }
  if (node.type === 'survey') add(node.retryPrompt, 'retryPrompt');
  if (node.type === 'http') add(node.filler, 'filler');
  return out;
}

/** Every template of a node (prompt texts included) with its JSON path. */
export function templatesOf(id: string, node: FlowNode): Array<{ path: string; template: string }> {
  const out: Array<{ path: string; template: string }> = [];
  for (const { path, prompt } of promptsOf(id, node)) {
    for (const [lang, v] of Object.entries(prompt)) if (v.text !== undefined) out.push({ path: `${path}/${lang}/text`, template: v.text });
  }
  const record = (r: Record<string, string> | undefined, ...at: string[]): void => {
    for (const [k, t] of Object.entries(r ?? {})) out.push({ path: p(id, ...at, k), template: t });
  };
  switch (node.type) {
    case 'set': record(node.vars, 'vars'); break;
    case 'http': out.push({ path: p(id, 'url'), template: node.url }); record(node.body, 'body'); break;
    case 'queue': record(node.vars, 'vars'); break;
    case 'ticket': out.push({ path: p(id, 'content'), template: node.content }); record(node.fields, 'fields'); break;
    default: break;
  }
  return out;
}

/** Variables a node reads, with where and whether a default covers an unset value. */
export function readsOf(id: string, node: FlowNode): Array<TemplateRef & { path: string }> {
  const out = templatesOf(id, node).flatMap(({ path, template }) => templateRefs(template).map((r) => ({ ...r, path })));
  if (node.type === 'condition') {
    node.cases.forEach((c, i) => {
      out.push({ name: c.when.var, defaulted: c.when.op === 'set' || c.when.op === 'unset', path: p(id, 'cases', i, 'when', 'var') });
    });
  }
  if (node.type === 'ticket' && node.recording !== undefined) out.push({ name: node.recording, defaulted: false, path: p(id, 'recording') });
  return out;
}

/** JSON path of a node. */
export const nodePath = (id: string): string => p(id);

/** Node ids reachable from `from` (inclusive), following every exit. */
export function reachableFrom(flow: Flow, from: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...from];
  while (stack.length > 0) {
    const id = stack.pop()!;
    const node = Object.hasOwn(flow.nodes, id) ? flow.nodes[id] : undefined;
    if (node === undefined || seen.has(id)) continue;
    seen.add(id);
    for (const e of exitsOf(id, node)) stack.push(e.target);
  }
  return seen;
}
