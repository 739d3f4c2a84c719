/**
 * The shape of one ARI route as the simulator declares it. The same declarations drive request
 * handling (router.ts) and the Swagger 1.1 api-docs that ari-client downloads (api-docs.ts).
 */
import type { SimCore } from '../core.ts';

export type DataType = 'string' | 'int' | 'long' | 'boolean' | 'containers' | 'object';

export interface ParamSpec {
  readonly name: string;
  readonly in: 'path' | 'query' | 'body';
  readonly type: DataType;
  readonly required: boolean;
  readonly multiple: boolean;
  readonly defaultValue?: string | number | boolean;
  readonly values?: readonly string[];
}

/** What an operation answers: status and JSON body (undefined: empty body), or a file's bytes. */
export interface AriReply {
  readonly status: number;
  readonly body?: unknown;
  readonly file?: { readonly contentType: string; readonly data: Buffer };
}

/** Thrown by handlers to answer with an Asterisk error (a protocol reply, not a hotline error). */
export class AriFailure extends Error {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, message: string, body?: unknown) {
    super(message);
    this.name = 'AriFailure';
    this.status = status;
    this.body = body ?? { message };
  }
}

/** Request parameters, merged from path, query string and JSON body (body wins, as in Asterisk). */
export interface AriParams {
  str(name: string): string | undefined;
  list(name: string): string[];
  int(name: string): number | undefined;
  bool(name: string): boolean | undefined;
  /** The JSON body's object (for `variables`/`fields` containers). */
  readonly body: Record<string, unknown>;
}

export interface AriContext {
  readonly core: SimCore;
  readonly params: AriParams;
}

export interface RouteSpec {
  readonly resource: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Swagger path, e.g. `/channels/{channelId}/answer`. */
  readonly path: string;
  readonly nickname: string;
  readonly summary: string;
  readonly responseClass: string;
  readonly params: readonly ParamSpec[];
  /** Parameters whose absence answers with this status and message before the handler runs. */
  readonly missing?: readonly (readonly [name: string, status: number, message: string])[];
  readonly handler: (ctx: AriContext) => AriReply;
}

type Extra = Partial<Pick<ParamSpec, 'required' | 'multiple' | 'defaultValue' | 'values'>>;

/** A path parameter (always required). */
export function pathParam(name: string): ParamSpec {
  return { name, in: 'path', type: 'string', required: true, multiple: false };
}

/** A query parameter. */
export function query(name: string, type: DataType = 'string', extra: Extra = {}): ParamSpec {
  return { name, in: 'query', type, required: false, multiple: false, ...extra };
}

/** A JSON body parameter (`variables`, `fields`). */
export function bodyParam(name: string, required = false): ParamSpec {
  return { name, in: 'body', type: 'containers', required, multiple: false };
}

export const noContent: AriReply = { status: 204 };
