/**
 * Issue 8, "Done when": unauthenticated requests to every route and to the CTI socket are refused.
 * The walk reads the composed server's own route table (Fastify's `printRoutes`), so routes added
 * later are walked too; only the justified public list below may answer without a token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';
import { startHotline, type Hotline } from '../../src/server.ts';
import { refusedStatus } from '../cti/cti-helpers.ts';
import { routeList } from '../support/route-list.ts';

/**
 * Public on purpose: logging in needs no token; liveness and readiness probes (orchestrators and
 * load balancers carry no user token; they show component up/down, no personal data); the
 * OpenAPI description and its UI (the API's shape is not a secret; every operation still needs a
 * token). /metrics is not here: it answers Prometheus with METRICS_TOKEN, and is walked as a route
 * that needs a token.
 */
const publicRoutes = new Set([
  'POST /api/auth/login',
  'GET /health', 'HEAD /health', 'GET /ready', 'HEAD /ready',
]);
const isPublic = (method: string, url: string) => publicRoutes.has(`${method} ${url}`) || url === '/docs' || url.startsWith('/docs/');

describe('every route of the composed server', () => {
  let hotline: Hotline;
  beforeAll(async () => {
    hotline = await startHotline(loadConfig({ PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_GRACE_MS: '0', METRICS_TOKEN: 'metrics-token-for-tests-0123' }), createLogger('silent'));
  });
  afterAll(() => hotline.close());

  const walk = () => routeList(hotline.app).filter((r) => !isPublic(r.method, r.url));

  describe('when a request carries no token', () => {
    it('answers 401 UNAUTHORIZED on every route but the public ones', async () => {
      const routes = walk();
      expect(routes.length).toBeGreaterThan(30); // the walk found the feature routes, not just a few
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
    it('answers them (they exist, and the list names nothing that is not a route)', async () => {
      const all = routeList(hotline.app).map((r) => `${r.method} ${r.url}`);
      for (const route of publicRoutes) expect(all).toContain(route);
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

/** A URL for a route pattern: every parameter and wildcard filled with a harmless value. */
function concrete(url: string): string {
  return url.replace(/:[A-Za-z0-9_]+/g, 'x1').replace(/\*/g, 'x1');
}

function hasBody(method: string): boolean {
  return method === 'POST' || method === 'PUT' || method === 'PATCH';
}
