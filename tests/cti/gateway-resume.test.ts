import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/clock.ts';
import type { EventBus } from '../../src/cti/event-bus.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { connect, startInstance, type Instance } from './cti-helpers.ts';

function state(bus: EventBus, username: string, n: number) {
  return bus.publish(`agent:${username}`, 'agent.state', { username, state: 'not_ready', reason: `r${n}`, since: n });
}

describe('CTI resume', () => {
  let server: Instance;
  afterEach(() => server.close());

  describe('when an agent reconnects with the id of the last event it saw', () => {
    it('gets exactly the missed events, in order, then live ones', async () => {
      server = await startInstance();
      const { token, username } = await server.user(['agent']);
      const first = await connect(server.url, token);
      await first.request('subscribe', { topics: [`agent:${username}`] });
      await state(server.bus, username, 1);
      const seen = await state(server.bus, username, 2);
      await first.waitFor((m) => m.type === 'event' && m.eventId === seen.id);
      await first.close();

      const missed = [await state(server.bus, username, 3), await state(server.bus, username, 4), await state(server.bus, username, 5)];
      const second = await connect(server.url, token);
      const reply = await second.request('resume', { lastEventId: seen.id });
      expect(reply).toMatchObject({ ok: true, result: { topic: `agent:${username}`, replayed: 3, resync: false } });
      const live = await state(server.bus, username, 6);
      await second.waitFor((m) => m.type === 'event' && m.eventId === live.id);
      expect(second.events().map((e) => e.eventId)).toEqual([...missed, live].map((e) => e.id));
      expect(second.events().map((e) => e.data.reason)).toEqual(['r3', 'r4', 'r5', 'r6']);
      await second.close();
    });

    it('resumes from the lastEventId query parameter at connect', async () => {
      server = await startInstance();
      const { token, username } = await server.user(['agent']);
      const seen = await state(server.bus, username, 1);
      const missed = await state(server.bus, username, 2);
      const client = await connect(server.url, token, { query: `lastEventId=${seen.id}` });
      await client.request('ping');
      expect(client.events().map((e) => e.eventId)).toEqual([missed.id]);
      await client.close();
    });

    it('loses and repeats nothing while events keep arriving during the replay', async () => {
      server = await startInstance();
      const { token, username } = await server.user(['agent']);
      const seen = await state(server.bus, username, 0);
      const published = [];
      for (let n = 1; n <= 40; n++) published.push(await state(server.bus, username, n));
      const client = await connect(server.url, token);
      const resumed = client.request('resume', { lastEventId: seen.id });
      for (let n = 41; n <= 80; n++) {
        published.push(await state(server.bus, username, n));
        await new Promise((resolve) => setImmediate(resolve));
      }
      const { result } = (await resumed) as { result: { cursor: string; replayed: number } };
      // the replay covers the stream up to the live cursor; everything after came live
      expect(result.replayed).toBe(published.findIndex((e) => e.id === result.cursor) + 1);
      const last = published[published.length - 1]!;
      await client.waitFor((m) => m.type === 'event' && m.eventId === last.id);
      expect(client.events().map((e) => e.eventId)).toEqual(published.map((e) => e.id));
      await client.close();
    });
  });

  describe('when the position is no longer retained', () => {
    it('sends resync when the missed events were trimmed (maxLen), then live events', async () => {
      server = await startInstance({ bus: { maxLen: 3 } });
      const { token, username } = await server.user(['agent']);
      const seen = await state(server.bus, username, 1);
      for (let n = 2; n <= 8; n++) await state(server.bus, username, n);
      const client = await connect(server.url, token);
      const reply = await client.request('resume', { lastEventId: seen.id });
      expect(reply).toMatchObject({ ok: true, result: { resync: true, replayed: 0 } });
      const live = await state(server.bus, username, 9);
      await client.waitFor((m) => m.type === 'event' && m.eventId === live.id);
      expect(client.events().map((e) => e.name)).toEqual(['resync', 'agent.state']);
      expect(client.events()[0]).toMatchObject({ topic: `agent:${username}`, data: { reason: 'retention' } });
      expect(server.gateway.stats().resyncs).toBe(1);
      await client.close();
    });

    it('sends resync when the missed events are older than maxAgeMs (manual clock)', async () => {
      const clock = createManualClock();
      server = await startInstance({ clock, store: createMemoryStore({ clock }), bus: { maxAgeMs: 60_000 } });
      const { token, username } = await server.user(['agent']);
      const seen = await state(server.bus, username, 1);
      await state(server.bus, username, 2);
      await clock.advance(59_000);
      const fresh = await connect(server.url, token);
      expect(await fresh.request('resume', { lastEventId: seen.id })).toMatchObject({ result: { replayed: 1, resync: false } });
      await fresh.close();
      await clock.advance(2_000);
      const late = await connect(server.url, token);
      expect(await late.request('resume', { lastEventId: seen.id })).toMatchObject({ result: { replayed: 0, resync: true } });
      expect(late.events().map((e) => e.name)).toEqual(['resync']);
      await late.close();
    });
  });

  describe('when a supervisor console reconnects while agents change state (manual clock)', () => {
    it('replays the missed agents.state batches, which end on every agent\'s latest state', async () => {
      const clock = createManualClock(Date.now());
      server = await startInstance({ clock, store: createMemoryStore({ clock }) });
      const { token } = await server.user(['supervisor']);
      const agentState = (username: string, value: 'ready' | 'reserved' | 'on_call', since: number) =>
        server.bus.publish('supervisor', 'agent.state', { username, state: value, since });
      const first = await connect(server.url, token);
      await first.request('subscribe', { topics: ['supervisor'] });
      const seen = await agentState('zhang', 'ready', 1);
      await first.waitFor((m) => m.type === 'event' && m.eventId === seen.id);
      await first.close();

      const held = [agentState('zhang', 'reserved', 2), agentState('li', 'ready', 3)];
      await clock.advance(250);
      await Promise.all(held);
      const last = agentState('zhang', 'on_call', 4);
      await clock.advance(250);
      await last;
      const second = await connect(server.url, token);
      expect(await second.request('resume', { topic: 'supervisor', lastEventId: seen.id })).toMatchObject({ ok: true, result: { replayed: 2 } });
      const board = new Map<string, { state: string; since: number }>();
      for (const event of second.events()) {
        for (const agent of event.data.agents as Array<{ username: string; state: string; since: number }>) {
          if ((board.get(agent.username)?.since ?? -1) < agent.since) board.set(agent.username, agent);
        }
      }
      expect(Object.fromEntries([...board].map(([username, agent]) => [username, agent.state]))).toEqual({ zhang: 'on_call', li: 'ready' });
      await second.close();
    });
  });

  describe('when a supervisor resumes a topic', () => {
    it('replays the supervisor topic after the given id', async () => {
      server = await startInstance();
      const { token } = await server.user(['supervisor']);
      const stats = { waiting: 0, answeredToday: 0, abandonedToday: 0, agentsLoggedIn: 0, serviceLevel15s: 1 };
      const seen = await server.bus.publish('supervisor', 'wallboard', stats);
      const missed = await server.bus.publish('supervisor', 'wallboard', { ...stats, waiting: 2 });
      const client = await connect(server.url, token);
      expect(await client.request('resume', { lastEventId: seen.id })).toMatchObject({ ok: false, error: { code: 'CTI_BAD_MESSAGE' } });
      expect(await client.request('resume', { topic: 'supervisor', lastEventId: seen.id })).toMatchObject({ ok: true, result: { replayed: 1 } });
      expect(client.events().map((e) => e.eventId)).toEqual([missed.id]);
      await client.close();
    });
  });
});
