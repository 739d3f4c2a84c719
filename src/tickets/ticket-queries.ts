/**
 * Read-only ticket queries: lists for work queues (a unit's dispatched tickets, everything overdue)
 * and random samples for quality checks (质检抽查). Reads the creation index newest first and filters
 * in batches — linear in the tickets scanned, bounded by `scanLimit`.
 */
import type { Clock } from '../clock.ts';
import type { Store } from '../store/store.ts';
import { lightOf, type Light } from './deadlines.ts';
import { readDefaultTicketConfig, type TicketConfig } from './ticket-config.ts';
import { ticketKeys } from './ticket-keys.ts';
import type { TicketState } from './ticket-states.ts';
import type { Ticket } from './ticket-types.ts';

export interface TicketView extends Ticket {
  /** Red/yellow light of the handling deadline, null when none runs. */
  readonly light: Light | null;
}

const clockRunning: readonly TicketState[] = ['dispatched', 'signed', 'return_requested', 'in_progress'];

/** A ticket with its light at `now`. */
export function ticketView(ticket: Ticket, now: number, yellowShare: number): TicketView {
  const { startedAt, handleDueAt } = ticket.deadlines;
  const running = startedAt !== null && handleDueAt !== null && clockRunning.includes(ticket.state);
  return { ...ticket, light: running ? lightOf(startedAt, handleDueAt, now, yellowShare) : null };
}

export interface TicketFilter {
  readonly states?: readonly TicketState[];
  readonly unit?: string;
  readonly category?: string;
  readonly light?: Light;
  /** Created in [from, to). */
  readonly from?: number;
  readonly to?: number;
}

export interface TicketQueries {
  /** Matching tickets, newest first. */
  list(filter: TicketFilter, limit?: number): Promise<TicketView[]>;
  /** Up to `size` matching tickets chosen at random. */
  sample(filter: TicketFilter, size: number): Promise<TicketView[]>;
}

const BATCH = 200;

export function createTicketQueries(options: { store: Store; clock: Clock; scanLimit?: number }): TicketQueries {
  const { store, clock } = options;
  const scanLimit = options.scanLimit ?? 50_000;

  async function scan(filter: TicketFilter, enough: (found: number) => boolean): Promise<TicketView[]> {
    const { yellowShare } = (await store.get<TicketConfig>(ticketKeys.config))?.value ?? readDefaultTicketConfig();
    const now = clock.now();
    const found: TicketView[] = [];
    const max = filter.to === undefined ? Infinity : filter.to - 0.001;
    for (let offset = 0; offset < scanLimit && !enough(found.length); offset += BATCH) {
      const ids = await store.zrangeByScore(ticketKeys.all, filter.from ?? -Infinity, max, { reverse: true, offset, count: BATCH });
      const docs = await store.getMany<Ticket>(ids.map((e) => ticketKeys.ticket(e.member)));
      for (const doc of docs) {
        if (!doc) continue;
        const view = ticketView(doc.value, now, yellowShare);
        if (matches(view, filter)) found.push(view);
      }
      if (ids.length < BATCH) break;
    }
    return found;
  }

  return {
    async list(filter, limit = 50) {
      return (await scan(filter, (n) => n >= limit)).slice(0, limit);
    },
    async sample(filter, size) {
      const all = await scan(filter, () => false);
      for (let i = all.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [all[i], all[j]] = [all[j]!, all[i]!];
      }
      return all.slice(0, size);
    },
  };
}

function matches(t: TicketView, f: TicketFilter): boolean {
  return (f.states === undefined || f.states.includes(t.state))
    && (f.unit === undefined || t.leadUnit === f.unit || t.assistingUnits.includes(f.unit))
    && (f.category === undefined || t.category === f.category)
    && (f.light === undefined || t.light === f.light);
}

/** Roles that see a confidential caller's identity; everyone else (departments) sees it masked. */
const seesConfidential = ['agent', 'supervisor', 'admin'];

/** The ticket as `roles` may see it: for a confidential ticket, departments get no caller name or address and a masked phone. */
export function forViewer<T extends Ticket>(ticket: T, roles: readonly string[]): T {
  if (!ticket.confidential || roles.some((role) => seesConfidential.includes(role))) return ticket;
  const phone = ticket.caller.phone;
  const masked = phone.length > 7 ? `${phone.slice(0, 3)}${'*'.repeat(phone.length - 7)}${phone.slice(-4)}` : '*'.repeat(phone.length);
  return { ...ticket, caller: { name: '保密', phone: masked } };
}
