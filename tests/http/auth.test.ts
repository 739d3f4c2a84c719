import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, login, type TestApp } from '../support/app.ts';

const adminOnly = async (app: FastifyInstance) => {
  app.get('/api/admin-thing', { config: { auth: ['admin'] }, schema: { response: { 200: Type.Object({ ok: Type.Boolean() }) } } }, async () => ({ ok: true }));
};

describe('authentication and roles', () => {
  let t: TestApp;
  afterEach(() => t?.app.close());

  describe('when no token is sent', () => {
    it('refuses an API route with 401 UNAUTHORIZED', async () => {
      t = await buildTestApp({ routes: [adminOnly] });
      const response = await t.app.inject({ method: 'GET', url: '/api/admin-thing' });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ code: 'UNAUTHORIZED' });
    });

    it('still answers the public health check', async () => {
      t = await buildTestApp();
      const response = await t.app.inject({ method: 'GET', url: '/health' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ status: 'up', components: { store: { up: true } } });
    });
  });

  describe('when the role does not match', () => {
    it('answers 403 FORBIDDEN naming the needed role', async () => {
      t = await buildTestApp({ routes: [adminOnly] });
      const agent = await login(t, ['agent']);
      const response = await t.app.inject({ method: 'GET', url: '/api/admin-thing', headers: agent });
      expect(response.statusCode).toBe(403);
      expect(response.json()).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('admin') });
    });
  });

  describe('when the role matches', () => {
    it('lets the request through and tells the user who they are', async () => {
      t = await buildTestApp({ routes: [adminOnly] });
      const admin = await login(t, ['admin']);
      expect((await t.app.inject({ method: 'GET', url: '/api/admin-thing', headers: admin })).json()).toEqual({ ok: true });
      const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: admin });
      expect(me.json()).toMatchObject({ username: admin.username, roles: ['admin'] });
    });
  });

  describe('when the user logs out', () => {
    it('the token stops working at once', async () => {
      t = await buildTestApp();
      const agent = await login(t, ['agent']);
      expect((await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: agent })).statusCode).toBe(204);
      expect((await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: agent })).statusCode).toBe(401);
    });
  });

  describe('when someone guesses passwords', () => {
    it('gives the same answer for unknown users and wrong passwords, then slows down with 429', async () => {
      t = await buildTestApp();
      await t.users.createUser({ username: 'li.na', displayName: '李娜', roles: ['agent'], password: 'right-password' });
      const attempt = (username: string) => t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 'wrong' } });
      const unknown = await attempt('nobody');
      const wrong = await attempt('li.na');
      expect(unknown.json().message).toBe(wrong.json().message);
      for (let i = 0; i < 4; i++) await attempt('li.na'); // five wrong guesses in all
      const locked = await attempt('li.na');
      expect(locked.statusCode).toBe(429);
      expect(locked.headers['retry-after']).toBeDefined();
      const rightButLocked = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'li.na', password: 'right-password' } });
      expect(rightButLocked.statusCode).toBe(429);
    });
  });

  describe('when a route forgets to declare who may call it', () => {
    it('refuses to start', async () => {
      const undeclared = async (app: FastifyInstance) => {
        app.get('/api/oops', async () => ({}));
      };
      await expect(buildTestApp({ routes: [undeclared] })).rejects.toThrow(/declares no config.auth/);
    });
  });

  describe('when the body is malformed', () => {
    it('answers 400 BAD_REQUEST with a coded error', async () => {
      t = await buildTestApp();
      const response = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 5 } });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'BAD_REQUEST' });
    });
  });

  describe('when a route does not exist', () => {
    it('answers 404 NOT_FOUND', async () => {
      t = await buildTestApp();
      const response = await t.app.inject({ method: 'GET', url: '/api/nothing-here' });
      expect(response.json()).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    });
  });
});
