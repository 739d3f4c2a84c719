/**
 * ARI's REST operations over node:http with one keep-alive agent per session, instead of
 * ari-client's swagger-client: that one opened a TCP connection per request and rebuilt every
 * request generically (shred, lodash), ~10 % of the server's CPU under load
 * (docs/adr/0017-ari-rest-without-swagger.md). The operations are read from the API description
 * Asterisk serves — the one ari-client reads — and requests are built the way swagger-client
 * 2.0.26 builds them for ari-client 2.2.0, so Asterisk sees the same requests. Never loads ari-client.
 */
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { HotlineError } from '../errors.ts';
import { isRecord } from './ari-json.ts';

/** One ARI operation, e.g. `channels.answer` = POST /channels/{channelId}/answer. */
export interface AriOperation {
  /** `resource.nickname`, for messages. */
  readonly name: string;
  readonly method: string;
  /** Relative to `/ari`, e.g. `/channels/{channelId}/answer`. */
  readonly path: string;
  readonly pathParams: readonly string[];
  readonly queryParams: readonly string[];
  /** JSON body containers (`variables`, `fields`, `filter`). */
  readonly bodyParams: readonly string[];
  /** What a 2xx body holds: JSON, bytes (`binary`) or nothing to read (`void`). */
  readonly returns: 'json' | 'binary' | 'void';
  /** `path` cut at its parameters: literal text at even indexes, parameter names at odd ones. */
  readonly pieces: readonly string[];
}

/** resource (as ari-client names it, e.g. `channels`) → operation (nickname) → operation. */
export type AriOperationTable = ReadonlyMap<string, ReadonlyMap<string, AriOperation>>;

/** Asterisk answered with an error status; the message is its body, as ari-client rejected with. */
export class AriHttpError extends Error {
  readonly status: number;
  constructor(status: number, body: string) {
    super(body === '' ? `Asterisk answered ${status} with an empty body` : body);
    this.name = 'AriHttpError';
    this.status = status;
  }
}

/** The resource name of a listing entry, as swagger-client derives it: `/api-docs/channels.{format}` → `channels`. */
export function resourceNameOf(listingPath: string): string {
  return (listingPath.split('/').pop() ?? '').replace('.{format}', '');
}

