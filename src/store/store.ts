/**
 * The store port: everything the hotline keeps outside Asterisk goes through this interface.
 * Two adapters implement it — Redis (production, several server instances) and memory (embedded
 * mode, one process) — and both pass one contract suite (tests/store/store-contract.ts).
 *
 * Adapters hold no business logic. Atomicity comes from one generic primitive, `commit`: a list of
 * version checks plus a list of writes, applied all-or-nothing. Domain code reads documents with
 * their versions, decides in plain TypeScript, and commits with the versions it read; a concurrent
 * writer makes the check fail and the domain code re-reads and decides again (optimistic
 * concurrency). See docs/adr/0003-store-optimistic-commit.md.
 *
 * Keys passed here are logical (e.g. `ticket:20261123-000001`); adapters add the configured
 * prefix and a hash tag so that every key of one deployment lives in one Redis Cluster slot.
 */

/** A JSON document and its version (1 after the first put, +1 on every put). */
export interface Versioned<T> {
  readonly value: T;
  readonly version: number;
}

/** A precondition of a commit: the document's version must equal `version` (0 = must not exist). */
export interface Check {
  readonly key: string;
  readonly version: number;
}

export type Op =
  /** Write a JSON document (version + 1). `ttlMs` expires it; without it any earlier expiry is cleared. */
  | { readonly op: 'put'; readonly key: string; readonly value: unknown; readonly ttlMs?: number }
  /** Delete a document, set, sorted set or stream. */
  | { readonly op: 'del'; readonly key: string }
  | { readonly op: 'zadd'; readonly key: string; readonly member: string; readonly score: number }
  | { readonly op: 'zrem'; readonly key: string; readonly member: string }
  | { readonly op: 'sadd'; readonly key: string; readonly member: string }
  | { readonly op: 'srem'; readonly key: string; readonly member: string }
  /** Append an entry to a stream (an event log); `maxLen` trims approximately to that length. */
  | { readonly op: 'xadd'; readonly key: string; readonly fields: Readonly<Record<string, string>>; readonly maxLen?: number };

export interface StreamEntry {
  /** Monotonic id, `<ms>-<seq>` as Redis streams make them; compare with `compareStreamIds`. */
  readonly id: string;
  readonly fields: Readonly<Record<string, string>>;
}

export interface ZEntry {
  readonly member: string;
  readonly score: number;
}

export interface RangeOptions {
  /** Skip this many entries of the range. */
  readonly offset?: number;
  /** At most this many entries. */
  readonly count?: number;
  /** Highest score first. */
  readonly reverse?: boolean;
}

export type Unsubscribe = () => Promise<void>;

/** Whether the store answers, and since when (ms since the epoch) that has been so. For GET /health. */
export interface StoreHealth {
  readonly up: boolean;
  readonly since: number;
}

export interface Store {
  readonly kind: 'redis' | 'memory';

  /** A document and its version, or null when absent. */
  get<T>(key: string): Promise<Versioned<T> | null>;
  /** Several documents at once, in the order of `keys`. */
  getMany<T>(keys: readonly string[]): Promise<Array<Versioned<T> | null>>;
  /**
   * Applies `ops` atomically if every check holds. Returns false (and changes nothing) when a
   * check fails. Stream ids of `xadd` ops are returned in order on success. A malformed op, or one
   * on a key holding another kind of data, throws STORE_BAD_KEY and changes nothing either.
   * STORE_UNAVAILABLE from a commit means the outcome is unknown: re-read before deciding again.
   */
  commit(checks: readonly Check[], ops: readonly Op[]): Promise<{ ok: true; streamIds: string[] } | { ok: false }>;

  /**
   * Atomically increments an integer counter (created at 0) and returns the new value. `ttlMs`
   * sets an expiry when the counter has none yet (a fixed window: later calls do not extend it).
   */
  incr(key: string, ttlMs?: number): Promise<number>;

  /** Sorted-set members with min ≤ score ≤ max, lowest score first unless `reverse`. */
  zrangeByScore(key: string, min: number, max: number, options?: RangeOptions): Promise<ZEntry[]>;
  zscore(key: string, member: string): Promise<number | null>;
  zcard(key: string): Promise<number>;
  /** Members of a set, in no particular order. */
  smembers(key: string): Promise<string[]>;

  /** Stream entries strictly after `afterId` ('0' = from the start), oldest first, at most `count`. */
  xrange(key: string, afterId: string, count: number): Promise<StreamEntry[]>;

  /**
   * Takes or renews a named lease for `owner` for `ttlMs`. True when `owner` holds it afterwards.
   * Leases make one instance the single writer of a shared duty (scheduler, queue timers).
   */
  acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives a lease up if `owner` holds it. */
  releaseLease(name: string, owner: string): Promise<void>;

  /** Fire-and-forget fan-out to every instance (including this one) subscribed to `channel`. */
  publish(channel: string, message: string): Promise<void>;
  subscribe(channel: string, handler: (message: string) => void): Promise<Unsubscribe>;

  /** Resolves when the store answers; rejects with STORE_UNAVAILABLE otherwise (within a bounded time). */
  ping(): Promise<void>;
  /** Whether the store is reachable now, without a round trip. */
  health(): StoreHealth;
  /** Closes connections and drops subscriptions; later calls reject with STORE_UNAVAILABLE. Idempotent. */
  close(): Promise<void>;
}

/** Orders two stream ids (`<ms>-<seq>`): negative, zero or positive. */
export function compareStreamIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am !== bm ? am - bm : as - bs;
}
