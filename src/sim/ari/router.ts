/**
 * Serves `/ari/...` over node's http: authentication (Basic or `api_key`), route matching with
 * Asterisk's 404 "Resource not found" / 405 "Invalid method", parameter merging (path, query,
 * JSON body), per-route missing-parameter answers, and the generated api-docs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimCore } from '../core.ts';
import { apiDeclaration, resourceListing } from './api-docs.ts';
import { AriFailure, type AriParams, type AriReply, type RouteSpec } from './route-spec.ts';

export interface AriCredentials { readonly user: string; readonly password: string }

interface Compiled { readonly spec: RouteSpec; readonly parts: string[] }

/** Whether the request carries the ARI user's credentials (header or `api_key`). */
export function authorized(req: IncomingMessage, url: URL, creds: AriCredentials): boolean {
  const expected = `${creds.user}:${creds.password}`;
  const header = req.headers.authorization;
  if (header?.startsWith('Basic ')) return Buffer.from(header.slice(6), 'base64').toString('utf8') === expected;
  return url.searchParams.get('api_key') === expected;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers }).end(text);
}

function truthy(value: string): boolean {
  return ['yes', 'true', 'y', 't', '1', 'on'].includes(value.toLowerCase());
}

function makeParams(path: Record<string, string>, url: URL, body: Record<string, unknown>): AriParams {
  const merged = new Map<string, string>();
  for (const key of new Set(url.searchParams.keys())) merged.set(key, url.searchParams.getAll(key).join(','));
  for (const [key, value] of Object.entries(body)) {
    if (value !== null && typeof value !== 'object') merged.set(key, String(value));
    else if (Array.isArray(value)) merged.set(key, value.map(String).join(','));
  }
  for (const [key, value] of Object.entries(path)) merged.set(key, value);
  return {
    str: (name) => merged.get(name),
    list: (name) => (merged.get(name) ?? '').split(',').filter((v) => v !== ''),
    int: (name) => (merged.has(name) ? Number.parseInt(merged.get(name) ?? '', 10) || 0 : undefined),
    bool: (name) => (merged.has(name) ? truthy(merged.get(name) ?? '') : undefined),
    body,
  };
}

export interface AriRouter {
  /** Handles a request whose path starts with `/ari/`. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL, rawBody: string): void;
}

export function createAriRouter(core: SimCore, routes: readonly RouteSpec[], creds: AriCredentials): AriRouter {
  const compiled: Compiled[] = routes.map((spec) => ({ spec, parts: spec.path.split('/').slice(1) }));

  /** Templates matching the path, most literal first (Asterisk prefers literal segments). */
  function match(parts: string[]): { template: Compiled[]; path: Record<string, string> } | undefined {
    const candidates = compiled.filter((c) => c.parts.length === parts.length
      && c.parts.every((p, i) => p.startsWith('{') || p === parts[i]));
    if (candidates.length === 0) return undefined;
    const score = (c: Compiled) => c.parts.map((p) => (p.startsWith('{') ? '0' : '1')).join('');
    candidates.sort((a, b) => score(b).localeCompare(score(a)));
    const best = score(candidates[0]!);
    const template = candidates.filter((c) => score(c) === best);
    const path: Record<string, string> = {};
    template[0]!.parts.forEach((p, i) => {
      if (p.startsWith('{')) path[p.slice(1, -1)] = decodeURIComponent(parts[i] ?? '');
    });
    return { template, path };
  }

  /** A path that is a proper prefix of some route: a node without methods (405 in Asterisk). */
  function isInnerNode(parts: string[]): boolean {
    return compiled.some((c) => c.parts.length > parts.length && parts.every((p, i) => c.parts[i]!.startsWith('{') || c.parts[i] === p));
  }

  function run(spec: RouteSpec, params: AriParams): AriReply {
    for (const [name, status, message] of spec.missing ?? []) {
      if (params.str(name) === undefined || params.str(name) === '') return { status, body: { message } };
    }
    try {
      return spec.handler({ core, params });
    } catch (error) {
      if (error instanceof AriFailure) return { status: error.status, body: error.body };
      core.log.error({ err: error, route: spec.path }, 'simulated ARI route failed');
      return { status: 500, body: { message: 'Internal Server Error' } };
    }
  }

  function docs(res: ServerResponse, req: IncomingMessage, file: string): void {
    const basePath = `http://${req.headers.host ?? '127.0.0.1'}/ari`;
    const name = file.replace(/\.json$/, '');
    const body = name === 'resources' ? resourceListing(routes, basePath) : apiDeclaration(routes, name, basePath);
    sendJson(res, body ? 200 : 404, body ?? { message: 'Resource not found' });
  }

  return {
    handle(req, res, url, rawBody) {
      const rest = url.pathname.slice('/ari/'.length);
      if (rest.startsWith('api-docs/')) return docs(res, req, rest.slice('api-docs/'.length));
      if (!authorized(req, url, creds)) {
        return sendJson(res, 401, { message: 'Authentication required' }, { 'www-authenticate': 'Basic realm="Asterisk REST Interface"' });
      }
      const parts = rest.split('/');
      const found = match(parts);
      if (!found) return sendJson(res, isInnerNode(parts) ? 405 : 404, { message: isInnerNode(parts) ? 'Invalid method' : 'Resource not found' });
      const spec = found.template.find((c) => c.spec.method === req.method)?.spec;
      if (!spec) return sendJson(res, 405, { message: 'Invalid method' });
      let body: Record<string, unknown> = {};
      if (rawBody.trim() !== '') {
        try {
          const parsed: unknown = JSON.parse(rawBody);
          if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
        } catch {
          return sendJson(res, 400, { message: 'Error parsing request body' });
        }
      }
      const reply = run(spec, makeParams(found.path, url, body));
      if (reply.file) {
        res.writeHead(reply.status, { 'content-type': reply.file.contentType, 'content-length': reply.file.data.length }).end(reply.file.data);
        return;
      }
      sendJson(res, reply.status, reply.status === 204 ? undefined : reply.body);
    },
  };
}
