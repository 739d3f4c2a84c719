/**
 * Random bodies, parameters and queries on every route of the composed server (issue 9, bad
 * input), as an admin, an agent and a department: never a 5xx, and every refusal carries a
 * documented error code. The routes come from the server's own route table, so routes added later
 * are fuzzed too.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPassword } from '../../src/auth/seed-users.ts';
import { loadConfig } from '../../src/config/config.ts';
import { errorCodes } from '../../src/errors.ts';
import { createLogger } from '../../src/log.ts';
import { startHotline, type Hotline } from '../../src/server.ts';
import { routeList, type RouteEntry } from '../support/route-list.ts';

/** Routes that end the session the fuzzing runs on, and static files (no input). */
const left = (r: RouteEntry) =>
  /^\/api\/auth\/logout|\/sessions$/.test(r.url) || r.url === '/' || r.url.startsWith('/assets') || r.url.startsWith('/favicon') || r.url.startsWith('/docs') || r.method === 'HEAD';

const segment = fc.oneof(
  fc.constantFrom('1', '0', '-1', '20261123-000001', 'agent1001', '12345', 'general', '..', '%00', '%E4%B8%AD', 'a'.repeat(300), 'null'),
  fc.string({ minLength: 1, maxLength: 40 }).map(encodeURIComponent),
);
const scalar = fc.oneof(fc.string({ maxLength: 30 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const keys = ['content', 'category', 'urgency', 'caller', 'phone', 'reason', 'unit', 'reply', 'state', 'flow', 'message', 'version', 'number', 'expiresAt',
  'scores', 'comment', 'final', 'shifts', 'roster', 'username', 'password', 'roles', 'extension', 'skills', 'limit', 'since', 'until', 'digits', 'did', 'from'];
const body = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(fc.constantFrom(...keys), fc.oneof(scalar, fc.jsonValue({ maxDepth: 2 })), { maxKeys: 6 }),
);
const query = fc.dictionary(fc.constantFrom('limit', 'since', 'until', 'state', 'unit', 'q', 'from', 'to', 'agentId', 'phone', 'page'), fc.oneof(fc.string({ maxLength: 20 }), fc.integer().map(String)), { maxKeys: 3 });

describe('every route, random input', () => {
  let hotline: Hotline;
  const tokens = new Map<string, string>();
  beforeAll(async () => {
    hotline = await startHotline(loadConfig({ PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_GRACE_MS: '0' }), createLogger('silent'));
    for (const username of ['admin', 'agent1001', 'dept-transport']) {
      const response = await fetch(`${hotline.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: demoPassword }) });
      tokens.set(username, ((await response.json()) as { token: string }).token);
    }
  });
  afterAll(() => hotline.close());

  it.each(['admin', 'agent1001', 'dept-transport'])('as %s: never 5xx, every refusal coded', async (username) => {
    const routes = routeList(hotline.app).filter((r) => !left(r));
    expect(routes.length).toBeGreaterThan(30);
    const failures: string[] = [];
    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(fc.array(segment, { minLength: 4, maxLength: 4 }), query, fc.option(body, { nil: undefined }), fc.boolean(), async (segments, q, json, asText) => {
          let n = 0;
          const path = route.url.replace(/:[A-Za-z]+|\*/g, () => segments[n++ % segments.length]!);
          const search = new URLSearchParams(q).toString();
          const hasBody = json !== undefined && route.method !== 'GET' && route.method !== 'DELETE';
          const response = await fetch(`${hotline.url}${path}${search ? `?${search}` : ''}`, {
            method: route.method,
            headers: { authorization: `Bearer ${tokens.get(username)!}`, ...(hasBody ? { 'content-type': asText ? 'text/plain' : 'application/json' } : {}) },
            ...(hasBody ? { body: JSON.stringify(json) } : {}),
          });
          const text = await response.text();
          const what = `${route.method} ${path} ${hasBody ? JSON.stringify(json).slice(0, 120) : ''} → ${response.status} ${text.slice(0, 160)}`;
          if (response.status >= 500) failures.push(what);
          if (response.status >= 400 && response.status < 500) {
            const code = (JSON.parse(text) as { code?: string }).code;
            if (!code || !(code in errorCodes)) failures.push(`uncoded: ${what}`);
          }
          return true;
        }),
        { numRuns: 25 },
      );
    }
    expect(failures).toEqual([]);
  }, 240_000);
});
