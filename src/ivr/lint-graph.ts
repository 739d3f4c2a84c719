/**
 * Whole-flow checks: unreachable nodes, dead ends, loops without input, the route to a person,
 * and variables read on a path where nothing set them.
 */
import { builtinVars, exitsOf, humanTypes, nodePath, readsOf, reachableFrom, waitTypes } from './flow-graph.ts';
import type { Flow } from './flow-schema.ts';
import type { Finding } from './lint-types.ts';

const terminalTypes = new Set(['hangup', 'queue', 'transfer', 'return']);

/** Graph errors (dead ends, loops, unset variables) and warnings (unreachable, long route to a person). */
export function graphFindings(flow: Flow, maxStepsToHuman: number): { errors: Finding[]; warnings: Finding[] } {
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  const roots = [flow.entry, ...(flow.onHangup === undefined ? [] : [flow.onHangup])];
  const reachable = reachableFrom(flow, roots);
  const ids = Object.keys(flow.nodes);
  for (const id of ids) {
    if (!reachable.has(id)) warnings.push({ rule: 'unreachable', path: nodePath(id), message: `no path from the entry leads to the node "${id}"` });
  }
  const ending = nodesThatCanEnd(flow);
  for (const id of ids) {
    if (reachable.has(id) && !ending.has(id)) {
      errors.push({ rule: 'dead-end', path: nodePath(id), message: `from "${id}" no path reaches a hangup, queue or transfer node: callers would be stuck` });
    }
  }
  errors.push(...loopFindings(flow));
  const route = routeToHuman(flow);
  if (route !== undefined && route.steps > maxStepsToHuman) {
    warnings.push({ rule: 'route-to-human', path: nodePath(route.node), message: `the shortest route from the entry to a person (node "${route.node}") takes ${route.steps} steps; at most ${maxStepsToHuman} are allowed (GB/T 33358: do not make callers work through menus)` });
  }
  errors.push(...variableFindings(flow, reachable));
  return { errors, warnings };
}

function nodesThatCanEnd(flow: Flow): Set<string> {
  const can = new Set(Object.entries(flow.nodes).filter(([, n]) => terminalTypes.has(n.type)).map(([id]) => id));
  for (let changed = true; changed;) {
    changed = false;
    for (const [id, node] of Object.entries(flow.nodes)) {
      if (!can.has(id) && exitsOf(id, node).some((e) => can.has(e.target))) { can.add(id); changed = true; }
    }
  }
  return can;
}

/** Strongly connected components (Tarjan), each with ≥2 nodes or a self-loop, in node order. */
function cycles(flow: Flow): string[][] {
  const index = new Map<string, number>(), low = new Map<string, number>();
  const stack: string[] = [], on = new Set<string>(), out: string[][] = [];
  let counter = 0;
  const visit = (id: string): void => {
    index.set(id, counter); low.set(id, counter); counter++;
    stack.push(id); on.add(id);
    for (const e of exitsOf(id, flow.nodes[id]!)) {
      if (!Object.hasOwn(flow.nodes, e.target)) continue;
      if (!index.has(e.target)) { visit(e.target); low.set(id, Math.min(low.get(id)!, low.get(e.target)!)); }
      else if (on.has(e.target)) low.set(id, Math.min(low.get(id)!, index.get(e.target)!));
    }
    if (low.get(id) === index.get(id)) {
      const scc: string[] = [];
      for (let w = ''; w !== id;) { w = stack.pop()!; on.delete(w); scc.push(w); }
      const self = exitsOf(id, flow.nodes[id]!).some((e) => e.target === id);
      if (scc.length > 1 || self) out.push(scc);
    }
  };
  for (const id of Object.keys(flow.nodes)) if (!index.has(id)) visit(id);
  const order = Object.keys(flow.nodes);
  return out.map((scc) => scc.sort((a, b) => order.indexOf(a) - order.indexOf(b)));
}

function loopFindings(flow: Flow): Finding[] {
  return cycles(flow)
    .filter((scc) => !scc.some((id) => waitTypes.has(flow.nodes[id]!.type)))
    .map((scc) => ({
      rule: 'loop-without-input', path: nodePath(scc[0]!),
      message: `the nodes ${scc.join(', ')} form a loop with no menu, collect, record, survey or queue in it; a call would spin until the step budget stops it`,
    }));
}

function routeToHuman(flow: Flow): { node: string; steps: number } | undefined {
  const dist = new Map([[flow.entry, 0]]);
  const queue = [flow.entry];
  while (queue.length > 0) {
    const id = queue.shift()!;
    const node = Object.hasOwn(flow.nodes, id) ? flow.nodes[id] : undefined;
    if (node === undefined) continue;
    if (humanTypes.has(node.type)) return { node: id, steps: dist.get(id)! };
    for (const e of exitsOf(id, node)) {
      if (!dist.has(e.target)) { dist.set(e.target, dist.get(id)! + 1); queue.push(e.target); }
    }
  }
  return undefined;
}

/** Must-set analysis: a variable is known at a node when every path from the entry set it. */
function variableFindings(flow: Flow, reachable: Set<string>): Finding[] {
  const known = new Map<string, Set<string>>();
  const work: string[] = [];
  const seed = (id: string, vars: Set<string>): void => {
    const before = known.get(id);
    const next = before === undefined ? vars : new Set([...before].filter((v) => vars.has(v)));
    if (before === undefined || next.size !== before.size) { known.set(id, next); work.push(id); }
  };
  seed(flow.entry, new Set(builtinVars));
  if (flow.onHangup !== undefined) seed(flow.onHangup, new Set(builtinVars));
  while (work.length > 0) {
    const id = work.pop()!;
    const node = Object.hasOwn(flow.nodes, id) ? flow.nodes[id] : undefined;
    if (node === undefined) continue;
    for (const e of exitsOf(id, node)) seed(e.target, new Set([...known.get(id)!, ...e.sets]));
  }
  const out: Finding[] = [];
  for (const [id, node] of Object.entries(flow.nodes)) {
    if (!reachable.has(id)) continue;
    const have = known.get(id) ?? new Set<string>();
    for (const read of readsOf(id, node)) {
      if (!read.defaulted && !have.has(read.name)) {
        out.push({ rule: 'unset-variable', path: read.path, message: `reads the variable "${read.name}", which is not set on every path to "${id}" (set it earlier or write {{${read.name}|default}})` });
      }
    }
  }
  return out;
}
