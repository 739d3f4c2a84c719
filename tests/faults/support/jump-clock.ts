/**
 * A clock that runs with real time and can jump, for the server of a clock fault test:
 * - `suspend(ms)`: the machine slept (a VM paused, a laptop lid closed) — the wall clock and every
 *   pending timer move forward by `ms`; timers now overdue fire at once, in due order.
 * - `step(ms)`: the wall clock is stepped (NTP, an operator), forward or backward — `now()` jumps,
 *   timers keep their schedule (Node's timers run on monotonic time, so this is what a step does
 *   to a server on the system clock).
 */
import { performance } from 'node:perf_hooks';
import type { Clock, TimerHandle } from '../../../src/clock.ts';

export interface JumpClock extends Clock {
  suspend(ms: number): void;
  step(ms: number): void;
}

interface Timer {
  readonly due: number;
  readonly fn: () => void;
  handle: ReturnType<typeof setTimeout>;
  done: boolean;
}

export function createJumpClock(): JumpClock {
  let wallOffset = 0;
  let slept = 0;
  const timers = new Set<Timer>();
  const monotonic = () => performance.now() + slept;

  function arm(timer: Timer): void {
    timer.handle = setTimeout(() => fire(timer), Math.max(0, timer.due - monotonic()));
  }
  function fire(timer: Timer): void {
    if (timer.done) return;
    timer.done = true;
    timers.delete(timer);
    timer.fn();
  }

  return {
    now: () => Date.now() + wallOffset + slept,
    setTimeout(fn, ms): TimerHandle {
      const timer: Timer = { due: monotonic() + Math.max(0, ms), fn, handle: undefined as unknown as ReturnType<typeof setTimeout>, done: false };
      timers.add(timer);
      arm(timer);
      return {
        cancel() {
          timer.done = true;
          clearTimeout(timer.handle);
          timers.delete(timer);
        },
      };
    },
    suspend(ms) {
      slept += ms;
      const overdue = [...timers].filter((t) => t.due <= monotonic()).sort((a, b) => a.due - b.due);
      for (const timer of timers) clearTimeout(timer.handle);
      for (const timer of timers) if (!overdue.includes(timer)) arm(timer);
      for (const timer of overdue) fire(timer);
    },
    step(ms) {
      wallOffset += ms;
    },
  };
}
