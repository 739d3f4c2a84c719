/** POST /api/auth/login, POST /api/auth/logout, GET /api/auth/me. */
import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { UserService } from '../../auth/user-service.ts';
import { roles } from '../../auth/roles.ts';
import { bearerToken } from '../auth.ts';
import { ErrorBody } from '../schemas.ts';

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
      const { token, session, user } = await users.login(username, password);
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

    app.get('/api/auth/me', {
      config: { auth: roles },
      schema: { tags: ['auth'], summary: 'Who am I', response: { 200: UserBody, 401: ErrorBody } },
    }, async (request) => {
      const user = await users.getUser(request.session!.username);
      return user ?? { username: request.session!.username, displayName: request.session!.username, roles: request.session!.roles };
    });
  };
}
