/**
 * HTTP mirror of the control API under `/sim` (Bearer token). Bodies are JSON; errors are
 * `{ statusCode, code, message }` with SIM_BAD_REQUEST / SIM_NOT_FOUND / SIM_CONFLICT.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorCodes, HotlineError, isHotlineError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { sendJson } from './ari/router.ts';
import type { SimControl } from './control.ts';

type Body = Record<string, unknown>;
type Handler = (control: SimControl, params: string[], body: Body) => Promise<{ status: number; body?: unknown }>;

const str = (v: unknown, name: string): string => {
  if (typeof v !== 'string' || v === '') throw new HotlineError('SIM_BAD_REQUEST', `${name} must be a non-empty string`);
  return v;
};
const optStr = (v: unknown, name: string): string | undefined => (v === undefined ? undefined : str(v, name));
const optNum = (v: unknown, name: string): number | undefined => {
  if (v !== undefined && typeof v !== 'number') throw new HotlineError('SIM_BAD_REQUEST', `${name} must be a number`);
  return v;
};
const done = { status: 204 };

const table: [method: string, pattern: RegExp, handler: Handler][] = [
  ['POST', /^\/sim\/calls$/, async (c, _p, b) => {
    const args = b.args === undefined ? undefined : Array.isArray(b.args) ? b.args.map(String) : undefined;
    if (b.args !== undefined && args === undefined) throw new HotlineError('SIM_BAD_REQUEST', 'args must be an array of strings');
    if (b.tech !== undefined && b.tech !== 'Local' && b.tech !== 'PJSIP') throw new HotlineError('SIM_BAD_REQUEST', 'tech must be Local or PJSIP');
    const tech = b.tech as 'Local' | 'PJSIP' | undefined;
    return { status: 201, body: await c.placeCall({ from: str(b.from, 'from'), fromName: optStr(b.fromName, 'fromName'), did: str(b.did, 'did'), args, tech, app: optStr(b.app, 'app') }) };
  }],
  ['POST', /^\/sim\/channels\/([^/]+)\/dtmf$/, async (c, [id], b) => {
    await c.sendDtmf(id!, { digits: str(b.digits, 'digits'), durationMs: optNum(b.durationMs, 'durationMs'), gapMs: optNum(b.gapMs, 'gapMs') });
    return done;
  }],
  ['POST', /^\/sim\/channels\/([^/]+)\/hangup$/, async (c, [id], b) => (await c.hangup(id!, optNum(b.cause, 'cause')), done)],
  ['POST', /^\/sim\/channels\/([^/]+)\/hold$/, async (c, [id]) => (await c.hold(id!), done)],
  ['POST', /^\/sim\/channels\/([^/]+)\/unhold$/, async (c, [id]) => (await c.unhold(id!), done)],
  ['POST', /^\/sim\/channels\/([^/]+)\/answer$/, async (c, [id]) => (await c.answer(id!), done)],
  ['GET', /^\/sim\/channels\/([^/]+)$/, async (c, [id]) => ({ status: 200, body: await c.channel(id!) })],
  ['PUT', /^\/sim\/endpoints\/([^/]+)\/([^/]+)$/, async (c, [tech, res], b) => {
    const behavior = optStr(b.behavior, 'behavior') as Parameters<SimControl['setEndpoint']>[2]['behavior'];
    await c.setEndpoint(tech!, res!, { behavior, answerAfterMs: optNum(b.answerAfterMs, 'answerAfterMs'), hangupAfterMs: optNum(b.hangupAfterMs, 'hangupAfterMs') });
    return done;
  }],
  ['DELETE', /^\/sim\/endpoints\/([^/]+)\/([^/]+)$/, async (c, [tech, res]) => (await c.deleteEndpoint(tech!, res!), done)],
  ['PUT', /^\/sim\/media$/, async (c, _p, b) => {
    if (b.exists !== undefined && typeof b.exists !== 'boolean') throw new HotlineError('SIM_BAD_REQUEST', 'exists must be a boolean');
    await c.setMedia(str(b.uri, 'uri'), { durationMs: optNum(b.durationMs, 'durationMs'), exists: b.exists as boolean | undefined });
    return done;
  }],
  ['GET', /^\/sim\/stats$/, async (c) => ({ status: 200, body: await c.stats() })],
  ['POST', /^\/sim\/clock\/advance$/, async (c, _p, b) => (await c.advanceClock(optNum(b.ms, 'ms') ?? 0), done)],
];

function sendError(res: ServerResponse, error: HotlineError): void {
  sendJson(res, error.statusCode, { statusCode: error.statusCode, code: error.code, message: error.message });
}

/** Handles a request under `/sim`. */
export async function handleControl(
  control: SimControl, token: string, log: Logger, req: IncomingMessage, res: ServerResponse, url: URL, rawBody: string,
): Promise<void> {
  if (req.headers.authorization !== `Bearer ${token}`) {
    sendJson(res, 401, { statusCode: 401, code: 'UNAUTHORIZED', message: errorCodes.UNAUTHORIZED.meaning });
    return;
  }
  try {
    let body: Body = {};
    if (rawBody.trim() !== '') {
      const parsed: unknown = JSON.parse(rawBody);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new HotlineError('SIM_BAD_REQUEST', 'body must be a JSON object');
      body = parsed as Body;
    }
    for (const [method, pattern, handler] of table) {
      const m = pattern.exec(url.pathname);
      if (!m || method !== req.method) continue;
      const reply = await handler(control, m.slice(1).map(decodeURIComponent), body);
      sendJson(res, reply.status, reply.body);
      return;
    }
    throw new HotlineError('SIM_NOT_FOUND', `no control route ${req.method ?? ''} ${url.pathname}`);
  } catch (error) {
    if (isHotlineError(error)) return sendError(res, error);
    if (error instanceof SyntaxError) return sendError(res, new HotlineError('SIM_BAD_REQUEST', 'body is not valid JSON'));
    log.error({ err: error }, 'simulator control request failed');
    sendJson(res, 500, { statusCode: 500, code: 'INTERNAL', message: errorCodes.INTERNAL.meaning });
  }
}
