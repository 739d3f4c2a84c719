import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/clock.ts';
import { flowRoutes } from '../../src/http/routes/flows.ts';
import { createFlowVersions } from '../../src/ivr/versions/flow-versions.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { buildTestApp, login, type TestApp } from '../support/app.ts';
import { flowWithWarning, testFlow } from './test-flows.ts';

interface VersionBody { version: { hash: string; seq: number; author: string; message: string; publishedAt: string }; changed: boolean }

describe('flow routes', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.app.close();
    t = undefined;
  });

  async function setup() {
    const clock = createManualClock();
    const store = createMemoryStore({ clock });
    const versions = createFlowVersions({ store, clock });
    t = await buildTestApp({ clock, store, routes: [flowRoutes({ versions })] });
    const admin = await login(t, ['admin']);
    const supervisor = await login(t, ['supervisor']);
    const agent = await login(t, ['agent']);
    const app = t.app;
    const publish = (flow: unknown, expectedHash: string | null, message = 'm', headers = admin) =>
      app.inject({ method: 'POST', url: '/api/flows/test-flow/publish', headers, payload: { flow, expectedHash, message } });
    return { app, admin, supervisor, agent, publish, versions };
  }

  describe('when the OpenAPI document is read', () => {
    it('describes every flow route', async () => {
      const { app } = await setup();
      const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json<{ paths: Record<string, unknown> }>();
      expect(Object.keys(doc.paths).filter((p) => p.startsWith('/api/flows')).sort()).toEqual([
        '/api/flows', '/api/flows/audit', '/api/flows/lint', '/api/flows/{flowId}/diff', '/api/flows/{flowId}/publish',
        '/api/flows/{flowId}/rollback', '/api/flows/{flowId}/simulate', '/api/flows/{flowId}/versions', '/api/flows/{flowId}/versions/{ref}',
      ]);
    });
  });

  describe('when an admin publishes a draft', () => {
    it('answers 201 with the version (author = the admin), and supervisors see it live', async () => {
      const { app, admin, supervisor, publish } = await setup();
      const response = await publish(testFlow(), null, 'first version');
      expect(response.statusCode).toBe(201);
      const body = response.json<VersionBody>();
      expect(body.version).toMatchObject({ seq: 1, author: admin.username, message: 'first version' });
      const list = await app.inject({ method: 'GET', url: '/api/flows', headers: supervisor });
      expect(list.json()).toEqual([{ flowId: 'test-flow', live: body.version && { ...body.version, flowId: 'test-flow' }, staging: null, versions: 1 }]);
      const live = await app.inject({ method: 'GET', url: '/api/flows/test-flow/versions/live', headers: supervisor });
      expect(live.json<{ flow: unknown }>().flow).toEqual(testFlow());
    });
  });

  describe('when another admin published in between', () => {
    it('answers 409 FLOW_VERSION_CONFLICT', async () => {
      const { publish } = await setup();
      const first = (await publish(testFlow(), null)).json<VersionBody>();
      expect((await publish(testFlow('test-flow', 'sound:hotline/b'), first.version.hash)).statusCode).toBe(201);
      const late = await publish(testFlow('test-flow', 'sound:hotline/c'), first.version.hash);
      expect([late.statusCode, late.json<{ code: string }>().code]).toEqual([409, 'FLOW_VERSION_CONFLICT']);
    });
  });

  describe('when the draft has findings', () => {
    it('lint returns errors and warnings with JSON paths; publish answers 422 with them', async () => {
      const { app, supervisor, publish } = await setup();
      const lint = await app.inject({ method: 'POST', url: '/api/flows/lint', headers: supervisor, payload: { flow: flowWithWarning() } });
      expect(lint.json()).toMatchObject({ ok: true, publishable: false, errors: [] });
      expect(lint.json<{ warnings: Array<{ path: string }> }>().warnings.map((w) => w.path)).toContain('/nodes/orphan');
      const text = await app.inject({ method: 'POST', url: '/api/flows/lint', headers: supervisor, payload: { text: '{"id":"a","id":"b"}' } });
      expect(text.json<{ ok: boolean }>().ok).toBe(false);
      const refused = await publish({ ...testFlow(), entry: 'missing' }, null);
      expect(refused.statusCode).toBe(422);
      expect(refused.json()).toMatchObject({ code: 'FLOW_INVALID', errors: [expect.objectContaining({ path: '/entry' })] });
    });
  });

  describe('when input is malformed', () => {
    it('answers 4xx with a code, never 5xx', async () => {
      const { app, admin, publish } = await setup();
      const cases = [
        await publish(testFlow('other'), null),
        await app.inject({ method: 'POST', url: '/api/flows/test-flow/publish', headers: admin, payload: { flow: testFlow(), message: 'm' } }),
        await app.inject({ method: 'POST', url: '/api/flows/test-flow/publish', headers: admin, payload: '{"flow":' }),
        await app.inject({ method: 'GET', url: '/api/flows/__proto__/versions/live', headers: admin }),
        await app.inject({ method: 'GET', url: '/api/flows/test-flow/versions/live', headers: admin }),
        await app.inject({ method: 'POST', url: '/api/flows/test-flow/rollback', headers: admin, payload: { hash: 'f'.repeat(64), message: 'm' } }),
        await app.inject({ method: 'POST', url: '/api/flows/lint', headers: admin, payload: { text: 'x'.repeat(200 * 1024) } }),
        await app.inject({ method: 'GET', url: '/api/flows/test-flow/diff?from=nope', headers: admin }),
      ];
      expect(cases.map((r) => [r.statusCode, r.json<{ code: string }>().code])).toEqual([
        [400, 'BAD_REQUEST'], [400, 'BAD_REQUEST'], [400, 'BAD_REQUEST'], [400, 'BAD_REQUEST'],
        [404, 'FLOW_NOT_FOUND'], [404, 'FLOW_NOT_FOUND'], [413, 'PAYLOAD_TOO_LARGE'], [400, 'BAD_REQUEST'],
      ]);
    });
  });

  describe('when a user without the admin role writes', () => {
    it('answers 403 to supervisors and agents, 401 without a token; agents cannot read', async () => {
      const { app, supervisor, agent, publish } = await setup();
      expect((await publish(testFlow(), null, 'm', supervisor)).statusCode).toBe(403);
      expect((await app.inject({ method: 'POST', url: '/api/flows/test-flow/publish', payload: { flow: testFlow(), expectedHash: null, message: 'm' } })).statusCode).toBe(401);
      expect((await app.inject({ method: 'GET', url: '/api/flows', headers: agent })).statusCode).toBe(403);
    });
  });

  describe('when an admin rolls back and compares', () => {
    it('repoints live, shows the diff and the audit trail', async () => {
      const { app, admin, supervisor, publish } = await setup();
      const v1 = (await publish(testFlow(), null, 'v1')).json<VersionBody>();
      const v2 = (await publish(testFlow('test-flow', 'sound:hotline/v2'), v1.version.hash, 'v2')).json<VersionBody>();
      const diff = await app.inject({ method: 'GET', url: `/api/flows/test-flow/diff?from=${v1.version.hash}&to=live`, headers: supervisor });
      expect(diff.json<{ changes: unknown[] }>().changes).toEqual([
        { op: 'changed', path: '/nodes/greeting/prompt/zh-CN/sound', before: 'sound:hotline/greeting-12345', after: 'sound:hotline/v2' },
      ]);
      const back = await app.inject({ method: 'POST', url: '/api/flows/test-flow/rollback', headers: admin, payload: { hash: v1.version.hash, message: 'bad greeting', expectedHash: v2.version.hash } });
      expect(back.statusCode).toBe(200);
      const live = await app.inject({ method: 'GET', url: '/api/flows/test-flow/versions/live', headers: supervisor });
      expect(live.json<{ hash: string }>().hash).toBe(v1.version.hash);
      const audit = await app.inject({ method: 'GET', url: '/api/flows/audit?flowId=test-flow', headers: supervisor });
      expect(audit.json<Array<{ action: string; message: string; author: string }>>().map((e) => [e.action, e.message, e.author])).toEqual([
        ['publish', 'v1', admin.username], ['publish', 'v2', admin.username], ['rollback', 'bad greeting', admin.username],
      ]);
      const list = await app.inject({ method: 'GET', url: '/api/flows/test-flow/versions', headers: supervisor });
      expect(list.json<Array<{ seq: number }>>().map((v) => v.seq)).toEqual([2, 1]);
    });
  });

  describe('when an admin simulates a draft or the live version', () => {
    it('returns the transcript: what the caller heard and how the call left', async () => {
      const { app, admin, publish } = await setup();
      await publish(testFlow(), null);
      const live = await app.inject({
        method: 'POST', url: '/api/flows/test-flow/simulate', headers: admin,
        payload: { scenario: { events: [{ at: 500, dtmf: '9' }, { at: 10_000, dtmf: '#' }] } },
      });
      expect(live.statusCode).toBe(200);
      const transcript = live.json<{ nodes: string[]; exit: { reason: string }; commands: Array<{ command: { type: string; category?: string } }> }>();
      expect(transcript.nodes).toEqual(['greeting', 'feedback', 'file_ticket', 'thanks', 'bye']);
      expect(transcript.exit.reason).toBe('hangup');
      expect(transcript.commands.map((c) => c.command).filter((c) => c.type === 'fileTicket')).toMatchObject([{ category: 'suggestion' }]);
      const draft = await app.inject({
        method: 'POST', url: '/api/flows/test-flow/simulate', headers: admin,
        payload: { flow: testFlow('test-flow', 'sound:hotline/draft'), scenario: { queue: [{ outcome: 'answered', afterMs: 1000 }] } },
      });
      expect(draft.json()).toMatchObject({ nodes: ['greeting', 'to_queue'], exit: { reason: 'agent' } });
      const broken = await app.inject({
        method: 'POST', url: '/api/flows/test-flow/simulate', headers: admin, payload: { flow: { ...testFlow(), entry: 'x' }, scenario: {} },
      });
      expect([broken.statusCode, broken.json<{ code: string }>().code]).toEqual([422, 'FLOW_INVALID']);
    });
  });

  describe('when an admin lints or simulates a draft that calls another flow', () => {
    it('resolves the child from its live version, and reports a child that has none by the subflow node\'s path', async () => {
      const { app, admin, supervisor, versions } = await setup();
      const child = { id: 'thanks-child', title: 'Thanks', languages: ['zh-CN'], entry: 'say', nodes: {
        say: { type: 'play', prompt: { 'zh-CN': { sound: 'sound:hotline/child-thanks' } }, next: 'back' }, back: { type: 'return' } } };
      const parent = { ...testFlow(), nodes: { ...testFlow().nodes, thanks: { type: 'subflow', flow: 'thanks-child', next: 'bye' } } };
      const before = await app.inject({ method: 'POST', url: '/api/flows/lint', headers: supervisor, payload: { flow: parent } });
      expect(before.json<{ errors: Array<{ rule: string; path: string }> }>().errors).toMatchObject([{ rule: 'unknown-subflow', path: '/nodes/thanks/flow' }]);
      await versions.publish({ flow: child, author: 'admin', message: 'child', expectedHash: null });
      const after = await app.inject({ method: 'POST', url: '/api/flows/lint', headers: supervisor, payload: { text: JSON.stringify(parent) } });
      expect(after.json()).toMatchObject({ ok: true, publishable: true, errors: [], warnings: [] });
      const run = await app.inject({
        method: 'POST', url: '/api/flows/test-flow/simulate', headers: admin,
        payload: { flow: parent, scenario: { events: [{ at: 500, dtmf: '9' }, { at: 10_000, dtmf: '#' }] } },
      });
      expect(run.json()).toMatchObject({ nodes: ['greeting', 'feedback', 'file_ticket', 'thanks', 'thanks__say', 'thanks__back', 'bye'], exit: { reason: 'hangup' } });
    });
  });
});
