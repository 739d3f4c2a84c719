/** POST /api/auth/login, POST /api/auth/logout, POST /api/auth/logout-all, GET /api/auth/me, DELETE /api/users/{username}/sessions (admin). */
import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { UserService } from '../../auth/user-service.ts';
import { roles } from '../../auth/roles.ts';
import { bearerToken } from '../auth.ts';
import { HotlineError } from '../../errors.ts';
import { ErrorBody } from '../schemas.ts';

const Revoked = Type.Object({ revoked: Type.Integer({ description: 'sessions that were open' }) });

const UserBody = Type.Object({
  username: Type.String(),
  displayName: Type.String(),
  roles: Type.Array(Type.Union(roles.map((r) => Type.Literal(r)))),
  extension: Type.Optional(Type.String()),
});

export function authRoutes(users: UserService) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.post('/api/auth/login', {
      config: { auth: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Log in with user name and password; returns a bearer token',
        body: Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ token: Type.String(), expiresAt: Type.String({ format: 'date-time' }), user: UserBody }),
          400: ErrorBody, 401: ErrorBody, 429: ErrorBody,
        },
      },
    }, async (request) => {
      const { username, password } = request.body as { username: string; password: string };
      const { token, session, user } = await users.login(username, password, request.ip);
      request.log.info({ username }, 'logged in');
      return { token, expiresAt: new Date(session.expiresAt).toISOString(), user };
    });

    app.post('/api/auth/logout', {
      config: { auth: roles },
      schema: { tags: ['auth'], summary: 'End this session (the token stops working at once)', response: { 204: Type.Null(), 401: ErrorBody } },
    }, async (request, reply) => {
      const token = bearerToken(request);
      if (token) await users.logout(token);
      return reply.status(204).send();
    });

    app.post('/api/auth/logout-all', {
      config: { auth: roles },
      schema: { tags: ['auth'], summary: 'End every session of this user, on every device', response: { 200: Revoked, 401: ErrorBody } },
    }, async (request) => ({ revoked: await users.revokeSessions(request.session!.username) }));

    app.delete('/api/users/:username/sessions', {
      config: { auth: ['admin'] },
      schema: {
        tags: ['auth'], summary: 'Admin: end every session of a user at once (lost or stolen credentials); the user must log in again',
        params: Type.Object({ username: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }) }),
        response: { 200: Revoked, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    }, async (request) => {
      const { username } = request.params as { username: string };
      if (!(await users.getUser(username))) throw new HotlineError('NOT_FOUND', `no user ${username}`);
      const revoked = await users.revokeSessions(username);
      request.log.info({ target: username, revoked }, 'sessions revoked');
      return { revoked };
    });

    app.get('/api/auth/me', {
      config: { auth: roles },
      schema: { tags: ['auth'], summary: 'Who am I', response: { 200: UserBody, 401: ErrorBody } },
    }, async (request) => {
      const user = await users.getUser(request.session!.username);
      return user ?? { username: request.session!.username, displayName: request.session!.username, roles: request.session!.roles };
    });
  };
}
