/**
 * A server instance dies with an agent reserved for one of its callers: the other instance gives
 * the agent back and does not reserve agents for that instance's callers until it is back. On the
 * in-memory store and on the real Redis of the test run.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createAcdState } from '../../src/acd/acd-state.ts';
import { createInstanceLiveness } from '../../src/acd/instance-liveness.ts';
import { createQueueRouter, type QueueRouter } from '../../src/acd/queue-router.ts';
import type { RoutingQueue } from '../../src/acd/routing.ts';
import { createManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/log.ts';
import { createMemoryData } from '../../src/store/memory-data.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { createRedisStore } from '../../src/store/redis-store.ts';
import type { Store } from '../../src/store/store.ts';
import { deletePrefix, uniquePrefix } from '../support/redis.ts';
import { until } from '../support/sim-events.ts';

const logger = createLogger('silent');
const queues = new Map<string, RoutingQueue>([['general', { id: 'general', priority: 0, steps: [{ afterSec: 0, skills: ['general'] }] }]]);

const backends: Array<{ name: string; open: (clock: ReturnType<typeof createManualClock>) => { store: Store; dispose: () => Promise<unknown> } }> = [
  { name: 'memory', open: (clock) => ({ store: createMemoryStore({ data: createMemoryData(clock) }), dispose: async () => undefined }) },
  { name: 'Redis', open: () => {
    const url = inject('redisUrl');
    const prefix = uniquePrefix('liveness');
    const store = createRedisStore({ url, prefix, logger });
    return { store, dispose: async () => {
      await store.close();
      await deletePrefix(url, prefix);
    } };
  } },
];

describe.each(backends)('a server instance that dies ($name)', ({ name, open }) => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('gets its reserved agent given back, and its callers wait for it instead of taking agents', async () => {
    const clock = createManualClock();
    const { store, dispose } = open(clock);
    cleanups.push(dispose);
    const acd = createAcdState({ store, clock });
    // the Redis store's expiry runs on Redis' own clock: there, the instance's beat lives 300 ms
    const ttlMs = name === 'Redis' ? 300 : 30_000;
    const living = createInstanceLiveness({ store, acd, clock, logger, instanceId: 'node-a', ttlMs });
    // node-b says it is alive once; then it is killed (kill -9: no goodbye, no more beats)
    const dying = createInstanceLiveness({ store, acd, clock, logger, instanceId: 'node-b', ttlMs, everyMs: 24 * 3600_000 });
    cleanups.push(() => living.close());
    await living.start();
    await dying.start();

    for (const agentId of ['li', 'wang']) {
      await acd.upsertAgent(agentId, { extension: agentId === 'li' ? '1001' : '1002', skills: { general: 1 } });
      await acd.applyAgent(agentId, { type: 'login', ready: true });
    }
    const at = clock.now();
    await acd.enqueue({ callId: 'on-b', queueId: 'general', arrivedAt: at, enqueuedAt: at, priority: 0, instanceId: 'node-b', channelId: 'on-b', callerNumber: '13800000001' });
    await acd.enqueue({ callId: 'waits-on-b', queueId: 'general', arrivedAt: at + 1, enqueuedAt: at + 1, priority: 0, instanceId: 'node-b', channelId: 'waits-on-b', callerNumber: '13800000002' });
    expect(await acd.reserve('on-b', 'li')).toBe(true); // offered to node-b, which dies before it rings

    if (name === 'Redis') await new Promise((resolve) => setTimeout(resolve, ttlMs + 100));
    else await clock.advance(ttlMs + 1);
    await living.sweep();
    expect(living.alive('node-b')).toBe(false);
    expect((await acd.agent('li'))?.status.state).toBe('ready');
    expect((await acd.call('on-b'))?.state).toBe('waiting'); // keeps its place for node-b's restart

    const delivered: string[] = [];
    const router: QueueRouter = createQueueRouter({
      acd, store, clock, logger, instanceId: 'node-a', queues, alive: living.alive,
      deliver: async (callId, agentId) => void delivered.push(`${callId}→${agentId}`),
    });
    cleanups.push(() => router.close());
    router.start();
    router.kick();
    await clock.advance(2000);
    expect(delivered).toEqual([]);
    expect((await acd.agent('wang'))?.status.state).toBe('ready');

    // node-b restarts: its callers are routed again
    await dying.sweep();
    await living.sweep();
    router.kick();
    await until(() => delivered.length === 2, 'both callers of node-b get an agent');
  });
});
