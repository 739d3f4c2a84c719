/**
 * Exponential backoff with jitter for reconnect loops that never give up. The n-th retry
 * (n = 0, 1, …) waits between half and all of min(maxMs, baseMs · 2ⁿ) ("equal jitter"), so
 * instances that lost Asterisk at the same moment do not reconnect in lockstep.
 */

export interface BackoffOptions {
  /** First delay before jitter, ms. */
  readonly baseMs: number;
  /** Cap of the delay before jitter, ms. */
  readonly maxMs: number;
  /** Returns [0, 1); injectable for tests. */
  readonly random?: () => number;
}

export interface Backoff {
  /** The delay before the next attempt; each call counts one attempt. */
  next(): number;
  /** Back to the first delay (after a success). */
  reset(): void;
  /** Attempts counted since the last reset. */
  attempts(): number;
}

export function createBackoff(options: BackoffOptions): Backoff {
  const random = options.random ?? Math.random;
  let attempt = 0;
  return {
    next() {
      const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 30));
      attempt += 1;
      return Math.round(ceiling / 2 + (random() * ceiling) / 2);
    },
    reset() {
      attempt = 0;
    },
    attempts: () => attempt,
  };
}
