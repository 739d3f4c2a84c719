/**
 * Types of flow versions, aliases and the audit log (see flow-versions.ts).
 */
import type { Flow } from '../flow-schema.ts';
import type { InlinedSubflow } from '../interpreter-types.ts';

export type FlowAlias = 'live' | 'staging';
export const flowAliases: readonly FlowAlias[] = ['live', 'staging'];

/** A published version without its flow document. */
export interface FlowVersionSummary {
  readonly flowId: string;
  readonly hash: string;
  /** 1 for a flow's first version, +1 for each new one. */
  readonly seq: number;
  readonly author: string;
  readonly message: string;
  /** Epoch ms. */
  readonly publishedAt: number;
}

/** A published, immutable version. */
export interface FlowVersion extends FlowVersionSummary {
  /** The flow as published, its subflows inlined (so the hash covers the children's content). */
  readonly flow: Flow;
  /** The child flow versions inlined into `flow` at publish time, when it has subflow nodes. */
  readonly subflows?: readonly InlinedSubflow[];
}

/** The aliases document of one flow. */
export interface FlowAliasesDoc {
  readonly flowId: string;
  readonly live: string | null;
  readonly staging: string | null;
  /** Sequence number of the newest version. */
  readonly seq: number;
}

/** One audited change. */
export interface FlowAuditEntry {
  readonly id: string;
  readonly action: 'publish' | 'rollback';
  readonly flowId: string;
  readonly alias: FlowAlias;
  readonly hash: string;
  readonly previousHash: string | null;
  readonly author: string;
  readonly message: string;
  readonly at: number;
  /** Number of JSON paths that differ from the previous version of the alias. */
  readonly changes: number;
}

export interface PublishRequest {
  /** The draft (anything JSON.parse returns); validated here. */
  readonly flow: unknown;
  readonly author: string;
  readonly message: string;
  /** The hash the admin saw on the alias (null: no version yet). Another one there → conflict. */
  readonly expectedHash: string | null;
  /** Default `live`. */
  readonly alias?: FlowAlias;
}

export interface RollbackRequest {
  readonly flowId: string;
  /** The earlier version to point the alias at. */
  readonly hash: string;
  readonly author: string;
  readonly message: string;
  /** When given, the alias must still hold this hash. */
  readonly expectedHash?: string | null;
  readonly alias?: FlowAlias;
}

export interface PublishResult {
  readonly version: FlowVersionSummary;
  /** False when the alias already pointed at this content (nothing written). */
  readonly changed: boolean;
}

/** A hash, or an alias name resolved to the hash it points at now. */
export type VersionRef = string;

/** The version without its flow document. */
export function summary(version: FlowVersion): FlowVersionSummary {
  const { flowId, hash, seq, author, message, publishedAt } = version;
  return { flowId, hash, seq, author, message, publishedAt };
}
