/**
 * Argument checks shared by both adapters, so that both reject the same malformed calls with the
 * same STORE_BAD_KEY before touching any data. Values are serialized to JSON here once.
 */
import { HotlineError } from '../errors.ts';
import { assertLogicalKey } from './keys.ts';
import type { Check, Op } from './store.ts';

/** The kind of data a key holds, named as Redis' TYPE names it. */
export type KeyType = 'hash' | 'string' | 'zset' | 'set' | 'stream';

export type PreparedOp =
  | { readonly op: 'put'; readonly key: string; readonly json: string; readonly ttlMs: number | undefined }
  | { readonly op: 'del'; readonly key: string }
  | { readonly op: 'zadd'; readonly key: string; readonly member: string; readonly score: number }
  | { readonly op: 'zrem' | 'sadd' | 'srem'; readonly key: string; readonly member: string }
  | { readonly op: 'xadd'; readonly key: string; readonly fields: ReadonlyArray<readonly [string, string]>; readonly maxLen: number | undefined };

/** The key type each write needs (`del` works on any). */
export const opKeyType: Record<Exclude<Op['op'], 'del'>, KeyType> = {
  put: 'hash', zadd: 'zset', zrem: 'zset', sadd: 'set', srem: 'set', xadd: 'stream',
};

function bad(message: string): HotlineError {
  return new HotlineError('STORE_BAD_KEY', message);
}

/** Validates checks and ops of a commit; throws STORE_BAD_KEY on the first malformed one. */
export function prepareCommit(checks: readonly Check[], ops: readonly Op[]): { checks: Check[]; ops: PreparedOp[] } {
  if (!Array.isArray(checks) || !Array.isArray(ops)) throw bad('commit takes an array of checks and an array of ops');
  const prepared = {
    checks: checks.map((c) => ({ key: assertLogicalKey(c.key), version: assertCount(c.version, 'a checked version', 0) })),
    ops: ops.map(prepareOp),
  };
  return prepared;
}

function prepareOp(op: Op): PreparedOp {
  const key = assertLogicalKey(op.key);
  switch (op.op) {
    case 'put':
      return { op: 'put', key, json: serialize(op.value), ttlMs: op.ttlMs === undefined ? undefined : assertTtl(op.ttlMs) };
    case 'del':
      return { op: 'del', key };
    case 'zadd':
      return { op: 'zadd', key, member: assertMember(op.member), score: assertScore(op.score) };
    case 'zrem':
    case 'sadd':
    case 'srem':
      return { op: op.op, key, member: assertMember(op.member) };
    case 'xadd':
      return {
        op: 'xadd',
        key,
        fields: assertFields(op.fields),
        maxLen: op.maxLen === undefined ? undefined : assertCount(op.maxLen, 'maxLen', 1),
      };
    default:
      throw bad(`unknown commit op ${JSON.stringify((op as { op?: unknown }).op)}`);
  }
}

/** JSON text of a document value; STORE_BAD_KEY when the value has no JSON form. */
export function serialize(value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw new HotlineError('STORE_BAD_KEY', 'a document value must be JSON-serializable', undefined, { cause: error });
  }
  if (json === undefined) throw bad('a document value must be JSON-serializable');
  return json;
}

/** A positive integer number of milliseconds. */
export function assertTtl(ms: unknown): number {
  return assertCount(ms, 'a ttl in ms', 1);
}

/** An integer ≥ `min`. */
export function assertCount(n: unknown, what: string, min: number): number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min) throw bad(`${what} must be an integer ≥ ${min}`);
  return n;
}

function assertScore(score: unknown): number {
  if (typeof score !== 'number' || !Number.isFinite(score)) throw bad('a sorted-set score must be a finite number');
  return score;
}

/** A range bound: any number except NaN (±Infinity are open ends). */
export function assertBound(bound: unknown): number {
  if (typeof bound !== 'number' || Number.isNaN(bound)) throw bad('a score bound must be a number');
  return bound;
}

/** A set or sorted-set member. */
export function assertMember(member: unknown): string {
  if (typeof member !== 'string') throw bad('a member must be a string');
  return member;
}

function assertFields(fields: unknown): Array<readonly [string, string]> {
  if (typeof fields !== 'object' || fields === null) throw bad('stream fields must be an object of strings');
  const entries = Object.entries(fields);
  if (entries.length === 0) throw bad('a stream entry needs at least one field');
  for (const [, value] of entries) if (typeof value !== 'string') throw bad('stream field values must be strings');
  return entries as Array<readonly [string, string]>;
}

const STREAM_ID = /^\d{1,20}(-\d{1,20})?$/;

/** A stream id `<ms>-<seq>` or `<ms>` (as `afterId`). */
export function assertStreamId(id: unknown): string {
  if (typeof id !== 'string' || !STREAM_ID.test(id)) throw bad('a stream id must look like <ms>-<seq>');
  return id;
}
