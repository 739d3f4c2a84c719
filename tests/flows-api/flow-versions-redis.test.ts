import { inject } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { createRedisStore } from '../../src/store/redis-store.ts';
import type { Store } from '../../src/store/store.ts';
import { deletePrefix, uniquePrefix } from '../support/redis.ts';
import { flowVersionsContract } from './flow-versions-contract.ts';

const url = inject('redisUrl');
const logger = createLogger('silent');

flowVersionsContract('flow versions on Redis', async () => {
  const prefix = uniquePrefix('flows');
  const opened: Store[] = [];
  return {
    open() {
      const store = createRedisStore({ url, prefix, logger });
      opened.push(store);
      return store;
    },
    async dispose() {
      await Promise.all(opened.map((store) => store.close()));
      await deletePrefix(url, prefix);
    },
  };
});
