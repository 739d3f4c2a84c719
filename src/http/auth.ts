/**
 * Authentication and role checks for every route, default-deny: each route declares
 * `config: { auth: 'public' }` or `config: { auth: ['agent', …] }`, and registering a route without
 * it fails at boot. Clients send `Authorization: Bearer <token>` from POST /api/auth/login.
 * `auth: 'metrics'` is for the Prometheus scrape: it takes `Authorization: Bearer <METRICS_TOKEN>`,
 * or, when no METRICS_TOKEN is configured, a loopback client only (no user session either way).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Session, UserService } from '../auth/user-service.ts';
import type { Role } from '../auth/roles.ts';
import { HotlineError } from '../errors.ts';

export type RouteAuth = 'public' | 'metrics' | readonly Role[];

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
  }
  interface FastifyRequest {
    session: Session | null;
  }
}

/** Routes that plugins add on their own (OpenAPI UI assets) and that are public by nature. */
const publicPrefixes = ['/docs'];

export interface AuthOptions {
  /** The bearer token of `auth: 'metrics'` routes; unset = loopback clients only. */
  readonly metricsToken?: string | undefined;
}

export function installAuth(app: FastifyInstance, users: UserService, options: AuthOptions = {}): void {
  const metricsDigest = options.metricsToken === undefined ? undefined : digest(options.metricsToken);
  app.decorateRequest('session', null);

  app.addHook('onRoute', (route) => {
    if (route.config?.auth !== undefined) return;
    if (publicPrefixes.some((prefix) => route.url.startsWith(prefix))) {
      route.config = { ...route.config, auth: 'public' };
      return;
    }
    throw new Error(`route ${String(route.method)} ${route.url} declares no config.auth (use 'public' or a list of roles)`);
  });

  app.addHook('onRequest', async (request) => {
    const auth = request.routeOptions.config.auth;
    if (auth === undefined || auth === 'public') return;
    if (auth === 'metrics') return checkScraper(request);
    const token = bearerToken(request);
    const session = token ? await users.authenticate(token) : null;
    if (!session) throw new HotlineError('UNAUTHORIZED', 'log in first: Authorization: Bearer <token>');
    request.session = session; // known before the role check: a refusal is audited with who it was
    if (!auth.some((role) => session.roles.includes(role))) {
      throw new HotlineError('FORBIDDEN', `this needs one of the roles: ${auth.join(', ')}`);
    }
  });

  function checkScraper(request: FastifyRequest): void {
    if (metricsDigest === undefined) {
      if (isLoopback(request.socket.remoteAddress)) return;
      throw new HotlineError('UNAUTHORIZED', 'metrics are served to loopback clients only unless METRICS_TOKEN is set');
    }
    const token = bearerToken(request);
    if (token === undefined || !timingSafeEqual(digest(token), metricsDigest)) {
      throw new HotlineError('UNAUTHORIZED', 'send Authorization: Bearer <METRICS_TOKEN>');
    }
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}