/** The operations of one API declaration (e.g. channels.json), keyed by nickname; a later duplicate wins, as in swagger-client. */
export function describeResource(resource: string, declaration: unknown): Map<string, AriOperation> {
  const operations = new Map<string, AriOperation>();
  const apis = isRecord(declaration) && Array.isArray(declaration['apis']) ? declaration['apis'] : [];
  for (const api of apis) {
    if (!isRecord(api) || typeof api['path'] !== 'string' || !Array.isArray(api['operations'])) continue;
    const path = api['path'].replace('{format}', 'json');
    for (const raw of api['operations']) {
      if (!isRecord(raw) || typeof raw['nickname'] !== 'string') continue;
      const method = raw['httpMethod'] ?? raw['method'];
      if (typeof method !== 'string') continue;
      const nickname = raw['nickname'].replace(/[\s!@#$%^&*()_+=[{\]};:<>|./?,\\'"-]/g, '_');
      const params = Array.isArray(raw['parameters']) ? raw['parameters'].filter(isRecord) : [];
      const named = (kind: string): string[] => params
        .filter((p) => p['paramType'] === kind)
        .map((p) => p['name'] ?? p['type'] ?? p['dataType'])
        .filter((name): name is string => typeof name === 'string');
      const pathParams = named('path');
      const type = raw['type'] ?? raw['responseClass'];
      operations.set(nickname, {
        name: `${resource}.${nickname}`, method: method.toUpperCase(), path, pathParams,
        queryParams: named('query'), bodyParams: named('body'),
        returns: type === 'void' ? 'void' : type === 'binary' ? 'binary' : 'json',
        pieces: cutPath(path, pathParams),
      });
    }
  }
  return operations;
}

function cutPath(path: string, pathParams: readonly string[]): string[] {
  const pieces = [''];
  for (const [index, part] of path.split(/\{([^}]+)\}/).entries()) {
    if (index % 2 === 1 && pathParams.includes(part)) pieces.push(part, '');
    else pieces[pieces.length - 1] += index % 2 === 1 ? `{${part}}` : part;
  }
  return pieces;
}

/**
 * The path (with its query string, relative to `/ari`) and JSON body of a call, as swagger-client
 * builds them: path parameters must be truthy and are URI-encoded; every query parameter that is
 * not `undefined` is sent as `String(value)` URI-encoded (arrays join with commas, booleans are
 * `true`/`false`); a truthy body parameter is the JSON body — `variables` and `fields` wrapped in an
 * object of that key unless already wrapped (ari-client's parseBodyParams). Throws on a missing path parameter.
 */
export function buildAriRequest(operation: AriOperation, params: Readonly<Record<string, unknown>>): { path: string; body: string | undefined } {
  for (const name of operation.pathParams) {
    if (!params[name]) throw new Error(`${name} is a required path param.`);
  }
  const { pieces } = operation;
  let path = pieces[0] ?? '';
  for (let i = 1; i < pieces.length; i += 2) path += encodeURIComponent(String(params[pieces[i]!])) + pieces[i + 1]!;
  let separator = '?';
  for (const name of operation.queryParams) {
    const value = params[name];
    if (value === undefined) continue;
    path += `${separator}${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`;
    separator = '&';
  }
  let body: string | undefined;
  for (const name of operation.bodyParams) {
    const value = params[name];
    if (!value) continue;
    const wrap = (name === 'variables' || name === 'fields') && !(isRecord(value) && value[name]);
    body = JSON.stringify(wrap ? { [name]: value } : value);
  }
  return { path, body };
}

export interface AriRestOptions {
  /** ARI base, e.g. `http://127.0.0.1:8088` (its origin is used, as ari-client does). */
  readonly url: string;
  readonly user: string;
  readonly password: string;
  /** Connections kept to Asterisk at most (requests beyond wait for one). Default 32. */
  readonly maxSockets?: number;
}

export interface AriRest {
  /** The operation, or undefined when Asterisk's description has none of that name. */
  operation(resource: string, operation: string): AriOperation | undefined;
  /**
   * Sends one request: resolves with the parsed JSON body (undefined when empty or `void`, a Buffer
   * for `binary`); rejects with AriHttpError for an error status, ARI_UNAVAILABLE when the request
   * got no answer (connection refused or cut), an Error for a missing path parameter.
   */
  send(operation: AriOperation, params: Readonly<Record<string, unknown>>, signal?: AbortSignal): Promise<unknown>;
  /** Closes every connection (in-flight requests fail); later sends fail. */
  destroy(): void;
}

/** Idle connections close before Asterisk's own keep-alive limit (http.conf session_keep_alive, 15 s). */
const idleSocketMs = 5_000;

/** Reads Asterisk's API description (resources.json, then each resource's declaration) and returns the client. */
export async function openAriRest(options: AriRestOptions, signal?: AbortSignal): Promise<AriRest> {
  const base = new URL(options.url);
  const secure = base.protocol === 'https:';
  const limit = options.maxSockets ?? 32;
  const agentOptions = { keepAlive: true, maxSockets: limit, maxFreeSockets: limit, timeout: idleSocketMs, scheduling: 'lifo' } as const;
  const agent = secure ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
  const send = secure ? httpsRequest : httpRequest;
  const target: RequestOptions = { protocol: base.protocol, hostname: base.hostname, port: base.port, agent };
  const headers = { authorization: `Basic ${Buffer.from(`${options.user}:${options.password}`).toString('base64')}`, accept: 'application/json' };
  let destroyed = false;

  /**
   * One HTTP exchange. A request that fails on a kept-alive socket before any answer (Asterisk
   * closed the idle connection meanwhile) is sent again on the next socket: at most once per pooled socket.
   */
  function exchange(method: string, path: string, body: string | undefined, abort: AbortSignal | undefined, retries = limit): Promise<{ status: number; data: Buffer }> {
    if (destroyed) return Promise.reject(new Error('the ARI session is closed'));
    return new Promise((resolve, reject) => {
      const req: ClientRequest = send({
        ...target, method, path: `/ari${path}`, signal: abort,
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      });
      let answered = false;
      req.on('response', (res: IncomingMessage) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, data: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) }));
        res.on('close', () => {
          if (!res.complete) reject(new Error('connection closed before the whole answer arrived'));
        });
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        const stale = !answered && retries > 0 && req.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
        if (stale && !destroyed && !abort?.aborted) resolve(exchange(method, path, body, abort, retries - 1));
        else reject(error);
      });
      req.end(body);
    });
  }

  async function describe(): Promise<AriOperationTable> {
    const listing = await readDescription('/api-docs/resources.json');
    const entries = isRecord(listing) && Array.isArray(listing['apis']) ? listing['apis'].filter(isRecord) : [];
    const paths = entries.map((api) => api['path']).filter((path): path is string => typeof path === 'string');
    const resources = await Promise.all(paths.map(async (path) => {
      const resource = resourceNameOf(path);
      return [resource, describeResource(resource, await readDescription(path.replace('{format}', 'json')))] as const;
    }));
    return new Map(resources);
  }

  async function readDescription(path: string): Promise<unknown> {
    try {
      const { status, data } = await exchange('GET', path, undefined, signal);
      if (status !== 200) throw new AriHttpError(status, data.toString('utf8'));
      return JSON.parse(data.toString('utf8'));
    } catch (error) {
      throw new Error(`ARI API description ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  let operations: AriOperationTable;
  try {
    operations = await describe();
  } catch (error) {
    agent.destroy();
    throw error;
  }

  return {
    operation: (resource, name) => operations.get(resource)?.get(name),
    async send(operation, params, abort) {
      const { path, body } = buildAriRequest(operation, params);
      let answer: { status: number; data: Buffer };
      try {
        answer = await exchange(operation.method, path, body, abort);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new HotlineError('ARI_UNAVAILABLE', `ARI ${operation.name}: no answer from Asterisk (${reason})`, { operation: operation.name }, { cause: error });
      }
      return decode(operation, answer.status, answer.data);
    },
    destroy() {
      destroyed = true;
      agent.destroy();
    },
  };
}

function decode(operation: AriOperation, status: number, data: Buffer): unknown {
  if (status < 200 || status > 299) throw new AriHttpError(status, data.toString('utf8'));
  if (operation.returns === 'binary') return data;
  if (operation.returns === 'void' || data.length === 0) return undefined;
  try {
    return JSON.parse(data.toString('utf8'));
  } catch {
    throw new Error(`ARI ${operation.name}: the answer (${status}) is not JSON`);
  }
}
