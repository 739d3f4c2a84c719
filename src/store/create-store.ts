/**
 * Picks the store adapter from configuration: Redis when REDIS_URL is set, the in-memory store of
 * embedded mode otherwise.
 */
import type { Clock } from '../clock.ts';
import type { Config } from '../config/config.ts';
import type { Logger } from '../log.ts';
import { createMemoryStore } from './memory-store.ts';
import { createRedisStore } from './redis-store.ts';
import type { Store } from './store.ts';

/** Creates the configured store. The Redis store connects in the background; `ping()` to wait. */
export function createStore(config: Pick<Config, 'REDIS_URL' | 'REDIS_PREFIX'>, logger: Logger, clock?: Clock): Store {
  if (config.REDIS_URL !== undefined) {
    return createRedisStore({ url: config.REDIS_URL, prefix: config.REDIS_PREFIX, logger, clock });
  }
  logger.warn('embedded mode: in-memory store, state is lost on restart');
  return createMemoryStore({ clock, logger: logger.child({ component: 'store' }) });
}
