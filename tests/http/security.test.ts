/**
 * The HTTP hardening of issue 8: security headers and CSP, CORS for configured origins only, the
 * body limit, revoking a user's sessions, the per-address login limit, and what reaches the log.
 */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createUserService, type UserService } from '../../src/auth/user-service.ts';
import { systemClock } from '../../src/clock.ts';
import { buildApp } from '../../src/http/app.ts';
import { createLogger } from '../../src/log.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import type { Role } from '../../src/auth/roles.ts';

const origin = 'https://desk.example.gov.cn';

interface Built {
  readonly app: FastifyInstance;
  readonly users: UserService;
  readonly lines: string[];
}

async function build(): Promise<Built> {
  const store = createMemoryStore({ clock: systemClock });
  const users = createUserService({ store, clock: systemClock });
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } });
  const app = await buildApp({
    logger: createLogger('info', sink), users, health: [], mode: { asterisk: 'test', store: 'memory' }, corsOrigins: [origin],
    routes: [async (a) => {
      a.get('/page', { config: { auth: 'public' } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send('<!doctype html><p>hi</p>'));
      a.get('/api/callers/:phone/history', { config: { auth: ['agent'] } }, async () => ({ tickets: [] }));
    }],
  });
  return { app, users, lines };
}

async function tokenOf(t: Built, username: string, roles: readonly Role[]): Promise<string> {
  await t.users.createUser({ username, displayName: username, roles, password: 'test-password-1' }).catch(() => undefined);
  const response = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 'test-password-1' } });
  return response.json<{ token: string }>().token;
}

describe('HTTP hardening', () => {
  let t: Built;
  afterEach(() => t?.app.close());

  describe('when any response goes out', () => {
    it('carries the security headers; JSON gets a CSP that loads nothing, pages one that loads only their own files', async () => {
      t = await build();
      const api = await t.app.inject({ method: 'GET', url: '/health' });
      expect(api.headers).toMatchObject({
        'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer',
        'content-security-policy': expect.stringContaining("default-src 'none'"),
      });
      const page = await t.app.inject({ method: 'GET', url: '/page' });
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(page.headers['content-security-policy']).not.toContain('unsafe-inline');
      const refused = await t.app.inject({ method: 'GET', url: '/api/callers/13800138000/history' });
      expect(refused.headers['x-frame-options']).toBe('DENY'); // errors too
      expect(refused.headers['strict-transport-security']).toBeUndefined(); // plain HTTP here; set behind TLS only
    });
  });

  describe('when a browser on another origin calls the API', () => {
    it('allows the configured origin, preflight included, and no other', async () => {
      t = await build();
      const preflight = await t.app.inject({ method: 'OPTIONS', url: '/api/auth/me', headers: { origin, 'access-control-request-method': 'GET' } });
      expect(preflight.statusCode).toBe(204);
      expect(preflight.headers).toMatchObject({ 'access-control-allow-origin': origin, 'access-control-allow-headers': expect.stringContaining('authorization') });
      const call = await t.app.inject({ method: 'GET', url: '/health', headers: { origin } });
      expect(call.headers['access-control-allow-origin']).toBe(origin);

      const evil = 'https://evil.example.com';
      const refused = await t.app.inject({ method: 'OPTIONS', url: '/api/auth/me', headers: { origin: evil, 'access-control-request-method': 'GET' } });
      expect(refused.json()).toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();
      expect((await t.app.inject({ method: 'GET', url: '/health', headers: { origin: evil } })).headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('when a body is too large', () => {
    it('answers 413 PAYLOAD_TOO_LARGE', async () => {
      t = await build();
      const response = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'x', password: 'y'.repeat(300 * 1024) } });
      expect(response.json()).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
    });
  });

  describe('when an admin revokes a user\'s sessions', () => {
    it('ends every session of that user at once, and only admins may', async () => {
      t = await build();
      const laptop = await tokenOf(t, 'li.na', ['agent']);
      const phone = await tokenOf(t, 'li.na', ['agent']);
      const other = await tokenOf(t, 'wang.wei', ['agent']);
      const admin = await tokenOf(t, 'admin1', ['admin']);
      const me = (token: string) => t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } }).then((r) => r.statusCode);

      const byAgent = await t.app.inject({ method: 'DELETE', url: '/api/users/li.na/sessions', headers: { authorization: `Bearer ${other}` } });
      expect(byAgent.json()).toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
      const revoked = await t.app.inject({ method: 'DELETE', url: '/api/users/li.na/sessions', headers: { authorization: `Bearer ${admin}` } });
      expect(revoked.json()).toEqual({ revoked: 2 });
      expect([await me(laptop), await me(phone), await me(other)]).toEqual([401, 401, 200]);
      expect((await t.app.inject({ method: 'DELETE', url: '/api/users/nobody/sessions', headers: { authorization: `Bearer ${admin}` } })).statusCode).toBe(404);
    });

    it('lets a user end their own sessions everywhere', async () => {
      t = await build();
      const a = await tokenOf(t, 'li.na', ['agent']);
      const b = await tokenOf(t, 'li.na', ['agent']);
      const all = await t.app.inject({ method: 'POST', url: '/api/auth/logout-all', headers: { authorization: `Bearer ${a}` } });
      expect(all.json()).toEqual({ revoked: 2 });
      expect((await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${b}` } })).statusCode).toBe(401);
    });
  });

  describe('when one address guesses many user names', () => {
    it('refuses that address with 429 after 30 failures, even with a right password, and not other addresses', async () => {
      t = await build();
      await t.users.createUser({ username: 'li.na', displayName: '李娜', roles: ['agent'], password: 'right-password' });
      const attempt = (username: string, password: string, remoteAddress: string) =>
        t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password }, remoteAddress });
      for (let i = 0; i < 30; i++) expect((await attempt(`guess${i}`, 'wrong', '10.9.9.9')).statusCode).toBe(401);
      const blocked = await attempt('li.na', 'right-password', '10.9.9.9');
      expect(blocked.json()).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
      expect(blocked.headers['retry-after']).toBe('900');
      expect((await attempt('li.na', 'right-password', '10.1.1.1')).statusCode).toBe(200);
    });
  });

  describe('when requests are logged', () => {
    it('masks caller numbers in URLs and never writes a token', async () => {
      t = await build();
      const token = await tokenOf(t, 'li.na', ['agent']);
      await t.app.inject({ method: 'GET', url: '/api/callers/13800138000/history', headers: { authorization: `Bearer ${token}` } });
      const log = t.lines.join('');
      expect(log).toContain('/api/callers/138****8000/history');
      expect(log).not.toContain('13800138000');
      expect(log).not.toContain(token);
      expect(log).not.toContain('test-password-1');
    });
  });
});
