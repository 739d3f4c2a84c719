/** GET /api/supervision/sessions — the supervision audit: who supervised whom, on which call, when, how long. */
import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { SessionQuery, SupervisionAudit } from '../../acd/supervision-audit.ts';
import { HotlineError } from '../../errors.ts';
import { ErrorBody } from '../schemas.ts';

const Name = Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' });
const Mode = Type.Union([Type.Literal('monitor'), Type.Literal('whisper'), Type.Literal('barge'), Type.Literal('takeOver')]);
const SessionBody = Type.Object({
  sessionId: Type.String(),
  supervisor: Type.String(),
  agentId: Type.String(),
  callId: Type.String(),
  instanceId: Type.String(),
  startedAt: Type.Integer({ description: 'when the supervisor asked (ms since the epoch); the phone rang from then' }),
  modes: Type.Array(Type.Object({ mode: Mode, at: Type.Integer(), until: Type.Optional(Type.Integer()) })),
  endedAt: Type.Optional(Type.Integer()),
  durationMs: Type.Optional(Type.Integer()),
  endReason: Type.Optional(Type.String({ description: 'left, supervisor_hangup, caller_hangup, agent_hangup, transferred, no_answer, failed, shutdown' })),
});

export function supervisionRoutes({ audit }: { audit: SupervisionAudit }) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/api/supervision/sessions', {
      config: { auth: ['supervisor', 'admin'] },
      schema: {
        tags: ['supervision'],
        summary: 'Supervision sessions, newest first: supervisor, agent, call, modes with times, start, end, duration, why it ended',
        querystring: Type.Object({
          since: Type.Optional(Type.Integer({ minimum: 0, description: 'started at or after (ms since the epoch)' })),
          until: Type.Optional(Type.Integer({ minimum: 0, description: 'started before (ms since the epoch)' })),
          supervisor: Type.Optional(Name),
          agentId: Type.Optional(Name),
          callId: Type.Optional(Name),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
        }, { additionalProperties: false }),
        response: { 200: Type.Array(SessionBody), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
      },
    }, async (request) => audit.list(request.query as SessionQuery));

    app.get('/api/supervision/sessions/:sessionId', {
      config: { auth: ['supervisor', 'admin'] },
      schema: {
        tags: ['supervision'],
        summary: 'One supervision session',
        params: Type.Object({ sessionId: Type.String({ pattern: '^[a-z0-9]{1,16}-[a-f0-9]{8}$' }) }),
        response: { 200: SessionBody, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    }, async (request) => {
      const record = await audit.get((request.params as { sessionId: string }).sessionId);
      if (!record) throw new HotlineError('NOT_FOUND', 'no such supervision session');
      return record;
    });
  };
}
