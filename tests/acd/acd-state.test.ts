import { afterEach, describe, expect, inject, it } from 'vitest';
import { createAcdState, type AcdState } from '../../src/acd/acd-state.ts';
import { assign, type RoutingQueue } from '../../src/acd/routing.ts';
import { createManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/log.ts';
import { createMemoryData } from '../../src/store/memory-data.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { createRedisStore } from '../../src/store/redis-store.ts';
import type { Store } from '../../src/store/store.ts';
import { deletePrefix, uniquePrefix } from '../support/redis.ts';

const queues = new Map<string, RoutingQueue>([['general', { id: 'general', priority: 0, steps: [{ afterSec: 0, skills: ['general'] }] }]]);

/** Two "server instances" on one shared store. */
interface Backend {
  name: string;
  open(): { a: Store; b: Store; close(): Promise<void> };
}

const backends: Backend[] = [
  {
    name: 'memory store',
    open() {
      const data = createMemoryData(createManualClock());
      const a = createMemoryStore({ data });
      const b = createMemoryStore({ data });
      return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
    },
  },
  {
    name: 'Redis',
    open() {
      const url = inject('redisUrl');
      const prefix = uniquePrefix('acd');
      const logger = createLogger('silent');
      const a = createRedisStore({ url, prefix, logger });
      const b = createRedisStore({ url, prefix, logger });
      return { a, b, close: async () => { await Promise.all([a.close(), b.close()]); await deletePrefix(url, prefix); } };
    },
  },
];

describe.each(backends)('ACD state on the $name', (backend) => {
  const clock = createManualClock();
  let opened: ReturnType<Backend['open']>;
  let acd: AcdState;
  let other: AcdState;
  afterEach(() => opened.close());

  const setup = async (agents: number) => {
    opened = backend.open();
    acd = createAcdState({ store: opened.a, clock });
    other = createAcdState({ store: opened.b, clock });
    for (let i = 0; i < agents; i++) {
      await acd.upsertAgent(`agent${i}`, { extension: String(1000 + i), skills: { general: 1 } });
      await acd.applyAgent(`agent${i}`, { type: 'login', ready: true });
      await clock.advance(1);
    }
  };
  const enqueue = (state: AcdState, callId: string, at: number) =>
    state.enqueue({ callId, queueId: 'general', arrivedAt: at, enqueuedAt: at, priority: 0, instanceId: 'i1', channelId: `ch-${callId}`, callerNumber: '13800000000' });

  describe('when two instances race to offer one agent', () => {
    it('lets exactly one call have the agent', async () => {
      await setup(1);
      await enqueue(acd, 'c1', 1);
      await enqueue(other, 'c2', 2);
      const results = await Promise.all([acd.reserve('c1', 'agent0'), other.reserve('c2', 'agent0')]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await acd.agent('agent0'))?.status.state).toBe('reserved');
      expect(await acd.readyAgents()).toEqual([]);
      expect(await acd.waitingCalls()).toHaveLength(1);
    });
  });

  describe('when two instances race to give one call to two agents', () => {
    it('lets exactly one agent have the call, and the other stays ready', async () => {
      await setup(2);
      await enqueue(acd, 'c1', 1);
      const results = await Promise.all([acd.reserve('c1', 'agent0'), other.reserve('c1', 'agent1')]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await acd.readyAgents()).toHaveLength(1);
    });
  });

  describe('when an offered agent does not answer (RONA)', () => {
    it('puts the caller back at the head of the queue and the agent to not ready', async () => {
      await setup(1);
      await enqueue(acd, 'first', 1);
      await enqueue(acd, 'second', 2);
      expect(await acd.reserve('first', 'agent0')).toBe(true);
      expect(await acd.rona('first', 'agent0')).toBe(true);
      expect((await acd.agent('agent0'))?.status).toMatchObject({ state: 'not_ready', reason: 'no_answer' });
      const order = assign(await acd.waitingCalls(), [{ agentId: 'x', skills: { general: 1 }, readySince: 0 }], queues, clock.now());
      expect(order).toEqual([{ callId: 'first', agentId: 'x' }]);
    });
  });

  describe('when the caller hangs up while the agent rings', () => {
    it('frees the agent at once', async () => {
      await setup(1);
      await enqueue(acd, 'c1', 1);
      await acd.reserve('c1', 'agent0');
      expect(await acd.abandon('c1')).toBe(true);
      expect((await acd.agent('agent0'))?.status.state).toBe('ready');
      expect(await acd.call('c1')).toBeNull();
      expect(await acd.rona('c1', 'agent0')).toBe(false);
    });
  });

  describe('when queue admission asks whether anyone with a skill is logged in', () => {
    it('counts agents from login to logout, in any state, and follows skill changes', async () => {
      await setup(0);
      await acd.upsertAgent('a', { extension: '1001', skills: { transport: 3 } });
      expect(await other.anyLoggedIn(['transport'])).toBe(false); // registered, logged out
      await acd.applyAgent('a', { type: 'login', ready: true });
      expect(await other.anyLoggedIn(['transport', 'customs'])).toBe(true);
      expect(await other.anyLoggedIn(['customs'])).toBe(false);
      await enqueue(acd, 'c1', 1);
      await acd.reserve('c1', 'a');
      await acd.answered('c1', 'a');
      expect(await other.anyLoggedIn(['transport'])).toBe(true); // busy, not absent
      await acd.applyAgent('a', { type: 'call_ended' });
      await acd.upsertAgent('a', { extension: '1001', skills: { customs: 5 } });
      expect(await other.anyLoggedIn(['transport'])).toBe(false);
      expect(await other.anyLoggedIn(['customs'])).toBe(true);
      await acd.applyAgent('a', { type: 'logout' });
      expect(await other.anyLoggedIn(['customs'])).toBe(false);
      expect(await other.anyLoggedIn([])).toBe(false);
    });
  });

  describe('when two routers serve 200 callers with 20 agents', () => {
    it('serves every caller once and never gives an agent two calls at a time', async () => {
      await setup(20);
      for (let i = 0; i < 200; i++) await enqueue(i % 2 ? acd : other, `call${i}`, 10 + i);
      const holding = new Set<string>();
      const served = new Map<string, number>();
      const doubles: string[] = [];

      const router = async (state: AcdState) => {
        for (let round = 0; round < 2_000; round++) {
          const waiting = await state.waitingCalls();
          if (waiting.length === 0) return;
          const plan = assign(waiting, await state.readyAgents(), queues, clock.now());
          await Promise.all(plan.map(async ({ callId, agentId }) => {
            if (!(await state.reserve(callId, agentId))) return;
            if (holding.has(agentId)) doubles.push(`${agentId}:${callId}`);
            holding.add(agentId);
            served.set(callId, (served.get(callId) ?? 0) + 1);
            await state.answered(callId, agentId);
            holding.delete(agentId); // before the agent is free again in the store
            await state.applyAgent(agentId, { type: 'call_ended' });
            await state.applyAgent(agentId, { type: 'end_wrap_up' });
          }));
        }
      };
      await Promise.all([router(acd), router(other)]);

      expect(doubles).toEqual([]);
      expect(served.size).toBe(200);
      expect([...served.values()].every((n) => n === 1)).toBe(true);
      expect(await acd.readyAgents()).toHaveLength(20);
    });
  });
});
