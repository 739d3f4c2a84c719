/**
 * Compiling a flow: lint it (errors refuse it with FLOW_INVALID), then pin it with its version
 * hash — sha256 of the canonical JSON (keys sorted, no whitespace), the same hash a published
 * version carries — so a call's state names exactly the flow it runs.
 */
import { createHash } from 'node:crypto';
import { HotlineError } from '../errors.ts';
import type { Flow } from './flow-schema.ts';
import type { CompiledFlow } from './interpreter-types.ts';
import { lintFlow, type LintOptions } from './lint.ts';
import { inlineSubflows, subflowNodes } from './subflows.ts';

/**
 * Lints and pins a flow document, its subflows inlined from `options.flows` (the hash then
 * covers the children's content). Throws FLOW_INVALID (details.findings) when it has errors.
 */
export function compileFlow(doc: unknown, options: LintOptions): CompiledFlow {
  const result = lintFlow(doc, options);
  if (!result.ok || result.flow === undefined) {
    const first = result.errors[0];
    throw new HotlineError('FLOW_INVALID', `the flow has ${result.errors.length} error(s); first: ${first?.path ?? ''} ${first?.message ?? ''}`, { findings: result.errors });
  }
  const flows = options.flows ?? {};
  const subflows = subflowNodes(result.flow).map(({ id, flowId }) => ({ node: id, flowId, version: flowVersionHash(flows[flowId]!) }));
  const flow = deepFreeze(structuredClone(inlineSubflows(result.flow, flows)));
  return { id: flow.id, version: flowVersionHash(flow), flow, ...(subflows.length > 0 ? { subflows } : {}) };
}

/** sha256 (64 hex) of the canonical JSON of a flow. */
export function flowVersionHash(flow: Flow): string {
  return createHash('sha256').update(JSON.stringify(sortKeys(flow))).digest('hex');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const child = (value as Record<string, unknown>)[key];
    if (child !== undefined) Object.defineProperty(sorted, key, { value: sortKeys(child), enumerable: true, writable: true, configurable: true });
  }
  return sorted;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
