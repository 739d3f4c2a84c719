import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { createRedisStore } from '../../src/store/redis-store.ts';
import { compareStreamIds, type Store } from '../../src/store/store.ts';
import { deletePrefix, uniquePrefix } from '../support/redis.ts';
import { connect, startInstance, type Instance } from './cti-helpers.ts';

describe('CTI gateway on Redis', () => {
  const url = inject('redisUrl');
  const prefix = uniquePrefix('cti');
  const stores: Store[] = [];
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    const store = () => {
      const created = createRedisStore({ url, prefix, logger: createLogger('silent') });
      stores.push(created);
      return created;
    };
    a = await startInstance({ store: store() });
    b = await startInstance({ store: store() });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await Promise.all(stores.map((s) => s.close()));
    await deletePrefix(url, prefix);
  });

  describe('when an event is published on instance A', () => {
    it('reaches a client connected to instance B', async () => {
      const { token } = await a.user(['supervisor']);
      const client = await connect(b.url, token);
      await client.request('subscribe', { topics: ['supervisor'] });
      const published = await a.bus.publish('supervisor', 'wallboard', { waiting: 4, answeredToday: 9, abandonedToday: 1, agentsLoggedIn: 3, serviceLevel15s: 0.8 });
      const event = await client.waitFor((m) => m.type === 'event');
      expect(event).toMatchObject({ eventId: published.id, topic: 'supervisor', name: 'wallboard', data: { waiting: 4 } });
      await client.close();
    });
  });

  describe('when both instances publish on one topic at once', () => {
    it('delivers every event in the same stream order to clients on either instance', async () => {
      const { token } = await a.user(['supervisor']);
      const onA = await connect(a.url, token);
      const onB = await connect(b.url, token);
      await onA.request('subscribe', { topics: ['queue:12328'] });
      await onB.request('subscribe', { topics: ['queue:12328'] });
      const published = await Promise.all(
        Array.from({ length: 100 }, (_, n) =>
          (n % 2 === 0 ? a : b).bus.publish('queue:12328', 'queue.stats', { queueId: '12328', waiting: n, longestWaitMs: 0, agentsReady: 1, agentsBusy: 0, serviceLevel15s: 1 }),
        ),
      );
      const ids = published.map((e) => e.id).sort(compareStreamIds);
      const last = ids[ids.length - 1]!;
      for (const client of [onA, onB]) {
        await client.waitFor((m) => m.type === 'event' && m.eventId === last);
        expect(client.events('queue:12328').map((e) => e.eventId)).toEqual(ids);
      }
      await Promise.all([onA.close(), onB.close()]);
    });
  });

  describe('when an agent reconnects to the other instance', () => {
    it('resumes there with exactly the missed events, then live ones from either instance', async () => {
      const { token, username } = await a.user(['agent']);
      const topic = `agent:${username}`;
      const state = (n: number) => ({ username, state: 'not_ready' as const, reason: `r${n}`, since: n });
      const first = await connect(a.url, token);
      await first.request('subscribe', { topics: [topic] });
      const seen = await a.bus.publish(topic, 'agent.state', state(1));
      await first.waitFor((m) => m.type === 'event' && m.eventId === seen.id);
      await first.close();

      const missed = [await a.bus.publish(topic, 'agent.state', state(2)), await b.bus.publish(topic, 'agent.state', state(3))];
      const second = await connect(b.url, token, { query: `lastEventId=${seen.id}` });
      expect(await second.request('ping')).toMatchObject({ ok: true });
      const live = await a.bus.publish(topic, 'agent.state', state(4));
      await second.waitFor((m) => m.type === 'event' && m.eventId === live.id);
      expect(second.events().map((e) => e.data.reason)).toEqual(['r2', 'r3', 'r4']);
      expect(second.events().map((e) => e.eventId)).toEqual([...missed, live].map((e) => e.id));
      await second.close();
    });
  });
});
