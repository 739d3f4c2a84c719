import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createCallRecords } from '../../src/calls/call-records.ts';
import { errorCodes } from '../../src/errors.ts';
import { ticketRoutes } from '../../src/http/routes/tickets.ts';
import { createCallRatings } from '../../src/tickets/call-ratings.ts';
import { createKbService } from '../../src/tickets/kb-service.ts';
import { createTicketQueries } from '../../src/tickets/ticket-queries.ts';
import { createTicketService } from '../../src/tickets/ticket-service.ts';
import { ticketActions } from '../../src/tickets/ticket-states.ts';
import { buildTestApp, login, type TestApp } from '../support/app.ts';
import { backends, silent, type Backend } from './support.ts';

type Headers = { authorization: string };

describe.each(backends('tickets-http'))('ticket routes on the %s store', (_name, makeBackend) => {
  let t: TestApp;
  let backend: Backend;
  const as: Record<'agent' | 'department' | 'supervisor' | 'admin', Headers> = {} as never;

  beforeAll(async () => {
    backend = makeBackend();
    const store = backend.open();
    const deps = { store, clock: backend.clock };
    const calls = createCallRecords(deps);
    await calls.start({ callId: 'call-9', did: '12345', callerNumber: '13800138000' });
    const routes = ticketRoutes({ tickets: createTicketService({ ...deps, logger: silent }), kb: createKbService(deps), ratings: createCallRatings(deps), calls, queries: createTicketQueries(deps) });
    t = await buildTestApp({ store, clock: backend.clock, routes: [routes] });
    for (const role of ['agent', 'department', 'supervisor', 'admin'] as const) {
      as[role] = { authorization: (await login(t, [role], role === 'department' ? { unit: '市住房公积金管理中心' } : {})).authorization };
    }
  });
  afterAll(async () => {
    await t.app.close();
    await backend.dispose();
  });

  const body = { channel: 'web', caller: { phone: '13800138000', name: '李女士' }, content: '公积金提取进度咨询', category: 'consultation', urgency: 'general', matterType: '住房公积金' };

  async function create(): Promise<string> {
    const response = await t.app.inject({ method: 'POST', url: '/api/tickets', headers: as.agent, payload: body });
    expect(response.statusCode).toBe(201);
    return response.json<{ id: string }>().id;
  }
  const act = (id: string, action: string, headers: Headers, payload: object = {}) =>
    t.app.inject({ method: 'POST', url: `/api/tickets/${id}/actions/${action}`, headers, payload });

  describe('when an agent registers and the ticket is worked through the API', () => {
    it('moves with each role doing its part and shows it in the caller history', async () => {
      const id = await create();
      expect((await act(id, 'queue_dispatch', as.agent)).statusCode).toBe(200);
      expect((await act(id, 'dispatch', as.agent)).json()).toMatchObject({ state: 'dispatched', leadUnit: '市住房公积金管理中心', light: 'green' });
      expect((await act(id, 'sign', as.department)).json()).toMatchObject({ state: 'signed' });
      const history = await t.app.inject({ method: 'GET', url: '/api/callers/13800138000/history', headers: as.agent });
      expect(history.json<{ tickets: Array<{ id: string }> }>().tickets[0]!.id).toBe(id);
      expect(history.json<{ calls: Array<{ callId: string }> }>().calls.map((c) => c.callId)).toEqual(['call-9']);
      const trail = await t.app.inject({ method: 'GET', url: `/api/tickets/${id}/audit`, headers: as.supervisor });
      expect(trail.json<Array<{ to: string }>>().map((e) => e.to)).toEqual(['registered', 'pending_dispatch', 'dispatched', 'signed']);
    });
  });

  describe('when a unit lists its work and a supervisor samples closed tickets', () => {
    it('filters by state and unit, and samples only closed tickets', async () => {
      const id = await create();
      await act(id, 'queue_dispatch', as.agent);
      await act(id, 'dispatch', as.agent, { unit: '市税务局' });
      const byUnit = (headers: Headers) => t.app.inject({ method: 'GET', url: '/api/tickets?state=dispatched&unit=%E5%B8%82%E7%A8%8E%E5%8A%A1%E5%B1%80', headers });
      expect((await byUnit(as.supervisor)).json<Array<{ id: string }>>().map((x) => x.id)).toEqual([id]);
      expect((await byUnit(as.department)).json()).toEqual([]); // another unit's tickets
      const closed = await create();
      await act(closed, 'direct_answer', as.agent, { reply: '已答复' });
      await act(closed, 'close', as.agent);
      const sample = await t.app.inject({ method: 'GET', url: '/api/tickets/sample?limit=5', headers: as.supervisor });
      expect(sample.json<Array<{ id: string; state: string }>>().map((x) => [x.id, x.state])).toEqual([[closed, 'closed']]);
      expect((await t.app.inject({ method: 'GET', url: '/api/tickets?state=nonsense', headers: as.agent })).json()).toMatchObject({ code: 'BAD_REQUEST' });
    });
  });

  describe('when a department acts on a ticket dispatched to another unit', () => {
    it('is refused with 403 and the ticket does not move', async () => {
      const { id } = (await t.app.inject({ method: 'POST', url: '/api/tickets', headers: as.agent, payload: body })).json<{ id: string }>();
      await act(id, 'queue_dispatch', as.agent);
      await act(id, 'dispatch', as.agent, { unit: '市税务局' });
      expect((await act(id, 'sign', as.department)).json()).toMatchObject({ statusCode: 403, code: 'TICKET_FORBIDDEN_ACTION' });
      const other = { authorization: (await login(t, ['department'])).authorization }; // no unit at all
      expect((await act(id, 'sign', other)).json()).toMatchObject({ statusCode: 403, code: 'TICKET_FORBIDDEN_ACTION' });
      const taxOffice = { authorization: (await login(t, ['department'], { unit: '市税务局' })).authorization };
      expect((await act(id, 'sign', taxOffice)).json()).toMatchObject({ state: 'signed' });
    });
  });

  describe('when a ticket is confidential', () => {
    it('hides the caller from departments but not from agents', async () => {
      const response = await t.app.inject({ method: 'POST', url: '/api/tickets', headers: as.agent, payload: { ...body, confidential: true, category: 'report', caller: { name: '王某', phone: '13912345678', address: '某小区' } } });
      const { id } = response.json<{ id: string }>();
      const seen = (headers: Headers) => t.app.inject({ method: 'GET', url: `/api/tickets/${id}`, headers }).then((r) => r.json<{ caller: unknown }>().caller);
      expect(await seen(as.agent)).toEqual({ name: '王某', phone: '13912345678', address: '某小区' });
      await act(id, 'queue_dispatch', as.agent);
      await act(id, 'dispatch', as.agent);
      expect(await seen(as.department)).toEqual({ name: '保密', phone: '139****5678' });
      expect((await act(id, 'sign', as.department)).json<{ caller: { phone: string } }>().caller.phone).toBe('139****5678');
    });
  });

  describe('when a department looks at tickets of another unit', () => {
    it('does not find them, by id, in its list or in the audit trail, while its own unit\'s are there', async () => {
      const id = await create();
      await act(id, 'queue_dispatch', as.agent);
      await act(id, 'dispatch', as.agent); // to 市住房公积金管理中心 (matter type 住房公积金)
      const other = { authorization: (await login(t, ['department'], { unit: '市交通运输局' })).authorization };
      const get = (url: string, headers: Headers) => t.app.inject({ method: 'GET', url, headers });
      expect((await get(`/api/tickets/${id}`, other)).json()).toMatchObject({ code: 'TICKET_NOT_FOUND' });
      expect((await get(`/api/tickets/${id}/audit`, other)).statusCode).toBe(404);
      expect((await get('/api/tickets?limit=200', other)).json<Array<{ id: string }>>().map((ticket) => ticket.id)).not.toContain(id);
      expect((await get('/api/tickets?limit=200&unit=市住房公积金管理中心', other)).json()).toEqual([]);
      expect((await get(`/api/tickets/${id}`, as.department)).statusCode).toBe(200);
      expect((await get('/api/tickets?limit=200', as.department)).json<Array<{ id: string }>>().map((ticket) => ticket.id)).toContain(id);
    });
  });

  describe('when a role makes a move that is not its own', () => {
    it('answers 403 TICKET_FORBIDDEN_ACTION, and 409 TICKET_BAD_TRANSITION for a move the state does not allow', async () => {
      const id = await create();
      expect((await act(id, 'queue_dispatch', as.department)).json()).toMatchObject({ statusCode: 403, code: 'TICKET_FORBIDDEN_ACTION' });
      expect((await act(id, 'reply', as.department, { reply: 'x' })).json()).toMatchObject({ statusCode: 409, code: 'TICKET_BAD_TRANSITION' });
      expect((await t.app.inject({ method: 'POST', url: '/api/tickets', headers: as.department, payload: body })).statusCode).toBe(403);
    });
  });

  describe('when supervisors and admins use their routes', () => {
    it('reports KPIs and validates configuration changes', async () => {
      const kpis = await t.app.inject({ method: 'GET', url: '/api/tickets/kpis?category=consultation', headers: as.supervisor });
      expect(kpis.statusCode).toBe(200);
      expect(kpis.json<{ tickets: number }>().tickets).toBeGreaterThan(0);
      const config = (await t.app.inject({ method: 'GET', url: '/api/tickets/config', headers: as.agent })).json<{ yellowShare: number; catalogue: unknown[] }>();
      const bad = await t.app.inject({ method: 'PUT', url: '/api/tickets/config', headers: as.admin, payload: { ...config, catalogue: [{ matterType: 'x', leadUnit: 'nobody', assistingUnits: [] }] } });
      expect(bad.json()).toMatchObject({ statusCode: 400, code: 'TICKET_INVALID' });
      const good = await t.app.inject({ method: 'PUT', url: '/api/tickets/config', headers: as.admin, payload: { ...config, yellowShare: 0.7 } });
      expect(good.json()).toMatchObject({ yellowShare: 0.7 });
      expect((await t.app.inject({ method: 'PUT', url: '/api/tickets/config', headers: as.supervisor, payload: config })).statusCode).toBe(403);
    });
  });

  describe('when a unit maintains the knowledge base', () => {
    it('creates, versions and finds articles in Chinese', async () => {
      const created = await t.app.inject({ method: 'POST', url: '/api/kb/articles', headers: as.department, payload: { title: '出入境证件：护照办理', body: '携带身份证办理', unit: '市公安局', tags: ['出入境'] } });
      expect(created.statusCode).toBe(201);
      const { id } = created.json<{ id: string }>();
      await t.app.inject({ method: 'PUT', url: `/api/kb/articles/${id}`, headers: as.department, payload: { title: '出入境证件：护照办理指南', body: '携带身份证和照片办理', unit: '市公安局', expectedVersion: 1 } });
      const found = await t.app.inject({ method: 'GET', url: `/api/kb/search?q=${encodeURIComponent('护照')}`, headers: as.agent });
      expect(found.json<Array<{ title: string }>>()[0]!.title).toBe('出入境证件：护照办理指南');
      expect((await t.app.inject({ method: 'GET', url: `/api/kb/articles/${id}/versions`, headers: as.agent })).json()).toHaveLength(2);
      expect((await t.app.inject({ method: 'POST', url: '/api/kb/articles', headers: as.agent, payload: { title: 'x', body: 'y', unit: 'z' } })).statusCode).toBe(403);
    });
  });

  describe('when the OpenAPI document is read', () => {
    it('lists the ticket and knowledge-base routes', async () => {
      const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json<{ paths: Record<string, unknown> }>();
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/tickets', '/api/tickets/{id}/actions/{action}', '/api/kb/search', '/api/callers/{phone}/history']));
    });
  });

  describe('when random bodies hit every ticket route', () => {
    const store = () => t.store;
    const snapshot = async (id: string) => JSON.stringify([await store().get(`ticket:${id}`), await store().xrange(`ticket-audit:${id}`, '0', 1000), await store().zcard('tickets:all')]);
    const junk = fc.oneof(fc.jsonValue(), fc.object(), fc.record({ reason: fc.jsonValue(), unit: fc.jsonValue(), reply: fc.jsonValue(), extension: fc.jsonValue(), into: fc.jsonValue(), outcome: fc.jsonValue() }, { requiredKeys: [] }));

    it('always answers 4xx with a registered code (never 5xx) and half-writes nothing', async () => {
      const id = await create();
      await fc.assert(fc.asyncProperty(
        fc.constantFrom(...ticketActions, 'bogus'), junk, fc.constantFrom<keyof typeof as>('agent', 'department', 'supervisor', 'admin'),
        async (action, payload, role) => {
          const before = await snapshot(id);
          const response = await act(id, action, as[role], payload as object);
          expect(response.statusCode).toBeLessThan(500);
          if (response.statusCode >= 400) {
            expect(Object.keys(errorCodes)).toContain(response.json<{ code: string }>().code);
            expect(await snapshot(id)).toBe(before);
          }
        },
      ), { numRuns: 150 });
    });

    it('refuses random intake, config, KB and query input with a coded 4xx', async () => {
      const routes: Array<[string, string, keyof typeof as]> = [
        ['POST', '/api/tickets', 'agent'], ['PUT', '/api/tickets/config', 'admin'], ['POST', '/api/kb/articles', 'admin'], ['PUT', '/api/kb/articles/kb-1', 'admin'],
      ];
      const ticketsBefore = await store().zcard('tickets:all');
      await fc.assert(fc.asyncProperty(fc.constantFrom(...routes), junk, async ([method, url, role], payload) => {
        const response = await t.app.inject({ method: method as 'POST', url, headers: as[role], payload: payload as object });
        expect(response.statusCode).toBeGreaterThanOrEqual(400);
        expect(response.statusCode).toBeLessThan(500);
        expect(Object.keys(errorCodes)).toContain(response.json<{ code: string }>().code);
      }), { numRuns: 150 });
      await fc.assert(fc.asyncProperty(fc.string(), fc.constantFrom('/api/kb/search?q=', '/api/tickets/kpis?from=', '/api/callers/', '/api/tickets/', '/api/tickets?state=', '/api/tickets/sample?limit='), async (text, base) => {
        const response = await t.app.inject({ method: 'GET', url: base + encodeURIComponent(text), headers: as.supervisor });
        expect(response.statusCode).toBeLessThan(500);
      }), { numRuns: 150 });
      expect(await store().zcard('tickets:all')).toBe(ticketsBefore);
    });
  });
});
