/**
 * Builds the Fastify application: error handling and default-deny auth first, then OpenAPI, then
 * each feature's routes. It receives ready services and never creates I/O resources itself, so
 * tests build it with in-memory parts and `app.inject()`.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Logger } from '../log.ts';
import type { UserService } from '../auth/user-service.ts';
import { installAuth } from './auth.ts';
import type { AuditLog } from '../security/audit-log.ts';
import { installAuditHook } from './audit-hook.ts';
import { frameworkErrors, installErrorHandler } from './error-handler.ts';
import { installSecurityHeaders } from './security-headers.ts';
import { ErrorBody } from './schemas.ts';
import { authRoutes } from './routes/auth.ts';
import { healthRoutes, type HealthSource } from './routes/health.ts';

/** A feature's routes: a function that registers them on the app. */
export type RoutePlugin = (app: FastifyInstance) => Promise<void>;

export interface AppOptions {
  readonly logger: Logger;
  readonly users: UserService;
  readonly health: readonly HealthSource[];
  readonly mode: { readonly asterisk: string; readonly store: string };
  /** Feature routes (tickets, calls, …), registered after the shared ones. */
  readonly routes?: readonly RoutePlugin[];
  /** Largest accepted request body, bytes. */
  readonly bodyLimit?: number;
  /** Bearer token of GET /metrics (METRICS_TOKEN); unset = loopback scrapers only. */
  readonly metricsToken?: string | undefined;
  /** Browser origins allowed cross-origin (CORS_ORIGINS); none by default. */
  readonly corsOrigins?: readonly string[] | undefined;
  /** Proxies whose X-Forwarded-For is believed (TRUST_PROXY), so `request.ip` is the client's. */
  readonly trustProxy?: string | undefined;
  /** Where admin and supervisor changes are recorded (every POST/PUT/PATCH/DELETE they make). */
  readonly audit?: AuditLog;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: options.bodyLimit ?? 256 * 1024,
    requestTimeout: 30_000, // a client must send its whole request within 30 s (slow-loris); responses may take longer
    ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    frameworkErrors,
  });

  installErrorHandler(app);
  installSecurityHeaders(app, { corsOrigins: options.corsOrigins ?? [] });
  installAuth(app, options.users, { metricsToken: options.metricsToken });
  app.addSchema(ErrorBody);
  if (options.audit) installAuditHook(app, options.audit);

  await app.register(swagger, {
    openapi: {
      info: { title: 'Hotline API', version: '0.1.0', description: 'REST API of the 12345 hotline server. Errors: docs/errors.md.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, metrics: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(healthRoutes(options.health, options.mode));
  await app.register(authRoutes(options.users));
  for (const routes of options.routes ?? []) await app.register(routes);
  return app;
}
