/**
 * Security headers on every response and CORS for configured origins only (no @fastify/helmet
 * or @fastify/cors in the tree; the set is small and fixed). The CSP depends on what is served:
 * the API answers JSON and gets `default-src 'none'`; the browser app (HTML at `/`) may load only
 * its own scripts and styles, talk to its own origin and to WebSocket servers (the CTI socket here,
 * SIP over WSS at Asterisk); the OpenAPI UI at /docs also needs inline styles. See docs/security.md.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HotlineError } from '../errors.ts';

export interface SecurityHeaderOptions {
  /** Origins allowed to call the API from a browser on another origin (CORS_ORIGINS). */
  readonly corsOrigins?: readonly string[];
}

/** For JSON, text and anything that is not a page: nothing may load, nothing may frame it. */
export const apiCsp = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** The browser app: its own files only; audio from its own API (recordings as blobs); WebSockets for CTI and SIP. */
export const appCsp = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
  "media-src 'self' blob:", "connect-src 'self' wss: ws:", "worker-src 'self'", "object-src 'none'",
  "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'",
].join('; ');

/** Swagger UI sets inline styles and loads its bundle from /docs. */
export const docsCsp = [
  "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
  "connect-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'",
].join('; ');

const fixedHeaders: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  // the softphone needs the microphone on its own origin; nothing else
  'permissions-policy': 'microphone=(self), camera=(), geolocation=(), payment=(), usb=()',
};

const allowedMethods = 'GET, HEAD, POST, PUT, PATCH, DELETE';
const allowedHeaders = 'authorization, content-type, range, if-match';

export function installSecurityHeaders(app: FastifyInstance, options: SecurityHeaderOptions = {}): void {
  const origins = new Set(options.corsOrigins ?? []);

  // CORS first: a preflight (OPTIONS, no route of ours) is answered here, before auth and 404.
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (origin === undefined || !origins.has(origin)) {
      if (isPreflight(request)) throw new HotlineError('FORBIDDEN', 'this origin may not call the API (CORS_ORIGINS)');
      return;
    }
    void reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
    if (isPreflight(request)) {
      return reply
        .header('access-control-allow-methods', allowedMethods)
        .header('access-control-allow-headers', allowedHeaders)
        .header('access-control-max-age', '600')
        .status(204)
        .send();
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    for (const [name, value] of Object.entries(fixedHeaders)) void reply.header(name, value);
    void reply.header('content-security-policy', cspFor(request, reply));
    if (request.protocol === 'https') void reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    if (origins.has(request.headers.origin ?? '')) void reply.header('access-control-expose-headers', 'retry-after, content-range');
    return payload;
  });
}

function isPreflight(request: FastifyRequest): boolean {
  return request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
}

/** Pages and scripts (a script may run as a worker, whose CSP is its own response's) get the app's policy. */
function cspFor(request: FastifyRequest, reply: FastifyReply): string {
  const type = String(reply.getHeader('content-type') ?? '');
  if (!type.startsWith('text/html') && !/javascript/.test(type)) return apiCsp;
  return request.url === '/docs' || request.url.startsWith('/docs/') ? docsCsp : appCsp;
}
