/**
 * Redis restarted mid-load (issue 9, faults): the server runs on a redis-server of the test's own
 * with AOF as in production (`--appendonly yes --appendfsync everysec`); after a first batch of
 * calls (served, rated, suggestions filed as tickets) Redis is restarted — stopped with SIGTERM,
 * started again on the same port and directory, loading its AOF — while callers talk to agents,
 * wait in the queue and hear the greeting.
 *
 * What it proves: nothing written before the restart is lost (every call record, ended; every
 * suggestion ticket; every rating); the server notices and recovers on its own (store health down,
 * then up again, without a restart of the server); the calls live during the restart go on or end
 * cleanly (nobody cut off, each served by one agent, records ended); new calls are served after.
 * A crash of Redis (SIGKILL) may lose up to the last second of writes with `everysec`
 * (docs/operations.md); that is not what this test claims.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAcdState } from '../../src/acd/acd-state.ts';
import { createCallRecords } from '../../src/calls/call-records.ts';
import { systemClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';
import { startHotline } from '../../src/server.ts';
import { createSimulator } from '../../src/sim/simulator.ts';
import { createStore } from '../../src/store/create-store.ts';
import { createCallRatings } from '../../src/tickets/call-ratings.ts';
import { createTicketQueries } from '../../src/tickets/ticket-queries.ts';
import { createAgents } from '../e2e/call-floor.ts';
import { until } from '../support/sim-events.ts';
import { agentOf, seatAgents } from './support/agents.ts';
import { describeCalls, nothingLeft } from './support/checks.ts';
import { createFaultFloor, floorHelpers } from './support/fault-floor.ts';
import { startRedisProcess } from './support/redis-process.ts';

const logger = createLogger('silent');
const long = 60_000;

describe('Redis restarted mid-load (AOF)', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  it('loses no record, ticket or rating, and the server and its calls recover by themselves', async () => {
    const redis = await startRedisProcess();
    cleanups.push(() => redis.dispose());
    const sim = await createSimulator({ logger });
    cleanups.push(() => sim.close());
    const env = { REDIS_URL: redis.url, REDIS_PREFIX: 'hotline' };
    const store = createStore(env, logger);
    cleanups.push(() => store.close());
    const acd = createAcdState({ store, clock: systemClock });
    const hotline = await startHotline(loadConfig({
      ARI_URL: sim.url, ARI_PASSWORD: 'hotline', ...env, INSTANCE_ID: 'node1', PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_GRACE_MS: '0',
    }), logger);
    cleanups.push(() => hotline.close());
    await until(() => hotline.telephony.port.state().status === 'up', 'the server is connected to ARI', long);

    const extensions = await seatAgents(sim, acd, 8);
    const agents = createAgents(acd);
    cleanups.push(() => agents.stop());
    const floor = createFaultFloor(sim, { did: '12345', talkMs: (n) => 300 + ((n * 137) % 500) });
    cleanups.push(async () => floor.stop());
    const { waitFor, place } = floorHelpers(floor, long, (ids) => describeCalls(sim, acd, ids));

    // first: 16 calls served (every fifth rated), 4 suggestions
    floor.setHolding(false);
    const first = [...await place(16), ...await place(4, 'feedback')];
    await waitFor(() => first.every((id) => floor.finished(id)), 'the first calls are over', first);
    const records = createCallRecords({ store, clock: systemClock });
    await waitFor(async () => (await Promise.all(first.map((id) => records.get(id)))).every((r) => r?.endedAt !== undefined), 'the first records are ended');
    const tickets = createTicketQueries({ store, clock: systemClock });
    const ratings = createCallRatings({ store, clock: systemClock });
    const rated = [...floor.rated];
    await waitFor(async () => (await Promise.all(rated.map((id) => ratings.get(id)))).every((r) => r !== null), 'the first ratings are stored');
    const ticketIds = (await tickets.list({}, 10_000)).map((t) => t.id).sort();
    expect(ticketIds).toHaveLength(4);
    const recordsBefore = await Promise.all(first.map((id) => records.get(id)));

    // mid-load: 6 talk, 3 wait, 2 hear the greeting
    floor.setHolding(true);
    await place(6, 'hold');
    await waitFor(() => floor.held.length === 6, 'six callers talk');
    agents.setBreak(extensions.map(agentOf));
    await place(3);
    await waitFor(async () => (await acd.waitingCalls()).length === 3, 'three callers wait');
    const greeted = await place(2);
    await waitFor(async () => (await Promise.all(greeted.map((id) => sim.control.channel(id)))).every((c) => c.heard.some((h) => h.kind === 'playback')), 'two callers hear the greeting');

    // Redis restarts
    await redis.stop('SIGTERM');
    await until(() => !hotline.store.health().up, 'the server noticed the store is down', long);
    await redis.start();
    await until(() => hotline.store.health().up, 'the server\'s store is up again', long);
    expect((await (await fetch(`${hotline.url}/health`)).json() as { components: { store: { up: boolean } } }).components.store.up).toBe(true);

    // the calls go on: talks end, the waiting are served, new callers too
    floor.setHolding(false);
    for (const call of floor.held) await floor.hangUp(call, 'caller');
    agents.setBreak([]);
    const later = await place(10);
    const everyone = [...floor.callers.keys()];
    await waitFor(() => everyone.every((id) => floor.finished(id)), 'every caller was served and hung up', everyone);
    expect(floor.violations).toEqual([]);
    expect(everyone.filter((id) => floor.callers.get(id)!.plan !== 'feedback' && floor.served.get(id)?.length !== 1)).toEqual([]);
    expect(later.every((id) => floor.served.has(id))).toBe(true);

    // nothing written before is lost
    expect(await Promise.all(first.map((id) => records.get(id)))).toEqual(recordsBefore);
    for (const id of ticketIds) expect((await tickets.list({}, 10_000)).map((t) => t.id)).toContain(id);
    expect((await Promise.all(rated.map((id) => ratings.get(id)))).every((r) => r?.rating === 'satisfied')).toBe(true);
    await nothingLeft({ sim, acd, store, callIds: everyone });
  }, 150_000);
});
