/**
 * Ticket REST API: intake (agents, any channel), one action route per state-machine move (the
 * transition table decides which role may make which move: TICKET_FORBIDDEN_ACTION otherwise),
 * ticket, audit trail, callback work list, caller history (screen pop), KPIs and configuration.
 * Knowledge base: articles with versions (departments and admins write), search (everyone).
 */
import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import { roles } from '../../auth/roles.ts';
import type { Session } from '../../auth/user-service.ts';
import { HotlineError } from '../../errors.ts';
import type { CallRatings } from '../../tickets/call-ratings.ts';
import type { KbService } from '../../tickets/kb-service.ts';
import { TicketConfigSchema } from '../../tickets/ticket-config.ts';
import { forViewer, type TicketFilter, type TicketQueries, type TicketView } from '../../tickets/ticket-queries.ts';
import type { TicketService } from '../../tickets/ticket-service.ts';
import type { TicketAction } from '../../tickets/ticket-states.ts';
import type { ActionInput, CreateTicketInput, TicketActor } from '../../tickets/ticket-types.ts';
import {
  ActionBody, ActionParams, ArticleBody, ArticleInput, ArticleParams, ArticleUpdate, AuditBody, CreateTicketBody, HistoryBody,
  IdParams, KpiBody, KpiQuery, ListQuery, Phone, SearchBody, SearchQuery, TicketBody, errors,
} from './ticket-schemas.ts';
import type { KbArticleInput } from '../../tickets/kb-service.ts';

/** Where the caller history finds calls (src/calls/call-records.ts fits). */
export interface CallHistorySource {
  byPhone(phone: string, limit?: number): Promise<readonly object[]>;
}

export interface TicketRoutesOptions {
  readonly tickets: TicketService;
  readonly kb: KbService;
  readonly ratings: CallRatings;
  readonly queries: TicketQueries;
  /** Calls for the caller history; without it the history lists tickets and rated calls only. */
  readonly calls?: CallHistorySource;
}

const hotline = ['agent', 'supervisor'] as const;

export function ticketRoutes(options: TicketRoutesOptions) {
  const { tickets, kb, ratings, calls, queries } = options;
  const actor = (session: { username: string; roles: readonly string[]; unit?: string } | null): TicketActor =>
    ({ username: session!.username, roles: session!.roles as TicketActor['roles'], unit: session!.unit ?? null });

  /** A department sees only the tickets its unit leads or assists on; hotline roles see every ticket. */
  const departmentOnly = (session: Session | null): session is Session => session !== null && session.roles.every((role) => role === 'department');
  async function readable(id: string, session: Session | null): Promise<TicketView> {
    const ticket = await tickets.get(id);
    if (departmentOnly(session) && !(session.unit !== undefined && (ticket.leadUnit === session.unit || ticket.assistingUnits.includes(session.unit)))) {
      throw new HotlineError('TICKET_NOT_FOUND', 'no ticket with this id for your unit');
    }
    return ticket;
  }

  return async function register(app: FastifyInstance): Promise<void> {
    app.post('/api/tickets', {
      config: { auth: ['agent'] },
      schema: { tags: ['tickets'], summary: 'Register a ticket (phone, web, SMS or mailbox intake)', body: CreateTicketBody, response: { 201: TicketBody, ...errors(400, 401, 403, 409) } },
    }, async (request, reply) => reply.status(201).send(await tickets.create(request.body as CreateTicketInput, actor(request.session))));

    app.get('/api/tickets', {
      config: { auth: roles },
      schema: { tags: ['tickets'], summary: 'Tickets by state, unit (lead or assisting), category, light; newest first', querystring: ListQuery, response: { 200: Type.Array(TicketBody), ...errors(400, 401) } },
    }, async (request) => {
      const { limit, state, ...rest } = request.query as Omit<TicketFilter, 'states'> & { state?: TicketFilter['states']; limit?: number };
      const session = request.session;
      if (departmentOnly(session) && rest.unit !== undefined && rest.unit !== session.unit) return [];
      const unit = departmentOnly(session) ? { unit: session.unit ?? '\u0000no unit' } : {};
      const found = await queries.list({ ...rest, ...unit, ...(state === undefined ? {} : { states: state }) }, limit);
      return found.map((t) => forViewer(t, request.session!.roles));
    });

    app.get('/api/tickets/sample', {
      config: { auth: ['supervisor'] },
      schema: { tags: ['tickets'], summary: 'A random sample of tickets for quality checks (质检抽查)', querystring: ListQuery, response: { 200: Type.Array(TicketBody), ...errors(400, 401, 403) } },
    }, async (request) => {
      const { limit, state, ...rest } = request.query as Omit<TicketFilter, 'states'> & { state?: TicketFilter['states']; limit?: number };
      return queries.sample({ ...rest, states: state ?? ['closed', 'archived'] }, limit ?? 10);
    });

    app.get('/api/tickets/:id', {
      config: { auth: roles },
      schema: { tags: ['tickets'], summary: 'A ticket with its deadlines and light', params: IdParams, response: { 200: TicketBody, ...errors(400, 401, 404) } },
    }, async (request) => forViewer(await readable((request.params as { id: string }).id, request.session), request.session!.roles));

    app.post('/api/tickets/:id/actions/:action', {
      config: { auth: roles },
      schema: {
        tags: ['tickets'], summary: 'Make one move of the state machine (docs/tickets.md lists moves and roles)',
        params: ActionParams, body: ActionBody, response: { 200: TicketBody, ...errors(400, 401, 403, 404, 409) },
      },
    }, async (request) => {
      const { id, action } = request.params as { id: string; action: TicketAction };
      return forViewer(await tickets.act(id, action, (request.body ?? {}) as ActionInput, actor(request.session)), request.session!.roles);
    });

    app.get('/api/tickets/:id/audit', {
      config: { auth: roles },
      schema: { tags: ['tickets'], summary: 'The audit trail: who, when, from, to, why', params: IdParams, response: { 200: AuditBody, ...errors(400, 401, 404) } },
    }, async (request) => {
      const { id } = request.params as { id: string };
      await readable(id, request.session);
      return tickets.audit(id);
    });

    app.get('/api/tickets/callbacks', {
      config: { auth: hotline },
      schema: { tags: ['tickets'], summary: 'Callback work list: tickets to call back now', response: { 200: Type.Array(TicketBody), ...errors(401, 403) } },
    }, async () => tickets.callbackList());

    app.get('/api/callers/:phone/history', {
      config: { auth: hotline },
      schema: {
        tags: ['tickets'], summary: "A caller's tickets, calls and call ratings, newest first (screen pop)",
        params: Type.Object({ phone: Phone }), response: { 200: HistoryBody, ...errors(400, 401, 403) },
      },
    }, async (request) => {
      const { phone } = request.params as { phone: string };
      const [found, rated, called] = await Promise.all([tickets.history(phone), ratings.byPhone(phone), calls?.byPhone(phone, 50) ?? []]);
      return { tickets: found, calls: called, ratedCalls: rated };
    });

    app.get('/api/tickets/kpis', {
      config: { auth: ['supervisor', 'admin'] },
      schema: { tags: ['tickets'], summary: 'Ticket KPIs per unit / category / period (created in [from, to), ms)', querystring: KpiQuery, response: { 200: KpiBody, ...errors(400, 401, 403) } },
    }, async (request) => tickets.kpis(request.query as { unit?: string; category?: string; from?: number; to?: number }));

    app.get('/api/tickets/config', {
      config: { auth: roles },
      schema: { tags: ['tickets'], summary: 'Categories, urgencies, units, catalogue, deadline rules, calendar', response: { 200: TicketConfigSchema, ...errors(401) } },
    }, async () => tickets.config());

    app.put('/api/tickets/config', {
      config: { auth: ['admin'] },
      schema: { tags: ['tickets'], summary: 'Replace the ticket configuration (validated as a whole)', body: TicketConfigSchema, response: { 200: TicketConfigSchema, ...errors(400, 401, 403) } },
    }, async (request) => tickets.setConfig(request.body, actor(request.session)));

    registerKb(app, kb, actor);
  };
}

