/**
 * The composed server in embedded mode: a demo agent logs in over REST, opens the CTI socket on
 * the same port, logs in to the seat and goes ready; the wallboard shows it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { demoPassword } from '../../src/auth/seed-users.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';
import { startHotline, type Hotline } from '../../src/server.ts';
import { connect } from '../cti/cti-helpers.ts';

describe('the agent desktop against the running server', () => {
  let hotline: Hotline | undefined;
  afterEach(() => hotline?.close());

  describe('when demo agent 1001 logs in and goes ready', () => {
    it('is ready on the wallboard, which supervisors also get live over the CTI', async () => {
      hotline = await startHotline(loadConfig({ PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_GRACE_MS: '0' }), createLogger('silent'));
      const token = async (username: string) => {
        const response = await fetch(`${hotline!.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: demoPassword }) });
        return ((await response.json()) as { token: string }).token;
      };
      const agent = await connect(`${hotline.url.replace('http', 'ws')}/cti`, await token('agent1001'));
      expect(await agent.request('agent.login')).toMatchObject({ ok: true, result: { extension: '1001' } });
      expect(await agent.request('agent.ready')).toMatchObject({ ok: true, result: { state: 'ready' } });
      await agent.close();

      const supervisorToken = await token('supervisor');
      const wallboard = await fetch(`${hotline.url}/api/stats/live`, { headers: { authorization: `Bearer ${supervisorToken}` } });
      const stats = (await wallboard.json()) as { agents: Array<{ agentId: string; state: string }> };
      expect(stats.agents.find((a) => a.agentId === 'agent1001')?.state).toBe('ready');

      const supervisor = await connect(`${hotline.url.replace('http', 'ws')}/cti`, supervisorToken);
      await supervisor.request('subscribe', { topics: ['supervisor'] });
      const board = await supervisor.waitFor((m) => m.type === 'event' && m.name === 'wallboard' && (m.data as { agentsLoggedIn: number }).agentsLoggedIn === 1);
      expect(board.type === 'event' && board.data).toMatchObject({ waiting: 0, agentsLoggedIn: 1, serviceLevel15s: null }); // no call yet today: no figure, not 100 %
      // every queue's figures in one event on `supervisor`
      const all = await supervisor.waitFor((m) => m.type === 'event' && m.name === 'queues.stats');
      expect(all.type === 'event' && (all.data as { queues: Array<{ queueId: string }> }).queues.map((q) => q.queueId)).toEqual(expect.arrayContaining(['general', 'transport', 'customs']));
      expect(supervisor.events('supervisor').some((e) => e.name === 'queue.stats')).toBe(false);
      await supervisor.close();
    });
  });

  describe('when an agent files a ticket for a caller', () => {
    it('is in the caller\'s history for the next screen pop', async () => {
      hotline = await startHotline(loadConfig({ PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_GRACE_MS: '0' }), createLogger('silent'));
      const login = await fetch(`${hotline.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'agent1001', password: demoPassword }) });
      const headers = { authorization: `Bearer ${((await login.json()) as { token: string }).token}`, 'content-type': 'application/json' };
      const created = await fetch(`${hotline.url}/api/tickets`, {
        method: 'POST', headers,
        body: JSON.stringify({ channel: 'phone', caller: { phone: '13800138000' }, content: '小区路灯不亮', category: 'help', urgency: 'general' }),
      });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };
      expect(id).toMatch(/^\d{8}-\d{6}$/);
      const history = await fetch(`${hotline.url}/api/callers/13800138000/history`, { headers });
      expect(JSON.stringify(await history.json())).toContain(id);
    });
  });
});
