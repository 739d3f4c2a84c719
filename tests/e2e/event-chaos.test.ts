/**
 * ARI events duplicated, swapped, or about channels and bridges the server never heard of (issue 9,
 * bad input): the simulator's event chaos (src/sim/chaos.ts) is on while 60 callers go through the
 * greeting and the queue to 8 agents. Every caller is still served by exactly one agent and hung
 * up, no channel or call is left behind, every agent is free again, and the server still serves.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAcdState } from '../../src/acd/acd-state.ts';
import { systemClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';
import { startHotline } from '../../src/server.ts';
import { createSimulator } from '../../src/sim/simulator.ts';
import { until } from '../support/sim-events.ts';
import { createAgents, createCallFloor } from './call-floor.ts';

const logger = createLogger('silent');
const long = 120_000;
const extensions = Array.from({ length: 8 }, (_, i) => String(1001 + i));
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ARI events that arrive twice, out of order, or about unknown channels', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  it.each([1, 2])('leave every caller served once and nothing stuck (seed %i)', async (seed) => {
    const sim = await createSimulator({ logger });
    cleanups.push(() => sim.close());
    const hotline = await startHotline(loadConfig({ ARI_URL: sim.url, ARI_PASSWORD: 'hotline', PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_GRACE_MS: '0' }), logger, { simulator: sim });
    cleanups.push(() => hotline.close());
    await until(() => hotline.telephony.port.state().status === 'up', 'the server is connected to ARI', long);
    const acd = createAcdState({ store: hotline.store, clock: systemClock });
    for (const extension of extensions) {
      await sim.control.setEndpoint('PJSIP', extension, { behavior: 'answer', answerAfterMs: 30 + (Number(extension) % 5) * 30 });
      await acd.upsertAgent(`agent${extension}`, { extension, skills: { general: 5 } });
      await acd.applyAgent(`agent${extension}`, { type: 'login', ready: true });
    }
    const floor = createCallFloor(sim, { did: '12345', talkMs: (n) => 300 + ((n * 137) % 500) });
    cleanups.push(async () => floor.stop());
    const agents = createAgents(acd);
    cleanups.push(() => agents.stop());

    sim.setChaos({ duplicate: 0.05, swap: 0.03, ghost: 0.05, seed });
    const callers: string[] = [];
    for (let i = 0; i < 60; i++) {
      callers.push((await floor.place('hotline')).callId);
      await pause(30);
    }
    const done = () => callers.every((id) => floor.ended.has(id) && floor.served.has(id));
    await until(() => done(), 'every caller was served and hung up', long);
    sim.setChaos(null);

    expect(floor.violations).toEqual([]);
    expect(callers.filter((id) => floor.served.get(id)?.length !== 1)).toEqual([]);
    await until(async () => (await sim.control.stats()).channels === 0, 'no channel is left', long);
    await until(() => hotline.activeCalls() === 0, 'the server holds no call', long);
    expect(await acd.waitingCalls()).toEqual([]);
    const ours = new Set(extensions.map((extension) => `agent${extension}`));
    await until(async () => (await acd.allAgents()).filter((a) => ours.has(a.agentId)).every((a) => a.status.state === 'ready'), 'every agent is free again', long);

    // and the next caller, without chaos, is served as usual
    const next = (await floor.place('hotline')).callId;
    await until(() => floor.ended.has(next) && floor.served.get(next)?.length === 1, 'the next caller is served', long);
  }, 300_000);
});
