/**
 * Turns every error into `{ statusCode, code, error, message }` with a code from src/errors.ts.
 * Schema failures become BAD_REQUEST naming the field; a 5xx never shows its internals — the
 * whole error goes to the log under the request id instead.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { errorCodes, isHotlineError, type ErrorCode } from '../errors.ts';

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, code, message, headers } = classify(error);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code, status }, 'request refused');
    for (const [name, value] of Object.entries(headers)) void reply.header(name, value);
    return reply.status(status).send({
      statusCode: status,
      code,
      error: STATUS_CODES[status] ?? 'Error',
      message: status >= 500 && code === 'INTERNAL' ? `internal error (request ${request.id})` : message,
    });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ statusCode: 404, code: 'NOT_FOUND', error: 'Not Found', message: `no route ${request.method} ${request.url.split('?')[0]}` }),
  );
}

/**
 * Errors Fastify answers before any route or hook runs (a malformed URL, a path parameter over the
 * router's length limit): coded like the rest (Fastify's own `frameworkErrors` option).
 */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  void reply.status(400).send({ statusCode: 400, code: 'BAD_REQUEST', error: 'Bad Request', message: error.message });
}

function classify(error: FastifyError): { status: number; code: ErrorCode; message: string; headers: Record<string, string> } {
  if (isHotlineError(error)) {
    const retry = error.details?.['retryAfterSeconds'];
    return { status: error.statusCode, code: error.code, message: error.message, headers: typeof retry === 'number' ? { 'retry-after': String(retry) } : {} };
  }
  if (error.validation) {
    return { status: 400, code: 'BAD_REQUEST', message: error.message, headers: {} };
  }
  const status = error.statusCode ?? 500;
  if (status === 413) return { status, code: 'PAYLOAD_TOO_LARGE', message: errorCodes.PAYLOAD_TOO_LARGE.meaning, headers: {} };
  if (status === 415 || status === 400) return { status: 400, code: 'BAD_REQUEST', message: error.message, headers: {} };
  if (status === 404) return { status, code: 'NOT_FOUND', message: error.message, headers: {} };
  if (status < 500) return { status, code: 'BAD_REQUEST', message: error.message, headers: {} };
  return { status: 500, code: 'INTERNAL', message: '', headers: {} };
}
