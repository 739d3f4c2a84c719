import { afterEach, describe, expect, inject, it } from 'vitest';
import { defaultRoster, type Roster } from '../../src/acd/shifts.ts';
import { createStaffing } from '../../src/acd/staffing.ts';
import { createCallRecords } from '../../src/calls/call-records.ts';
import { systemClock } from '../../src/clock.ts';
import { staffingRoutes } from '../../src/http/routes/staffing.ts';
import { createLogger } from '../../src/log.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { createRedisStore } from '../../src/store/redis-store.ts';
import type { Store } from '../../src/store/store.ts';
import { buildTestApp, login, type TestApp } from '../support/app.ts';
import { deletePrefix, uniquePrefix } from '../support/redis.ts';

const roster: Roster = {
  shifts: [
    { id: 'day', name: '白班', start: '08:00', end: '20:00', weekdays: [1, 2, 3, 4, 5, 6, 7] },
    { id: 'night', name: '夜班', start: '20:00', end: '08:00', weekdays: [1, 2, 3, 4, 5, 6, 7] },
  ],
  assignments: { agent1001: ['day'] },
  headcounts: { day: 2, night: 1 },
};

describe('the roster and coverage API', () => {
  let t: TestApp;
  afterEach(() => t.app.close());

  async function build(store: Store = createMemoryStore()) {
    const staffing = createStaffing({ store, clock: systemClock, records: createCallRecords({ store, clock: systemClock }) });
    t = await buildTestApp({ store, routes: [staffingRoutes({ staffing, queueIds: ['general', 'transport'] })] });
    return { supervisor: await login(t, ['supervisor']) };
  }

  describe('when nobody saved a roster yet', () => {
    it('shows the demo roster at version 0', async () => {
      const { supervisor } = await build();
      const response = await t.app.inject({ method: 'GET', url: '/api/acd/roster', headers: supervisor });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ ...defaultRoster, version: 0, updatedAt: null, updatedBy: null });
    });
  });

  describe('when a supervisor saves a roster', () => {
    it('is stored with the next version and who saved it', async () => {
      const { supervisor } = await build();
      const saved = await t.app.inject({ method: 'PUT', url: '/api/acd/roster', headers: supervisor, payload: { ...roster, expectedVersion: 0 } });
      expect(saved.statusCode).toBe(200);
      expect(saved.json()).toMatchObject({ version: 1, updatedBy: supervisor.username });
      const read = await t.app.inject({ method: 'GET', url: '/api/acd/roster', headers: supervisor });
      expect(read.json()).toMatchObject({ ...roster, version: 1 });
    });

    it('is refused when another supervisor saved since they read it', async () => {
      const { supervisor } = await build();
      await t.app.inject({ method: 'PUT', url: '/api/acd/roster', headers: supervisor, payload: roster });
      const stale = await t.app.inject({ method: 'PUT', url: '/api/acd/roster', headers: supervisor, payload: { ...roster, expectedVersion: 0 } });
      expect(stale.statusCode).toBe(409);
      expect(stale.json()).toMatchObject({ code: 'STORE_CONFLICT' });
    });
  });

  describe('when the roster is wrong', () => {
    it('answers 400 with a code and the field', async () => {
      const { supervisor } = await build();
      const put = (payload: object) => t.app.inject({ method: 'PUT', url: '/api/acd/roster', headers: supervisor, payload });
      const badTime = await put({ ...roster, shifts: [{ ...roster.shifts[0]!, start: '24:00' }, roster.shifts[1]!] });
      expect(badTime.statusCode).toBe(400);
      expect(badTime.json()).toMatchObject({ code: 'ROSTER_INVALID', message: expect.stringContaining('/shifts/0/start') });
      const unknownShift = await put({ ...roster, assignments: { agent1001: ['evening'] } });
      expect(unknownShift.json()).toMatchObject({ statusCode: 400, code: 'ROSTER_INVALID', message: expect.stringContaining('/assignments/agent1001/0') });
      const notATime = await put({ ...roster, shifts: [{ ...roster.shifts[0]!, end: '8pm' }] });
      expect(notATime.json()).toMatchObject({ statusCode: 400, code: 'BAD_REQUEST', message: expect.stringContaining('end') });

      const read = await t.app.inject({ method: 'GET', url: '/api/acd/roster', headers: supervisor });
      expect(read.json()).toMatchObject({ version: 0 });
    });
  });

  describe('when asked for coverage', () => {
    it('returns the 168 hours of the week and refuses an unknown queue', async () => {
      const { supervisor } = await build();
      const response = await t.app.inject({ method: 'GET', url: '/api/acd/coverage?queue=general', headers: supervisor });
      expect(response.statusCode).toBe(200);
      const body = response.json<{ weeks: number; target: object; hours: unknown[]; shortHours: unknown[] }>();
      expect(body).toMatchObject({ weeks: 4, queueId: 'general', target: { share: 0.8, withinSec: 15 }, shortHours: [] });
      expect(body.hours).toHaveLength(168);
      expect(body.hours[0]).toEqual({ weekday: 1, hour: 0, forecastCalls: 0, handleSec: 300, required: 0, staffed: 1, missing: 0, short: false });

      const unknown = await t.app.inject({ method: 'GET', url: '/api/acd/coverage?queue=nope', headers: supervisor });
      expect(unknown.json()).toMatchObject({ statusCode: 400, code: 'BAD_REQUEST' });
      const tooLong = await t.app.inject({ method: 'GET', url: '/api/acd/coverage?weeks=53', headers: supervisor });
      expect(tooLong.statusCode).toBe(400);
    });
  });

  describe('the OpenAPI document', () => {
    it('lists the roster and coverage routes with their schemas', async () => {
      await build();
      const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json<{ paths: Record<string, Record<string, unknown>> }>();
      expect(Object.keys(doc.paths['/api/acd/roster'] ?? {}).sort()).toEqual(['get', 'put']);
      expect(JSON.stringify(doc.paths['/api/acd/coverage'])).toContain('shortHours');
    });
  });

  describe('when an agent asks', () => {
    it('is refused: rosters are for supervisors and admins', async () => {
      await build();
      const agent = await login(t, ['agent'], { extension: '1001' });
      for (const [method, url] of [['GET', '/api/acd/roster'], ['PUT', '/api/acd/roster'], ['GET', '/api/acd/coverage']] as const) {
        const response = await t.app.inject({ method, url, headers: agent, ...(method === 'PUT' ? { payload: roster } : {}) });
        expect(response.statusCode, `${method} ${url}`).toBe(403);
      }
      const admin = await login(t, ['admin']);
      expect((await t.app.inject({ method: 'GET', url: '/api/acd/roster', headers: admin })).statusCode).toBe(200);
    });
  });

  describe('on Redis', () => {
    it('keeps the saved roster for the next read', async () => {
      const url = inject('redisUrl');
      const prefix = uniquePrefix('roster');
      const store = createRedisStore({ url, prefix, logger: createLogger('silent') });
      try {
        const { supervisor } = await build(store);
        await t.app.inject({ method: 'PUT', url: '/api/acd/roster', headers: supervisor, payload: roster });
        const read = await t.app.inject({ method: 'GET', url: '/api/acd/roster', headers: supervisor });
        expect(read.json()).toMatchObject({ ...roster, version: 1 });
      } finally {
        await store.close();
        await deletePrefix(url, prefix);
      }
    });
  });
});
