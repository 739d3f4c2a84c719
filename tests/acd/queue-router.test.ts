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

  describe('when only expert seats are free while many general callers wait (issue 5)', () => {
    const floorQueues = new Map<string, RoutingQueue>([
      ['general', { id: 'general', priority: 0, steps: [{ afterSec: 0, skills: ['general'] }] }],
      ['customs', { id: 'customs', priority: 5, steps: [{ afterSec: 0, skills: ['customs'] }, { afterSec: 120, skills: ['customs', 'general'] }] }],
      ['expert-customs', { id: 'expert-customs', priority: 10, steps: [{ afterSec: 0, skills: ['expert-customs'] }] }],
    ]);

    /** 50 expert seats ready (expert0 longest idle) and 300 general callers waiting; the router's queue reads are counted per queue. */
    async function expertFloor() {
      const data = createMemoryData(clock);
      const store = createMemoryStore({ data });
      const acd = createAcdState({ store, clock });
      const read = new Map<string, number>();
      const counted: AcdState = {
        ...acd,
        waitingPage: async (queueId, offset, count) => {
          const page = await acd.waitingPage(queueId, offset, count);
          read.set(queueId, (read.get(queueId) ?? 0) + page.listed);
          return page;
        },
      };
      const ready = async (agentId: string, skills: Record<string, number>) => {
        await acd.upsertAgent(agentId, { extension: agentId, skills });
        await acd.applyAgent(agentId, { type: 'login', ready: true });
        await clock.advance(1);
      };
      const enqueue = (callId: string, queueId: string, extra: { arrivedAt?: number; enqueuedAt?: number; priority?: number; stickyAgentId?: string } = {}) => {
        const at = clock.now();
        return acd.enqueue({ callId, queueId, arrivedAt: at, enqueuedAt: at, priority: 0, instanceId: 'i1', channelId: `ch-${callId}`, callerNumber: '13800000000', ...extra });
      };
      for (let i = 0; i < 50; i++) await ready(`expert${i}`, { 'expert-customs': 8 });
      for (let n = 0; n < 300; n++) await enqueue(`g${n}`, 'general', { enqueuedAt: clock.now() + n });
      const delivered: string[] = [];
      /** Runs one routing round to its end. */
      const oneRound = async (): Promise<void> => {
        const round = createQueueRouter({
          acd: counted, store, clock, logger: createLogger('silent'), instanceId: 'i1', queues: floorQueues,
          deliver: async (callId, agentId) => void delivered.push(`${callId}→${agentId}`),
        });
        round.start();
        await round.close(); // waits for the round under way
      };
      return { acd, read, ready, enqueue, delivered, oneRound };
    }

    it('reads the head of the general queue, not all 300 callers, and reserves nobody', async () => {
      const { acd, read, delivered, oneRound } = await expertFloor();
      await oneRound();
      expect(read.get('general')).toBeGreaterThan(0);
      expect(read.get('general')).toBeLessThanOrEqual(32); // a page; before the fix, all 300 every round
      expect(delivered).toEqual([]);
      expect(await acd.readyAgents()).toHaveLength(50);
      expect(await acd.waitingCount('general')).toBe(300);
    });

    it('still serves the callers a free agent can take: an escalated caller, a sticky caller and an expert-queue caller', async () => {
      const { read, ready, enqueue, delivered, oneRound } = await expertFloor();
      await ready('gen1', { general: 1 }); // longest idle of the two general agents
      await ready('gen2', { general: 1 });
      const now = clock.now();
      // 40 customs callers who came just now: customs agents only (none is ready)
      for (let n = 0; n < 40; n++) await enqueue(`c${n}`, 'customs', { priority: 5, enqueuedAt: now + n });
      // behind them, two who waited 3 minutes, so a general agent may take them: one who knows gen2,
      // and one listed last for a lower caller priority although it entered the queue first
      await enqueue('sticky', 'customs', { priority: 5, arrivedAt: now - 180_000, enqueuedAt: now + 50, stickyAgentId: 'gen2' });
      await enqueue('escalated', 'customs', { priority: 0, arrivedAt: now - 180_000, enqueuedAt: now - 170_000 });
      await enqueue('x', 'expert-customs');
      await oneRound();
      expect(delivered.sort()).toEqual(['escalated→gen1', 'sticky→gen2', 'x→expert0']);
      // with both general agents taken, the rest of the general queue is left unread
      expect(read.get('general')).toBeLessThan(150);
    });
  });
});
