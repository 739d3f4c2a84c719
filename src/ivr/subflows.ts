/**
 * Subflows: a `subflow` node runs another flow's nodes and, when that flow reaches a `return`
 * node, goes on at its own `next`. A hangup, queue or transfer inside the child ends the call as
 * usual. Subflows are inlined before a flow runs: the child's nodes are copied into the parent
 * under `<subflow node id>__<child node id>`, the subflow node becomes a goto to the child's entry
 * and each `return` a goto to the subflow node's `next`. The child's `onHangup`, `stepBudget` and
 * `fallbackQueue` are not used: the parent's apply. So the compiled (and published) parent pins
 * the child's content, and a later change of the child reaches callers only when the parent is
 * published again.
 */
import { HotlineError } from '../errors.ts';
import { exitsOf, nodePath, promptsOf, reachableFrom } from './flow-graph.ts';
import type { Flow, FlowNode } from './flow-schema.ts';
import type { Finding } from './lint-types.ts';

/** Flows a subflow node may name, by flow id (for publishing: each one's live version). */
export type KnownFlows = Readonly<Record<string, Flow>>;

/** Separator between the subflow node id and the child's node id in inlined ids. */
export const subflowSeparator = '__';
const maxNodeIdLength = 48;

/** The subflow nodes of a flow, in node order. */
export function subflowNodes(flow: Flow): Array<{ id: string; flowId: string; next: string }> {
  return Object.entries(flow.nodes).flatMap(([id, node]) => (node.type === 'subflow' ? [{ id, flowId: node.flow, next: node.next }] : []));
}

/** True when the flow has at least one subflow node. */
export const hasSubflows = (flow: Flow): boolean => subflowNodes(flow).length > 0;

/** Lint findings of a flow's subflow nodes against the known flows (empty when it can be inlined). */
export function subflowFindings(flow: Flow, flows: KnownFlows): Finding[] {
  const out: Finding[] = [];
  for (const { id, flowId, next } of subflowNodes(flow)) {
    const at = `${nodePath(id)}/flow`;
    const child = known(flows, flowId);
    if (!Object.hasOwn(flow.nodes, next)) out.push({ rule: 'unknown-target', path: `${nodePath(id)}/next`, message: `points to the node "${next}", which does not exist` });
    if (flowId === flow.id) {
      out.push({ rule: 'subflow-recursion', path: at, message: `the flow "${flowId}" cannot call itself as a subflow: a call would never end` });
      continue;
    }
    if (child === undefined) {
      out.push({ rule: 'unknown-subflow', path: at, message: `the flow "${flowId}" is not known (known: ${Object.keys(flows).filter((f) => f !== flow.id).join(', ') || 'none'})` });
      continue;
    }
    const loop = includeLoop(flowId, [flow.id], flows);
    if (loop !== undefined) {
      out.push({ rule: 'subflow-recursion', path: at, message: `the flow "${flowId}" includes itself again (${loop.join(' → ')}): a call would never end` });
      continue;
    }
    const missing = missingFlows(child, flows);
    if (missing.length > 0) {
      out.push({ rule: 'unknown-subflow', path: at, message: `the flow "${flowId}" calls the flow(s) ${missing.join(', ')}, which are not known` });
      continue;
    }
    const nodes = expandNodes(child, flows);
    const reachable = reachableFrom({ ...child, nodes }, [child.entry]);
    if (![...reachable].some((n) => nodes[n]?.type === 'return')) {
      out.push({ rule: 'subflow-no-return', path: at, message: `the flow "${flowId}" has no return node reachable from its entry, so the caller would never come back to "${next}"` });
    }
    for (const [childId, childNode] of Object.entries(nodes)) {
      const inlined = `${id}${subflowSeparator}${childId}`;
      if (inlined.length > maxNodeIdLength) {
        out.push({ rule: 'subflow-id-too-long', path: nodePath(id), message: `inlining "${flowId}" makes the node id "${inlined}", longer than ${maxNodeIdLength} characters; shorten this node's id` });
      } else if (Object.hasOwn(flow.nodes, inlined)) {
        out.push({ rule: 'subflow-id-clash', path: nodePath(inlined), message: `the node id "${inlined}" is also the id of a node inlined from the flow "${flowId}"; rename it` });
      }
      for (const { path, prompt } of promptsOf(childId, childNode)) {
        for (const lang of flow.languages) {
          if (prompt[lang] === undefined) out.push({ rule: 'subflow-missing-prompt', path: at, message: `the prompt at ${path} of the flow "${flowId}" has no "${lang}" version, but this flow declares the language ${lang}` });
        }
      }
    }
  }
  return out;
}

