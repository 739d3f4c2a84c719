/**
 * Asterisk restarted (issue 9, faults): the simulator standing in for Asterisk stops with callers
 * talking, ringing an agent, waiting in the queue and hearing the greeting, and a new one starts on
 * the same port — every channel is gone, as after an Asterisk restart.
 *
 * What it proves: the server notices (ARI down, reconnect, a snapshot without its calls) and ends
 * its calls cleanly — no call left in the ACD, no call held by the server, every call record ended,
 * every agent free again (through wrap-up to ready) — and serves new calls on the new Asterisk.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';
import { startHotline } from '../../src/server.ts';
import { createSimulator, type Simulator } from '../../src/sim/simulator.ts';
import { createAgents } from '../e2e/call-floor.ts';
import { redisWorld } from '../e2e/redis-world.ts';
import { until } from '../support/sim-events.ts';
import { agentOf, seatAgents, seatPhones } from './support/agents.ts';
import { describeCalls, nothingLeft, untilNone } from './support/checks.ts';
import { createFaultFloor, type FaultFloor, type Plan } from './support/fault-floor.ts';

const logger = createLogger('silent');
const long = 60_000;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Asterisk restarted under the server', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  it('ends the calls it had cleanly, frees the agents, and serves new calls', async () => {
    const { redisUrl, prefix, sim: first, store, acd } = await redisWorld('asterisk-restart', logger, cleanups);
    const port = Number(new URL(first.url).port);
    const hotline = await startHotline(loadConfig({
      ARI_URL: first.url, ARI_PASSWORD: 'hotline', REDIS_URL: redisUrl, REDIS_PREFIX: prefix, INSTANCE_ID: 'node1', PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_GRACE_MS: '0',
    }), logger);
    cleanups.push(() => hotline.close());
    const ari = () => hotline.telephony.port.state().status;
    await until(() => ari() === 'up', 'the server is connected to ARI', long);

    const manual = '1009';
    const extensions = await seatAgents(first, acd, 9, [manual]);
    const answering = extensions.filter((e) => e !== manual);
    const agents = createAgents(acd);
    cleanups.push(() => agents.stop());
    agents.setBreak([agentOf(manual)]);
    const floorOn = (sim: Simulator) => {
      const floor = createFaultFloor(sim, { did: '12345', talkMs: (n) => 300 + ((n * 137) % 500) });
      cleanups.push(async () => floor.stop());
      return floor;
    };
    const waitFor = (floor: FaultFloor, check: () => boolean | Promise<boolean>, what: string) => until(() => {
      if (floor.violations.length > 0) throw new Error(`while waiting until ${what}: ${floor.violations.join('; ')}`);
      return check();
    }, what, long);
    const place = async (floor: FaultFloor, count: number, plan?: Plan) => {
      const placed: string[] = [];
      for (let i = 0; i < count; i++) {
        placed.push((await floor.place(plan)).callId);
        await pause(20);
      }
      return placed;
    };

    // calls in every phase: 8 talk, 1 rings an agent, 4 wait, 3 hear the greeting
    const before = floorOn(first);
    await place(before, 8, 'hold');
    await waitFor(before, () => before.held.length === 8, 'eight callers talk');
    agents.setBreak(answering.map(agentOf));
    await place(before, 1);
    await waitFor(before, () => before.seatBusy(manual), 'the manual phone rings');
    await place(before, 4);
    await waitFor(before, async () => (await acd.waitingCalls()).length === 4, 'four callers wait');
    const greeted = await place(before, 3);
    await waitFor(before, async () => (await Promise.all(greeted.map((id) => first.control.channel(id)))).every((c) => c.heard.some((h) => h.kind === 'playback')), 'three callers hear the greeting');
    expect(before.violations).toEqual([]);

    // Asterisk restarts: every channel is gone
    before.stop();
    await first.close();
    await until(() => ari() !== 'up', 'the server noticed Asterisk is gone', long);
    const second = await createSimulator({ logger, port });
    cleanups.push(() => second.close());
    await seatPhones(second, 9);
    await until(() => ari() === 'up', 'the server reconnected to the new Asterisk', long);
    agents.setBreak([]);

    // the old calls are over: nothing held, nothing queued, records ended, agents through wrap-up to ready
    await until(() => hotline.activeCalls() === 0, 'the server holds no call', long);
    await nothingLeft({ sim: second, acd, store, callIds: [...before.callers.keys()] });
    expect(await acd.callsOf('node1')).toEqual([]);
    await untilNone(async () => (await acd.allAgents()).filter((a) => a.status.callId !== undefined).map((a) => a.agentId), 'no agent is tied to a call');

    // and new calls are served on the new Asterisk
    const after = floorOn(second);
    const fresh = await place(after, 12);
    await waitFor(after, () => fresh.every((id) => after.finished(id)), 'twelve new callers were served')
      .catch(async (error: unknown) => { throw new Error(`${String(error)}: ${await describeCalls(second, acd, fresh.filter((id) => !after.finished(id)))}`); });
    expect(after.violations).toEqual([]);
    expect(fresh.filter((id) => after.served.get(id)?.length !== 1)).toEqual([]);
    await nothingLeft({ sim: second, acd, store, callIds: fresh });
  }, 120_000);
});
