/**
 * Two server instances on one Asterisk (the simulator) and one Redis: the caller's media is on
 * one instance, the agent's desktop is connected to the other. The agent's call commands reach
 * the instance that holds the call (src/acd/desk-relay.ts) and do what they do on one instance.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createUserService } from '../../src/auth/user-service.ts';
import { systemClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';
import { startHotline, type Hotline } from '../../src/server.ts';
import { connect, type Client } from '../cti/cti-helpers.ts';
import { until } from '../support/sim-events.ts';
import { redisWorld } from './redis-world.ts';

const logger = createLogger('silent');
const long = 30_000;
const password = 'relay-test-password';

describe('an agent whose desktop is on another instance than the call', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  it('answers, holds, takes back and hangs up the call; another agent cannot touch it', async () => {
    const { redisUrl, prefix, sim, store, acd } = await redisWorld('desk-relay', logger, cleanups);
    const users = createUserService({ store, clock: systemClock });
    await users.createUser({ username: 'li.na', displayName: '李娜', roles: ['agent'], extension: '1001', password });
    await users.createUser({ username: 'wang.wei', displayName: '王伟', roles: ['agent'], extension: '1002', password });
    await users.createUser({ username: 'zhao.min', displayName: '赵敏', roles: ['supervisor'], extension: '3001', password });
    await sim.control.setEndpoint('PJSIP', '3001', { behavior: 'answer' });
    await acd.upsertAgent('li.na', { extension: '1001', skills: { general: 5 } });
    await sim.control.setEndpoint('PJSIP', '1001', { behavior: 'manual' });

    const start = async (node: string): Promise<Hotline> => {
      const hotline = await startHotline(loadConfig({
        ARI_URL: sim.url, ARI_PASSWORD: 'hotline', ARI_APP: `hotline-${node}`, REDIS_URL: redisUrl, REDIS_PREFIX: prefix,
        INSTANCE_ID: node, PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_GRACE_MS: '0',
      }), logger, { simulator: sim });
      cleanups.push(() => hotline.close());
      await until(() => hotline.telephony.port.state().status === 'up', `${node} is connected to ARI`, long);
      return hotline;
    };
    await start('a');
    const desktopSide = await start('b');
    const desktop = async (username: string): Promise<Client> => {
      const response = await fetch(`${desktopSide.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
      const client = await connect(`${desktopSide.url.replace('http', 'ws')}/cti`, ((await response.json()) as { token: string }).token);
      cleanups.push(() => client.close());
      return client;
    };
    const agent = await desktop('li.na');
    const other = await desktop('wang.wei');
    await agent.request('subscribe', { topics: ['agent:li.na'] });
    await agent.request('agent.login');
    expect(await agent.request('agent.ready')).toMatchObject({ ok: true, result: { state: 'ready' } });

    // the caller reaches instance a; no key in the menu → the general queue → li.na's seat rings
    const caller = await sim.control.placeCall({ from: '13800138000', did: '12345', app: 'hotline-a' });
    const offer = await agent.waitFor((m) => m.type === 'event' && m.name === 'call.offer');
    const callId = offer.type === 'event' ? (offer.data as { callId: string }).callId : '';
    expect(callId).toBe(caller.channelId);

    expect(await other.request('call.answer', { callId })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await agent.request('call.answer', { callId })).toMatchObject({ ok: true, result: { callId } });
    await agent.waitFor((m) => m.type === 'event' && m.name === 'call.progress' && (m.data as { status: string }).status === 'answered');
    expect((await sim.control.channel(caller.channelId)).bridgeId).toBe(`call-${callId}`);

    expect(await agent.request('call.hold', { callId })).toMatchObject({ ok: true });
    const onHold = await sim.control.channel(caller.channelId);
    expect(onHold.heard.at(-1)).toMatchObject({ kind: 'moh' });
    expect(await agent.request('call.hold', { callId })).toMatchObject({ ok: false, error: { code: 'AGENT_BAD_TRANSITION' } }); // the state is on instance a
    expect(await agent.request('call.unhold', { callId })).toMatchObject({ ok: true });
    expect(await other.request('call.hangup', { callId })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });

    // transfer and supervision commands go the same way: answered by instance a
    expect(await agent.request('call.consult', { callId, target: { number: '00442079460000' } })).toMatchObject({ ok: false, error: { code: 'TRANSFER_NOT_ALLOWED' } });
    const supervisor = await desktop('zhao.min');
    expect(await supervisor.request('supervisor.monitor', { callId })).toMatchObject({ ok: true, result: { callId } });
    await until(async () => (await sim.control.stats()).channels >= 4, 'the supervisor listens (their leg and the snoop)', long);
    expect(await supervisor.request('supervisor.leave', { callId })).toMatchObject({ ok: true });

    expect(await agent.request('call.hangup', { callId })).toMatchObject({ ok: true });
    await agent.waitFor((m) => m.type === 'event' && m.name === 'call.ended' && (m.data as { cause: string }).cause === 'agent_hangup');
    await until(async () => (await acd.agent('li.na'))?.status.state === 'wrap_up', 'li.na wraps up', long);
    // the agent hung up first: the caller stays for the survey (一次一评)
    await until(async () => (await sim.control.channel(caller.channelId)).heard.some((h) => String(h['media'] ?? '').includes('survey')), 'the caller hears the survey', long);
  }, 120_000);
});
