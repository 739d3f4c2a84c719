import { afterEach, describe, expect, it } from 'vitest';
import { sipPassword } from '../../src/auth/sip-password.ts';
import { sipRoutes, type SipConfig } from '../../src/http/routes/sip.ts';
import type { UserService } from '../../src/auth/user-service.ts';
import { buildTestApp, login, type TestApp } from '../support/app.ts';

let world: TestApp | undefined;
afterEach(async () => {
  await world?.app.close();
  world = undefined;
});

async function build(config: SipConfig): Promise<TestApp> {
  // The route is built before the app's user service exists: look it up late.
  const late: { users?: UserService } = {};
  const built = await buildTestApp({ routes: [sipRoutes({ config, users: { getUser: (name) => late.users!.getUser(name) } })] });
  late.users = built.users;
  world = built;
  return built;
}

const live: SipConfig = {
  SIP_WS_URL: 'wss://pbx.example.gov.cn:8089/ws',
  SIP_SECRET: 'a-long-server-secret-1',
  SIP_ICE_SERVERS: 'stun:stun.example.gov.cn:3478,turn:turn.example.gov.cn:3478',
  SIP_TURN_USERNAME: 'desk',
  SIP_TURN_CREDENTIAL: 'turn-pass',
};

describe('GET /api/me/sip', () => {
  describe('when SIP_WS_URL is set', () => {
    it('hands the agent its seat, a per-seat password, the WebSocket URL, ICE servers and the correlation header', async () => {
      const app = await build(live);
      const agent = await login(app, ['agent'], { extension: '1001' });
      const response = await app.app.inject({ method: 'GET', url: '/api/me/sip', headers: { authorization: agent.authorization } });
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.json()).toEqual({
        endpoint: '1001',
        domain: 'pbx.example.gov.cn',
        wsUrl: 'wss://pbx.example.gov.cn:8089/ws',
        password: sipPassword('a-long-server-secret-1', '1001'),
        iceServers: [
          { urls: 'stun:stun.example.gov.cn:3478' },
          { urls: 'turn:turn.example.gov.cn:3478', username: 'desk', credential: 'turn-pass' },
        ],
        correlationHeader: 'X-Hotline-Call-Id',
      });
    });

    it('gives each seat its own password, which changes with the server secret', async () => {
      const a = sipPassword('a-long-server-secret-1', '1001');
      expect(a).toHaveLength(24);
      expect(sipPassword('a-long-server-secret-1', '1002')).not.toBe(a);
      expect(sipPassword('another-server-secret', '1001')).not.toBe(a);
    });
  });

  describe('when SIP_WS_URL is unset (demo mode)', () => {
    it('answers no WebSocket URL and no password', async () => {
      const app = await build({});
      const agent = await login(app, ['agent'], { extension: '1002' });
      const body = (await app.app.inject({ method: 'GET', url: '/api/me/sip', headers: { authorization: agent.authorization } })).json();
      expect(body).toMatchObject({ endpoint: '1002', wsUrl: null, password: null, iceServers: [] });
    });
  });

  describe('when the caller may not have SIP settings', () => {
    it('refuses a supervisor (403) and an anonymous caller (401), and an agent without a seat gets 404', async () => {
      const app = await build(live);
      const supervisor = await login(app, ['supervisor'], { extension: '3001' });
      const seatless = await login(app, ['agent']);
      const get = (authorization?: string) =>
        app.app.inject({ method: 'GET', url: '/api/me/sip', headers: authorization ? { authorization } : {} });
      expect((await get(supervisor.authorization)).json()).toMatchObject({ code: 'FORBIDDEN' });
      expect((await get()).statusCode).toBe(401);
      const missing = await get(seatless.authorization);
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toMatchObject({ code: 'NOT_FOUND' });
    });
  });
});
