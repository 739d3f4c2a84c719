/**
 * The Redis adapter of the store port (node-redis v5). Documents are hashes `{ v: version,
 * d: JSON text }` so that version, value and expiry live and die together in one key; `commit` is
 * one Lua script (lua/commit-checked.lua); leases are plain strings holding the owner, taken and
 * released by small scripts. Pub/sub runs on a second connection opened at the first subscribe.
 * Both connections reconnect forever; see redis-connection.ts for what calls do meanwhile.
 */
import { systemClock, type Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { createKeySpace, type KeySpace } from './keys.ts';
import { assertBound, assertCount, assertMember, assertStreamId, assertTtl, prepareCommit, type PreparedOp } from './prepare.ts';
import { createRedisConnection, type RedisConnection } from './redis-connection.ts';
import { runScript, scripts } from './redis-scripts.ts';
import type { Check, RangeOptions, Store, StoreHealth, StreamEntry, Versioned, ZEntry } from './store.ts';

export interface RedisStoreOptions {
  /** redis:// or rediss:// URL. */
  readonly url: string;
  /** REDIS_PREFIX; every key becomes `{prefix}:<logical key>`. Default `hotline`. */
  readonly prefix?: string;
  readonly logger: Logger;
  /** Time for `health().since`. Default: the system clock. */
  readonly clock?: Clock;
  /** Longest a call waits for a connection or a reply before STORE_UNAVAILABLE. Default 2000. */
  readonly timeoutMs?: number;
}

/** Creates the Redis store; it connects in the background and is usable at once. */
export function createRedisStore(options: RedisStoreOptions): Store {
  const keys = createKeySpace(options.prefix);
  const logger = options.logger.child({ component: 'store', prefix: keys.prefix });
  const connectionOptions = { url: options.url, clock: options.clock ?? systemClock, timeoutMs: options.timeoutMs ?? 2_000 };
  const main = createRedisConnection({ ...connectionOptions, logger: logger.child({ connection: 'commands' }) });
  let pubsub: RedisConnection | undefined;

  function subscriber(): RedisConnection {
    pubsub ??= createRedisConnection({ ...connectionOptions, logger: logger.child({ connection: 'pubsub' }) });
    return pubsub;
  }

  return {
    kind: 'redis',
    async get<T>(key: string) {
      const physical = keys.key(key);
      return main.run(async (c) => toVersioned<T>(await c.hmGet(physical, ['v', 'd'])));
    },
    async getMany<T>(logical: readonly string[]) {
      const physical = logical.map((key) => keys.key(key));
      if (physical.length === 0) return [];
      return main.run(async (c) => {
        const multi = c.multi();
        for (const key of physical) multi.hmGet(key, ['v', 'd']);
        const replies: unknown[] = await multi.exec();
        return replies.map((reply) => toVersioned<T>(reply));
      });
    },
    async commit(checks, ops) {
      const prepared = prepareCommit(checks, ops);
      const { scriptKeys, args } = encodeCommit(keys, prepared.checks, prepared.ops);
      const reply = await main.run((c) => runScript(c, scripts.commitChecked, scriptKeys, args));
      if (!Array.isArray(reply)) return { ok: false };
      return { ok: true, streamIds: reply.slice(1).map(String) };
    },
    async incr(key, ttlMs) {
      const physical = keys.key(key);
      if (ttlMs === undefined) return main.run((c) => c.incr(physical));
      const ttl = String(assertTtl(ttlMs));
      return main.run(async (c) => Number(await runScript(c, scripts.incrWithTtl, [physical], [ttl])));
    },
    async zrangeByScore(key, min, max, rangeOptions) {
      const args = zrangeArgs(keys.key(key), assertBound(min), assertBound(max), rangeOptions);
      const reply = await main.run((c) => c.sendCommand(args));
      return toZEntries(reply);
    },
    async zscore(key, member) {
      const physical = keys.key(key);
      const score = await main.run((c) => c.zScore(physical, assertMember(member)));
      return score === null ? null : Number(score);
    },
    async zcard(key) {
      const physical = keys.key(key);
      return main.run((c) => c.zCard(physical));
    },
    async smembers(key) {
      const physical = keys.key(key);
      return main.run(async (c) => (await c.sMembers(physical)).map(String));
    },
    async xrange(key, afterId, count) {
      const physical = keys.key(key);
      const after = assertStreamId(afterId);
      const limit = String(assertCount(count, 'count', 1));
      const start = after === '0' ? '-' : `(${after}`;
      const reply = await main.run((c) => c.sendCommand(['XRANGE', physical, start, '+', 'COUNT', limit]));
      return toStreamEntries(reply);
    },
    async acquireLease(name, owner, ttlMs) {
      const args = [assertMember(owner), String(assertTtl(ttlMs))];
      const reply = await main.run((c) => runScript(c, scripts.acquireLease, [keys.lease(name)], args));
      return reply === 1;
    },
    async releaseLease(name, owner) {
      const args = [assertMember(owner)];
      await main.run((c) => runScript(c, scripts.releaseLease, [keys.lease(name)], args));
    },
    async publish(channel, message) {
      const physical = keys.channel(channel);
      const text = assertMember(message);
      await main.run((c) => c.publish(physical, text));
    },
    async subscribe(channel, handler) {
      const physical = keys.channel(channel);
      const connection = subscriber();
      let active = true;
      const listener = (message: string): void => {
        if (!active) return;
        try {
          handler(message);
        } catch (error) {
          logger.error({ err: error, channel }, 'store subscriber threw');
        }
      };
      await connection.run((c) => c.subscribe(physical, listener));
      return async () => {
        if (!active) return;
        active = false;
        await connection.run((c) => c.unsubscribe(physical, listener)).catch((error: unknown) => {
          logger.debug({ err: error, channel }, 'unsubscribe while disconnected; the listener stays muted');
        });
      };
    },
    async ping() {
      await main.run((c) => c.ping());
    },
    health: () => combine(main.health(), pubsub?.health()),
    async close() {
      await Promise.all([main.close(), pubsub?.close()]);
    },
  };
}

function combine(a: StoreHealth, b: StoreHealth | undefined): StoreHealth {
  if (!b) return a;
  if (a.up && b.up) return { up: true, since: Math.max(a.since, b.since) };
  if (!a.up && !b.up) return { up: false, since: Math.min(a.since, b.since) };
  return a.up ? b : a;
}

/** Encodes a prepared commit as the KEYS and ARGV of commit-checked.lua. */
function encodeCommit(keys: KeySpace, checks: readonly Check[], ops: readonly PreparedOp[]): { scriptKeys: string[]; args: string[] } {
  const scriptKeys: string[] = [];
  const index = new Map<string, string>();
  const ref = (logical: string): string => {
    const physical = keys.key(logical);
    let at = index.get(physical);
    if (at === undefined) {
      at = String(scriptKeys.push(physical));
      index.set(physical, at);
    }
    return at;
  };
  const args = [String(checks.length)];
  for (const check of checks) args.push(ref(check.key), String(check.version));
  args.push(String(ops.length));
  for (const op of ops) args.push(op.op, ref(op.key), ...opArgs(op));
  return { scriptKeys, args };
}

function opArgs(op: PreparedOp): string[] {
  switch (op.op) {
    case 'put':
      return [op.json, String(op.ttlMs ?? 0)];
    case 'del':
      return [];
    case 'zadd':
      return [String(op.score), op.member];
    case 'zrem':
    case 'sadd':
    case 'srem':
      return [op.member];
    case 'xadd':
      return [String(op.maxLen ?? 0), String(op.fields.length), ...op.fields.flat()];
  }
}

function zrangeArgs(key: string, min: number, max: number, options: RangeOptions = {}): string[] {
  const bound = (n: number): string => (n === Infinity ? '+inf' : n === -Infinity ? '-inf' : String(n));
  const args = ['ZRANGE', key];
  args.push(...(options.reverse ? [bound(max), bound(min), 'BYSCORE', 'REV'] : [bound(min), bound(max), 'BYSCORE']));
  if (options.offset !== undefined || options.count !== undefined) {
    const offset = options.offset === undefined ? 0 : assertCount(options.offset, 'offset', 0);
    const count = options.count === undefined ? -1 : assertCount(options.count, 'count', 0);
    args.push('LIMIT', String(offset), String(count));
  }
  args.push('WITHSCORES');
  return args;
}

function toVersioned<T>(reply: unknown): Versioned<T> | null {
  if (!Array.isArray(reply)) return null;
  const [version, json] = reply as unknown[];
  if (version === null || version === undefined || json === null || json === undefined) return null;
  return { value: JSON.parse(String(json)) as T, version: Number(version) };
}

function toZEntries(reply: unknown): ZEntry[] {
  const flat = Array.isArray(reply) ? (reply as unknown[]) : [];
  const entries: ZEntry[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) entries.push({ member: String(flat[i]), score: Number(flat[i + 1]) });
  return entries;
}

function toStreamEntries(reply: unknown): StreamEntry[] {
  if (!Array.isArray(reply)) return [];
  return (reply as unknown[]).map((item) => {
    const [id, pairs] = item as [unknown, unknown[]];
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < pairs.length; i += 2) fields[String(pairs[i])] = String(pairs[i + 1]);
    return { id: String(id), fields };
  });
}
