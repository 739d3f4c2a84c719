import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock, systemClock, type Clock } from '../../src/clock.ts';
import { createEventBus, streamKey, type BusEvent, type EventBus } from '../../src/cti/event-bus.ts';
import { createLogger } from '../../src/log.ts';
import { createMemoryData } from '../../src/store/memory-data.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { compareStreamIds, type Store } from '../../src/store/store.ts';
import { until } from '../support/sim-events.ts';

/** Collects what a watch delivers; `next(n)` resolves once `n` events have arrived. */
function collector() {
  const events: BusEvent[] = [];
  let wake: (() => void) | undefined;
  return {
    events,
    listener: (event: BusEvent) => {
      events.push(event);
      wake?.();
    },
    async count(n: number): Promise<BusEvent[]> {
      while (events.length < n) await new Promise<void>((resolve) => (wake = resolve));
      return events;
    },
  };
}

const stats = (queueId: string, waiting: number) => ({ queueId, waiting, longestWaitMs: 0, agentsReady: 0, agentsBusy: 0, serviceLevel15s: 1 });

describe('event bus', () => {
  const buses: EventBus[] = [];
  async function bus(store: Store, clock: Clock = systemClock, coalesceMs?: number): Promise<EventBus> {
    const created = createEventBus({ store, clock, logger: createLogger('silent'), sweepMs: 0, ...(coalesceMs ? { coalesceMs } : {}) });
    await created.start();
    buses.push(created);
    return created;
  }
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.close()));
  });

  describe('when events are published on a topic', () => {
    it('gives them increasing ids and keeps them readable after any id', async () => {
      const a = await bus(createMemoryStore());
      const published = [];
      for (let n = 0; n < 5; n++) published.push(await a.publish('queue:q1', 'queue.stats', stats('q1', n)));
      const ids = published.map((e) => e.id);
      expect([...ids].sort(compareStreamIds)).toEqual(ids);
      expect(new Set(ids).size).toBe(5);
      expect((await a.read('queue:q1', ids[1]!, 10)).map((e) => e.data.waiting)).toEqual([2, 3, 4]);
      expect(await a.tail('queue:q1')).toBe(ids[4]);
      expect(await a.tail('queue:empty')).toBe('0');
    });

    it('refuses a topic that is not agent:<name>, supervisor or queue:<id>', async () => {
      const a = await bus(createMemoryStore());
      await expect(a.publish('everyone', 'queue.stats', stats('q', 0))).rejects.toMatchObject({ code: 'CTI_BAD_MESSAGE' });
    });
  });

  describe('when two instances publish on one topic at once', () => {
    it('delivers every event to watchers on both instances, in stream order', async () => {
      const data = createMemoryData();
      const a = await bus(createMemoryStore({ data }));
      const b = await bus(createMemoryStore({ data }));
      const onA = collector();
      const onB = collector();
      const watchA = await a.watch('supervisor', onA.listener);
      const watchB = await b.watch('supervisor', onB.listener);
      expect(watchA.cursor).toBe('0');
      const published = await Promise.all(
        Array.from({ length: 60 }, (_, n) => (n % 2 === 0 ? a : b).publish('supervisor', 'queue.stats', stats('q', n))),
      );
      const ids = published.map((e) => e.id).sort(compareStreamIds);
      expect((await onA.count(60)).map((e) => e.id)).toEqual(ids);
      expect((await onB.count(60)).map((e) => e.id)).toEqual(ids);
      watchA.unwatch();
      watchB.unwatch();
      expect(a.stats().feeds).toBe(0);
    });

    it('starts a new watcher after the events already stored', async () => {
      const a = await bus(createMemoryStore());
      const old = await a.publish('queue:q1', 'queue.stats', stats('q1', 1));
      const seen = collector();
      const watch = await a.watch('queue:q1', seen.listener);
      expect(watch.cursor).toBe(old.id);
      const fresh = await a.publish('queue:q1', 'queue.stats', stats('q1', 2));
      expect((await seen.count(1)).map((e) => e.id)).toEqual([fresh.id]);
      watch.unwatch();
    });
  });

  describe('when agents change state faster than the coalescing interval (manual clock)', () => {
    const state = (username: string, value: 'ready' | 'reserved' | 'on_call' | 'wrap_up', since: number) => ({ username, state: value, since });
    /** What agent-desk does on each change: the agent's own topic and the supervisors'. */
    const publishBoth = (a: EventBus, data: ReturnType<typeof state>) =>
      Promise.all([a.publish(`agent:${data.username}`, 'agent.state', data), a.publish('supervisor', 'agent.state', data)]);

    it('gives supervisors one agents.state batch per interval with the latest state of each agent that changed, and the agent every transition in order', async () => {
      const clock = createManualClock();
      const a = await bus(createMemoryStore({ clock }), clock, 250);
      const supervisor = collector();
      const own = collector();
      const watches = [await a.watch('supervisor', supervisor.listener), await a.watch('agent:zhang', own.listener)];
      const zhang = [
        publishBoth(a, state('zhang', 'reserved', 1)),
        publishBoth(a, state('zhang', 'on_call', 2)),
        publishBoth(a, state('zhang', 'wrap_up', 3)),
      ];
      const li = publishBoth(a, state('li', 'reserved', 4));
      const batch = (event: BusEvent) => (event.data.agents as Array<{ username: string; state: string }>).map((s) => `${s.username}=${s.state}`);
      await supervisor.count(1);
      await own.count(3);
      expect(own.events.map((e) => e.data.state)).toEqual(['reserved', 'on_call', 'wrap_up']);
      await clock.advance(249);
      // the first change after a quiet interval goes out at once
      expect(supervisor.events.map((e) => `${e.name} ${batch(e).join(' ')}`)).toEqual(['agents.state zhang=reserved']);
      await clock.advance(1);
      await supervisor.count(2);
      expect(supervisor.events.map(batch)).toEqual([['zhang=reserved'], ['zhang=wrap_up', 'li=reserved']]);
      // a publish resolves to the batch that carries the agent's state (a replaced one: its later state)
      const [reserved, onCall, wrapUp] = await Promise.all(zhang);
      expect(reserved![1].id).toBe(supervisor.events[0]!.id);
      expect(onCall![1].id).toBe(supervisor.events[1]!.id);
      expect(wrapUp![1].id).toBe(supervisor.events[1]!.id);
      expect((await li)[1].id).toBe(supervisor.events[1]!.id);
      expect(a.stats()).toMatchObject({ coalesced: 3, pendingCoalesced: 0 });
      // quiet again: the next change goes out at once
      await clock.advance(250);
      await publishBoth(a, state('li', 'on_call', 600));
      await supervisor.count(3);
      expect(batch(supervisor.events[2]!)).toEqual(['li=on_call']);
      watches.forEach((watch) => watch.unwatch());
    });

    it('refuses a value still held when the bus closes with SHUTTING_DOWN', async () => {
      const clock = createManualClock();
      const a = await bus(createMemoryStore({ clock }), clock, 250);
      await a.publish('supervisor', 'agent.state', state('zhang', 'reserved', 1));
      const held = a.publish('supervisor', 'agent.state', state('zhang', 'on_call', 2));
      await a.close();
      await expect(held).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    });
  });

  describe('when a burst meets listeners that take time (one socket write each)', () => {
    it('delivers it in order across several turns of the event loop, not in one long run', async () => {
      const a = await bus(createMemoryStore());
      let turns = 0;
      let ticking = true;
      const tick = (): void => {
        turns++;
        if (ticking) setImmediate(tick);
      };
      const seen = collector();
      const turnOf: number[] = [];
      const watch = await a.watch('supervisor', (event) => {
        const until = performance.now() + 1; // a slow write
        while (performance.now() < until);
        turnOf.push(turns);
        seen.listener(event);
      });
      const published = await Promise.all(Array.from({ length: 100 }, (_, n) => a.publish('supervisor', 'queue.stats', stats('q', n))));
      tick();
      await seen.count(100);
      ticking = false;
      expect(seen.events.map((e) => e.id)).toEqual(published.map((e) => e.id).sort(compareStreamIds));
      // 100 ms of listener work in 10-ms slices: other callbacks (ARI frames, timers) got the loop in between
      expect(new Set(turnOf).size).toBeGreaterThan(5);
      expect(a.stats().yields).toBeGreaterThan(5);
      watch.unwatch();
    });
  });

  describe('when an event is published while other callbacks wait for the event loop (ARI frames, timers)', () => {
    it('delivers it right after its publisher, before them: the feeds have time left in this turn', async () => {
      const a = await bus(createMemoryStore());
      const order: string[] = [];
      const agent = collector();
      const watch = await a.watch('agent:a1', (event) => {
        order.push('offer');
        agent.listener(event);
      });
      for (let n = 0; n < 50; n++) {
        setImmediate(() => {
          const until = performance.now() + 1; // another call's work
          while (performance.now() < until);
          order.push('other');
        });
      }
      await a.publish('agent:a1', 'call.offer', { callId: 'c1' } as never);
      await agent.count(1);
      expect(order.indexOf('offer')).toBe(0);
      watch.unwatch();
    });
  });

  describe('when an agent\'s offer comes while the fan-out topics have a backlog', () => {
    it('delivers the offer in the next slice: the agent\'s screen pop does not wait its turn behind the consoles\' topics', async () => {
      const a = await bus(createMemoryStore());
      const order: string[] = [];
      const slowWrite = (): void => {
        const until = performance.now() + 1; // 1 ms per event
        while (performance.now() < until);
        order.push('console');
      };
      const topics = Array.from({ length: 30 }, (_, n) => `queue:q${n}`);
      const consoles = await Promise.all(topics.map((topic) => a.watch(topic, slowWrite)));
      const agent = collector();
      const agentWatch = await a.watch('agent:a1', (event) => {
        order.push('offer');
        agent.listener(event);
      });
      // 30 topics × 20 events × 1 ms: 600 ms of console writes, 10 ms per slice, each topic one turn at a time
      await Promise.all(topics.flatMap((topic) => Array.from({ length: 20 }, (_, n) => a.publish(topic, 'queue.stats', stats(topic, n)))));
      await new Promise((resolve) => setImmediate(resolve)); // the backlog is being delivered
      await a.publish('agent:a1', 'call.offer', { callId: 'c1' } as never);
      await agent.count(1);
      expect(order.indexOf('offer')).toBeLessThan(60); // within a slice or two, not after every topic's turn (≥ 300)
      for (const watch of [...consoles, agentWatch]) watch.unwatch();
    });
  });

  describe('when a notice is lost (pub/sub was down) and the sweep comes round', () => {
    const sweeping = async (store: Store, clock: Clock) => {
      const created = createEventBus({ store, clock, logger: createLogger('silent'), sweepMs: 10_000 });
      await created.start();
      buses.push(created);
      return created;
    };
    /** An entry appended to the topic's stream with no notice, as when pub/sub was down. */
    const silently = (store: Store, topic: string, callId: string) =>
      store.commit([], [{ op: 'xadd', key: streamKey(topic), fields: { n: 'call.offer', d: JSON.stringify({ callId }), t: '0' }, maxLen: 1000 }]);

    it('delivers the event at the next sweep', async () => {
      const clock = createManualClock();
      const store = createMemoryStore({ clock });
      const a = await sweeping(store, clock);
      const seen = collector();
      const watch = await a.watch('agent:a1', seen.listener);
      await silently(store, 'agent:a1', 'c1');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(seen.events).toEqual([]);
      await clock.advance(10_000);
      expect((await seen.count(1)).map((e) => e.data.callId)).toEqual(['c1']);
      watch.unwatch();
    });

    it('re-reads every followed topic after the live events: an offer published meanwhile does not wait for the sweep', async () => {
      const clock = createManualClock();
      const memory = createMemoryStore({ clock });
      const store: Store = {
        ...memory,
        async xrange(key, afterId, count) {
          const until = performance.now() + 0.05; // a read takes a round trip's CPU: 2,001 of them ~100 ms
          while (performance.now() < until);
          return memory.xrange(key, afterId, count);
        },
      };
      const a = await sweeping(store, clock);
      const watches = await Promise.all(Array.from({ length: 2000 }, (_, n) => a.watch(`agent:b${n}`, () => undefined)));
      const offer = collector();
      watches.push(await a.watch('agent:a1', offer.listener));
      const readsBefore = a.stats().reads;
      await clock.advance(10_000); // the sweep starts: 2,001 topics to re-read
      await a.publish('agent:a1', 'call.offer', { callId: 'c1' } as never);
      await offer.count(1);
      expect(a.stats().reads - readsBefore).toBeLessThan(1000); // the offer went first, the sweep later
      await until(() => a.stats().reads - readsBefore >= 2001, 'the sweep read every topic');
      for (const watch of watches) watch.unwatch();
    });
  });

  describe('when latest-value events come faster than the coalescing interval (manual clock)', () => {
    it('publishes the first at once, then only the latest per key once the interval has passed', async () => {
      const clock = createManualClock();
      const a = await bus(createMemoryStore({ clock }), clock, 250);
      const seen = collector();
      const watch = await a.watch('supervisor', seen.listener);
      a.publishLatest('supervisor', 'queue.stats', 'q1', stats('q1', 1));
      for (const waiting of [2, 3, 4]) a.publishLatest('supervisor', 'queue.stats', 'q1', stats('q1', waiting));
      a.publishLatest('supervisor', 'queue.stats', 'q2', stats('q2', 7));
      await clock.advance(249);
      // a marker published directly: whatever the coalescer let out so far is before it
      await a.publish('supervisor', 'queue.stats', stats('marker', 0));
      await seen.count(3);
      expect(seen.events.map((e) => `${e.data.queueId}=${e.data.waiting}`)).toEqual(['q1=1', 'q2=7', 'marker=0']);
      await clock.advance(1);
      await seen.count(4);
      await clock.advance(10_000);
      a.publishLatest('supervisor', 'queue.stats', 'q1', stats('q1', 5));
      await seen.count(5);
      expect(seen.events.map((e) => `${e.data.queueId}=${e.data.waiting}`)).toEqual(['q1=1', 'q2=7', 'marker=0', 'q1=4', 'q1=5']);
      expect(a.stats()).toMatchObject({ coalesced: 3, pendingCoalesced: 0 });
      watch.unwatch();
    });
  });
});
