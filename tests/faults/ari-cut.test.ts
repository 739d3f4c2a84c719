/**
 * The ARI connection cut for 10 s under traffic (issue 9, faults): a TCP proxy between the server
 * and the simulator ("Asterisk") drops every connection and refuses new ones for ten seconds while
 * callers talk to agents, ring an agent, wait in the queue and listen to the greeting. Meanwhile
 * Asterisk carries on and the server hears nothing: two talking callers hang up, one agent hangs up
 * on a caller, the ringing agent picks up, a waiting caller gives up, and the greetings end.
 *
 * What it proves: the server reconnects by itself and reconciles what changed — no caller cut off
 * by the server, every caller served by exactly one agent, the one who gave up not rung for, every
 * record ended, agents freed — and new calls after the cut are served. Full scale: the 10 s.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';
import { startHotline } from '../../src/server.ts';
import { createAgents } from '../e2e/call-floor.ts';
import { redisWorld } from '../e2e/redis-world.ts';
import { until } from '../support/sim-events.ts';
import { createTcpProxy } from '../telephony/support/tcp-proxy.ts';
import { agentOf, seatAgents } from './support/agents.ts';
import { describeCalls, nothingLeft } from './support/checks.ts';
import { createFaultFloor, floorHelpers } from './support/fault-floor.ts';

const logger = createLogger('silent');
const long = 60_000;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the ARI connection cut for 10 s under traffic', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  it('carries the calls on after the reconnect, ends what ended meanwhile, and serves new calls', async () => {
    const { redisUrl, prefix, sim, store, acd } = await redisWorld('ari-cut', logger, cleanups);
    const proxy = await createTcpProxy(Number(new URL(sim.url).port));
    cleanups.push(() => proxy.close());
    const hotline = await startHotline(loadConfig({
      ARI_URL: proxy.url, ARI_PASSWORD: 'hotline', REDIS_URL: redisUrl, REDIS_PREFIX: prefix, INSTANCE_ID: 'node1', PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_GRACE_MS: '0',
    }), logger);
    cleanups.push(() => hotline.close());
    const ari = () => hotline.telephony.port.state().status;
    await until(() => ari() === 'up', 'the server is connected to ARI', long);

    const manual = '1009';
    const extensions = await seatAgents(sim, acd, 9, [manual]);
    const answering = extensions.filter((e) => e !== manual);
    const floor = createFaultFloor(sim, { did: '12345', talkMs: (n) => 300 + ((n * 137) % 500) });
    cleanups.push(async () => floor.stop());
    const agents = createAgents(acd);
    cleanups.push(() => agents.stop());
    agents.setBreak([agentOf(manual)]);
    const { waitFor, place } = floorHelpers(floor, long);

    // traffic: 8 callers talk, one rings the manual phone, four wait, three hear the greeting
    await place(8, 'hold');
    await waitFor(() => floor.held.length === 8, 'eight callers talk');
    agents.setBreak(answering.map(agentOf));
    const ringing = (await place(1))[0]!;
    await waitFor(() => floor.seatBusy(manual), 'the manual phone rings');
    const waiting = await place(4);
    await waitFor(async () => (await acd.waitingCalls()).length === 4, 'four callers wait');
    const greeted = await place(3);
    await waitFor(async () => (await Promise.all(greeted.map((id) => sim.control.channel(id)))).every((c) => c.heard.some((h) => h.kind === 'playback')), 'three callers hear the greeting');

    // the cut: 10 s in which Asterisk goes on and the server hears nothing
    await proxy.stop();
    await until(() => ari() !== 'up', 'the server noticed the cut', long);
    await sim.control.answer(floor.legOf(manual)!);
    const [leaves1, leaves2, agentLeaves] = floor.held;
    await floor.hangUp(leaves1!, 'caller');
    await floor.hangUp(leaves2!, 'caller');
    await floor.hangUp(agentLeaves!, 'agent');
    const gaveUp = waiting[0]!;
    await floor.hangUp({ lineId: gaveUp, agentLeg: '' }, 'caller');
    await pause(10_000);
    expect(ari()).not.toBe('up');
    await proxy.start();
    await until(() => ari() === 'up', 'the server reconnected', long);

    floor.setHolding(false);
    for (const call of floor.held.slice(3)) await floor.hangUp(call, 'caller');
    agents.setBreak([]);
    const before = [...floor.callers.keys()].filter((id) => id !== gaveUp);
    await waitFor(() => before.every((id) => floor.finished(id)), 'every caller of before the cut was served and hung up').catch(async (error: unknown) => {
      throw new Error(`${String(error)}: ${await describeCalls(sim, acd, before.filter((id) => !floor.finished(id)))}`);
    });
    const after = await place(10);
    await waitFor(() => after.every((id) => floor.finished(id)), 'ten new callers were served');

    expect(floor.violations).toEqual([]);
    const everyone = [...before, ...after];
    expect(everyone.filter((id) => floor.served.get(id)?.length !== 1)).toEqual([]);
    expect(floor.served.get(ringing)).toEqual([manual]); // the agent who picked up during the cut talked to the caller
    expect(floor.served.has(gaveUp)).toBe(false);
    expect(floor.rated.has(agentLeaves!.callId) || floor.ended.has(agentLeaves!.callId)).toBe(true);
    await nothingLeft({ sim, acd, store, callIds: [...floor.callers.keys()] });
    expect(await acd.callsOf('node1')).toEqual([]);
  }, 120_000);
});
