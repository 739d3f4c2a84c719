/** GET /api/audit (admin): the audit log of admin and supervisor actions, oldest first, paged by id. */
import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { AuditLog } from '../../security/audit-log.ts';
import { ErrorBody } from '../schemas.ts';

const Entry = Type.Object({
  id: Type.String(), at: Type.Integer(), who: Type.String(), roles: Type.Array(Type.String()), action: Type.String(),
  target: Type.Record(Type.String(), Type.String()), status: Type.Integer(), requestId: Type.Optional(Type.String()), detail: Type.Optional(Type.String()),
});

export function auditRoutes(audit: AuditLog) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/api/audit', {
      config: { auth: ['admin'] },
      schema: {
        tags: ['operations'],
        summary: 'Audit log of admin and supervisor changes (who, what, target, outcome, when), oldest first; page with after=<last id>',
        querystring: Type.Object({
          after: Type.Optional(Type.String({ pattern: '^\\d{1,15}-\\d{1,15}$', description: 'entries after this id' })),
          since: Type.Optional(Type.Integer({ minimum: 0, description: 'entries from this time (ms since the epoch)' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
        }, { additionalProperties: false }),
        response: { 200: Type.Array(Entry), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
      },
    }, async (request) => audit.list(request.query as { after?: string; since?: number; limit?: number }));
  };
}
