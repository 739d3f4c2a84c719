/**
 * Logical store keys of flow versions (the store adds the deployment prefix). Flow ids and hashes
 * are checked before they reach a key, so a request cannot address another kind of document.
 */
import { HotlineError } from '../../errors.ts';

const FLOW_ID = /^[a-z0-9][a-z0-9-]{0,47}$/;
const HASH = /^[0-9a-f]{64}$/;

/** Set of every flow id that has at least one version. */
export const flowIndexKey = 'flows';
/** Stream of every publish and rollback (the audit log). */
export const flowAuditKey = 'flow-audit';

/** True when `id` is a valid flow id. */
export function isFlowId(id: string): boolean {
  return FLOW_ID.test(id);
}

/** True when `hash` looks like a version hash (sha256 hex). */
export function isVersionHash(hash: string): boolean {
  return HASH.test(hash);
}

function flow(id: string): string {
  if (!isFlowId(id)) throw new HotlineError('BAD_REQUEST', 'a flow id is lower-case letters, digits and "-" (at most 48)');
  return `flow:${id}`;
}

export const flowKeys = {
  /** The aliases document `{ live, staging, seq }`: its store version guards every publish. */
  aliases: (id: string) => `${flow(id)}:aliases`,
  /** An immutable version document. */
  version(id: string, hash: string): string {
    if (!isVersionHash(hash)) throw new HotlineError('BAD_REQUEST', 'a version hash is 64 lower-case hex digits');
    return `${flow(id)}:version:${hash}`;
  },
  /** Sorted set of a flow's version hashes, scored by publish sequence number. */
  versions: (id: string) => `${flow(id)}:versions`,
};
