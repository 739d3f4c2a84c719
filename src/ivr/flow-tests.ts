/**
 * Flow tests: run the cases of a test suite through the headless simulator, compare each
 * transcript with its expectation, and report the nodes and exits no case reached.
 */
import Value from 'typebox/value';
import { exitsOf, nodePath } from './flow-graph.ts';
import { FlowTestSuite, type Expectation, type FlowTestCase } from './flow-scenario.ts';
import { simulateFlow, type Transcript } from './flow-simulator.ts';
import type { CompiledFlow, InterpreterEnv } from './interpreter-types.ts';

export interface FlowTestResult {
  readonly name: string;
  readonly pass: boolean;
  /** One plain sentence per unmet expectation. */
  readonly failures: readonly string[];
  readonly transcript: Transcript;
}

export interface FlowCoverage {
  readonly unreachedNodes: readonly string[];
  /** Exits never taken, by JSON path (exits sharing a target count as taken together). */
  readonly unreachedExits: readonly string[];
}

/** Problems of a test-suite document, as `path: message` lines (empty when valid). */
export function validateTestSuite(doc: unknown): string[] {
  return [...Value.Errors(FlowTestSuite, doc)].map((e) => `${e.instancePath || '/'}: ${e.message}`);
}

/** Runs every case of a suite. */
export async function runFlowTests(flow: CompiledFlow, cases: readonly FlowTestCase[], env: InterpreterEnv): Promise<FlowTestResult[]> {
  const results: FlowTestResult[] = [];
  for (const testCase of cases) {
    const { name: _name, expect, ...scenario } = testCase;
    const transcript = await simulateFlow(flow, scenario, env);
    const failures = checkExpectation(transcript, expect);
    results.push({ name: testCase.name, pass: failures.length === 0, failures, transcript });
  }
  return results;
}

/** Compares a transcript with an expectation; returns what differs. */
export function checkExpectation(t: Transcript, expect: Expectation): string[] {
  const failures: string[] = [];
  const exit = t.exit?.reason ?? 'running';
  if (expect.exit !== undefined && expect.exit !== exit) failures.push(`expected exit "${expect.exit}", got "${exit}" at node "${t.exit?.node ?? t.state.node}"`);
  if (expect.exitNode !== undefined && expect.exitNode !== t.exit?.node) failures.push(`expected to leave at node "${expect.exitNode}", left at "${t.exit?.node ?? 'nowhere (still running)'}"`);
  const missing = inOrder(t.nodes, expect.nodes ?? [], (a, b) => a === b);
  if (missing !== undefined) failures.push(`expected to visit "${missing}" (in order); visited ${t.nodes.join(' → ')}`);
  for (const node of expect.notNodes ?? []) if (t.nodes.includes(node)) failures.push(`expected never to visit "${node}"`);
  const unheard = inOrder(t.heard.map((h) => h.text), expect.heard ?? [], (text, want) => text.includes(want));
  if (unheard !== undefined) failures.push(`expected to hear "${unheard}" (in order); heard: ${t.heard.map((h) => h.text).join(' | ')}`);
  for (const [name, value] of Object.entries(expect.vars ?? {})) {
    if (t.vars[name] !== value) failures.push(`expected variable ${name} = "${value}", got ${t.vars[name] === undefined ? 'unset' : `"${t.vars[name]}"`}`);
  }
  const commands = t.commands.map((c) => c.command as unknown as Record<string, unknown>);
  const absent = inOrder(commands, expect.commands ?? [], (c, want) => Object.entries(want).every(([k, v]) => JSON.stringify(c[k]) === JSON.stringify(v)));
  if (absent !== undefined) failures.push(`expected the command ${JSON.stringify(absent)} (in order)`);
  if (expect.maxDurationMs !== undefined && t.durationMs > expect.maxDurationMs) failures.push(`expected to end within ${expect.maxDurationMs} ms, took ${t.durationMs} ms`);
  return failures;
}

/** The first wanted item not found in order, or undefined when all are. */
function inOrder<T, W>(have: readonly T[], want: readonly W[], same: (h: T, w: W) => boolean): W | undefined {
  let i = 0;
  for (const w of want) {
    while (i < have.length && !same(have[i]!, w)) i++;
    if (i === have.length) return w;
    i++;
  }
  return undefined;
}

/** Nodes and exits that none of the transcripts reached. */
export function flowCoverage(flow: CompiledFlow, transcripts: readonly Transcript[]): FlowCoverage {
  const visited = new Set(transcripts.flatMap((t) => t.nodes));
  const moves = new Set(transcripts.flatMap((t) => t.nodes.slice(1).map((to, i) => `${t.nodes[i]}→${to}`)));
  const unreachedNodes = Object.keys(flow.flow.nodes).filter((id) => !visited.has(id));
  const unreachedExits = Object.entries(flow.flow.nodes).flatMap(([id, node]) =>
    exitsOf(id, node).filter((e) => !moves.has(`${id}→${e.target}`)).map((e) => e.path));
  return { unreachedNodes: unreachedNodes.map(nodePath).map((p) => p.slice('/nodes/'.length)), unreachedExits };
}
