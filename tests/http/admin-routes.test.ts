import { afterEach, describe, expect, it } from 'vitest';
import { createAcdState, type AcdState } from '../../src/acd/acd-state.ts';
import { defaultQueues } from '../../src/acd/queue-config.ts';
import { createQueueSettings } from '../../src/acd/queue-settings.ts';
import type { UserService } from '../../src/auth/user-service.ts';
import { systemClock } from '../../src/clock.ts';
import { adminRoutes } from '../../src/http/routes/admin.ts';
import { createAuditLog, type AuditLog } from '../../src/security/audit-log.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { buildTestApp, login, type TestApp } from '../support/app.ts';

let world: TestApp | undefined;
afterEach(async () => {
  await world?.app.close();
  world = undefined;
});

async function build(): Promise<TestApp & { acd: AcdState; admin: string; adminName: string; audit: AuditLog }> {
  const store = createMemoryStore({ clock: systemClock });
  const acd = createAcdState({ store, clock: systemClock });
  const audit = createAuditLog({ store, clock: systemClock });
  const settings = createQueueSettings({ store, clock: systemClock, queues: defaultQueues });
  const late: { users?: UserService } = {};
  const users = {
    getUser: (name: string) => late.users!.getUser(name),
    listUsers: () => late.users!.listUsers(),
    updateUser: (name: string, patch: Parameters<UserService['updateUser']>[1]) => late.users!.updateUser(name, patch),
  };
  const built = await buildTestApp({ store, audit, routes: [adminRoutes({ users, acd, queues: defaultQueues, settings })] });
  late.users = built.users;
  world = built;
  const admin = await login(built, ['admin']);
  return { ...built, acd, audit, admin: admin.authorization, adminName: admin.username };
}

