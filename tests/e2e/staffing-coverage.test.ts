/**
 * 7×24 night shift coverage on the composed server (embedded mode): four weeks of call records
 * with six calls at 02:00 every night and twelve an hour in the day; a roster whose night shift
 * has one agent. The coverage view marks 02:00 of every day short by one agent and nothing else.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { demoPassword } from '../../src/auth/seed-users.ts';
import { createCallRecords } from '../../src/calls/call-records.ts';
import { createManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';
import { startHotline, type Hotline } from '../../src/server.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Monday 2026-11-23 12:00 in Beijing. */
const now = Date.parse('2026-11-23T12:00:00+08:00');
const today = Date.parse('2026-11-23T00:00:00+08:00');

const everyDay = [1, 2, 3, 4, 5, 6, 7];
const roster = {
  shifts: [
    { id: 'day', name: '白班', start: '08:00', end: '16:00', weekdays: everyDay },
    { id: 'evening', name: '中班', start: '16:00', end: '00:00', weekdays: everyDay },
    { id: 'night', name: '夜班', start: '00:00', end: '08:00', weekdays: everyDay },
  ],
  assignments: { agent1001: ['day'], agent1002: ['night'] },
  headcounts: { day: 3, evening: 2 },
};

interface Hour { weekday: number; hour: number; forecastCalls: number; required: number; staffed: number; missing: number; short: boolean }

describe('7×24 night shift coverage', () => {
  let hotline: Hotline | undefined;
  afterEach(() => hotline?.close());

  /** `count` answered calls in the general queue from `start`, one every five minutes, 300 s of talk each. */
  async function seedCalls(start: number, count: number): Promise<void> {
    const records = createCallRecords({ store: hotline!.store, clock: createManualClock(now) });
    for (let i = 0; i < count; i++) {
      const callId = `seed-${start}-${i}`;
      const arrivedAt = start + i * 5 * 60_000;
      await records.start({ callId, did: '12345', callerNumber: '13800138000', arrivedAt });
      await records.append(callId,
        { type: 'enqueued', at: arrivedAt + 5_000, queueId: 'general' },
        { type: 'answered', at: arrivedAt + 10_000, agentId: 'agent1001' },
        { type: 'ended', at: arrivedAt + 310_000, by: 'caller' });
    }
  }

  describe('when the nights of the last four weeks need two agents at 02:00 and the night shift has one', () => {
    it('marks 02:00 of each day short by one agent, and the covered day hours not', async () => {
      hotline = await startHotline(loadConfig({ PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_GRACE_MS: '0' }), createLogger('silent'), { clock: createManualClock(now) });
      for (let day = 0; day < 28; day++) {
        await seedCalls(today - day * DAY + 2 * HOUR, 6); // 02:00–02:59
        await seedCalls(today - day * DAY + 10 * HOUR, 12); // 10:00–10:59
      }
      await seedCalls(today - 28 * DAY + 2 * HOUR, 60); // a busy night just before the four weeks: not counted

      const login = async (username: string) => {
        const response = await fetch(`${hotline!.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: demoPassword }) });
        return { authorization: `Bearer ${((await response.json()) as { token: string }).token}`, 'content-type': 'application/json' };
      };
      const supervisor = await login('supervisor');
      const saved = await fetch(`${hotline.url}/api/acd/roster`, { method: 'PUT', headers: supervisor, body: JSON.stringify(roster) });
      expect(saved.status).toBe(200);

      const response = await fetch(`${hotline.url}/api/acd/coverage?weeks=4&queue=general`, { headers: supervisor });
      expect(response.status).toBe(200);
      const view = (await response.json()) as { shortHours: Hour[]; hours: Hour[] };

      expect(view.shortHours.map((h) => `${h.weekday} ${h.hour}:00 −${h.missing}`)).toEqual(everyDay.map((d) => `${d} 2:00 −1`));
      expect(view.hours[2]).toMatchObject({ weekday: 1, hour: 2, forecastCalls: 6, missing: 1 });
      const sunday2 = view.hours[6 * 24 + 2];
      expect(sunday2).toMatchObject({ weekday: 7, hour: 2, forecastCalls: 6, required: 2, staffed: 1, missing: 1, short: true });
      const wednesday = view.hours.slice(2 * 24, 3 * 24);
      expect(wednesday.filter((h) => h.short).map((h) => h.hour)).toEqual([2]);
      expect(wednesday[10]).toMatchObject({ forecastCalls: 12, required: 3, staffed: 4, missing: 0, short: false });
      expect(wednesday[3]).toMatchObject({ forecastCalls: 0, required: 0, staffed: 1, short: false });

      const agent = await login('agent1001');
      expect((await fetch(`${hotline.url}/api/acd/coverage`, { headers: agent })).status).toBe(403);
    });
  });
});
