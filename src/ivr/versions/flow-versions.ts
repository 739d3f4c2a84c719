/**
 * Flow versions and publishing. A published version is immutable: the flow JSON, its content hash
 * (sha256 of canonical JSON), author, message and time. Two aliases point at versions: `live`
 * (what callers hear) and `staging` (what test callers hear). Publishing validates (lint errors
 * AND warnings block it), stores the version and moves the alias in one store commit guarded by
 * the aliases document's version, and carries the hash the admin expects the alias to hold, so a
 * concurrent publish surfaces as FLOW_VERSION_CONFLICT instead of being overwritten. Rollback
 * repoints an alias to an earlier version in one step. Every move is appended to the audit stream.
 *
 *   draft (file / request body) ──publish──► version (immutable, by hash) ◄── live / staging alias
 *                                                     ▲ rollback repoints ┘
 */
import type { Clock } from '../../clock.ts';
import { HotlineError } from '../../errors.ts';
import type { Op, Store } from '../../store/store.ts';
import { defaultCatalogue, type Catalogue } from '../catalogue.ts';
import type { Flow } from '../flow-schema.ts';
import { lintFlow, type LintResult } from '../lint.ts';
import { flowVersionHash } from '../compile.ts';
import type { InlinedSubflow } from '../interpreter-types.ts';
import { inlineSubflows, subflowNodes } from '../subflows.ts';
import { liveChildren } from './subflow-children.ts';
import { flowAuditKey, flowIndexKey, flowKeys, isVersionHash } from './flow-keys.ts';
import { diffJson, type JsonChange } from './json-diff.ts';
import {
  summary, type FlowAlias, type FlowAliasesDoc, type FlowAuditEntry, type FlowVersion, type FlowVersionSummary,
  type PublishRequest, type PublishResult, type RollbackRequest, type VersionRef,
} from './flow-version-types.ts';

export * from './flow-version-types.ts';

export interface FlowVersionsOptions {
  readonly store: Store;
  readonly clock: Clock;
  /** Ids a flow may name; default: the hotline's default catalogue. */
  readonly catalogue?: Catalogue;
}

export type FlowVersions = ReturnType<typeof createFlowVersions>;

const MAX_ATTEMPTS = 8;
const AUDIT_MAX_LEN = 10_000;

