/**
 * The ticket service on the store port: intake from every channel, moves through the state
 * machine with a full audit trail, caller history, the callback work list, configuration and KPIs.
 *
 * Every change is one `store.commit` checked against the version read: the ticket document, its
 * audit-stream entry, indexes and scheduler timers are written together or not at all, and of two
 * concurrent moves on one ticket only one can win. The loser re-reads and decides again (the table
 * then usually refuses it with TICKET_BAD_TRANSITION).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../clock.ts';
import { HotlineError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Op, Store } from '../store/store.ts';
import { ticketKpis, type KpiTicket, type TicketKpis } from './kpis.ts';
import { applyEffects } from './ticket-effects.ts';
import { calendarOf, parseTicketConfig, readDefaultTicketConfig, type TicketConfig } from './ticket-config.ts';
import { createTicketIdGenerator } from './ticket-id.ts';
import { normalizePhone, ticketKeys } from './ticket-keys.ts';
import { ticketView, type TicketView } from './ticket-queries.ts';
import { transition, transitionTable, type TicketAction } from './ticket-states.ts';
import { channels, type ActionInput, type AuditEntry, type CreateTicketInput, type Ticket, type TicketActor } from './ticket-types.ts';

/** Optimistic retries of one move; between them a short random back-off spreads racing writers. */
const MAX_ATTEMPTS = 60;
const AUDIT_MAX = 10_000;

export interface TicketServiceOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
}

export type { TicketView } from './ticket-queries.ts';

export interface KpiFilter {
  readonly unit?: string;
  readonly category?: string;
  /** Tickets created in [from, to). */
  readonly from?: number;
  readonly to?: number;
}

export interface TicketService {
  create(input: CreateTicketInput, actor: TicketActor): Promise<TicketView>;
  get(id: string): Promise<TicketView>;
  act(id: string, action: TicketAction, input: ActionInput, actor: TicketActor): Promise<TicketView>;
  audit(id: string): Promise<AuditEntry[]>;
  /** Tickets of a caller, newest first. */
  history(phone: string, limit?: number): Promise<TicketView[]>;
  /** Tickets awaiting a callback that can be called now (unreachable ones after the retry delay), longest waiting first. */
  callbackList(limit?: number): Promise<TicketView[]>;
  config(): Promise<TicketConfig>;
  setConfig(config: unknown, actor: TicketActor): Promise<TicketConfig>;
  kpis(filter?: KpiFilter): Promise<TicketKpis & { readonly tickets: number }>;
}

