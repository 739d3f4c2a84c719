import { afterEach, describe, expect, it } from 'vitest';
import { createAcdState } from '../../src/acd/acd-state.ts';
import { createLiveStats } from '../../src/acd/live-stats.ts';
import { createCallRecords } from '../../src/calls/call-records.ts';
import { systemClock } from '../../src/clock.ts';
import { statsRoutes } from '../../src/http/routes/stats.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { buildTestApp, login, type TestApp } from '../support/app.ts';

describe('GET /api/stats/live', () => {
  let t: TestApp;
  afterEach(() => t.app.close());

  async function build() {
    const store = createMemoryStore();
    const acd = createAcdState({ store, clock: systemClock });
    await acd.upsertAgent('li', { extension: '1001', skills: { general: 1 } });
    const snapshot = createLiveStats({ acd, records: createCallRecords({ store, clock: systemClock }), clock: systemClock, queueIds: ['general'] });
    t = await buildTestApp({ store, routes: [statsRoutes(snapshot)] });
  }

  describe('when a supervisor asks', () => {
    it('gets queues and agents', async () => {
      await build();
      const response = await t.app.inject({ method: 'GET', url: '/api/stats/live', headers: await login(t, ['supervisor']) });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ queues: [{ queueId: 'general', waiting: 0 }], agents: [{ agentId: 'li', state: 'logged_out' }] });
    });
  });

  describe('when an agent asks', () => {
    it('is refused: the wallboard is for supervisors', async () => {
      await build();
      const response = await t.app.inject({ method: 'GET', url: '/api/stats/live', headers: await login(t, ['agent']) });
      expect(response.statusCode).toBe(403);
    });
  });
});