describe('admin routes: queues, skills, seats', () => {
  describe('when an admin assigns a seat and skills', () => {
    it('writes the extension to the user and the ACD, lists it, and reminds to re-render Asterisk', async () => {
      const app = await build();
      await app.users.createUser({ username: 'li.na', displayName: '李娜', roles: ['agent'], password: 'long-password-1' });
      const put = await app.app.inject({
        method: 'PUT', url: '/api/admin/seats/li.na', headers: { authorization: app.admin },
        payload: { extension: '1005', skills: { general: 5, transport: 3 } },
      });
      expect(put.statusCode, put.body).toBe(200);
      expect(put.json()).toEqual({
        seat: { username: 'li.na', displayName: '李娜', roles: ['agent'], extension: '1005', skills: { general: 5, transport: 3 }, state: 'logged_out' },
        asteriskReload: 'npm run asterisk:render -- --reload',
      });
      expect((await app.users.getUser('li.na'))?.extension).toBe('1005');
      expect(await app.acd.agent('li.na')).toMatchObject({ extension: '1005', skills: { general: 5, transport: 3 } });

      // Skills only: no Asterisk change to make.
      const again = await app.app.inject({
        method: 'PUT', url: '/api/admin/seats/li.na', headers: { authorization: app.admin }, payload: { extension: '1005', skills: { customs: 8 } },
      });
      expect(again.json()).toMatchObject({ seat: { skills: { customs: 8 } }, asteriskReload: null });

      const seats = (await app.app.inject({ method: 'GET', url: '/api/admin/seats', headers: { authorization: app.admin } })).json<Array<{ username: string }>>();
      expect(seats).toEqual([expect.objectContaining({ username: 'li.na', extension: '1005', skills: { customs: 8 } })]);
      const skills = (await app.app.inject({ method: 'GET', url: '/api/admin/skills', headers: { authorization: app.admin } })).json<Array<{ skill: string }>>();
      expect(skills.find((s) => s.skill === 'customs')).toEqual({ skill: 'customs', queues: ['customs'], agents: [{ agentId: 'li.na', level: 8 }] });
      const queues = (await app.app.inject({ method: 'GET', url: '/api/admin/queues', headers: { authorization: app.admin } })).json<Array<{ queueId: string }>>();
      expect(queues.find((q) => q.queueId === 'customs')).toMatchObject({ agents: 1, settings: { maxWaitSec: 180, version: 0 }, steps: [{ afterSec: 0, skills: ['customs'] }, { afterSec: 120, skills: ['customs', 'general'] }] });
    });
  });

  describe('when the change is not allowed', () => {
    it('refuses unknown skills, a taken extension, bad shapes, unknown users and a seat change while logged in, each with a code', async () => {
      const app = await build();
      await app.users.createUser({ username: 'a1', displayName: 'A', roles: ['agent'], password: 'long-password-1', extension: '1001' });
      await app.users.createUser({ username: 'a2', displayName: 'B', roles: ['agent'], password: 'long-password-1' });
      const put = (user: string, payload: unknown) => app.app.inject({ method: 'PUT', url: `/api/admin/seats/${user}`, headers: { authorization: app.admin }, payload: payload as object });
      expect((await put('a2', { extension: '1002', skills: { cooking: 3 } })).json()).toMatchObject({ statusCode: 400, code: 'BAD_REQUEST', message: expect.stringMatching(/unknown skill: cooking/) });
      expect((await put('a2', { extension: '1001' })).json()).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/already the seat of a1/) });
      expect((await put('a2', { extension: '0123' })).json()).toMatchObject({ code: 'BAD_REQUEST' });
      expect((await put('a2', { extension: '1002', skills: { general: 11 } })).json()).toMatchObject({ code: 'BAD_REQUEST' });
      expect((await put('a2', { extension: '1002', dial: 'PJSIP/evil' })).json()).toMatchObject({ code: 'BAD_REQUEST' });
      expect((await put('nobody', { extension: '1009' })).json()).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });

      await app.acd.upsertAgent('a1', { extension: '1001', skills: { general: 5 } });
      await app.acd.applyAgent('a1', { type: 'login', ready: false });
      expect((await put('a1', { extension: '1007' })).json()).toMatchObject({ statusCode: 409, code: 'AGENT_BAD_TRANSITION' });
      expect((await put('a1', { extension: '1001', skills: { general: 7 } })).statusCode).toBe(200); // skills may change while logged in
      expect((await app.users.getUser('a2'))?.extension).toBeUndefined();
    });

    it('answers only admins', async () => {
      const app = await build();
      const supervisor = await login(app, ['supervisor']);
      const agent = await login(app, ['agent'], { extension: '1003' });
      for (const who of [supervisor, agent]) {
        for (const [method, url] of [['GET', '/api/admin/seats'], ['GET', '/api/admin/queues'], ['GET', '/api/admin/skills'], ['PUT', `/api/admin/seats/${agent.username}`]] as const) {
          const response = await app.app.inject({ method, url, headers: { authorization: who.authorization }, ...(method === 'PUT' ? { payload: { extension: '1004' } } : {}) });
          expect(response.json(), `${method} ${url}`).toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
        }
      }
      expect((await app.app.inject({ method: 'GET', url: '/api/admin/seats' })).statusCode).toBe(401);
      expect((await app.users.getUser(agent.username))?.extension).toBe('1003');
    });
  });

  describe('when an admin changes a queue\'s settings (issue 5)', () => {
    const url = '/api/admin/queues/general/settings';

    it('shows the defaults until saved, saves a new version with who and when, lists it, and audits what changed', async () => {
      const app = await build();
      const before = await app.app.inject({ method: 'GET', url, headers: { authorization: app.admin } });
      expect(before.json()).toEqual({ queueId: 'general', maxWaitSec: 300, maxWaiting: 200, callbackKey: '1', record: true, version: 0, updatedAt: null, updatedBy: null });

      const put = await app.app.inject({ method: 'PUT', url, headers: { authorization: app.admin }, payload: { maxWaitSec: 90, maxWaiting: 500, callbackKey: '#', record: false, expectedVersion: 0 } });
      expect(put.statusCode, put.body).toBe(200);
      const admin = app.adminName;
      expect(put.json()).toEqual({ queueId: 'general', maxWaitSec: 90, maxWaiting: 500, callbackKey: '#', record: false, version: 1, updatedAt: expect.any(Number), updatedBy: admin });
      const queues = (await app.app.inject({ method: 'GET', url: '/api/admin/queues', headers: { authorization: app.admin } })).json<Array<{ queueId: string }>>();
      expect(queues.find((q) => q.queueId === 'general')).toMatchObject({ settings: { maxWaiting: 500, version: 1 } });
      expect(queues.find((q) => q.queueId === 'transport')).toMatchObject({ settings: { maxWaiting: 200, version: 0 } });

      // no callback key: callbacks off; an edit of a version that moved on is refused
      const off = await app.app.inject({ method: 'PUT', url, headers: { authorization: app.admin }, payload: { maxWaitSec: 90, maxWaiting: 0, record: false } });
      expect(off.json()).toEqual(expect.not.objectContaining({ callbackKey: expect.anything() }));
      expect(off.json()).toMatchObject({ maxWaiting: 0, version: 2 });
      const stale = await app.app.inject({ method: 'PUT', url, headers: { authorization: app.admin }, payload: { maxWaitSec: 60, maxWaiting: 10, record: true, expectedVersion: 1 } });
      expect(stale.json()).toMatchObject({ statusCode: 409, code: 'STORE_CONFLICT' });

      const entries = (await app.audit.list()).filter((e) => e.action === 'PUT /api/admin/queues/:queueId/settings');
      expect(entries.map(({ who, target, status, detail }) => ({ who, target, status, detail }))).toEqual([
        { who: admin, target: { queueId: 'general' }, status: 200, detail: 'maxWaitSec 300→90; maxWaiting 200→500; callbackKey 1→#; record true→false' },
        { who: admin, target: { queueId: 'general' }, status: 200, detail: 'maxWaiting 500→0; callbackKey #→none' },
        { who: admin, target: { queueId: 'general' }, status: 409, detail: undefined },
      ]);
    });

    it('refuses values out of range, a callback key off the keypad, unknown fields and queues, each with a code, and changes nothing', async () => {
      const app = await build();
      const good = { maxWaitSec: 300, maxWaiting: 200, callbackKey: '1', record: true };
      const put = (payload: unknown, at = url) => app.app.inject({ method: 'PUT', url: at, headers: { authorization: app.admin }, payload: payload as object });
      for (const bad of [
        { maxWaitSec: 3601 }, { maxWaitSec: -1 }, { maxWaitSec: 1.5 }, { maxWaiting: 10_001 },
        { callbackKey: '12' }, { callbackKey: 'A' }, { callbackKey: '' }, { record: 'yes' }, { priority: 3 },
      ]) {
        expect((await put({ ...good, ...bad })).json(), JSON.stringify(bad)).toMatchObject({ statusCode: 400, code: 'BAD_REQUEST' });
      }
      expect((await put({ maxWaitSec: 60, maxWaiting: 10 })).json()).toMatchObject({ statusCode: 400, code: 'BAD_REQUEST', message: expect.stringMatching(/record/) });
      expect((await put(good, '/api/admin/queues/nowhere/settings')).json()).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
      expect((await app.app.inject({ method: 'GET', url, headers: { authorization: app.admin } })).json()).toMatchObject({ ...good, version: 0 });
      expect((await put({ ...good, maxWaitSec: 3600, maxWaiting: 10_000, callbackKey: '0' })).statusCode).toBe(200); // the bounds themselves
    });

    it('answers only admins', async () => {
      const app = await build();
      const supervisor = await login(app, ['supervisor']);
      const agent = await login(app, ['agent'], { extension: '1003' });
      for (const who of [supervisor, agent]) {
        expect((await app.app.inject({ method: 'GET', url, headers: { authorization: who.authorization } })).json()).toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
        const put = await app.app.inject({ method: 'PUT', url, headers: { authorization: who.authorization }, payload: { maxWaitSec: 10, maxWaiting: 1, record: false } });
        expect(put.json()).toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
      }
      expect((await app.app.inject({ method: 'PUT', url, payload: { maxWaitSec: 10, maxWaiting: 1, record: false } })).statusCode).toBe(401);
      expect((await app.app.inject({ method: 'GET', url, headers: { authorization: app.admin } })).json()).toMatchObject({ maxWaiting: 200, version: 0 });
    });
  });

  describe('when the OpenAPI document is read', () => {
    it('lists the admin routes under the admin tag with their refusals', async () => {
      const app = await build();
      const doc = (await app.app.inject({ method: 'GET', url: '/docs/json' })).json<{ paths: Record<string, Record<string, { tags?: string[]; responses?: Record<string, unknown> }>> }>();
      for (const path of ['/api/admin/queues', '/api/admin/skills', '/api/admin/seats']) expect(doc.paths[path]?.get?.tags).toEqual(['admin']);
      expect(Object.keys(doc.paths['/api/admin/seats/{username}']?.put?.responses ?? {})).toEqual(expect.arrayContaining(['200', '400', '403', '404', '409']));
      expect(Object.keys(doc.paths['/api/admin/queues/{queueId}/settings']?.put?.responses ?? {})).toEqual(expect.arrayContaining(['200', '400', '403', '404', '409']));
      expect(doc.paths['/api/admin/queues/{queueId}/settings']?.get?.tags).toEqual(['admin']);
    });
  });

  describe('when a user record is updated directly', () => {
    it('changes the seat and keeps roles and password; null removes the seat', async () => {
      const app = await build();
      await app.users.createUser({ username: 'u1', displayName: 'U', roles: ['agent'], password: 'long-password-1', extension: '1001', unit: 'x' });
      expect(await app.users.updateUser('u1', { extension: '1002', displayName: 'U2' })).toEqual({ username: 'u1', displayName: 'U2', roles: ['agent'], extension: '1002', unit: 'x' });
      expect(await app.users.updateUser('u1', { extension: null, unit: null })).toEqual({ username: 'u1', displayName: 'U2', roles: ['agent'] });
      expect((await app.users.login('u1', 'long-password-1')).user.roles).toEqual(['agent']);
      expect((await app.users.listUsers()).map((u) => u.username)).toEqual([expect.stringMatching(/^admin-/), 'u1']);
      await expect(app.users.updateUser('nobody', { extension: '1003' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });
});

