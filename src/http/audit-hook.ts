/**
 * Records every change an admin or a supervisor makes over REST (POST, PUT, PATCH, DELETE on an
 * authenticated route) in the audit log, after the response: who, the route, its parameters, the
 * status — refusals included — and every request of any signed-in user refused by role (403, any
 * method: an agent trying an admin route). Never the body; a route may say what it changed in a short,
 * non-personal note (`request.auditDetail`, e.g. `maxWaiting 200→500`). A failed write is logged,
 * not thrown (the change has happened; the log line then carries the same facts).
 */
import type { FastifyInstance } from 'fastify';
import type { AuditLog } from '../security/audit-log.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** What a change changed, for its audit entry (never personal data). */
    auditDetail?: string;
  }
}

const mutating = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const audited = ['admin', 'supervisor'];

export function installAuditHook(app: FastifyInstance, audit: AuditLog): void {
  app.decorateRequest('auditDetail', undefined);
  app.addHook('onResponse', async (request, reply) => {
    const session = request.session;
    if (!session) return;
    const change = mutating.has(request.method) && session.roles.some((role) => audited.includes(role));
    if (!change && reply.statusCode !== 403) return;
    const params = (request.params ?? {}) as Record<string, unknown>;
    const entry = {
      who: session.username,
      roles: session.roles,
      action: `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`,
      target: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v).slice(0, 200)])),
      status: reply.statusCode,
      requestId: request.id,
      ...(request.auditDetail ? { detail: request.auditDetail.slice(0, 500) } : {}),
    };
    await audit.record(entry).catch((error: unknown) => request.log.error({ err: error, audit: entry }, 'audit entry not written'));
  });
}
