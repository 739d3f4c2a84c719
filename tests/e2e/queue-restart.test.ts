/**
 * The composed server on Redis restarts while its callers are queued: one talks to an agent, one
 * rings an agent, two wait. The restarted server carries every one of them on — through its IVR,
 * which resumes the calls at their queue node and asks the queue again, and through the queue's
 * own reconcile, which adopts the waiting calls and withdraws the offer that rang while it was away.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';
import { startHotline, type Hotline } from '../../src/server.ts';
import { until } from '../support/sim-events.ts';
import { redisWorld } from './redis-world.ts';

const logger = createLogger('silent');
const long = 30_000;

describe('queued calls across a restart of the server (Redis, IVR and queue composed)', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  it('keeps the talk, rings the agent again without penalty and connects the waiting callers in order', async () => {
    const { redisUrl, prefix, sim, acd } = await redisWorld('queue-restart', logger, cleanups);
    let server: Hotline | undefined;
    cleanups.push(async () => server?.close());
    const start = async () => {
      const config = loadConfig({
        ARI_URL: sim.url, ARI_PASSWORD: 'hotline', REDIS_URL: redisUrl, REDIS_PREFIX: prefix, INSTANCE_ID: 'node1', PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_GRACE_MS: '0',
      });
      server = await startHotline(config, logger, { simulator: sim });
      await until(() => server!.telephony.port.state().status === 'up', 'ARI is connected', long);
    };
    const state = async (agentId: string) => (await acd.agent(agentId))?.status;
    const bridgeOf = async (channelId: string) => (await sim.control.channel(channelId)).bridgeId;

    await start();
    await sim.control.setEndpoint('PJSIP', '1001', { behavior: 'answer' });
    await sim.control.setEndpoint('PJSIP', '1002', { behavior: 'manual' });
    for (const extension of ['1001', '1002']) {
      await acd.upsertAgent(`agent${extension}`, { extension, skills: { general: 5 } });
      await acd.applyAgent(`agent${extension}`, { type: 'login', ready: extension === '1001' });
    }
    const place = async (from: string) => (await sim.control.placeCall({ from, did: '12345' })).channelId;
    const talking = await place('13800000001');
    await until(async () => (await state('agent1001'))?.state === 'on_call', 'the first caller talks to agent 1001', long);
    await acd.applyAgent('agent1002', { type: 'ready' });
    const ringing = await place('13800000002');
    await until(async () => (await state('agent1002'))?.state === 'reserved', 'agent 1002 rings for the second caller', long);
    const waiting = [await place('13800000003'), await place('13800000004')];
    await until(async () => (await acd.waitingCalls()).length === 2, 'two callers wait', long);

    await server!.close();
    server = undefined;
    await start();

    // the offer that rang while the server was away is withdrawn without penalty and rung again
    await until(async () => (await state('agent1002'))?.state === 'reserved'
      && (await sim.control.channel(`agent-${ringing}-101`).then((c) => !c.hungUp, () => false)), 'agent 1002 rings again', long);
    expect((await state('agent1002'))?.callId).toBe(ringing);
    await sim.control.answer(`agent-${ringing}-101`);
    await until(async () => (await bridgeOf(ringing)) === `call-${ringing}`, 'the second caller talks to agent 1002', long);
    // the talk went on through the restart and ends properly
    expect(await bridgeOf(talking)).toBe(`call-${talking}`);
    for (const id of waiting) expect(await bridgeOf(id)).toBe('hold-node1-general');
    await sim.control.hangup(talking);
    await until(async () => (await state('agent1001'))?.state === 'wrap_up', 'agent 1001 wraps up', long);
    await acd.applyAgent('agent1001', { type: 'ready' });
    await until(async () => (await bridgeOf(waiting[0]!)) === `call-${waiting[0]}`, 'the first waiting caller talks to agent 1001', long);
    expect(await bridgeOf(waiting[1]!)).toBe('hold-node1-general');
    for (const id of [ringing, ...waiting]) await sim.control.hangup(id);
    await until(async () => (await sim.control.stats()).channels === 0, 'no channel is left', long);
    expect(await acd.waitingCalls()).toEqual([]);
  }, 120_000);
});
