import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/clock.ts';
import type { ConnectionClosed } from '../../src/cti/gateway.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { connect, stalledClient, startInstance, type Instance } from './cti-helpers.ts';

/** Resolves once `condition()` holds, checking after each turn of the event loop (no timers). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

const board = (waiting: number, filler = '') => ({ waiting, answeredToday: 0, abandonedToday: 0, agentsLoggedIn: 0, serviceLevel15s: 1, filler });

describe('CTI gateway flow control', () => {
  let server: Instance;
  afterEach(() => server.close());

  describe('when a client stops reading', () => {
    it('cuts it off as a slow consumer while another client receives every event', async () => {
      server = await startInstance({ gateway: { maxBufferedBytes: 256 * 1024 } });
      const slowUser = await server.user(['supervisor']);
      const fastUser = await server.user(['supervisor']);
      const closed: ConnectionClosed[] = [];
      server.gateway.onConnectionClosed((c) => closed.push(c));
      const fast = await connect(server.url, fastUser.token);
      await fast.request('subscribe', { topics: ['supervisor'] });
      const slow = await stalledClient(server.url, slowUser.token);
      slow.send({ id: 's1', type: 'subscribe', topics: ['supervisor'] });
      await until(() => server.gateway.stats().bus.feeds === 1 && server.gateway.stats().commands === 2);
      slow.stall();

      const filler = 'x'.repeat(16 * 1024);
      const ids: string[] = [];
      for (let n = 0; closed.length === 0; n++) {
        ids.push((await server.bus.publish('supervisor', 'wallboard', board(n, filler))).id);
        // the fast client shares this process's event loop: it reads only when the loop turns, so
        // the loop turns after each 16-KB event (the server delivers an event as it is published)
        await new Promise((resolve) => setImmediate(resolve));
        expect(n).toBeLessThan(20_000);
      }
      const marker = await server.bus.publish('supervisor', 'wallboard', board(-1));
      ids.push(marker.id);
      await fast.waitFor((m) => m.type === 'event' && m.eventId === marker.id);

      expect(closed).toEqual([{ username: slowUser.username, code: 4008, reason: 'slow consumer' }]);
      expect(server.gateway.stats()).toMatchObject({ cutOffs: 1, connections: { total: 1 } });
      expect(fast.events('supervisor').map((e) => e.eventId)).toEqual(ids);
      slow.destroy();
      await fast.close();
    });
  });

  describe('when a burst larger than the send limit is delivered at once', () => {
    it('lets a client that reads keep up: frames held for one write are flushed, not counted as unread', async () => {
      server = await startInstance({ gateway: { maxBufferedBytes: 256 * 1024 } });
      const user = await server.user(['supervisor']);
      const closed: ConnectionClosed[] = [];
      server.gateway.onConnectionClosed((c) => closed.push(c));
      const client = await connect(server.url, user.token);
      await client.request('subscribe', { topics: ['supervisor'] });
      const filler = 'x'.repeat(16 * 1024);
      // 40 × 16 KiB stored before the feed reads: one page, delivered within one slice
      const published = await Promise.all(Array.from({ length: 40 }, (_, n) => server.bus.publish('supervisor', 'wallboard', board(n, filler))));
      const last = published.map((e) => e.id).at(-1)!;
      await client.waitFor((m) => m.type === 'event' && m.eventId === last);
      expect(client.events('supervisor')).toHaveLength(40);
      expect(closed).toEqual([]);
      await client.close();
    });
  });

  describe('when the session ends while connected (manual clock)', () => {
    it('closes the socket with 4001', async () => {
      const clock = createManualClock();
      server = await startInstance({ clock, store: createMemoryStore({ clock }), gateway: { heartbeatMs: 24 * 3600_000 } });
      const { token } = await server.user(['agent']);
      const client = await connect(server.url, token);
      await client.request('ping');
      await clock.advance(8 * 3600_000);
      expect(await client.closed).toEqual({ code: 4001, reason: 'session expired' });
    });
  });

  describe('when a client stops answering heartbeats (manual clock)', () => {
    it('terminates it after two intervals and keeps the client that answers', async () => {
      const clock = createManualClock();
      server = await startInstance({ clock, store: createMemoryStore({ clock }), gateway: { heartbeatMs: 1000 } });
      const a = await server.user(['agent']);
      const b = await server.user(['agent']);
      const closed: ConnectionClosed[] = [];
      server.gateway.onConnectionClosed((c) => closed.push(c));
      const silent = await connect(server.url, a.token, { wsOptions: { autoPong: false } });
      const alive = await connect(server.url, b.token);
      await Promise.all([silent.request('ping'), alive.request('ping')]);

      await clock.advance(1000);
      await until(() => server.gateway.stats().pongs === 1);
      await clock.advance(1000);
      await until(() => server.gateway.stats().pongs === 2);

      expect((await silent.closed).code).toBe(1006);
      expect(closed).toEqual([{ username: a.username, code: 4009, reason: 'no heartbeat' }]);
      expect(server.gateway.stats().heartbeatTimeouts).toBe(1);
      expect((await alive.request('ping')).result).toBe('pong');
      await alive.close();
    });
  });
});
