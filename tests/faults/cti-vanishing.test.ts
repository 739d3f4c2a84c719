/**
 * Vanishing CTI clients under load (issue 9, faults). Ten agents work through the CTI socket of the
 * composed server (on Redis; its clock can jump: support/jump-clock.ts) while callers keep coming.
 * With every agent on a call, four desktops vanish without a close frame: two sockets are destroyed
 * (the TCP connection drops), two go silent (a frozen machine: nothing read, no pong). The slow
 * consumer that stops reading under a burst is tests/cti/gateway-flow.test.ts; this test adds the
 * vanishing ones on the running server.
 *
 * What it proves: the agent's state stays what the phone says, whatever the desktop does — a
 * vanished agent stays on the call until it ends, then wraps up and the server's wrap-up timer makes
 * them ready; the silent sockets are cut off by the heartbeat and only they; the six other desks
 * keep getting their offers and serve the traffic meanwhile; every caller is served once; a
 * vanished desktop that reconnects and resumes gets the events it missed, ending on its real state.
 */
import { WebSocket } from 'ws';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createUserService } from '../../src/auth/user-service.ts';
import { systemClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';
import { startHotline } from '../../src/server.ts';
import { connect, stalledClient, type Client, type StalledClient } from '../cti/cti-helpers.ts';
import { redisWorld } from '../e2e/redis-world.ts';
import { until } from '../support/sim-events.ts';
import { seatPhones } from './support/agents.ts';
import { describeCalls, nothingLeft } from './support/checks.ts';
import { createFaultFloor } from './support/fault-floor.ts';
import { createJumpClock } from './support/jump-clock.ts';

const logger = createLogger('silent');
const long = 60_000;
const password = 'fault-test-password';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('CTI desktops that vanish under load', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  it('leave the agents\' state as the phone has it, and slow nobody else', async () => {
    const { redisUrl, prefix, sim, store, acd } = await redisWorld('cti-vanishing', logger, cleanups);
    const clock = createJumpClock();
    const hotline = await startHotline(loadConfig({
      ARI_URL: sim.url, ARI_PASSWORD: 'hotline', REDIS_URL: redisUrl, REDIS_PREFIX: prefix, INSTANCE_ID: 'node1', PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_GRACE_MS: '0',
    }), logger, { clock });
    cleanups.push(() => hotline.close());
    await until(() => hotline.telephony.port.state().status === 'up', 'the server is connected to ARI', long);
    const ctiUrl = `${hotline.url.replace('http', 'ws')}/cti`;

    const extensions = await seatPhones(sim, 10);
    const users = createUserService({ store, clock: systemClock });
    const token = async (username: string) => {
      const response = await fetch(`${hotline.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
      return ((await response.json()) as { token: string }).token;
    };
    const desks = new Map<string, Client>();
    const silent = new Map<string, StalledClient>();
    for (const extension of extensions) {
      const username = `agent${extension}`;
      await users.createUser({ username, displayName: `坐席 ${extension}`, roles: ['agent'], extension, password });
      if (Number(extension) >= 1009) {
        // these two desktops speak raw frames, so the test can freeze them later
        const desk = await stalledClient(ctiUrl, await token(username));
        cleanups.push(async () => desk.destroy());
        for (const type of ['agent.login', 'agent.ready']) desk.send({ id: type, type });
        silent.set(username, desk);
        continue;
      }
      const desk = await connect(ctiUrl, await token(username));
      cleanups.push(async () => desk.ws.terminate());
      await desk.request('subscribe', { topics: [`agent:${username}`] });
      await desk.request('agent.login');
      await desk.request('agent.ready');
      // the agent clicks ready after each wrap-up, as long as the desktop lives
      desk.ws.on('message', (data) => {
        const message = JSON.parse(data.toString()) as { type: string; name?: string; data?: { state?: string } };
        if (message.type === 'event' && message.name === 'agent.state' && message.data?.state === 'wrap_up') {
          setTimeout(() => desk.ws.readyState === WebSocket.OPEN && desk.send({ id: 'r', type: 'agent.ready' }), 20);
        }
      });
      desks.set(username, desk);
    }
    await until(async () => (await acd.allAgents()).filter((a) => a.status.state === 'ready').length === 10, 'ten agents are ready', long);

    const floor = createFaultFloor(sim, { did: '12345', talkMs: (n) => 300 + ((n * 137) % 500) });
    cleanups.push(async () => floor.stop());
    const waitFor = (check: () => boolean | Promise<boolean>, what: string, ids: readonly string[] = []) => until(() => {
      if (floor.violations.length > 0) throw new Error(`while waiting until ${what}: ${floor.violations.join('; ')}`);
      return check();
    }, what, long).catch(async (error: unknown) => {
      throw new Error(`${String(error)}: ${await describeCalls(sim, acd, ids.filter((id) => !floor.finished(id)))}`);
    });
    const place = async (count: number) => {
      const placed: string[] = [];
      for (let i = 0; i < count; i++) {
        placed.push((await floor.place('hold')).callId);
        await pause(20);
      }
      return placed;
    };

    // every agent on a call; then four desktops vanish
    await place(10);
    await waitFor(() => floor.held.length === 10, 'every agent talks');
    const dropped = ['agent1001', 'agent1002'];
    const frozen = ['agent1009', 'agent1010'];
    const lastSeen = desks.get('agent1001')!.events(`agent:agent1001`).at(-1)!.eventId;
    for (const username of dropped) (desks.get(username)!.ws as unknown as { _socket: Socket })._socket.destroy();
    for (const username of frozen) silent.get(username)!.stall();
    await until(() => hotline.cti.stats().connections.total === 8, 'the server saw the two dropped sockets close', long);
    for (const username of [...dropped, ...frozen]) expect((await acd.agent(username))?.status.state).toBe('on_call');

    // the calls end; the six live desks go ready and serve 20 more callers meanwhile
    floor.setHolding(false);
    for (const call of [...floor.held]) await floor.hangUp(call, 'caller');
    const more = await place(20);
    await waitFor(() => more.every((id) => floor.finished(id)), 'twenty more callers were served by the live desks', more);
    const vanished = [...dropped, ...frozen];
    for (const username of vanished) expect((await acd.agent(username))?.status.state).toBe('wrap_up'); // nobody clicked ready
    for (const id of more) expect(floor.served.get(id)!.map((e) => `agent${e}`).some((a) => vanished.includes(a))).toBe(false);
    // every call a live desk served was offered on its socket
    for (const [username, desk] of desks) {
      if (dropped.includes(username)) continue;
      const offered = new Set(desk.events(`agent:${username}`).filter((e) => e.name === 'call.offer').map((e) => (e.data as { callId: string }).callId));
      const servedHere = [...floor.served].filter(([, seats]) => seats.includes(username.slice('agent'.length))).map(([id]) => id);
      expect(servedHere.filter((id) => !offered.has(id))).toEqual([]);
    }

    // 32 s pass in two heartbeats: the frozen sockets are cut off, the live ones answered the first ping; the wrap-ups end
    clock.suspend(16_000);
    await pause(200);
    clock.suspend(16_000);
    await until(() => hotline.cti.stats().connections.total === 6, 'the frozen sockets were cut off', long);
    await until(async () => (await Promise.all(vanished.map((u) => acd.agent(u)))).every((a) => a?.status.state === 'ready'), 'the vanished agents are ready after their wrap-up', long);
    for (const [username, desk] of desks) if (!dropped.includes(username)) expect(desk.ws.readyState).toBe(WebSocket.OPEN);

    // a vanished desktop comes back and resumes: the missed events end on the agent's real state
    const back = await connect(ctiUrl, await token('agent1001'));
    cleanups.push(async () => back.ws.terminate());
    const resumed = await back.request('resume', { topic: 'agent:agent1001', lastEventId: lastSeen });
    expect(resumed).toMatchObject({ ok: true, result: { resync: false } });
    const states = back.events('agent:agent1001').filter((e) => e.name === 'agent.state').map((e) => (e.data as { state: string }).state);
    expect(states).toEqual(['wrap_up', 'ready']);
    expect(back.events('agent:agent1001').map((e) => e.name)).toContain('call.ended');

    const everyone = [...floor.callers.keys()];
    expect(floor.violations).toEqual([]);
    expect(everyone.filter((id) => floor.served.get(id)?.length !== 1)).toEqual([]);
    await nothingLeft({ sim, acd, store, callIds: everyone });
  }, 120_000);
});
