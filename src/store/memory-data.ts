/**
 * The data behind the in-memory store: typed entries with expiry, streams, leases and a pub/sub
 * bus. Several `createMemoryStore({ data })` instances may share one `MemoryData`, which is how
 * tests (and the simulator) play two server instances on one "Redis" inside one process.
 * Semantics follow Redis: a key holds one kind of data, using it as another is WRONGTYPE
 * (STORE_BAD_KEY), emptied sets and sorted sets vanish, expired keys are gone when next read.
 */
import { systemClock, type Clock } from '../clock.ts';
import { HotlineError } from '../errors.ts';
import { opKeyType, type KeyType, type PreparedOp } from './prepare.ts';
import { compareStreamIds, type Check, type StreamEntry } from './store.ts';

export type Entry =
  | { readonly type: 'hash'; readonly json: string; readonly version: number; expiresAt: number | undefined }
  | { readonly type: 'string'; value: number; expiresAt: number | undefined }
  | { readonly type: 'zset'; readonly members: Map<string, number>; expiresAt: undefined }
  | { readonly type: 'set'; readonly members: Set<string>; expiresAt: undefined }
  /** `entries` are in id order (appends only), which `streamAfter` relies on. */
  | { readonly type: 'stream'; readonly entries: StreamEntry[]; lastMs: number; lastSeq: number; expiresAt: undefined };

export interface Lease {
  readonly owner: string;
  expiresAt: number;
}

export interface MemoryData {
  readonly clock: Clock;
  readonly entries: Map<string, Entry>;
  readonly leases: Map<string, Lease>;
  /** channel → handlers of every store instance on this data. */
  readonly subscribers: Map<string, Set<(message: string) => void>>;
}

/** Fresh, empty data whose TTLs and stream ids follow `clock`. */
export function createMemoryData(clock: Clock = systemClock): MemoryData {
  return { clock, entries: new Map(), leases: new Map(), subscribers: new Map() };
}

/** The live entry at `key` (expired entries are removed and reported absent). */
export function liveEntry(data: MemoryData, key: string): Entry | undefined {
  const entry = data.entries.get(key);
  if (entry?.expiresAt !== undefined && entry.expiresAt <= data.clock.now()) {
    data.entries.delete(key);
    return undefined;
  }
  return entry;
}

/** The live entry at `key` if it holds `type`, undefined if absent; STORE_BAD_KEY otherwise. */
export function typedEntry<T extends KeyType>(data: MemoryData, key: string, type: T): Extract<Entry, { type: T }> | undefined {
  const entry = liveEntry(data, key);
  if (entry === undefined) return undefined;
  if (entry.type !== type) throw wrongType(key, type, entry.type);
  return entry as Extract<Entry, { type: T }>;
}

function wrongType(key: string, wanted: string, held: string): HotlineError {
  return new HotlineError('STORE_BAD_KEY', `WRONGTYPE: ${wanted} operation on a key holding a ${held}`, { key });
}

/** Applies a prepared commit atomically (the caller validated its arguments). */
export function applyCommit(data: MemoryData, checks: readonly Check[], ops: readonly PreparedOp[]): { ok: true; streamIds: string[] } | { ok: false } {
  for (const check of checks) {
    const version = typedEntry(data, check.key, 'hash')?.version ?? 0;
    if (version !== check.version) return { ok: false };
  }
  assertOpTypes(data, ops);
  const streamIds: string[] = [];
  for (const op of ops) {
    const id = applyOp(data, op);
    if (id !== undefined) streamIds.push(id);
  }
  return { ok: true, streamIds };
}

/** Refuses the whole commit before any write when an op would hit a key of another type. */
function assertOpTypes(data: MemoryData, ops: readonly PreparedOp[]): void {
  const types = new Map<string, KeyType | 'none'>();
  for (const op of ops) {
    const held = types.get(op.key) ?? liveEntry(data, op.key)?.type ?? 'none';
    if (op.op === 'del') {
      types.set(op.key, 'none');
      continue;
    }
    const wanted = opKeyType[op.op];
    if (held !== 'none' && held !== wanted) throw wrongType(op.key, wanted, held);
    if (!(held === 'none' && (op.op === 'zrem' || op.op === 'srem'))) types.set(op.key, wanted);
  }
}

function applyOp(data: MemoryData, op: PreparedOp): string | undefined {
  const now = data.clock.now();
  switch (op.op) {
    case 'put': {
      const version = (typedEntry(data, op.key, 'hash')?.version ?? 0) + 1;
      const expiresAt = op.ttlMs === undefined ? undefined : now + op.ttlMs;
      data.entries.set(op.key, { type: 'hash', json: op.json, version, expiresAt });
      return undefined;
    }
    case 'del':
      data.entries.delete(op.key);
      return undefined;
    case 'zadd':
      zsetAt(data, op.key).members.set(op.member, op.score);
      return undefined;
    case 'sadd':
      setAt(data, op.key).members.add(op.member);
      return undefined;
    case 'zrem':
    case 'srem': {
      const entry = typedEntry(data, op.key, op.op === 'zrem' ? 'zset' : 'set');
      entry?.members.delete(op.member);
      if (entry?.members.size === 0) data.entries.delete(op.key);
      return undefined;
    }
    case 'xadd':
      return appendToStream(data, op.key, Object.fromEntries(op.fields), op.maxLen);
  }
}

function zsetAt(data: MemoryData, key: string): Extract<Entry, { type: 'zset' }> {
  const existing = typedEntry(data, key, 'zset');
  if (existing) return existing;
  const created = { type: 'zset', members: new Map<string, number>(), expiresAt: undefined } as const;
  data.entries.set(key, created);
  return created;
}

function setAt(data: MemoryData, key: string): Extract<Entry, { type: 'set' }> {
  const existing = typedEntry(data, key, 'set');
  if (existing) return existing;
  const created = { type: 'set', members: new Set<string>(), expiresAt: undefined } as const;
  data.entries.set(key, created);
  return created;
}

/** Appends with a Redis-style id: `<now>-0`, or `<last ms>-<last seq + 1>` when time has not moved on. */
function appendToStream(data: MemoryData, key: string, fields: Record<string, string>, maxLen: number | undefined): string {
  let stream = typedEntry(data, key, 'stream');
  if (!stream) {
    stream = { type: 'stream', entries: [], lastMs: -1, lastSeq: -1, expiresAt: undefined };
    data.entries.set(key, stream);
  }
  const now = data.clock.now();
  if (now > stream.lastMs) {
    stream.lastMs = now;
    stream.lastSeq = 0;
  } else {
    stream.lastSeq += 1;
  }
  const id = `${stream.lastMs}-${stream.lastSeq}`;
  stream.entries.push({ id, fields });
  if (maxLen !== undefined && stream.entries.length > maxLen) stream.entries.splice(0, stream.entries.length - maxLen);
  return id;
}

/**
 * Up to `count` entries strictly after `afterId`, oldest first: a binary search for the first
 * one, then a slice — O(log n + count), not a scan of the whole stream.
 */
export function streamAfter(entries: readonly StreamEntry[], afterId: string, count: number): StreamEntry[] {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareStreamIds(entries[middle]!.id, afterId) > 0) high = middle;
    else low = middle + 1;
  }
  return entries.slice(low, low + count);
}