/** The flow with every subflow inlined (recursively). Throws FLOW_INVALID when one cannot be. */
export function inlineSubflows(flow: Flow, flows: KnownFlows): Flow {
  if (!hasSubflows(flow)) return flow;
  return { ...flow, nodes: expandNodes(flow, flows) };
}

function known(flows: KnownFlows, flowId: string): Flow | undefined {
  return Object.hasOwn(flows, flowId) ? flows[flowId] : undefined;
}

/** A chain of flow ids that leads from `flowId` back to a flow on `path`, or undefined. */
function includeLoop(flowId: string, path: readonly string[], flows: KnownFlows): string[] | undefined {
  if (path.includes(flowId)) return [...path, flowId];
  const child = known(flows, flowId);
  if (child === undefined) return undefined;
  for (const { flowId: next } of subflowNodes(child)) {
    const loop = includeLoop(next, [...path, flowId], flows);
    if (loop !== undefined) return loop;
  }
  return undefined;
}

/** Flow ids named (transitively) by the flow's subflow nodes that are not known. */
function missingFlows(flow: Flow, flows: KnownFlows, seen = new Set<string>()): string[] {
  const out: string[] = [];
  for (const { flowId } of subflowNodes(flow)) {
    if (seen.has(flowId)) continue;
    seen.add(flowId);
    const child = known(flows, flowId);
    if (child === undefined) out.push(flowId);
    else out.push(...missingFlows(child, flows, seen));
  }
  return out;
}

function expandNodes(flow: Flow, flows: KnownFlows, depth = 0): Record<string, FlowNode> {
  if (depth > 16) throw new HotlineError('FLOW_INVALID', `the subflows of ${flow.id} nest too deep (a flow includes itself?)`);
  const out: Record<string, FlowNode> = {};
  for (const [id, node] of Object.entries(flow.nodes)) {
    if (node.type !== 'subflow') { out[id] = node; continue; }
    const child = known(flows, node.flow);
    if (child === undefined) throw new HotlineError('FLOW_INVALID', `the subflow node ${id} names the unknown flow ${node.flow}`);
    const prefix = `${id}${subflowSeparator}`;
    const title = node.title === undefined ? {} : { title: node.title };
    out[id] = { type: 'goto', ...title, next: `${prefix}${child.entry}` };
    for (const [childId, childNode] of Object.entries(expandNodes(child, flows, depth + 1))) {
      out[`${prefix}${childId}`] = childNode.type === 'return'
        ? { type: 'goto', ...(childNode.title === undefined ? {} : { title: childNode.title }), next: node.next }
        : retarget(childId, childNode, (target) => `${prefix}${target}`);
    }
  }
  return out;
}

/** A copy of the node with every exit's target renamed. */
function retarget(id: string, node: FlowNode, rename: (target: string) => string): FlowNode {
  const copy = structuredClone(node);
  for (const exit of exitsOf(id, node)) {
    const keys = exit.path.split('/').slice(3).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
    let at = copy as unknown as Record<string, unknown>;
    for (const key of keys.slice(0, -1)) at = at[key] as Record<string, unknown>;
    at[keys[keys.length - 1]!] = rename(exit.target);
  }
  return copy;
}
