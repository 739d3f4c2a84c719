/**
 * Two server instances, 200 calls, no double assignment (issue 5). One Asterisk (the simulator)
 * serves two hotline instances on one real Redis, each with its own Stasis application (as on a
 * real Asterisk: one WebSocket per app name), and the dialplan spreads the callers over both. The
 * router runs on one instance by lease; offers for the other instance's callers are published to
 * it; reservations are the optimistic commits of src/acd/acd-state.ts. Midway the instance holding
 * the router lease dies with callers in its IVR, waiting, ringing an agent and talking; the other
 * takes over routing alone, and the dead one is restarted (docker-compose: restart unless-stopped)
 * while the other's calls go on.
 */
import { createClient } from 'redis';
import { afterEach, describe, expect, it } from 'vitest';
import { routerLease } from '../../src/acd/queue-router.ts';
import { createCallRecords } from '../../src/calls/call-records.ts';
import { systemClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';
import { startHotline, type Hotline } from '../../src/server.ts';
import { until } from '../support/sim-events.ts';
import { redisWorld } from './redis-world.ts';
import { createAgents, createCallFloor } from './call-floor.ts';

const logger = createLogger('silent');
const extensions = Array.from({ length: 32 }, (_, i) => String(1001 + i));
const agentOf = (extension: string) => `agent${extension}`;
const long = 120_000; // generous: the suite runs on two busy cores
const apps = { 'node-a': 'hotline-a', 'node-b': 'hotline-b' } as const;
type Node = keyof typeof apps;
const spread = (i: number) => Object.values(apps)[i % 2]!;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('two server instances on one Asterisk and one Redis', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  it('serve 200 callers, each by exactly one agent, never two calls on a phone, also while the routing instance dies and restarts', async () => {
    const { redisUrl, prefix, sim, store, acd } = await redisWorld('two-instances', logger, cleanups);
    const redis = createClient({ url: redisUrl });
    await redis.connect();
    cleanups.push(async () => redis.destroy());
    const leaseHolder = async () => (await redis.get(`{${prefix}}:_lease:${routerLease}`)) as Node | null;

    const instances = new Map<Node, Hotline>();
    cleanups.push(async () => {
      for (const hotline of instances.values()) await hotline.close();
    });
    async function start(node: Node): Promise<void> {
      const config = loadConfig({
        ARI_URL: sim.url, ARI_PASSWORD: 'hotline', ARI_APP: apps[node], REDIS_URL: redisUrl, REDIS_PREFIX: prefix,
        INSTANCE_ID: node, PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_GRACE_MS: '0',
      });
      const hotline = await startHotline(config, logger, { simulator: sim });
      instances.set(node, hotline);
      await until(() => hotline.telephony.port.state().status === 'up', `${node} is connected to ARI`, long);
    }
    await start('node-a');
    await start('node-b');

    // 32 agents on shift, ready; their phones ring 50–290 ms and answer (the simulator plays the phones)
    for (const extension of extensions) {
      await sim.control.setEndpoint('PJSIP', extension, { behavior: 'answer', answerAfterMs: 50 + (Number(extension) % 7) * 40 });
      await acd.upsertAgent(agentOf(extension), { extension, skills: { general: 5 } });
      await acd.applyAgent(agentOf(extension), { type: 'login', ready: true });
    }
    // callers talk 0.5–1.5 s; every fifth call the agent hangs up first and the caller rates the call
    const floor = createCallFloor(sim, { did: '12345', talkMs: (n) => 500 + ((n * 137) % 1000) });
    cleanups.push(async () => floor.stop());
    const agents = createAgents(acd);
    cleanups.push(() => agents.stop());
    /** Waits until `check` holds; fails at once, naming it, when a caller or an agent noticed something wrong. */
    const waitFor = (check: () => boolean | Promise<boolean>, what: string) => until(() => {
      if (floor.violations.length > 0) throw new Error(`while waiting until ${what}: ${floor.violations.join('; ')}`);
      return check();
    }, what, long);
    const served = (callIds: readonly string[]) => callIds.filter((id) => floor.served.has(id)).length;
    const done = (callIds: readonly string[]) => callIds.every((id) => floor.ended.has(id) && floor.served.has(id));

    // 1. 100 callers over both instances, served while both run
    const first: string[] = [];
    for (let i = 0; i < 100; i++) {
      first.push((await floor.place(spread(i))).callId);
      await pause(10);
    }
    await waitFor(() => done(first), 'the first 100 callers were served and hung up');

    // 2. on the routing instance: all agents but five go on a break and one of the five phones rings
    //    until picked up; seven callers come in (four talk, one rings, two wait), and one more is greeted
    const dying = (await leaseHolder())!;
    expect(dying).toMatch(/^node-[ab]$/);
    const survivor: Node = dying === 'node-a' ? 'node-b' : 'node-a';
    const slowPhone = extensions[4]!;
    await sim.control.setEndpoint('PJSIP', slowPhone, { behavior: 'manual' });
    agents.setBreak(extensions.slice(5).map(agentOf));
    await waitFor(async () => (await acd.allAgents()).filter((a) => a.status.state === 'not_ready').length === 27, 'the break started');
    const stranded: string[] = [];
    for (let i = 0; i < 7; i++) stranded.push((await floor.place(apps[dying], 'hold')).callId);
    await waitFor(async () => floor.held.length === 4 && floor.seatBusy(slowPhone)
      && (await acd.callsOf(dying)).filter((c) => c.state === 'waiting').length === 2, 'four callers talk, one rings an agent, two wait');
    const greeted = (await floor.place(apps[dying])).callId;
    stranded.push(greeted);
    await waitFor(async () => (await sim.control.channel(greeted)).heard.some((h) => h.kind === 'playback'), 'the last caller hears the greeting');

    // 3. the routing instance dies; Asterisk keeps its callers; the other instance takes the router
    //    lease and serves new callers alone; two of the dead instance's talking callers hang up and
    //    one agent hangs up meanwhile
    await instances.get(dying)!.close();
    instances.delete(dying);
    await waitFor(async () => (await leaseHolder()) === survivor, 'the other instance took the router lease');
    agents.setBreak([]);
    floor.endHolds();
    const [leaves1, leaves2, agentLeaves, talksOn] = floor.held;
    await floor.hangUp(leaves1!, 'caller');
    await floor.hangUp(leaves2!, 'caller');
    await floor.hangUp(agentLeaves!, 'agent');
    const whileDown: string[] = [];
    for (let i = 0; i < 20; i++) whileDown.push((await floor.place(apps[survivor])).callId);
    await waitFor(() => served(whileDown) >= 10, 'the other instance served new callers alone');
    expect((await sim.control.channel(talksOn!.callId)).bridgeId).toBe(`call-${talksOn!.callId}`);
    expect(stranded.filter((id) => !floor.served.has(id))).toHaveLength(4); // rang, waited or were greeted when their instance died: still waiting

    // 4. the dead instance restarts while the other's callers talk: it carries its own callers on
    //    (and leaves the other's alone), and the remaining callers come in over both
    await sim.control.setEndpoint('PJSIP', slowPhone, { behavior: 'answer' });
    await start(dying);
    await floor.hangUp(talksOn!, 'caller');
    for (let i = 0; floor.callers.size < 200; i++) {
      await floor.place(spread(i));
      await pause(10);
    }
    const everyone = [...floor.callers.keys()];
    await waitFor(() => done(everyone), 'all 200 callers were served and hung up');

    // what callers and agents noticed: one agent each, never two calls on one phone, never two phones
    // ringing for one call, nobody cut off
    expect(floor.violations).toEqual([]);
    expect(everyone.filter((id) => floor.served.get(id)?.length !== 1)).toEqual([]);
    expect(new Set(everyone.flatMap((id) => floor.served.get(id)!)).size).toBe(32); // the work was spread
    // the call records say the same, whichever instance held the call
    const records = createCallRecords({ store, clock: systemClock });
    const agentsOnRecord = async () => Promise.all(everyone.map(async (id) => (await records.get(id))?.agentIds ?? []));
    await waitFor(async () => (await agentsOnRecord()).every((ids) => ids.length > 0), 'every call record names its agent');
    expect(await agentsOnRecord()).toEqual(everyone.map((id) => floor.served.get(id)!.map(agentOf)));

    // nothing left: no channel, no bridge but the empty holding bridges, no call in the ACD, every agent free
    await waitFor(async () => (await sim.control.stats()).channels === 0, 'no channel is left');
    const bridges = await fetch(`${sim.url}/ari/bridges`, { headers: { authorization: `Basic ${Buffer.from('hotline:hotline').toString('base64')}` } });
    expect(((await bridges.json()) as Array<{ id: string; channels: string[] }>).filter((b) => !b.id.startsWith('hold-') || b.channels.length > 0)).toEqual([]);
    expect(await acd.waitingCalls()).toEqual([]);
    expect([...(await acd.callsOf('node-a')), ...(await acd.callsOf('node-b'))]).toEqual([]);
    await waitFor(async () => (await acd.allAgents()).every((a) => a.status.state === 'ready'), 'every agent is ready again');
  }, 400_000);
});
