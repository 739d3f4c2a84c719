/**
 * One supervised node-redis connection: reconnects forever with capped exponential backoff and
 * jitter, tracks health, and runs commands with a bounded wait instead of node-redis' offline
 * queue. Policy while disconnected: a call waits for the connection only within `timeoutMs` of
 * the moment it was lost (a short blip stays invisible); once the outage is older than that,
 * calls fail at once with STORE_UNAVAILABLE. Every reply is also awaited at most `timeoutMs`.
 */
import { performance } from 'node:perf_hooks';
import { createClient, ErrorReply } from 'redis';
import type { Clock } from '../clock.ts';
import { HotlineError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { StoreHealth } from './store.ts';

export type RedisClient = ReturnType<typeof createClient>;

export interface RedisConnectionOptions {
  readonly url: string;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly timeoutMs: number;
}

export interface RedisConnection {
  /** Runs `fn` on the client once it is ready; maps failures to coded errors. */
  run<T>(fn: (client: RedisClient) => Promise<T>): Promise<T>;
  health(): StoreHealth;
  close(): Promise<void>;
}

/** Backoff before reconnect attempt `retries`: 100 ms doubling to 5 s, plus up to 250 ms jitter. */
export function reconnectDelay(retries: number): number {
  return Math.min(100 * 2 ** Math.min(retries, 10), 5_000) + Math.floor(Math.random() * 250);
}

/** Opens a connection in the background; it is usable at once (calls wait as described above). */
export function createRedisConnection(options: RedisConnectionOptions): RedisConnection {
  const { logger: log, clock, timeoutMs } = options;
  const client: RedisClient = createClient({
    url: options.url,
    disableOfflineQueue: true,
    commandOptions: { timeout: timeoutMs },
    socket: { connectTimeout: timeoutMs, reconnectStrategy: (retries) => reconnectDelay(retries) },
  });
  let health: StoreHealth = { up: false, since: clock.now() };
  let downAt = performance.now();
  let closed = false;
  let outageLogged = false;

  function down(error?: unknown): void {
    if (closed) {
      if (health.up) health = { up: false, since: clock.now() };
      return;
    }
    if (health.up) {
      health = { up: false, since: clock.now() };
      downAt = performance.now();
      log.warn({ err: error }, 'redis connection lost; reconnecting');
      outageLogged = true;
    } else if (!outageLogged) {
      log.warn({ err: error }, 'redis not reachable yet; retrying');
      outageLogged = true;
    }
  }
  const waiters = new Set<() => void>();
  client.on('ready', () => {
    health = { up: true, since: clock.now() };
    outageLogged = false;
    log.info('redis connection ready');
    for (const wake of waiters) wake();
    waiters.clear();
  });
  client.on('error', (error: unknown) => down(error));
  client.on('end', () => down());
  client.connect().catch((error: unknown) => {
    if (!closed) log.error({ err: error }, 'redis connect gave up');
  });

  function waitReady(): Promise<void> {
    if (client.isReady) return Promise.resolve();
    const left = downAt + timeoutMs - performance.now();
    if (closed) return Promise.reject(new HotlineError('STORE_UNAVAILABLE', 'the store is closed'));
    if (left <= 0) return Promise.reject(new HotlineError('STORE_UNAVAILABLE', 'redis is not connected'));
    return new Promise((resolve, reject) => {
      const wake = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(wake);
        reject(new HotlineError('STORE_UNAVAILABLE', `redis did not connect within ${timeoutMs} ms`));
      }, left);
      waiters.add(wake);
    });
  }

  return {
    async run(fn) {
      await waitReady();
      try {
        return await fn(client);
      } catch (error) {
        throw toHotlineError(error, closed);
      }
    },
    health: () => health,
    async close() {
      if (closed) return;
      closed = true;
      try {
        if (client.isReady) await client.close();
        else client.destroy();
      } catch (error) {
        log.debug({ err: error }, 'redis close');
      }
      health = { up: false, since: clock.now() };
    },
  };
}

const UNAVAILABLE_REPLIES = /^(LOADING|BUSY|READONLY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|OOM|NOREPLICAS)\b/;

/** Maps a node-redis failure to STORE_BAD_KEY (wrong type, bad argument), STORE_UNAVAILABLE or INTERNAL. */
export function toHotlineError(error: unknown, closed = false): HotlineError {
  if (error instanceof HotlineError) return error;
  if (error instanceof ErrorReply) {
    if (error.message.startsWith('WRONGTYPE')) return new HotlineError('STORE_BAD_KEY', error.message, undefined, { cause: error });
    if (UNAVAILABLE_REPLIES.test(error.message)) return new HotlineError('STORE_UNAVAILABLE', error.message, undefined, { cause: error });
    return new HotlineError('INTERNAL', `redis refused a store command: ${error.message}`, undefined, { cause: error });
  }
  const message = closed ? 'the store is closed' : `redis failed: ${error instanceof Error ? error.message : String(error)}`;
  return new HotlineError('STORE_UNAVAILABLE', message, undefined, { cause: error });
}
