/**
 * Helpers for tests on the real Redis of tests/support/redis-global-setup.ts: a unique key prefix
 * per test, removal of a prefix's keys afterwards, and "time travel" for TTLs (Redis has no
 * settable clock, so `shiftTtls` shortens every expiring key of a prefix as if time had passed).
 */
import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';

/** A prefix no other test uses, valid as REDIS_PREFIX. */
export function uniquePrefix(label = 'test'): string {
  return `${label}-${process.pid}-${randomUUID().slice(0, 8)}`;
}

/** Glob of every key the store writes under `prefix` (see src/store/keys.ts). */
export function prefixPattern(prefix: string): string {
  return `{${prefix}}:*`;
}

async function withClient<T>(url: string, fn: (client: ReturnType<typeof createClient>) => Promise<T>): Promise<T> {
  const client = createClient({ url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    client.destroy();
  }
}

async function keysOf(client: ReturnType<typeof createClient>, prefix: string): Promise<string[]> {
  const found: string[] = [];
  for await (const batch of client.scanIterator({ MATCH: prefixPattern(prefix), COUNT: 500 })) found.push(...batch);
  return found;
}

/** Physical keys under `prefix`. */
export function listKeys(url: string, prefix: string): Promise<string[]> {
  return withClient(url, (client) => keysOf(client, prefix));
}

/** Deletes every key under `prefix`; returns how many there were. */
export function deletePrefix(url: string, prefix: string): Promise<number> {
  return withClient(url, async (client) => {
    const found = await keysOf(client, prefix);
    if (found.length > 0) await client.unlink(found);
    return found.length;
  });
}

/** Moves Redis' notion of "later" forward by `ms` for keys under `prefix`: each TTL shrinks by `ms`, keys whose TTL runs out are deleted. */
export function shiftTtls(url: string, prefix: string, ms: number): Promise<void> {
  return withClient(url, async (client) => {
    for (const key of await keysOf(client, prefix)) {
      const ttl = await client.pTTL(key);
      if (ttl < 0) continue;
      if (ttl - ms <= 0) await client.del(key);
      else await client.pExpire(key, ttl - ms);
    }
  });
}
