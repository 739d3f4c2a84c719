/**
 * Time as a dependency. Production uses the system clock; tests and the simulator's control API
 * use a manual clock that moves only when told, so timeouts are tested without real sleeps.
 */

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once after `ms` of this clock's time. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const timer = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(timer) };
  },
};

interface Pending {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/** A clock that starts at `start` and moves only through `advance()` / `set()`. */
export interface ManualClock extends Clock {
  /** Moves time forward by `ms`, firing due timers in time order (then in creation order). */
  advance(ms: number): Promise<void>;
  /** Number of timers not yet fired or cancelled. */
  pending(): number;
}

export function createManualClock(start = Date.UTC(2026, 10, 23, 1, 0, 0)): ManualClock {
  let current = start;
  let seq = 0;
  const timers: Pending[] = [];

  return {
    now: () => current,
    setTimeout(fn, ms) {
      const timer: Pending = { at: current + Math.max(0, ms), seq: seq++, fn, cancelled: false };
      timers.push(timer);
      return { cancel: () => void (timer.cancelled = true) };
    },
    async advance(ms) {
      const target = current + ms;
      for (;;) {
        const due = timers
          .filter((t) => !t.cancelled && t.at <= target)
          .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
        if (!due) break;
        timers.splice(timers.indexOf(due), 1);
        current = due.at;
        due.fn();
        // let promise chains that the timer started run before the next timer fires
        await new Promise((resolve) => setImmediate(resolve));
      }
      current = target;
      for (let i = timers.length - 1; i >= 0; i--) if (timers[i]!.cancelled) timers.splice(i, 1);
    },
    pending: () => timers.filter((t) => !t.cancelled).length,
  };
}
