/**
 * Issue 8, "Done when": unauthenticated requests to every route and to the CTI socket are refused.
 * The walk reads the composed server's own route table (Fastify's `printRoutes`), so routes added
 * later are walked too; only the justified public list below may answer without a token.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';
import { startHotline, type Hotline } from '../../src/server.ts';
import { refusedStatus } from '../cti/cti-helpers.ts';
import { deletePrefix, uniquePrefix } from '../support/redis.ts';
import { routeList } from '../support/route-list.ts';

/**
 * Public on purpose: logging in needs no token; liveness and readiness probes (orchestrators and
 * load balancers carry no user token; they show component up/down, no personal data); the
 * OpenAPI description and its UI (the API's shape is not a secret; every operation still needs a
 * token); the browser app's static files (HTML, scripts, icon: no data — the app logs in before
 * its first API call). /metrics is not here: it answers Prometheus with METRICS_TOKEN, and is
 * walked as a route that needs a token.
 */
const publicRoutes = [
  'POST /api/auth/login',
  'GET /health', 'HEAD /health', 'GET /ready', 'HEAD /ready',
  'GET /', 'HEAD /', 'GET /assets/:file', 'HEAD /assets/:file', 'GET /favicon.svg', 'HEAD /favicon.svg',
];
/**
 * Public in the embedded demo only (simulator, in-memory store, loopback): the citizen's demo
 * phone drives the built-in simulator, never a real Asterisk, and only calls it placed itself.
 */
const demoRoutes = ['POST /api/demo/calls', 'GET /api/demo/calls/:channelId', 'HEAD /api/demo/calls/:channelId', 'POST /api/demo/calls/:channelId/dtmf', 'POST /api/demo/calls/:channelId/hangup'];

const metricsToken = 'metrics-token-for-tests-0123';
const modes = [
  { mode: 'the embedded demo (simulator, memory, loopback)', env: () => ({}), allowed: [...publicRoutes, ...demoRoutes] },
  { mode: 'production (Redis store)', env: () => ({ REDIS_URL: inject('redisUrl'), REDIS_PREFIX: uniquePrefix('walk') }), allowed: publicRoutes },
];

describe.each(modes)('every route of the composed server in $mode', ({ env, allowed }) => {
  let hotline: Hotline;
  let prefix: string | undefined;
  beforeAll(async () => {
    const extra: Record<string, string> = env();
    prefix = extra['REDIS_PREFIX'];
    hotline = await startHotline(loadConfig({ PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_GRACE_MS: '0', METRICS_TOKEN: metricsToken, ...extra }), createLogger('silent'));
  });
  afterAll(async () => {
    await hotline.close();
    if (prefix) await deletePrefix(inject('redisUrl'), prefix);
  });

  const isPublic = (method: string, url: string) => allowed.includes(`${method} ${url}`) || url === '/docs' || url.startsWith('/docs/');
  const walk = () => routeList(hotline.app).filter((r) => !isPublic(r.method, r.url));

  describe('when a request carries no token', () => {
    it('answers 401 UNAUTHORIZED on every route but the public ones', async () => {
      const routes = walk();
      expect(routes.length).toBeGreaterThan(30); // the walk found the feature routes, not just a few
      expect(routes.map((r) => r.url)).toContain('/metrics');
      const answers: string[] = [];
      for (const { method, url } of routes) {
        const response = await hotline.app.inject({ method, url: concrete(url), ...(hasBody(method) ? { payload: {} } : {}) });
        const code = method === 'HEAD' ? '' : response.json<{ code: string }>().code;
        answers.push(`${method} ${url} → ${response.statusCode} ${code}`.trim());
      }
      expect(answers).toEqual(routes.map(({ method, url }) => `${method} ${url} → 401${method === 'HEAD' ? '' : ' UNAUTHORIZED'}`));
    });
  });

  describe('when a request carries a token nobody issued', () => {
    it('answers 401 UNAUTHORIZED on every route but the public ones', async () => {
      const forged = { authorization: `Bearer ${'A'.repeat(43)}` };
      for (const { method, url } of walk()) {
        const response = await hotline.app.inject({ method, url: concrete(url), headers: forged, ...(hasBody(method) ? { payload: {} } : {}) });
        expect(`${method} ${url} → ${response.statusCode}`).toBe(`${method} ${url} → 401`);
      }
    });
  });

  describe('when the public routes are asked without a token', () => {
    it('answers them', async () => {
      expect((await hotline.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
      expect((await hotline.app.inject({ method: 'GET', url: '/docs/json' })).statusCode).toBe(200);
      const login = await hotline.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'nobody', password: 'wrong' } });
      expect(login.json()).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED', message: 'wrong user name or password' });
    });
  });

  describe('when a client opens the CTI socket without a token', () => {
    it('refuses the upgrade with 401', async () => {
      const cti = `${hotline.url.replace('http', 'ws')}/cti`;
      expect(await refusedStatus(cti, ['hotline.cti.v1'])).toBe(401);
      expect(await refusedStatus(cti, ['hotline.cti.v1', `bearer.${'A'.repeat(43)}`])).toBe(401);
      expect(await refusedStatus(`${cti}?token=${'A'.repeat(43)}`)).toBe(401);
    });
  });
});

describe('the production server', () => {
  it('has no demo routes (the public demo phone exists only in the embedded demo)', async () => {
    const prefix = uniquePrefix('walk');
    const hotline = await startHotline(loadConfig({ PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_GRACE_MS: '0', REDIS_URL: inject('redisUrl'), REDIS_PREFIX: prefix }), createLogger('silent'));
    try {
      expect(routeList(hotline.app).filter((r) => r.url.startsWith('/api/demo'))).toEqual([]);
    } finally {
      await hotline.close();
      await deletePrefix(inject('redisUrl'), prefix);
    }
  });
});

/** A URL for a route pattern: every parameter and wildcard filled with a harmless value. */
function concrete(url: string): string {
  return url.replace(/:[A-Za-z0-9_]+/g, 'x1').replace(/\*/g, 'x1');
}

function hasBody(method: string): boolean {
  return method === 'POST' || method === 'PUT' || method === 'PATCH';
}
