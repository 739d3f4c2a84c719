/**
 * The supervision audit on both stores (memory and a real Redis): who supervised whom, the modes
 * with their times, how long and why it ended; listed newest first and filtered. And the session
 * state machine's moves.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createSupervisionAudit } from '../../src/acd/supervision-audit.ts';
import { mayMove, transition } from '../../src/acd/supervision-session.ts';
import { createManualClock } from '../../src/clock.ts';
import { isHotlineError } from '../../src/errors.ts';
import { createLogger } from '../../src/log.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { createRedisStore } from '../../src/store/redis-store.ts';
import type { Store } from '../../src/store/store.ts';
import { deletePrefix, uniquePrefix } from '../support/redis.ts';

const backends = [
  { name: 'memory store', open: () => ({ store: createMemoryStore({}), cleanup: async () => {} }) },
  {
    name: 'Redis',
    open: () => {
      const url = inject('redisUrl');
      const prefix = uniquePrefix('supervision');
      return { store: createRedisStore({ url, prefix, logger: createLogger('silent') }), cleanup: () => deletePrefix(url, prefix).then(() => undefined) };
    },
  },
];

describe.each(backends)('the supervision audit on the $name', (backend) => {
  let opened: { store: Store; cleanup(): Promise<void> } | undefined;
  afterEach(async () => {
    await opened?.store.close();
    await opened?.cleanup();
  });

  describe('when a supervisor listens, whispers, barges and leaves', () => {
    it('keeps each mode with its times, the end, the duration and the reason', async () => {
      opened = backend.open();
      const clock = createManualClock();
      const audit = createSupervisionAudit({ store: opened.store, clock });
      const t0 = clock.now();
      let record = await audit.start({ sessionId: 's1', supervisor: 'wang.min', agentId: 'agent1001', callId: 'c1', instanceId: 'i1', startedAt: t0 });
      await clock.advance(3_000); // the phone rang
      record = await audit.mode(record, 'monitor');
      await clock.advance(60_000);
      record = await audit.mode(record, 'whisper');
      await clock.advance(10_000);
      record = await audit.mode(record, 'barge');
      await clock.advance(5_000);
      await audit.end(record, 'left');

      expect(await audit.get('s1')).toEqual({
        sessionId: 's1', supervisor: 'wang.min', agentId: 'agent1001', callId: 'c1', instanceId: 'i1', startedAt: t0,
        modes: [
          { mode: 'monitor', at: t0 + 3_000, until: t0 + 63_000 },
          { mode: 'whisper', at: t0 + 63_000, until: t0 + 73_000 },
          { mode: 'barge', at: t0 + 73_000, until: t0 + 78_000 },
        ],
        endedAt: t0 + 78_000, durationMs: 78_000, endReason: 'left',
      });
    });
  });

  describe('when several sessions are listed', () => {
    it('gives them newest first, filtered by supervisor, agent, call and time, at most the limit', async () => {
      opened = backend.open();
      const clock = createManualClock();
      const audit = createSupervisionAudit({ store: opened.store, clock });
      const t0 = clock.now();
      for (let i = 0; i < 6; i++) {
        const record = await audit.start({ sessionId: `s${i}`, supervisor: i % 2 ? 'li' : 'wang', agentId: `agent${i % 3}`, callId: `c${i}`, instanceId: 'i1', startedAt: t0 + i * 1000 });
        await audit.end(record, 'caller_hangup', t0 + i * 1000 + 500);
      }
      const ids = async (query: Parameters<typeof audit.list>[0]) => (await audit.list(query)).map((r) => r.sessionId);
      expect(await ids({})).toEqual(['s5', 's4', 's3', 's2', 's1', 's0']);
      expect(await ids({ supervisor: 'li' })).toEqual(['s5', 's3', 's1']);
      expect(await ids({ agentId: 'agent0' })).toEqual(['s3', 's0']);
      expect(await ids({ callId: 'c2' })).toEqual(['s2']);
      expect(await ids({ since: t0 + 2000, until: t0 + 4000 })).toEqual(['s3', 's2']);
      expect(await ids({ limit: 2 })).toEqual(['s5', 's4']);
    });
  });
});

describe('the supervision session', () => {
  describe('when it moves', () => {
    it('switches freely among monitor, whisper and barge, takes over from any of them, and takes-over is final', () => {
      for (const from of ['monitor', 'whisper', 'barge'] as const) {
        for (const to of ['monitor', 'whisper', 'barge', 'takeOver', 'ended'] as const) expect(mayMove(from, to)).toBe(from !== to);
      }
      expect(mayMove('ringing', 'takeOver')).toBe(true);
      expect(mayMove('takeOver', 'ended')).toBe(true);
      const refused = (() => {
        try {
          transition('takeOver', 'monitor');
          return undefined;
        } catch (error) {
          return error;
        }
      })();
      expect(isHotlineError(refused, 'SUPERVISION_BAD_STATE')).toBe(true);
      expect(() => transition('ended', 'monitor')).toThrow();
    });
  });
});
