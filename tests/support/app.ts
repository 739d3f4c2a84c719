/**
 * Builds the HTTP app on an in-memory store for `app.inject()` tests, and logs users in.
 * Close the app after each test (`afterEach(() => app.close())`).
 */
import type { FastifyInstance } from 'fastify';
import { createUserService, type UserService } from '../../src/auth/user-service.ts';
import type { Role } from '../../src/auth/roles.ts';
import { systemClock, type Clock } from '../../src/clock.ts';
import { buildApp, type RoutePlugin } from '../../src/http/app.ts';
import type { HealthSource } from '../../src/http/routes/health.ts';
import { createLogger } from '../../src/log.ts';
import type { AuditLog } from '../../src/security/audit-log.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import type { Store } from '../../src/store/store.ts';

export interface TestApp {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly users: UserService;
}

export async function buildTestApp(options: { routes?: RoutePlugin[]; health?: HealthSource[]; clock?: Clock; store?: Store; audit?: AuditLog } = {}): Promise<TestApp> {
  const clock = options.clock ?? systemClock;
  const store = options.store ?? createMemoryStore({ clock });
  const users = createUserService({ store, clock });
  const app = await buildApp({
    logger: createLogger('silent'),
    users,
    health: options.health ?? [{ name: 'store', health: () => store.health() }],
    mode: { asterisk: 'test', store: store.kind },
    routes: options.routes ?? [],
    ...(options.audit ? { audit: options.audit } : {}),
  });
  return { app, store, users };
}

let counter = 0;

/** Creates a user with `roles` and returns headers carrying its bearer token. */
export async function login(
  { app, users }: TestApp,
  roles: readonly Role[],
  extra: { extension?: string; unit?: string } = {},
): Promise<{ authorization: string; username: string }> {
  const username = `${roles.join('-')}-${++counter}`;
  const password = 'test-password-1';
  await users.createUser({ username, displayName: username, roles, password, ...extra });
  const response = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.body}`);
  return { authorization: `Bearer ${response.json<{ token: string }>().token}`, username };
}
