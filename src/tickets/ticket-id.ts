/**
 * Human-readable ticket ids: `YYYYMMDD-NNNNNN`, the intake date in Asia/Shanghai and a per-day
 * counter kept in the store (`incr`), so ids stay unique across server instances sharing it.
 * Past 999,999 tickets a day the counter simply grows a digit.
 */
import type { Clock } from '../clock.ts';
import type { Store } from '../store/store.ts';
import { shanghaiDate } from './calendar.ts';

export const TICKET_ID_PATTERN = /^\d{8}-\d{6,}$/;

/** Counters live a little longer than their day, then expire. */
const COUNTER_TTL_MS = 3 * 86_400_000;

export interface TicketIdGenerator {
  /** The next id for the current date. */
  next(): Promise<string>;
}

export function createTicketIdGenerator(options: { store: Store; clock: Clock }): TicketIdGenerator {
  return {
    async next() {
      const date = shanghaiDate(options.clock.now()).replaceAll('-', '');
      const n = await options.store.incr(`ticket-seq:${date}`, COUNTER_TTL_MS);
      return formatTicketId(date, n);
    },
  };
}

/** `20261123` and 123 → `20261123-000123`. */
export function formatTicketId(yyyymmdd: string, n: number): string {
  return `${yyyymmdd}-${String(n).padStart(6, '0')}`;
}

export function isTicketId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 20 && TICKET_ID_PATTERN.test(value);
}
