/**
 * GET /metrics on the composed server (embedded mode): a caller goes through the IVR, waits, rings
 * and talks to an agent, and each step shows in the series an operator would alert on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { demoPassword } from '../../src/auth/seed-users.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createUserService } from '../../src/auth/user-service.ts';
import { systemClock } from '../../src/clock.ts';
import { buildApp } from '../../src/http/app.ts';
import { metricsRoutes } from '../../src/http/routes/metrics.ts';
import { createLogger } from '../../src/log.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { startHotline, type Hotline } from '../../src/server.ts';
import { connect } from '../cti/cti-helpers.ts';
import { playbackStarted, until } from '../support/sim-events.ts';

const metricsToken = 'metrics-token-for-tests-0123';
const env = { PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_GRACE_MS: '0', METRICS_TOKEN: metricsToken };

/** `name{a="b"}` → value, from the Prometheus text format. */
function parse(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

describe('GET /metrics', () => {
  let hotline: Hotline | undefined;
  afterEach(() => hotline?.close());

  async function scrape(): Promise<Map<string, number>> {
    const response = await hotline!.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${metricsToken}` } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return parse(response.body);
  }
  async function token(username: string): Promise<string> {
    const response = await hotline!.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: demoPassword } });
    return response.json<{ token: string }>().token;
  }

  describe('when Prometheus scrapes without the metrics token', () => {
    it('is refused with 401, also with an agent\'s session token', async () => {
      hotline = await startHotline(loadConfig(env), createLogger('silent'));
      const bare = await hotline.app.inject({ method: 'GET', url: '/metrics' });
      expect(bare.json()).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
      const agent = await hotline.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${await token('agent1001')}` } });
      expect(agent.statusCode).toBe(401);
      const wrong = await hotline.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${metricsToken}x` } });
      expect(wrong.statusCode).toBe(401);
    });
  });

  describe('when no METRICS_TOKEN is configured', () => {
    it('serves loopback scrapers only', async () => {
      const store = createMemoryStore({ clock: systemClock });
      const app = await buildApp({
        logger: createLogger('silent'), users: createUserService({ store, clock: systemClock }), health: [], mode: { asterisk: 'test', store: 'memory' },
        routes: [metricsRoutes({ contentType: 'text/plain; version=0.0.4; charset=utf-8', render: async () => 'hotline_test 1\n' })],
      });
      try {
        expect((await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.2.3' })).json()).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
        expect((await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' })).body).toBe('hotline_test 1\n');
        expect((await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '::1' })).statusCode).toBe(200);
      } finally {
        await app.close();
      }
    });
  });

  describe('when a caller goes through the IVR, waits, rings and talks', () => {
    it('counts the call in each state, the queue, the agents, tickets, components and the process', async () => {
      hotline = await startHotline(loadConfig(env), createLogger('silent'));
      const sim = hotline.simulator!;
      await until(() => hotline!.telephony.port.state().status === 'up', 'ARI is connected');
      const agentToken = await token('agent1001');
      const created = await hotline.app.inject({
        method: 'POST', url: '/api/tickets', headers: { authorization: `Bearer ${agentToken}` },
        payload: { channel: 'phone', caller: { phone: '13800138000' }, content: '小区路灯不亮', category: 'help', urgency: 'general' },
      });
      expect(created.statusCode).toBe(201);

      const idle = await scrape();
      expect(idle.get('hotline_component_up{component="ari"}')).toBe(1);
      expect(idle.get('hotline_component_up{component="store"}')).toBe(1);
      expect(idle.get('hotline_tickets{state="registered"}')).toBe(1);
      expect(idle.get('hotline_tickets{state="closed"}')).toBe(0);
      expect(idle.get('hotline_tickets_overdue')).toBe(0);
      expect(idle.get('hotline_agents{state="logged_out"}')).toBe(3);
      expect(idle.get('hotline_queue_waiting{queue="general"}')).toBe(0);
      expect(idle.has('hotline_queue_service_level_15s_ratio{queue="general"}')).toBe(false); // nothing answered yet: no figure, not 100 %
      expect(idle.get('nodejs_eventloop_lag_p99_seconds')).toBeGreaterThan(0);
      expect(idle.get('process_resident_memory_bytes')).toBeGreaterThan(1e6);

      const agent = await connect(`${hotline.url.replace('http', 'ws')}/cti`, agentToken);
      await agent.request('subscribe', { topics: ['agent:agent1001'] });
      await agent.request('agent.login'); // logged in, not ready: the caller will wait
      const { channelId } = await sim.control.placeCall({ from: '13900139000', did: '12345' });
      await playbackStarted(sim, channelId, 'sound:hotline/zh/greeting-12345');
      expect((await scrape()).get('hotline_calls{state="ivr"}')).toBe(1);

      let waiting = new Map<string, number>();
      await until(async () => (waiting = await scrape()).get('hotline_calls{state="queued"}') === 1, 'the caller waits in the queue');
      expect(waiting.get('hotline_calls{state="ivr"}')).toBe(0);
      expect(waiting.get('hotline_queue_waiting{queue="general"}')).toBe(1);
      expect(waiting.get('hotline_queue_longest_wait_seconds{queue="general"}')).toBeGreaterThanOrEqual(0);
      expect(waiting.get('hotline_cti_connections{role="agent"}')).toBe(1);

      await agent.request('agent.ready');
      await agent.waitFor((m) => m.type === 'event' && m.name === 'call.offer');
      const ringing = await scrape();
      expect(ringing.get('hotline_calls{state="ringing"}')).toBe(1);
      expect(ringing.get('hotline_calls{state="queued"}')).toBe(0);
      expect(ringing.get('hotline_agents{state="reserved"}')).toBe(1);

      expect((await agent.request('call.answer', { callId: channelId })).ok).toBe(true);
      await agent.waitFor((m) => m.type === 'event' && m.name === 'call.progress');
      let talking = new Map<string, number>();
      await until(async () => (talking = await scrape()).get('hotline_calls{state="talking"}') === 1, 'the call is connected');
      expect(talking.get('hotline_agents{state="on_call"}')).toBe(1);
      expect(talking.get('hotline_calls{state="ivr"}')).toBe(0);
      expect(talking.get('hotline_queue_answered_today{queue="general"}')).toBe(1);
      const level = talking.get('hotline_queue_service_level_15s_ratio{queue="general"}');
      expect(level).toBeGreaterThanOrEqual(0);
      expect(level).toBeLessThanOrEqual(1);

      await sim.control.hangup(channelId);
      await until(async () => (await scrape()).get('hotline_calls{state="talking"}') === 0, 'the call ended');
      await agent.close();
    });
  });
});
