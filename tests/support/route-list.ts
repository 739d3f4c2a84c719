/**
 * Every method + URL pattern an app serves, read from Fastify's own route tree (`printRoutes`),
 * so a test walks whatever routes exist — including ones added after the test was written.
 */
import type { FastifyInstance } from 'fastify';

export interface RouteEntry {
  readonly method: string;
  readonly url: string;
}

/**
 * Parses lines like `│   ├── /:id (GET, HEAD)`: the depth is the prefix width ÷ 4, the full
 * path is the parents' segments joined, the methods are in the parentheses (a line without them
 * is a path segment only).
 */
export function routeList(app: FastifyInstance): RouteEntry[] {
  const stack: string[] = [];
  const routes: RouteEntry[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:│ {3}| {4})*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/u.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    stack.push(match[2]!);
    const url = stack.join('');
    for (const method of match[3]?.split(',').map((m) => m.trim()) ?? []) routes.push({ method, url });
  }
  if (routes.length === 0) throw new Error('no routes parsed: has the printRoutes format changed?');
  return routes.sort((a, b) => `${a.url} ${a.method}`.localeCompare(`${b.url} ${b.method}`));
}
