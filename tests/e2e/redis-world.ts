/**
 * What the composed-server tests on Redis share: the simulator, a key prefix of their own on the
 * test run's redis-server, a store and the ACD state on it — each closed or deleted by `cleanups`.
 */
import { inject } from 'vitest';
import { createAcdState } from '../../src/acd/acd-state.ts';
import { systemClock } from '../../src/clock.ts';
import type { Logger } from '../../src/log.ts';
import { createSimulator } from '../../src/sim/simulator.ts';
import { createStore } from '../../src/store/create-store.ts';
import { deletePrefix, uniquePrefix } from '../support/redis.ts';

export async function redisWorld(name: string, logger: Logger, cleanups: Array<() => Promise<unknown>>) {
  const redisUrl = inject('redisUrl');
  const prefix = uniquePrefix(name);
  cleanups.push(() => deletePrefix(redisUrl, prefix));
  const sim = await createSimulator({ logger });
  cleanups.push(() => sim.close());
  const store = createStore({ REDIS_URL: redisUrl, REDIS_PREFIX: prefix }, logger);
  cleanups.push(() => store.close());
  return { redisUrl, prefix, sim, store, acd: createAcdState({ store, clock: systemClock }) };
}
