/**
 * What publishing a flow with subflow nodes needs: each named child's live version (to inline and
 * pin), and a check that no child includes the flow being published again (through the inlined
 * children recorded in the published versions).
 */
import type { Flow } from '../flow-schema.ts';
import type { Finding } from '../lint-types.ts';
import type { FlowVersion } from './flow-version-types.ts';

export interface ChildLookup {
  readonly live: (flowId: string) => Promise<FlowVersion | null>;
  readonly version: (flowId: string, hash: string) => Promise<FlowVersion | null>;
}

/** The live versions of the flows a draft's subflow nodes name, and recursion findings. */
export async function liveChildren(draft: unknown, lookup: ChildLookup): Promise<{ flows: Record<string, Flow>; versions: Record<string, string>; findings: Finding[] }> {
  const flows: Record<string, Flow> = {};
  const versions: Record<string, string> = {};
  const findings: Finding[] = [];
  const selfId = isRecord(draft) && typeof draft.id === 'string' ? draft.id : '';
  for (const { node, flowId } of draftSubflows(draft)) {
    if (Object.hasOwn(flows, flowId) || flowId === selfId) continue;
    const live = await lookup.live(flowId);
    if (live === null) continue; // reported by the linter as an unknown flow
    flows[flowId] = live.flow;
    versions[flowId] = live.hash;
    const loop = await includes(live, selfId, lookup, [flowId]);
    if (loop !== undefined) {
      findings.push({ rule: 'subflow-recursion', path: `/nodes/${node}/flow`, message: `the flow "${flowId}" includes this flow again (${[selfId, ...loop].join(' → ')}): a call would never end` });
    }
  }
  return { flows, versions, findings };
}

async function includes(version: FlowVersion, target: string, lookup: ChildLookup, path: string[]): Promise<string[] | undefined> {
  for (const child of version.subflows ?? []) {
    if (child.flowId === target) return [...path, target];
    if (path.includes(child.flowId)) continue;
    const found = await lookup.version(child.flowId, child.version);
    const loop = found === null ? undefined : await includes(found, target, lookup, [...path, child.flowId]);
    if (loop !== undefined) return loop;
  }
  return undefined;
}

function draftSubflows(draft: unknown): Array<{ node: string; flowId: string }> {
  if (!isRecord(draft) || !isRecord(draft.nodes)) return [];
  return Object.entries(draft.nodes).flatMap(([node, body]) =>
    (isRecord(body) && body.type === 'subflow' && typeof body.flow === 'string' ? [{ node, flowId: body.flow }] : []));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
