/**
 * The blacklist of malicious callers on the composed server (embedded simulator): supervisors
 * block a number with a reason and an expiry; that caller hears a short refusal and is hung up;
 * other callers, withheld numbers and service numbers are never blocked; every change, and every
 * attempt refused by role, is in the audit log, which only admins read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPassword } from '../../src/auth/seed-users.ts';
import { createManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';
import { createBlacklist } from '../../src/security/blacklist.ts';
import { startHotline, type Hotline } from '../../src/server.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { until } from '../support/sim-events.ts';

describe('the blacklist', () => {
  let hotline: Hotline;
  const as: Record<string, { authorization: string }> = {};
  beforeAll(async () => {
    hotline = await startHotline(loadConfig({ PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_GRACE_MS: '0' }), createLogger('silent'));
    await until(() => hotline.telephony.port.state().status === 'up', 'ARI is connected');
    for (const username of ['agent1001', 'supervisor', 'admin']) {
      const response = await hotline.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: demoPassword } });
      as[username] = { authorization: `Bearer ${response.json<{ token: string }>().token}` };
    }
  });
  afterAll(() => hotline.close());

  const block = (number: string, headers: { authorization: string }, days = 7) =>
    hotline.app.inject({ method: 'PUT', url: `/api/blacklist/${number}`, headers, payload: { reason: '多次辱骂坐席', days } });
  async function heard(from: string): Promise<{ media: string[]; hungUp: boolean }> {
    const sim = hotline.simulator!;
    const { channelId } = await sim.control.placeCall({ from, did: '12345' });
    await until(async () => (await sim.control.channel(channelId)).heard.some((h) => h.kind === 'playback'), 'the caller hears something');
    const first = (await sim.control.channel(channelId)).heard.filter((h) => h.kind === 'playback').flatMap((h) => h['media'] as string[]);
    if (first.includes('sound:hotline/zh/blocked')) await until(async () => (await sim.control.channel(channelId)).hungUp, 'the refused caller is hung up');
    const report = await sim.control.channel(channelId);
    if (!report.hungUp) await sim.control.hangup(channelId);
    return { media: first, hungUp: report.hungUp };
  }

  describe('when a supervisor blocks a malicious caller', () => {
    it('refuses that caller with a short prompt and hangs up, and lets everyone else through', async () => {
      const blocked = await block('13800138000', as['supervisor']!);
      expect(blocked.json()).toMatchObject({ number: '13800138000', reason: '多次辱骂坐席', by: 'supervisor', expiresAt: expect.any(Number) });

      expect(await heard('13800138000')).toEqual({ media: ['sound:hotline/zh/blocked'], hungUp: true });
      const other = await heard('13900139000');
      expect(other.media).toContain('sound:hotline/zh/greeting-12345');
      expect(other.hungUp).toBe(false);
      const withheld = await heard('');
      expect(withheld.media).toContain('sound:hotline/zh/greeting-12345');

      const entry = await hotline.app.inject({ method: 'GET', url: '/api/blacklist/13800138000', headers: as['admin']! });
      expect(entry.json()).toMatchObject({ by: 'supervisor' });
      expect((await hotline.app.inject({ method: 'GET', url: '/api/blacklist', headers: as['supervisor']! })).json()).toHaveLength(1);
    });
  });

  describe('when the block is lifted', () => {
    it('the caller gets through again', async () => {
      await block('13700137000', as['admin']!);
      const removed = await hotline.app.inject({ method: 'DELETE', url: '/api/blacklist/13700137000', headers: as['supervisor']! });
      expect(removed.statusCode).toBe(204);
      expect((await heard('13700137000')).media).toContain('sound:hotline/zh/greeting-12345');
      expect((await hotline.app.inject({ method: 'DELETE', url: '/api/blacklist/13700137000', headers: as['supervisor']! })).json()).toMatchObject({ code: 'NOT_FOUND' });
    });
  });

  describe('when someone tries to block what may never be blocked', () => {
    it('refuses emergency and short service numbers with BLACKLIST_NOT_ALLOWED, and agents altogether', async () => {
      for (const number of ['110', '120', '12345', '123456']) {
        expect((await block(number, as['supervisor']!)).json()).toMatchObject({ statusCode: 400, code: 'BLACKLIST_NOT_ALLOWED' });
      }
      expect((await block('13600136000', as['agent1001']!)).json()).toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
      expect((await block('13600136000', as['supervisor']!, 0)).json()).toMatchObject({ statusCode: 400, code: 'BAD_REQUEST' });
    });
  });

  describe('when an admin reads the audit log', () => {
    it('shows who blocked and unblocked which number and how it ended; supervisors and agents may not read it', async () => {
      const response = await hotline.app.inject({ method: 'GET', url: '/api/audit?limit=1000', headers: as['admin']! });
      const entries = response.json<Array<{ id: string; who: string; action: string; target: Record<string, string>; status: number }>>();
      const about = (number: string) => entries.filter((e) => e.target['number'] === number).map((e) => `${e.who} ${e.action} ${e.status}`);
      expect(about('13800138000')).toEqual(['supervisor PUT /api/blacklist/:number 200']);
      expect(about('13700137000')).toEqual([
        'admin PUT /api/blacklist/:number 200', 'supervisor DELETE /api/blacklist/:number 204', 'supervisor DELETE /api/blacklist/:number 404',
      ]);
      expect(about('110')).toEqual(['supervisor PUT /api/blacklist/:number 400']);
      // an agent's attempt is refused by role: recorded, as every refusal by role is
      expect(about('13600136000')).toEqual(['agent1001 PUT /api/blacklist/:number 403', 'supervisor PUT /api/blacklist/:number 400']);
      expect(JSON.stringify(entries)).not.toContain('多次辱骂坐席'); // bodies are never recorded
      expect((await hotline.app.inject({ method: 'GET', url: '/api/audit', headers: as['supervisor']! })).statusCode).toBe(403);
      const after = (await hotline.app.inject({ method: 'GET', url: `/api/audit?after=${entries.at(-1)!.id}`, headers: as['admin']! })).json<Array<{ who: string; action: string; status: number }>>();
      expect(after.map((e) => `${e.who} ${e.action} ${e.status}`)).toEqual(['supervisor GET /api/audit 403']);
    });
  });
});

describe('a blacklist entry', () => {
  it('lapses at its expiry', async () => {
    const clock = createManualClock();
    const blacklist = createBlacklist({ store: createMemoryStore({ clock }), clock });
    await blacklist.put('+8613800138000', { reason: 'abuse', days: 1 }, 'supervisor');
    expect(await blacklist.refuses('+8613800138000')).toBe(true);
    await clock.advance(86_400_000 - 1);
    expect(await blacklist.refuses('+8613800138000')).toBe(true);
    await clock.advance(1);
    expect(await blacklist.refuses('+8613800138000')).toBe(false);
    expect(await blacklist.list()).toEqual([]);
  });
});