export function createTicketService(options: TicketServiceOptions): TicketService {
  const { store, clock } = options;
  const log = options.logger.child({ component: 'tickets' });
  const ids = createTicketIdGenerator({ store, clock });

  async function config(): Promise<TicketConfig> {
    return (await store.get<TicketConfig>(ticketKeys.config))?.value ?? readDefaultTicketConfig();
  }

  const view = ticketView;

  async function views(tickets: readonly Ticket[]): Promise<TicketView[]> {
    const { yellowShare } = await config();
    const now = clock.now();
    return tickets.map((t) => view(t, now, yellowShare));
  }

  async function read(id: string): Promise<{ ticket: Ticket; version: number }> {
    const found = typeof id === 'string' && /^\d{8}-\d{6,}$/.test(id) ? await store.get<Ticket>(ticketKeys.ticket(id)) : null;
    if (!found) throw new HotlineError('TICKET_NOT_FOUND', 'no ticket with this id');
    return { ticket: found.value, version: found.version };
  }

  function auditOp(id: string, entry: Omit<AuditEntry, 'id'>): Op {
    return {
      op: 'xadd', key: ticketKeys.audit(id), maxLen: AUDIT_MAX,
      fields: { at: String(entry.at), by: entry.by, action: entry.action, from: entry.from ?? '', to: entry.to, reason: entry.reason ?? '', details: JSON.stringify(entry.details) },
    };
  }

  async function create(input: CreateTicketInput, actor: TicketActor): Promise<TicketView> {
    const cfg = await config();
    const phone = normalizePhone(input.caller?.phone ?? '');
    if (!phone) throw new HotlineError('TICKET_INVALID', 'caller.phone must be a phone number');
    if (!channels.includes(input.channel)) throw new HotlineError('TICKET_INVALID', 'unknown channel');
    if (!cfg.categories.includes(input.category)) throw new HotlineError('TICKET_INVALID', `unknown category ${input.category}`);
    if (!cfg.urgencies.includes(input.urgency)) throw new HotlineError('TICKET_INVALID', `unknown urgency ${input.urgency}`);
    if (!input.content?.trim()) throw new HotlineError('TICKET_INVALID', 'content is required');
    const now = clock.now();
    const id = await ids.next();
    const ticket: Ticket = {
      id, state: 'registered', channel: input.channel, caller: { ...input.caller, phone }, content: input.content.trim(),
      category: input.category, urgency: input.urgency, confidential: input.confidential ?? false, matterType: input.matterType ?? null,
      leadUnit: null, assistingUnits: [], callIds: input.callId ? [input.callId] : [], recordingIds: input.recordingId ? [input.recordingId] : [],
      mergedIds: [], mergedInto: null, publicReply: null,
      deadlines: { startedAt: null, signForDueAt: null, returnDueAt: null, handleDueAt: null, callbackDueAt: null },
      timerGeneration: 0, returnsApproved: 0, returnReason: null, extensionPending: null, extensionsGranted: [], urgeCount: 0, superviseCount: 0,
      callbackAttempts: 0, callbackOutcome: null, dissatisfiedPending: false, badRatingReasonable: false, rectified: false, directAnswered: false,
      createdAt: now, createdBy: actor.username, updatedAt: now, repliedAt: null, closedAt: null,
    };
    const result = await store.commit([{ key: ticketKeys.ticket(id), version: 0 }], [
      { op: 'put', key: ticketKeys.ticket(id), value: ticket },
      { op: 'zadd', key: ticketKeys.all, member: id, score: now },
      { op: 'zadd', key: ticketKeys.byPhone(phone), member: id, score: now },
      auditOp(id, { at: now, by: actor.username, action: 'create', from: null, to: 'registered', reason: null, details: { channel: input.channel } }),
    ]);
    if (!result.ok) throw new HotlineError('STORE_CONFLICT', `ticket id ${id} already exists`);
    log.info({ ticketId: id, channel: input.channel }, 'ticket created');
    return view(ticket, now, cfg.yellowShare);
  }

  async function act(id: string, action: TicketAction, input: ActionInput, actor: TicketActor): Promise<TicketView> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const done = await tryAct(id, action, input, actor);
      if (done) return done;
      await sleep(Math.random() * Math.min(50, 2 * (attempt + 1)));
    }
    throw new HotlineError('STORE_CONFLICT', `ticket ${id} changed ${MAX_ATTEMPTS} times while ${action} was tried; retry`);
  }

  async function tryAct(id: string, action: TicketAction, input: ActionInput, actor: TicketActor): Promise<TicketView | null> {
    const [{ ticket, version }, cfg] = await Promise.all([read(id), config()]);
    const now = clock.now();
    const facts = { returnsApproved: ticket.returnsApproved, extensionPending: ticket.extensionPending !== null, dissatisfiedPending: ticket.dissatisfiedPending, handleDueAt: ticket.deadlines.handleDueAt, now };
    const to = transition({ state: ticket.state, action, actors: actor.roles, facts, ...(input.reason === undefined ? {} : { reason: input.reason }) });
    assertUnit(ticket, action, actor);
    if (action === 'merge') throw new HotlineError('TICKET_INVALID', 'merge is recorded on the first ticket by merge_into on the duplicate');
    const effects = applyEffects(ticket, action, to, input, { config: cfg, calendar: calendarOf(cfg), now });
    const next = effects.ticket;
    const checks = [{ key: ticketKeys.ticket(id), version }];
    const ops: Op[] = [{ op: 'put', key: ticketKeys.ticket(id), value: next }];
    if (action === 'merge_into') await mergeOps(next, actor, now, checks, ops);
    for (const timer of effects.timers) ops.push({ op: 'zadd', key: ticketKeys.timers, member: `${id}|${timer.kind}|${next.timerGeneration}`, score: timer.at });
    if (effects.callbackList?.op === 'add') ops.push({ op: 'zadd', key: ticketKeys.callbacks, member: id, score: effects.callbackList.at });
    if (effects.callbackList?.op === 'remove') ops.push({ op: 'zrem', key: ticketKeys.callbacks, member: id });
    ops.push(auditOp(id, { at: now, by: actor.username, action, from: ticket.state, to, reason: input.reason?.trim() || null, details: effects.details }));
    const result = await store.commit(checks, ops);
    if (!result.ok) return null;
    log.info({ ticketId: id, action, from: ticket.state, to, by: actor.username }, 'ticket moved');
    return view(next, now, cfg.yellowShare);
  }

  /**
   * A user who may make this move only as a department acts for its own unit: the ticket must be
   * dispatched to that unit (lead or assisting). Hotline roles (agent, supervisor, admin) are not limited.
   */
  function assertUnit(ticket: Ticket, action: TicketAction, actor: TicketActor): void {
    if (actor.unit === undefined) return; // a trusted internal caller
    const allowed = transitionTable[action].actors;
    if (actor.roles.some((role) => role !== 'department' && allowed.includes(role))) return;
    if (actor.unit !== null && (ticket.leadUnit === actor.unit || ticket.assistingUnits.includes(actor.unit))) return;
    throw new HotlineError('TICKET_FORBIDDEN_ACTION', `${action}: ticket ${ticket.id} is not dispatched to your unit`, { action });
  }

  /** A duplicate joins the first ticket: the first one must allow `merge`, and both are written together. */
  async function mergeOps(duplicate: Ticket, actor: TicketActor, now: number, checks: Array<{ key: string; version: number }>, ops: Op[]): Promise<void> {
    const intoId = duplicate.mergedInto!;
    if (intoId === duplicate.id) throw new HotlineError('TICKET_INVALID', 'a ticket cannot be merged into itself');
    const { ticket: first, version } = await read(intoId);
    if (first.mergedInto !== null) throw new HotlineError('TICKET_INVALID', `ticket ${intoId} is itself merged into ${first.mergedInto}`);
    const facts = { returnsApproved: first.returnsApproved, extensionPending: false, dissatisfiedPending: false, handleDueAt: null, now };
    transition({ state: first.state, action: 'merge', actors: actor.roles, facts });
    const joined: Ticket = {
      ...first, mergedIds: [...first.mergedIds, duplicate.id], callIds: [...new Set([...first.callIds, ...duplicate.callIds])],
      recordingIds: [...new Set([...first.recordingIds, ...duplicate.recordingIds])], updatedAt: now,
    };
    checks.push({ key: ticketKeys.ticket(intoId), version });
    ops.push({ op: 'put', key: ticketKeys.ticket(intoId), value: joined });
    ops.push(auditOp(intoId, { at: now, by: actor.username, action: 'merge', from: first.state, to: first.state, reason: null, details: { merged: duplicate.id } }));
  }

  async function audit(id: string): Promise<AuditEntry[]> {
    await read(id);
    const entries: AuditEntry[] = [];
    for (let after = '0'; ;) {
      const batch = await store.xrange(ticketKeys.audit(id), after, 500);
      for (const { id: entryId, fields } of batch) {
        entries.push({
          id: entryId, at: Number(fields['at']), by: fields['by'] ?? '', action: fields['action'] as AuditEntry['action'],
          from: (fields['from'] || null) as AuditEntry['from'], to: fields['to'] as AuditEntry['to'], reason: fields['reason'] || null,
          details: JSON.parse(fields['details'] ?? '{}') as Record<string, unknown>,
        });
      }
      if (batch.length < 500) return entries;
      after = batch[batch.length - 1]!.id;
    }
  }

  async function load(idsToLoad: readonly string[]): Promise<Ticket[]> {
    const docs = await store.getMany<Ticket>(idsToLoad.map(ticketKeys.ticket));
    return docs.flatMap((d) => (d ? [d.value] : []));
  }

  async function history(phone: string, limit = 50): Promise<TicketView[]> {
    const normalized = normalizePhone(phone);
    if (!normalized) throw new HotlineError('TICKET_INVALID', 'not a phone number');
    const entries = await store.zrangeByScore(ticketKeys.byPhone(normalized), -Infinity, Infinity, { reverse: true, count: limit });
    return views(await load(entries.map((e) => e.member)));
  }

  async function callbackList(limit = 50): Promise<TicketView[]> {
    const now = clock.now();
    const due = await store.zrangeByScore(ticketKeys.callbacks, -Infinity, now, { count: limit });
    return views(await load(due.map((e) => e.member)));
  }

  async function setConfig(value: unknown, actor: TicketActor): Promise<TicketConfig> {
    const parsed = parseTicketConfig(value);
    await store.commit([], [{ op: 'put', key: ticketKeys.config, value: parsed }]);
    log.info({ by: actor.username }, 'ticket configuration changed');
    return parsed;
  }

  async function kpis(filter: KpiFilter = {}): Promise<TicketKpis & { tickets: number }> {
    const cfg = await config();
    const entries = await store.zrangeByScore(ticketKeys.all, filter.from ?? -Infinity, filter.to === undefined ? Infinity : filter.to - 0.001);
    const tickets = (await load(entries.map((e) => e.member)))
      .filter((t) => (filter.unit === undefined || t.leadUnit === filter.unit) && (filter.category === undefined || t.category === filter.category));
    const facts: KpiTicket[] = tickets.map((t) => ({
      state: t.state, directAnswered: t.directAnswered, invalid: t.state === 'not_accepted' || t.mergedInto !== null,
      dueAt: t.deadlines.handleDueAt, closedAt: t.closedAt, repliedAt: t.repliedAt, callbackOutcome: t.callbackOutcome,
      badRatingReasonable: t.badRatingReasonable, rectified: t.rectified,
    }));
    return { ...ticketKpis(facts, { now: clock.now(), countBasicallySatisfied: cfg.countBasicallySatisfied }), tickets: tickets.length };
  }

  return {
    create, act, audit, history, callbackList, config, setConfig, kpis,
    get: async (id) => (await views([(await read(id)).ticket]))[0]!,
  };
}
