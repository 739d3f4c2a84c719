/**
 * The phone's registration state machine (diagram in `phone.ts`): one `transition()` that checks
 * the table and tells the listeners once per change.
 */
import type { RegistrationState, RegistrationStatus } from './phone.ts';

const allowed: Readonly<Record<RegistrationState, readonly RegistrationState[]>> = {
  idle: ['connecting', 'failed'],
  connecting: ['registered', 'reconnecting', 'failed', 'idle'],
  registered: ['reconnecting', 'failed', 'idle'],
  // reconnecting → reconnecting: the next attempt failed too (attempt number grows).
  reconnecting: ['connecting', 'reconnecting', 'failed', 'idle'],
  failed: ['connecting', 'idle'],
};

export interface RegistrationMachine {
  readonly status: RegistrationStatus;
  /** Moves to `next`; throws on a move the table does not allow (a bug in the phone, not input). */
  transition(next: RegistrationStatus): void;
}

export function createRegistrationMachine(
  onChange: (status: RegistrationStatus) => void,
): RegistrationMachine {
  let status: RegistrationStatus = { state: 'idle' };
  return {
    get status() {
      return status;
    },
    transition(next) {
      if (next.state === status.state && next.state !== 'reconnecting') return;
      if (!allowed[status.state].includes(next.state)) {
        throw new Error(`registration: ${status.state} → ${next.state} is not allowed`);
      }
      status = next;
      onChange(status);
    },
  };
}

/** Delay before reconnect attempt `attempt` (from 1): doubling from `initial`, capped, ±20 % jitter. */
export function backoffMs(attempt: number, initial: number, max: number, random = Math.random): number {
  const base = Math.min(max, initial * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}
