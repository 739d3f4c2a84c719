import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/log.ts';
import { createBackoff } from '../../src/telephony/backoff.ts';
import { checkTransition, createSupervisor, type Session } from '../../src/telephony/supervisor.ts';
import { isHotlineError } from '../../src/errors.ts';

const logger = createLogger('silent');
/** Lets pending promise chains run (no time passes). */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('backoff', () => {
  describe('when attempts keep failing', () => {
    it('doubles up to the cap, with jitter between half and all of the step', () => {
      const low = createBackoff({ baseMs: 100, maxMs: 1_000, random: () => 0 });
      const high = createBackoff({ baseMs: 100, maxMs: 1_000, random: () => 0.999999 });
      expect(Array.from({ length: 6 }, () => low.next())).toEqual([50, 100, 200, 400, 500, 500]);
      expect(Array.from({ length: 6 }, () => high.next())).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    });
  });
});

describe('connection supervisor', () => {
  function session(): Session & { end(reason: string): void; closed: boolean } {
    let end!: (reason: string) => void;
    const ended = new Promise<string>((resolve) => (end = resolve));
    const s = { ended, closed: false, end: (reason: string) => end(reason), close: () => void (s.closed = true) };
    return s;
  }

  describe('when connecting fails many times', () => {
    it('never gives up, and connects once the peer is back', async () => {
      const clock = createManualClock();
      let failUntil = 25;
      let calls = 0;
      const supervisor = createSupervisor({
        name: 'test', clock, logger, connectTimeoutMs: 1_000,
        backoff: createBackoff({ baseMs: 10, maxMs: 100, random: () => 0.5 }),
        connect: async () => {
          calls += 1;
          if (calls <= failUntil) throw new Error(`refused #${calls}`);
          return session();
        },
      });
      supervisor.start();
      await clock.advance(100_000);
      expect(calls).toBe(26);
      expect(supervisor.state()).toMatchObject({ status: 'up', attempts: 0 });
      failUntil = 0;
      await supervisor.close();
      expect(clock.pending()).toBe(0);
    });
  });

  describe('when connecting hangs', () => {
    it('gives up after the connect timeout and tries again', async () => {
      const clock = createManualClock();
      let calls = 0;
      const supervisor = createSupervisor({
        name: 'test', clock, logger, connectTimeoutMs: 500,
        backoff: createBackoff({ baseMs: 10, maxMs: 10, random: () => 0 }),
        connect: (signal) => {
          calls += 1;
          return calls === 1 ? new Promise<Session>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))) : Promise.resolve(session());
        },
      });
      supervisor.start();
      await clock.advance(499);
      expect(supervisor.state().status).toBe('down');
      await clock.advance(100);
      expect(supervisor.state()).toMatchObject({ status: 'up' });
      expect(calls).toBe(2);
      await supervisor.close();
    });
  });

  describe('when a live session ends', () => {
    it('closes it, reports why, and reconnects after a backoff', async () => {
      const clock = createManualClock();
      const sessions: Array<ReturnType<typeof session>> = [];
      const supervisor = createSupervisor({
        name: 'test', clock, logger, connectTimeoutMs: 1_000,
        backoff: createBackoff({ baseMs: 100, maxMs: 100, random: () => 0 }),
        connect: async () => {
          const s = session();
          sessions.push(s);
          return s;
        },
      });
      const seen: string[] = [];
      supervisor.onChange((status) => seen.push(status));
      supervisor.start();
      await flush();
      sessions[0]!.end('socket closed');
      await flush();
      expect(supervisor.state()).toMatchObject({ status: 'down', lastError: 'socket closed' });
      expect(sessions[0]!.closed).toBe(true);
      await clock.advance(100);
      expect(supervisor.state().status).toBe('up');
      expect(seen).toEqual(['connecting', 'up', 'backoff', 'connecting', 'up']);
      await supervisor.close();
      expect(sessions[1]!.closed).toBe(true);
      expect(clock.pending()).toBe(0);
    });
  });

  describe('when a move is not in the transition table', () => {
    it('throws TELEPHONY_BAD_TRANSITION, and closed is final', () => {
      expect(checkTransition('t', 'up', 'backoff')).toBe('backoff');
      for (const [from, to] of [['idle', 'up'], ['closed', 'connecting'], ['up', 'connecting']] as const) {
        const error = (() => {
          try {
            return checkTransition('t', from, to);
          } catch (e) {
            return e;
          }
        })();
        expect(isHotlineError(error, 'TELEPHONY_BAD_TRANSITION')).toBe(true);
      }
    });
  });

  describe('when start is called after close', () => {
    it('stays closed', async () => {
      const clock = createManualClock();
      const supervisor = createSupervisor({
        name: 'test', clock, logger, connectTimeoutMs: 1_000,
        backoff: createBackoff({ baseMs: 1, maxMs: 1 }), connect: async () => session(),
      });
      await supervisor.close();
      supervisor.start();
      expect(supervisor.state().status).toBe('closed');
    });
  });
});
