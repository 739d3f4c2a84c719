/** Call records and the missed-call work list (agents call back callers who hung up while waiting). */
import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { CallRecords } from '../../calls/call-records.ts';
import type { MissedCalls } from '../../calls/missed-calls.ts';
import { startOfDayShanghai } from '../../acd/live-stats.ts';
import { HotlineError } from '../../errors.ts';
import { ErrorBody } from '../schemas.ts';

const CallId = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._:;-]{0,127}$' });
const MissedCallBody = Type.Object({
  callId: Type.String(), callerNumber: Type.String(), did: Type.String(), queueId: Type.String(),
  arrivedAt: Type.Integer(), waitedSec: Type.Integer(), short: Type.Boolean(), callbackFailed: Type.Boolean(),
});

export function callRoutes({ records, missed, now }: { records: CallRecords; missed: MissedCalls; now: () => number }) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/api/calls/missed', {
      config: { auth: ['agent', 'supervisor'] },
      schema: {
        tags: ['calls'],
        summary: 'Callers who hung up while waiting and were not reached since (newest first, one per number)',
        querystring: Type.Object({ since: Type.Optional(Type.Integer({ minimum: 0, description: 'ms since the epoch; default: midnight in Beijing' })) }, { additionalProperties: false }),
        response: { 200: Type.Array(MissedCallBody), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
      },
    }, async (request) => missed.list((request.query as { since?: number }).since ?? startOfDayShanghai(now())));

    app.post('/api/calls/:callId/callback', {
      config: { auth: ['agent', 'supervisor'] },
      schema: {
        tags: ['calls'],
        summary: 'Record the callback of a missed call (it leaves the work list)',
        params: Type.Object({ callId: CallId }),
        body: Type.Object({ outcome: Type.Union([Type.Literal('reached'), Type.Literal('unreachable')]), note: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
        response: {
          201: Type.Object({ callId: Type.String(), outcome: Type.String(), note: Type.Optional(Type.String()), by: Type.String(), at: Type.Integer() }),
          400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody,
        },
      },
    }, async (request, reply) => {
      const { callId } = request.params as { callId: string };
      const body = request.body as { outcome: 'reached' | 'unreachable'; note?: string };
      return reply.status(201).send(await missed.calledBack(callId, { ...body, by: request.session!.username }));
    });

    app.get('/api/calls/:callId', {
      config: { auth: ['supervisor', 'admin'] },
      schema: {
        tags: ['calls'],
        summary: 'One call record: every timestamp from arrival to hang-up, IVR path, queues, offers, tickets',
        params: Type.Object({ callId: CallId }),
        response: { 200: Type.Record(Type.String(), Type.Unknown()), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    }, async (request) => {
      const record = await records.get((request.params as { callId: string }).callId);
      if (!record) throw new HotlineError('NOT_FOUND', 'no such call');
      return record;
    });
  };
}
