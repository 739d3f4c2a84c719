/**
 * Fires the automatic urge (at the yellow light, and when a unit has not signed for a ticket by
 * the sign-for deadline) and supervise (when handling is overdue) of every ticket, exactly once,
 * even with several server instances and across restarts.
 *
 * Timers live in the store (sorted set `tickets:timers`, written in the same commit as the move
 * that set the deadline), so a restart loses none. One instance at a time works them, holding the
 * lease `tickets-scheduler`; and each firing is itself exactly-once without the lease: the service
 * re-reads the ticket, checks the timer is still there and belongs to the ticket's current deadline,
 * and commits the urge together with the timer's removal against the version it read — a second
 * instance firing the same timer loses the version check, re-reads, and finds the timer gone.
 */
import type { Clock, TimerHandle } from '../clock.ts';
import { isHotlineError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import { ticketKeys } from './ticket-keys.ts';
import { transition } from './ticket-states.ts';
import type { Ticket } from './ticket-types.ts';

export interface DeadlineSchedulerOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  /** This instance's name (lease owner). */
  readonly owner: string;
  /** How often to look for due timers. Default 5 s. */
  readonly intervalMs?: number;
  /** Lease time; another instance takes over this long after this one stops renewing. Default 30 s. */
  readonly leaseMs?: number;
  /** Called after this instance fired an urge or supervise (for CTI fan-out and tests). */
  readonly onFired?: (ticketId: string, action: 'urge' | 'supervise') => void;
}

export interface DeadlineScheduler {
  /** Fires every due timer once (if this instance holds the lease); returns how many fired. */
  tick(): Promise<number>;
  start(): void;
  /** Stops ticking and gives the lease up. */
  stop(): Promise<void>;
}

const LEASE = 'tickets-scheduler';
const BATCH = 100;

export function createDeadlineScheduler(options: DeadlineSchedulerOptions): DeadlineScheduler {
  const { store, clock, owner } = options;
  const log = options.logger.child({ component: 'ticket-scheduler', owner });
  const intervalMs = options.intervalMs ?? 5_000;
  const leaseMs = options.leaseMs ?? 30_000;
  let timer: TimerHandle | undefined;
  let running = false;

  /** Fires one timer; true when this call fired it. */
  async function fire(member: string): Promise<boolean> {
    const [ticketId = '', kind = '', generation = ''] = member.split('|');
    for (let attempt = 0; attempt < 10; attempt++) {
      const found = await store.get<Ticket>(ticketKeys.ticket(ticketId));
      if ((await store.zscore(ticketKeys.timers, member)) === null) return false;
      const drop = { op: 'zrem', key: ticketKeys.timers, member } as const;
      const action = kind === 'supervise' ? 'supervise' : 'urge';
      const applies = kind !== 'sign_urge' || found?.value.state === 'dispatched';
      if (!found || String(found.value.timerGeneration) !== generation || !applies || !canFire(found.value, action)) {
        await store.commit([], [drop]);
        return false;
      }
      const ticket = found.value;
      const now = clock.now();
      const next: Ticket = action === 'urge' ? { ...ticket, urgeCount: ticket.urgeCount + 1, updatedAt: now } : { ...ticket, superviseCount: ticket.superviseCount + 1, updatedAt: now };
      const reason = kind === 'sign_urge' ? '超过签收时限，自动催办' : action === 'urge' ? '临近办理时限，自动催办' : '超过办理时限，自动督办';
      const result = await store.commit([{ key: ticketKeys.ticket(ticketId), version: found.version }], [
        { op: 'put', key: ticketKeys.ticket(ticketId), value: next },
        drop,
        { op: 'xadd', key: ticketKeys.audit(ticketId), maxLen: 10_000, fields: { at: String(now), by: 'system', action, from: ticket.state, to: ticket.state, reason, details: JSON.stringify({ automatic: true, timer: kind, dueAt: kind === 'sign_urge' ? ticket.deadlines.signForDueAt : ticket.deadlines.handleDueAt }) } },
      ]);
      if (result.ok) {
        log.info({ ticketId, action }, 'automatic ticket action');
        options.onFired?.(ticketId, action);
        return true;
      }
    }
    return false;
  }

  /** Automatic urge and supervise apply while the unit's handling clock runs. */
  function canFire(ticket: Ticket, action: 'urge' | 'supervise'): boolean {
    if (!['dispatched', 'signed', 'in_progress'].includes(ticket.state)) return false;
    try {
      transition({ state: ticket.state, action, actors: ['system'], reason: 'automatic', facts: { returnsApproved: 0, extensionPending: false, dissatisfiedPending: false, handleDueAt: null, now: 0 } });
      return true;
    } catch (error) {
      if (isHotlineError(error)) return false;
      throw error;
    }
  }

  async function tick(): Promise<number> {
    if (!(await store.acquireLease(LEASE, owner, leaseMs))) return 0;
    let fired = 0;
    for (;;) {
      const due = await store.zrangeByScore(ticketKeys.timers, -Infinity, clock.now(), { count: BATCH });
      for (const { member } of due) if (await fire(member)) fired++;
      if (due.length < BATCH) return fired;
    }
  }

  function schedule(): void {
    timer = clock.setTimeout(() => {
      if (!running) return;
      tick()
        .catch((error: unknown) => log.warn({ err: error }, 'deadline scheduler tick failed'))
        .finally(() => running && schedule());
    }, intervalMs);
  }

  return {
    tick,
    start() {
      if (running) return;
      running = true;
      schedule();
    },
    async stop() {
      running = false;
      timer?.cancel();
      await store.releaseLease(LEASE, owner).catch(() => undefined);
    },
  };
}
