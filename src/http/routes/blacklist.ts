/**
 * The blacklist of malicious callers (admins and supervisors): GET /api/blacklist,
 * GET/PUT/DELETE /api/blacklist/{number}. Every change lands in the audit log (the HTTP audit hook);
 * the entry itself keeps who blocked the number, why and until when. Rules: src/security/blacklist.ts.
 */
import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import { HotlineError } from '../../errors.ts';
import type { Blacklist } from '../../security/blacklist.ts';
import { ErrorBody } from '../schemas.ts';

const Entry = Type.Object({
  number: Type.String(), reason: Type.String(), by: Type.String(),
  createdAt: Type.Integer(), expiresAt: Type.Integer({ description: 'ms since the epoch; the entry lapses then' }),
});
const Params = Type.Object({ number: Type.String({ pattern: '^\\+?[0-9]{1,20}$', description: 'the caller number, digits with an optional leading +' }) });
const Body = Type.Object({
  reason: Type.String({ minLength: 2, maxLength: 500, description: 'why (e.g. 多次辱骂坐席); shown to supervisors and in the audit' }),
  days: Type.Integer({ minimum: 1, maximum: 365, description: 'how long the block lasts' }),
}, { additionalProperties: false });
const staff = ['admin', 'supervisor'] as const;

export function blacklistRoutes(blacklist: Blacklist) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/api/blacklist', {
      config: { auth: staff },
      schema: { tags: ['security'], summary: 'Blocked caller numbers in force, soonest expiry first', response: { 200: Type.Array(Entry), 401: ErrorBody, 403: ErrorBody } },
    }, async () => blacklist.list());

    app.get('/api/blacklist/:number', {
      config: { auth: staff },
      schema: { tags: ['security'], summary: 'Whether a number is blocked, why, by whom, until when', params: Params, response: { 200: Entry, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody } },
    }, async (request) => {
      const { number } = request.params as { number: string };
      const entry = await blacklist.get(number);
      if (!entry) throw new HotlineError('NOT_FOUND', 'this number is not blocked');
      return entry;
    });

    app.put('/api/blacklist/:number', {
      config: { auth: staff },
      schema: {
        tags: ['security'], summary: 'Block a malicious caller for some days (never anonymous callers or service numbers; repeat callers are merged, not blocked)',
        params: Params, body: Body, response: { 200: Entry, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
      },
    }, async (request) => {
      const { number } = request.params as { number: string };
      const entry = await blacklist.put(number, request.body as { reason: string; days: number }, request.session!.username);
      request.log.info({ number, days: (request.body as { days: number }).days }, 'caller number blocked');
      return entry;
    });

    app.delete('/api/blacklist/:number', {
      config: { auth: staff },
      schema: { tags: ['security'], summary: 'Unblock a number', params: Params, response: { 204: Type.Null(), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody } },
    }, async (request, reply) => {
      const { number } = request.params as { number: string };
      if (!(await blacklist.remove(number))) throw new HotlineError('NOT_FOUND', 'this number is not blocked');
      request.log.info({ number }, 'caller number unblocked');
      return reply.status(204).send();
    });
  };
}
