/**
 * HTTP lookups of IVR flows, only to services in the catalogue: the URL is the service's base
 * URL plus the node's path (its variables already URL-encoded by the interpreter) and must stay on
 * the base URL's origin and under its path. Bodies are read up to a bound and parsed as JSON.
 */
import { HotlineError } from '../../errors.ts';
import type { Catalogue } from '../catalogue.ts';
import type { HttpLookupRequest, HttpLookupResult } from './runtime-ports.ts';

/** Largest response body read, bytes. */
export const MAX_LOOKUP_BODY = 64 * 1024;

export type HttpLookup = (request: HttpLookupRequest) => Promise<HttpLookupResult>;

/** Creates the lookup function over `fetch` (injectable for tests of odd servers). */
export function createHttpLookup(catalogue: Catalogue, fetchImpl: typeof fetch = fetch): HttpLookup {
  return async (request) => {
    const url = lookupUrl(catalogue, request.service, request.method, request.path);
    const signal = AbortSignal.any([request.signal, AbortSignal.timeout(request.timeoutMs + 1_000)]);
    try {
      const response = await fetchImpl(url, {
        method: request.method,
        signal,
        redirect: 'error',
        headers: { accept: 'application/json', ...(request.body ? { 'content-type': 'application/json' } : {}) },
        ...(request.body ? { body: JSON.stringify(request.body) } : {}),
      });
      const text = await boundedText(response);
      if (!response.ok) return { outcome: 'error', status: response.status };
      try {
        return { outcome: 'ok', status: response.status, body: text === '' ? null : JSON.parse(text) };
      } catch {
        return { outcome: 'error', status: response.status };
      }
    } catch (error) {
      if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return { outcome: 'timeout' };
      return { outcome: 'error' };
    }
  };
}

/** The full URL of a lookup; throws IVR_SERVICE_NOT_ALLOWED for anything off the catalogue. */
export function lookupUrl(catalogue: Catalogue, serviceId: string, method: 'GET' | 'POST', path: string): URL {
  const service = Object.hasOwn(catalogue.services, serviceId) ? catalogue.services[serviceId] : undefined;
  if (!service || !service.methods.includes(method)) {
    throw new HotlineError('IVR_SERVICE_NOT_ALLOWED', `service ${serviceId} (${method}) is not in the catalogue`);
  }
  const base = new URL(service.baseUrl);
  const url = new URL(base.href.replace(/\/$/, '') + path);
  const basePath = base.pathname.replace(/\/$/, '');
  if (url.origin !== base.origin || !url.pathname.startsWith(`${basePath}/`) || url.pathname.split('/').includes('..')) {
    throw new HotlineError('IVR_SERVICE_NOT_ALLOWED', `the lookup path leaves the base URL of service ${serviceId}`);
  }
  return url;
}

async function boundedText(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_LOOKUP_BODY) {
      await reader.cancel();
      throw new Error('response body too large');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