function registerKb(app: FastifyInstance, kb: KbService, actor: (s: { username: string; roles: readonly string[] } | null) => TicketActor): void {
  const editors = ['department', 'admin'] as const;
  app.get('/api/kb/search', {
    config: { auth: roles },
    schema: { tags: ['knowledge base'], summary: 'Search articles valid now (Chinese without spaces works)', querystring: SearchQuery, response: { 200: SearchBody, ...errors(400, 401) } },
  }, async (request) => {
    const { q, limit, at } = request.query as { q: string; limit?: number; at?: number };
    return kb.search(q, { ...(limit === undefined ? {} : { limit }), ...(at === undefined ? {} : { at }) });
  });

  app.post('/api/kb/articles', {
    config: { auth: editors },
    schema: { tags: ['knowledge base'], summary: 'Create an article', body: ArticleInput, response: { 201: ArticleBody, ...errors(400, 401, 403) } },
  }, async (request, reply) => reply.status(201).send(await kb.create(request.body as KbArticleInput, actor(request.session).username)));

  app.put('/api/kb/articles/:id', {
    config: { auth: editors },
    schema: { tags: ['knowledge base'], summary: 'Write a new version (expectedVersion guards against lost updates)', params: ArticleParams, body: ArticleUpdate, response: { 200: ArticleBody, ...errors(400, 401, 403, 404, 409) } },
  }, async (request) => {
    const { expectedVersion, ...input } = request.body as KbArticleInput & { expectedVersion?: number };
    return kb.update((request.params as { id: string }).id, input, actor(request.session).username, expectedVersion);
  });

  app.get('/api/kb/articles/:id', {
    config: { auth: roles },
    schema: { tags: ['knowledge base'], summary: 'The current version of an article', params: ArticleParams, response: { 200: ArticleBody, ...errors(400, 401, 404) } },
  }, async (request) => kb.get((request.params as { id: string }).id));

  app.get('/api/kb/articles/:id/versions', {
    config: { auth: roles },
    schema: { tags: ['knowledge base'], summary: 'Every version of an article, oldest first', params: ArticleParams, response: { 200: Type.Array(ArticleBody), ...errors(400, 401, 404) } },
  }, async (request) => kb.versions((request.params as { id: string }).id));
}
