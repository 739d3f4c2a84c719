/**
 * Staffing for supervisors and admins: the roster (GET, PUT) and the 7×24 coverage view — which
 * hours of the week are short of agents for the load of the last weeks.
 */
import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import { RosterSchema, type Roster } from '../../acd/shifts.ts';
import type { Staffing } from '../../acd/staffing.ts';
import { HotlineError } from '../../errors.ts';
import { ErrorBody } from '../schemas.ts';

const staffRoles = ['supervisor', 'admin'] as const;

const RosterBody = Type.Object({
  ...RosterSchema.properties,
  version: Type.Integer({ description: '0: the default roster, never saved' }),
  updatedAt: Type.Union([Type.Integer(), Type.Null()]),
  updatedBy: Type.Union([Type.String(), Type.Null()]),
});

const RosterUpdate = Type.Object({
  ...RosterSchema.properties,
  expectedVersion: Type.Optional(Type.Integer({ minimum: 0, description: 'the version you edited; 409 STORE_CONFLICT if it moved on' })),
}, { additionalProperties: false });

const CoverageHour = Type.Object({
  weekday: Type.Integer({ description: '1 = Monday … 7 = Sunday, Asia/Shanghai' }),
  hour: Type.Integer({ description: '0–23' }),
  forecastCalls: Type.Number({ description: 'mean calls in this hour over the weeks' }),
  handleSec: Type.Number({ description: 'mean handle time (talk + wrap-up)' }),
  required: Type.Integer({ description: 'agents needed for the target (Erlang C)' }),
  staffed: Type.Integer({ description: 'agents on shift for the whole hour' }),
  missing: Type.Integer({ description: 'agents short; 0 when covered' }),
});

const CoverageBody = Type.Object({
  from: Type.Integer(), to: Type.Integer(), weeks: Type.Integer(),
  queueId: Type.Union([Type.String(), Type.Null()]),
  target: Type.Object({ share: Type.Number(), withinSec: Type.Number() }),
  rosterVersion: Type.Integer(),
  shortHours: Type.Array(CoverageHour, { description: 'hours short of agents, most missing first' }),
  hours: Type.Array(Type.Object({ ...CoverageHour.properties, short: Type.Boolean() }), { description: '168 hours, Monday 00:00 first' }),
});

const CoverageQuery = Type.Object({
  weeks: Type.Integer({ minimum: 1, maximum: 12, default: 4, description: 'weeks of call records to forecast from' }),
  queue: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,47}$', description: 'one queue; default: every queue' })),
}, { additionalProperties: false });

export function staffingRoutes({ staffing, queueIds }: { staffing: Staffing; queueIds: readonly string[] }) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/api/acd/roster', {
      config: { auth: staffRoles },
      schema: { tags: ['acd'], summary: 'The roster: shifts, who works them, seats per shift', response: { 200: RosterBody, 401: ErrorBody, 403: ErrorBody } },
    }, async () => staffing.roster());

    app.put('/api/acd/roster', {
      config: { auth: staffRoles },
      schema: {
        tags: ['acd'],
        summary: 'Replace the roster (validated whole: times, shift ids)',
        body: RosterUpdate,
        response: { 200: RosterBody, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody },
      },
    }, async (request) => {
      const { expectedVersion, ...roster } = request.body as Roster & { expectedVersion?: number };
      return staffing.setRoster(roster, request.session!.username, expectedVersion);
    });

    app.get('/api/acd/coverage', {
      config: { auth: staffRoles },
      schema: {
        tags: ['acd'],
        summary: '7×24 coverage: per hour of the week, forecast calls, agents required (80 % within 15 s), on shift, missing',
        querystring: CoverageQuery,
        response: { 200: CoverageBody, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
      },
    }, async (request) => {
      const { weeks, queue } = request.query as { weeks: number; queue?: string };
      if (queue !== undefined && !queueIds.includes(queue)) throw new HotlineError('BAD_REQUEST', `no queue "${queue}"; queues: ${queueIds.join(', ')}`);
      return staffing.coverage({ weeks, queueId: queue });
    });
  };
}
