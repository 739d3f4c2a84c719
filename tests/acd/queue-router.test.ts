import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAcdState, type AcdState } from '../../src/acd/acd-state.ts';
import { createQueueRouter, type QueueRouter } from '../../src/acd/queue-router.ts';
import type { RoutingQueue } from '../../src/acd/routing.ts';
import { createManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/log.ts';
import { createMemoryData } from '../../src/store/memory-data.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import type { Store } from '../../src/store/store.ts';

const queues = new Map<string, RoutingQueue>([['general', { id: 'general', priority: 0, steps: [{ afterSec: 0, skills: ['general'] }] }]]);

/** A store whose commits wait while `hold` is on, so a test sees which commits are in flight together. */
function gatedStore(store: Store) {
  const held: Array<() => void> = [];
  const gate = {
    hold: false,
    held,
    release(): void {
      gate.hold = false;
      held.splice(0).forEach((go) => go());
    },
  };
  const gated: Store = {
    ...store,
    commit: (checks, ops) => (gate.hold ? new Promise<void>((go) => held.push(go)).then(() => store.commit(checks, ops)) : store.commit(checks, ops)),
  };
  return { gated, gate };
}

describe('queue router', () => {
  const clock = createManualClock();
  let router: QueueRouter | undefined;
  let gate: ReturnType<typeof gatedStore>['gate'] | undefined;
  afterEach(async () => {
    gate?.release(); // a failing test may leave commits held, and close() waits for the round
    await router?.close();
    router = undefined;
  });

  /** `agents` ready one ms apart (agent0 longest idle), `calls` waiting one ms apart (c1 first). */
  async function setup(agents: number, calls: number) {
    const data = createMemoryData(clock);
    const held = gatedStore(createMemoryStore({ data }));
    const { gated } = held;
    gate = held.gate;
    const acd = createAcdState({ store: gated, clock });
    const other: AcdState = createAcdState({ store: createMemoryStore({ data }), clock }); // another instance, never held
    for (let i = 0; i < agents; i++) {
      await acd.upsertAgent(`agent${i}`, { extension: String(1000 + i), skills: { general: 1 } });
      await acd.applyAgent(`agent${i}`, { type: 'login', ready: true });
      await clock.advance(1);
    }
    for (let n = 1; n <= calls; n++) {
      const at = clock.now();
      await acd.enqueue({ callId: `c${n}`, queueId: 'general', arrivedAt: at, enqueuedAt: at, priority: 0, instanceId: 'i1', channelId: `ch-c${n}`, callerNumber: '13800000000' });
      await clock.advance(1);
    }
    const delivered: string[] = [];
    router = createQueueRouter({
      acd, store: gated, clock, logger: createLogger('silent'), instanceId: 'i1', queues,
      deliver: async (callId, agentId) => void delivered.push(`${callId}→${agentId}`),
    });
    return { acd, other, gate: held.gate, delivered };
  }

  describe('when a round pairs several calls with agents', () => {
    it('sends all the reservations at once and offers each pair in queue order', async () => {
      const { gate, delivered } = await setup(3, 3);
      gate.hold = true;
      router!.start();
      // one after the other, the second reservation would wait for the first to commit
      await vi.waitFor(() => expect(gate.held).toHaveLength(3));
      gate.release();
      await vi.waitFor(() => expect(delivered).toHaveLength(3));
      expect(delivered).toEqual(['c1→agent0', 'c2→agent1', 'c3→agent2']);
    });
  });

  describe('when another instance takes an agent while the reservations are in flight', () => {
    it('offers the others and routes the loser again at once', async () => {
      const { other, gate, delivered } = await setup(4, 3);
      gate.hold = true;
      router!.start();
      await vi.waitFor(() => expect(gate.held).toHaveLength(3));
      await other.applyAgent('agent0', { type: 'not_ready', reason: 'lunch' });
      gate.release();
      // no clock advance: the next round runs because one reservation lost, not on the interval
      await vi.waitFor(() => expect(delivered).toHaveLength(3));
      expect(delivered.sort()).toEqual(['c1→agent3', 'c2→agent1', 'c3→agent2']);
    });
  });

  describe('when one agent becomes ready while many callers wait (the round reads only the heads of the queues)', () => {
    it('gives the agent the caller served first, wherever that caller is in arrival order', async () => {
      const { acd, delivered } = await setup(0, 60);
      const at = clock.now();
      await acd.enqueue({ callId: 'urgent', queueId: 'general', arrivedAt: at, enqueuedAt: at, priority: 9, instanceId: 'i1', channelId: 'ch-urgent', callerNumber: '13800000000' });
      expect(await acd.callsAhead('urgent')).toBe(0);
      expect(await acd.callsAhead('c2')).toBe(2); // urgent and c1
      await acd.upsertAgent('late', { extension: '1999', skills: { general: 1 } });
      await acd.applyAgent('late', { type: 'login', ready: true });
      router!.start();
      await vi.waitFor(() => expect(delivered).toEqual(['urgent→late']));
    });

    it('reads on past callers nobody ready may take yet, to one who can be served', async () => {
      const data = createMemoryData(clock);
      const store = createMemoryStore({ data });
      const acd = createAcdState({ store, clock });
      const customs = new Map<string, RoutingQueue>([
        ['customs', { id: 'customs', priority: 5, steps: [{ afterSec: 0, skills: ['customs'] }, { afterSec: 30, skills: ['customs', 'general'] }] }],
      ]);
      const now = clock.now();
      // 40 callers in queue order; only the last 10, who spent a minute in the IVR, may go to a general agent yet
      for (let n = 0; n < 40; n++) {
        const arrivedAt = n < 30 ? now - 1_000 : now - 60_000;
        await acd.enqueue({ callId: `c${n}`, queueId: 'customs', priority: 5, arrivedAt, enqueuedAt: now - 500 + n, instanceId: 'i1', channelId: `ch${n}`, callerNumber: '13800000000' });
      }
      await acd.upsertAgent('a', { extension: '1001', skills: { general: 1 } });
      await acd.applyAgent('a', { type: 'login', ready: true });
      const delivered: string[] = [];
      router = createQueueRouter({
        acd, store, clock, logger: createLogger('silent'), instanceId: 'i1', queues: customs,
        deliver: async (callId, agentId) => void delivered.push(`${callId}→${agentId}`),
      });
      router.start();
      await vi.waitFor(() => expect(delivered).toEqual(['c30→a']));
    });
  });
});
