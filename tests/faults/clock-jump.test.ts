/**
 * The clock jumping (issue 9, faults). The server runs on a clock that keeps real time and can jump
 * (support/jump-clock.ts); Asterisk (the simulator) and Redis keep their own time, as on other
 * machines.
 * - Forward by 3 hours with timers (the server's machine slept): callers talk, one rings an agent
 *   who never answers, three wait, four agents are in wrap-up. Every timer due fires at once: the
 *   wrap-ups end (agents ready), the waiting callers pass the queue's 5-minute limit (the flow tells
 *   them all agents are busy; they keep waiting), the deadline scheduler runs.
 * - The wall clock stepped back by an hour (NTP): timers keep their schedule, `now()` is earlier.
 *
 * What it proves: no crash (the server keeps serving and reports healthy), no stuck call — every
 * caller is served by exactly one agent and hangs up, nobody is cut off by the server, nothing is
 * left in the ACD, every agent is ready again, every call record ended — after each jump.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCallRecords } from '../../src/calls/call-records.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';
import { startHotline } from '../../src/server.ts';
import { createAgents } from '../e2e/call-floor.ts';
import { redisWorld } from '../e2e/redis-world.ts';
import { until } from '../support/sim-events.ts';
import { agentOf, seatAgents } from './support/agents.ts';
import { describeCalls, nothingLeft, untilNone } from './support/checks.ts';
import { createFaultFloor, floorHelpers } from './support/fault-floor.ts';
import { createJumpClock } from './support/jump-clock.ts';

const logger = createLogger('silent');
const long = 60_000;
const hour = 3_600_000;

describe('the clock jumping under the server', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  it('forward by hours and backward by an hour: timers fire sensibly, no crash, no stuck call', async () => {
    const { redisUrl, prefix, sim, store, acd } = await redisWorld('clock-jump', logger, cleanups);
    const clock = createJumpClock();
    const hotline = await startHotline(loadConfig({
      ARI_URL: sim.url, ARI_PASSWORD: 'hotline', REDIS_URL: redisUrl, REDIS_PREFIX: prefix, INSTANCE_ID: 'node1', PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_GRACE_MS: '0',
    }), logger, { clock });
    cleanups.push(() => hotline.close());
    await until(() => hotline.telephony.port.state().status === 'up', 'the server is connected to ARI', long);

    const manual = '1005';
    await seatAgents(sim, acd, 5, [manual]);
    const floor = createFaultFloor(sim, { did: '12345', talkMs: (n) => 300 + ((n * 137) % 500) });
    cleanups.push(async () => floor.stop());
    const { waitFor, place } = floorHelpers(floor, long, (ids) => describeCalls(sim, acd, ids));

    // 4 talk; the manual phone rings for one; 3 wait
    await place(4, 'hold');
    await waitFor(() => floor.held.length === 4, 'four callers talk');
    await acd.applyAgent(agentOf(manual), { type: 'ready' });
    await place(1);
    await waitFor(() => floor.seatBusy(manual), 'the manual phone rings');
    await place(3);
    await waitFor(async () => (await acd.waitingCalls()).length === 3, 'three callers wait');
    // the talks end (two agents hang up first: their callers rate the call); four agents wrap up
    floor.setHolding(false);
    const [a, b, c, d] = floor.held;
    await floor.hangUp(a!, 'agent');
    await floor.hangUp(b!, 'agent');
    await floor.hangUp(c!, 'caller');
    await floor.hangUp(d!, 'caller');
    await waitFor(async () => (await acd.allAgents()).filter((x) => x.status.state === 'wrap_up').length === 4, 'four agents wrap up');

    // forward by 3 hours with timers: wrap-ups end by themselves, the waiting callers are served
    // (and their agents wrap up again at once: what ends is each wrap-up begun before the jump)
    const wrapping = new Map((await acd.allAgents()).filter((x) => x.status.state === 'wrap_up').map((x) => [x.agentId, x.status.since]));
    clock.suspend(3 * hour);
    const first = [...floor.callers.keys()];
    const stillWrapping = async () => (await acd.allAgents()).filter((x) => x.status.state === 'wrap_up' && wrapping.get(x.agentId) === x.status.since);
    await waitFor(async () => (await stillWrapping()).length === 0, 'the wrap-ups of before the jump ended');
    await sim.control.setEndpoint('PJSIP', manual, { behavior: 'answer', answerAfterMs: 100 });
    const agents = createAgents(acd); // agents click ready after each wrap-up from now on
    cleanups.push(() => agents.stop());
    await waitFor(() => first.every((id) => floor.finished(id)), 'every caller of before the jump was served', first);
    expect((await (await fetch(`${hotline.url}/health`)).json() as { status: string }).status).toBe('up');

    // the wall clock steps back an hour: new callers are served as usual
    clock.step(-hour);
    const second = await place(12);
    await waitFor(() => second.every((id) => floor.finished(id)), 'twelve callers after the step back were served', second);
    const records = createCallRecords({ store, clock });
    await waitFor(async () => (await Promise.all(second.map((id) => records.get(id)))).every((r) => r?.endedAt !== undefined), 'their records ended');
    for (const record of await Promise.all(second.map((id) => records.get(id)))) expect(record!.endedAt!).toBeGreaterThanOrEqual(record!.arrivedAt);

    // and forward by 3 hours again while callers wait for busy agents
    floor.setHolding(true);
    await place(5, 'hold');
    await waitFor(() => floor.held.length === 9, 'five more callers talk');
    const third = await place(4);
    await waitFor(async () => (await acd.waitingCalls()).length === 4, 'four callers wait');
    clock.suspend(3 * hour);
    floor.setHolding(false);
    for (const call of floor.held.slice(4)) await floor.hangUp(call, 'caller');
    const everyone = [...floor.callers.keys()];
    await waitFor(() => everyone.every((id) => floor.finished(id)), 'every caller was served', everyone);

    expect(floor.violations).toEqual([]);
    expect(everyone.filter((id) => floor.served.get(id)?.length !== 1)).toEqual([]);
    expect(third.every((id) => floor.served.has(id))).toBe(true);
    await nothingLeft({ sim, acd, store, callIds: everyone });
    await untilNone(async () => (hotline.activeCalls() > 0 ? [`${hotline.activeCalls()} calls held`] : []), 'the server holds no call');
    expect((await (await fetch(`${hotline.url}/health`)).json() as { status: string }).status).toBe('up');
  }, 150_000);
});
