/**
 * The in-memory store of embedded mode: one process, nothing survives a restart. It keeps Redis'
 * semantics (versions, atomic commit, TTLs, stream ids, leases, asynchronous pub/sub) so that code
 * tested on it behaves the same on Redis; both pass tests/store/store-contract.ts.
 */
import type { Clock } from '../clock.ts';
import { HotlineError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { assertLogicalKey, createKeySpace } from './keys.ts';
import { applyCommit, createMemoryData, streamAfter, typedEntry, type MemoryData } from './memory-data.ts';
import { assertBound, assertCount, assertMember, assertStreamId, assertTtl, prepareCommit } from './prepare.ts';
import type { RangeOptions, Store, StoreHealth, Versioned, ZEntry } from './store.ts';

export interface MemoryStoreOptions {
  /** Time for TTLs, leases and stream ids; a ManualClock in tests. Ignored when `data` is given. */
  readonly clock?: Clock;
  /** Share data with other instances (two "server instances" on one store). Fresh data otherwise. */
  readonly data?: MemoryData;
  /** Where a throwing subscriber's error is logged. */
  readonly logger?: Logger;
}

/** Creates an in-memory store (embedded mode). */
export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  const data = options.data ?? createMemoryData(options.clock);
  const space = createKeySpace('memory');
  const mine = new Set<{ channel: string; deliver: (message: string) => void }>();
  let health: StoreHealth = { up: true, since: data.clock.now() };

  function open(): MemoryData {
    if (!health.up) throw new HotlineError('STORE_UNAVAILABLE', 'the store is closed');
    return data;
  }

  function read<T>(key: string): Versioned<T> | null {
    const entry = typedEntry(open(), assertLogicalKey(key), 'hash');
    return entry ? { value: JSON.parse(entry.json) as T, version: entry.version } : null;
  }

  function safely(handler: (message: string) => void, message: string, channel: string): void {
    try {
      handler(message);
    } catch (error) {
      // one failing subscriber must not stop delivery to the others
      options.logger?.error({ err: error, channel }, 'store subscriber threw');
    }
  }

  return {
    kind: 'memory',
    async get<T>(key: string) {
      return read<T>(key);
    },
    async getMany<T>(keys: readonly string[]) {
      return keys.map((key) => read<T>(key));
    },
    async commit(checks, ops) {
      const prepared = prepareCommit(checks, ops);
      return applyCommit(open(), prepared.checks, prepared.ops);
    },
    async incr(key, ttlMs) {
      assertLogicalKey(key);
      const ttl = ttlMs === undefined ? undefined : assertTtl(ttlMs);
      const store = open();
      const counter = typedEntry(store, key, 'string');
      if (counter) {
        counter.value += 1;
        if (counter.expiresAt === undefined && ttl !== undefined) counter.expiresAt = store.clock.now() + ttl;
        return counter.value;
      }
      store.entries.set(key, { type: 'string', value: 1, expiresAt: ttl === undefined ? undefined : store.clock.now() + ttl });
      return 1;
    },
    async zrangeByScore(key, min, max, rangeOptions) {
      assertLogicalKey(key);
      return zrange(typedEntry(open(), key, 'zset')?.members, assertBound(min), assertBound(max), rangeOptions);
    },
    async zscore(key, member) {
      assertLogicalKey(key);
      return typedEntry(open(), key, 'zset')?.members.get(assertMember(member)) ?? null;
    },
    async zcard(key) {
      assertLogicalKey(key);
      return typedEntry(open(), key, 'zset')?.members.size ?? 0;
    },
    async smembers(key) {
      assertLogicalKey(key);
      return [...(typedEntry(open(), key, 'set')?.members ?? [])];
    },
    async xrange(key, afterId, count) {
      assertLogicalKey(key);
      const after = assertStreamId(afterId);
      const limit = assertCount(count, 'count', 1);
      const entries = typedEntry(open(), key, 'stream')?.entries ?? [];
      return streamAfter(entries, after, limit).map((e) => ({ id: e.id, fields: { ...e.fields } }));
    },
    async acquireLease(name, owner, ttlMs) {
      const leaseKey = space.lease(name);
      assertMember(owner);
      const ttl = assertTtl(ttlMs);
      const store = open();
      const now = store.clock.now();
      const lease = store.leases.get(leaseKey);
      if (lease && lease.expiresAt > now && lease.owner !== owner) return false;
      store.leases.set(leaseKey, { owner, expiresAt: now + ttl });
      return true;
    },
    async releaseLease(name, owner) {
      const leaseKey = space.lease(name);
      const store = open();
      const lease = store.leases.get(leaseKey);
      if (lease && lease.owner === owner && lease.expiresAt > store.clock.now()) store.leases.delete(leaseKey);
    },
    async publish(channel, message) {
      space.channel(channel);
      assertMember(message);
      const handlers = [...(open().subscribers.get(channel) ?? [])];
      // delivered later, as Redis does: never inside the publisher's call stack
      setImmediate(() => handlers.forEach((deliver) => deliver(message)));
    },
    async subscribe(channel, handler) {
      space.channel(channel);
      const store = open();
      const subscription = { channel, deliver: (message: string) => safely(handler, message, channel) };
      const handlers = store.subscribers.get(channel) ?? new Set();
      handlers.add(subscription.deliver);
      store.subscribers.set(channel, handlers);
      mine.add(subscription);
      return async () => {
        mine.delete(subscription);
        drop(data, subscription);
      };
    },
    async ping() {
      open();
    },
    health: () => health,
    async close() {
      if (!health.up) return;
      health = { up: false, since: data.clock.now() };
      for (const subscription of mine) drop(data, subscription);
      mine.clear();
    },
  };
}

function drop(data: MemoryData, subscription: { channel: string; deliver: (message: string) => void }): void {
  const handlers = data.subscribers.get(subscription.channel);
  handlers?.delete(subscription.deliver);
  if (handlers?.size === 0) data.subscribers.delete(subscription.channel);
}

function zrange(members: Map<string, number> | undefined, min: number, max: number, options: RangeOptions = {}): ZEntry[] {
  if (!members) return [];
  const sign = options.reverse ? -1 : 1;
  const all = [...members]
    .filter(([, score]) => score >= min && score <= max)
    // members of equal score in byte order, as Redis has them (compared as bytes only on a tie: the sort is hot)
    .sort(([am, as], [bm, bs]) => sign * (as - bs || (am === bm ? 0 : Buffer.compare(Buffer.from(am), Buffer.from(bm)))))
    .map(([member, score]) => ({ member, score }));
  const offset = options.offset === undefined ? 0 : assertCount(options.offset, 'offset', 0);
  const count = options.count === undefined ? undefined : assertCount(options.count, 'count', 0);
  return all.slice(offset, count === undefined ? undefined : offset + count);
}