/** Creates the flow version service over a store (memory or Redis). */
export function createFlowVersions(options: FlowVersionsOptions) {
  const { store, clock } = options;
  const catalogue = options.catalogue ?? defaultCatalogue;
  /** Versions never change once written, so any instance may cache them forever. */
  const cache = new Map<string, FlowVersion>();

  /** Lints a draft; subflow nodes may name the flows in `flows` (publishing passes their live versions). */
  function lint(doc: unknown, flows: Readonly<Record<string, Flow>> = {}): LintResult {
    return lintFlow(doc, { catalogue, flows });
  }

  async function aliasesOf(flowId: string): Promise<{ doc: FlowAliasesDoc; storeVersion: number }> {
    const found = await store.get<FlowAliasesDoc>(flowKeys.aliases(flowId));
    return found
      ? { doc: found.value, storeVersion: found.version }
      : { doc: { flowId, live: null, staging: null, seq: 0 }, storeVersion: 0 };
  }

  async function readVersion(flowId: string, hash: string): Promise<{ version: FlowVersion; storeVersion: number } | null> {
    const found = await store.get<FlowVersion>(flowKeys.version(flowId, hash));
    if (!found) return null;
    cache.set(`${flowId}/${hash}`, found.value);
    return { version: found.value, storeVersion: found.version };
  }

  /** A version by hash, or null. */
  async function getVersion(flowId: string, hash: string): Promise<FlowVersion | null> {
    const cached = cache.get(`${flowId}/${hash}`);
    if (cached) return cached;
    return (await readVersion(flowId, hash))?.version ?? null;
  }

  /** Resolves a hash or alias name; throws FLOW_NOT_FOUND when there is no such version. */
  async function resolve(flowId: string, ref: VersionRef): Promise<FlowVersion> {
    let hash = ref;
    if (ref === 'live' || ref === 'staging') {
      const { doc } = await aliasesOf(flowId);
      const target = doc[ref];
      if (target === null) throw new HotlineError('FLOW_NOT_FOUND', `flow ${flowId} has no ${ref} version`);
      hash = target;
    } else if (!isVersionHash(ref)) {
      throw new HotlineError('BAD_REQUEST', 'a version is a 64-hex hash, "live" or "staging"');
    }
    const version = await getVersion(flowId, hash);
    if (!version) throw new HotlineError('FLOW_NOT_FOUND', `flow ${flowId} has no version ${hash.slice(0, 12)}…`);
    return version;
  }

  /** The version an alias points at, or null when it points nowhere. */
  async function aliasVersion(flowId: string, alias: FlowAlias): Promise<FlowVersion | null> {
    const { doc } = await aliasesOf(flowId);
    const hash = doc[alias];
    return hash === null ? null : getVersion(flowId, hash);
  }

  /**
   * Points `alias` at `hash`, writing the version document when `flow` is given and the version
   * is new. Retries when another writer moved first, unless that writer changed the alias.
   */
  async function move(params: {
    flowId: string; hash: string; flow: Flow | undefined; alias: FlowAlias; author: string; message: string;
    subflows?: readonly InlinedSubflow[]; expectedHash: string | null | undefined; action: FlowAuditEntry['action'];
  }): Promise<PublishResult> {
    const { flowId, hash, alias } = params;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const { doc, storeVersion } = await aliasesOf(flowId);
      const current = doc[alias];
      if (params.expectedHash !== undefined && current !== params.expectedHash) {
        throw new HotlineError('FLOW_VERSION_CONFLICT',
          `the ${alias} version of ${flowId} is ${current === null ? 'none' : current.slice(0, 12)}, not the expected ${params.expectedHash === null ? 'none' : params.expectedHash.slice(0, 12)}: someone published in between; reload and retry`,
          { current });
      }
      const existing = await readVersion(flowId, hash);
      if (!existing && !params.flow) throw new HotlineError('FLOW_NOT_FOUND', `flow ${flowId} has no version ${hash.slice(0, 12)}…`);
      if (current === hash && existing) return { version: summary(existing.version), changed: false };
      const now = clock.now();
      const version: FlowVersion = existing?.version ?? {
        flowId, hash, seq: doc.seq + 1, author: params.author, message: params.message, publishedAt: now, flow: params.flow!,
        ...(params.subflows === undefined || params.subflows.length === 0 ? {} : { subflows: params.subflows }),
      };
      const previous = current === null ? null : await getVersion(flowId, current);
      const changes = diffJson(previous?.flow ?? {}, version.flow).length;
      const aliases: FlowAliasesDoc = { ...doc, [alias]: hash, seq: Math.max(doc.seq, version.seq) };
      const ops: Op[] = [{ op: 'put', key: flowKeys.aliases(flowId), value: aliases }];
      if (!existing) {
        ops.push(
          { op: 'put', key: flowKeys.version(flowId, hash), value: version },
          { op: 'zadd', key: flowKeys.versions(flowId), member: hash, score: version.seq },
          { op: 'sadd', key: flowIndexKey, member: flowId },
        );
      }
      ops.push({
        op: 'xadd', key: flowAuditKey, maxLen: AUDIT_MAX_LEN,
        fields: {
          action: params.action, flowId, alias, hash, previousHash: current ?? '', author: params.author,
          message: params.message, at: String(now), changes: String(changes),
        },
      });
      const checks = [
        { key: flowKeys.aliases(flowId), version: storeVersion },
        { key: flowKeys.version(flowId, hash), version: existing?.storeVersion ?? 0 },
      ];
      const result = await store.commit(checks, ops);
      if (result.ok) {
        cache.set(`${flowId}/${hash}`, version);
        return { version: summary(version), changed: true };
      }
    }
    throw new HotlineError('STORE_CONFLICT', `flow ${flowId}: too many concurrent changes; retry`);
  }

  return {
    /** The catalogue flows are checked against. */
    catalogue,
    lint,

    /**
     * Validates and publishes a draft to an alias (default live). Subflow nodes are inlined from
     * the children's live versions, which the version records (see ADR 0006).
     */
    async publish(request: PublishRequest): Promise<PublishResult> {
      const children = await liveChildren(request.flow, { live: (id) => aliasVersion(id, 'live'), version: getVersion });
      const checked = lint(request.flow, children.flows);
      const verdict = { ...checked, errors: [...children.findings, ...checked.errors] };
      if (!verdict.publishable || verdict.errors.length > 0 || !verdict.flow) {
        throw new HotlineError('FLOW_INVALID',
          `the flow has ${verdict.errors.length} error(s) and ${verdict.warnings.length} warning(s); both block publishing`,
          { findings: [...verdict.errors, ...verdict.warnings], errors: verdict.errors, warnings: verdict.warnings });
      }
      const subflows = subflowNodes(verdict.flow).map(({ id, flowId }) => ({ node: id, flowId, version: children.versions[flowId]! }));
      const flow = inlineSubflows(verdict.flow, children.flows);
      return move({
        flowId: flow.id, hash: flowVersionHash(flow), flow, subflows, alias: request.alias ?? 'live', author: request.author,
        message: request.message, expectedHash: request.expectedHash, action: 'publish',
      });
    },

    /** Repoints an alias (default live) to an earlier version of the flow. */
    async rollback(request: RollbackRequest): Promise<PublishResult> {
      if (!isVersionHash(request.hash)) throw new HotlineError('BAD_REQUEST', 'a version hash is 64 lower-case hex digits');
      return move({
        flowId: request.flowId, hash: request.hash, flow: undefined, alias: request.alias ?? 'live', author: request.author,
        message: request.message, expectedHash: request.expectedHash, action: 'rollback',
      });
    },

    getVersion,
    resolve,
    aliasVersion,

    /** The live versions of the flows a draft's subflow nodes name (for linting and simulating drafts). */
    async liveChildren(draft: unknown): Promise<Record<string, Flow>> {
      return (await liveChildren(draft, { live: (id) => aliasVersion(id, 'live'), version: getVersion })).flows;
    },

    /** The aliases of a flow (`live`/`staging` null when unset). */
    async aliases(flowId: string): Promise<FlowAliasesDoc> {
      return (await aliasesOf(flowId)).doc;
    },

    /** Every flow with at least one version, with its aliases, sorted by id. */
    async listFlows(): Promise<Array<FlowAliasesDoc & { liveVersion: FlowVersionSummary | null; stagingVersion: FlowVersionSummary | null }>> {
      const ids = (await store.smembers(flowIndexKey)).sort();
      const docs = await store.getMany<FlowAliasesDoc>(ids.map((id) => flowKeys.aliases(id)));
      return Promise.all(ids.map(async (flowId, i) => {
        const doc = docs[i]?.value ?? { flowId, live: null, staging: null, seq: 0 };
        const live = doc.live === null ? null : await getVersion(flowId, doc.live);
        const staging = doc.staging === null ? null : await getVersion(flowId, doc.staging);
        return { ...doc, liveVersion: live && summary(live), stagingVersion: staging && summary(staging) };
      }));
    },

    /** A flow's versions, newest first. */
    async listVersions(flowId: string, limit = 100): Promise<FlowVersionSummary[]> {
      const entries = await store.zrangeByScore(flowKeys.versions(flowId), 0, Number.MAX_SAFE_INTEGER, { reverse: true, count: limit });
      const versions = await Promise.all(entries.map((e) => getVersion(flowId, e.member)));
      return versions.filter((v): v is FlowVersion => v !== null).map(summary);
    },

    /** Differences between two versions (hashes or alias names). */
    async diff(flowId: string, from: VersionRef, to: VersionRef): Promise<{ from: FlowVersionSummary; to: FlowVersionSummary; changes: JsonChange[] }> {
      const [a, b] = await Promise.all([resolve(flowId, from), resolve(flowId, to)]);
      return { from: summary(a), to: summary(b), changes: diffJson(a.flow, b.flow) };
    },

    /** Audit entries after `afterId` ('0' = from the start), oldest first; only `flowId`'s when given. */
    async audit(options: { flowId?: string; afterId?: string; count?: number } = {}): Promise<FlowAuditEntry[]> {
      const count = options.count ?? 100;
      const out: FlowAuditEntry[] = [];
      let after = options.afterId ?? '0';
      for (;;) {
        const batch = await store.xrange(flowAuditKey, after, 500);
        for (const entry of batch) {
          const f = entry.fields;
          if (options.flowId !== undefined && f['flowId'] !== options.flowId) continue;
          out.push({
            id: entry.id, action: f['action'] === 'rollback' ? 'rollback' : 'publish', flowId: f['flowId'] ?? '',
            alias: f['alias'] === 'staging' ? 'staging' : 'live', hash: f['hash'] ?? '', previousHash: f['previousHash'] || null,
            author: f['author'] ?? '', message: f['message'] ?? '', at: Number(f['at']), changes: Number(f['changes'] ?? 0),
          });
          if (out.length >= count) return out;
        }
        if (batch.length < 500) return out;
        after = batch[batch.length - 1]!.id;
      }
    },
  };
}
