/**
 * The ARI REST requests this process sends (to the simulator), with the status each answered:
 * read from Node's http client diagnostics channels, as the hotline-day bench counts them, so
 * nothing in the server or the simulator changes to be observed.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';

export interface AriRequest {
  /** `DELETE /ari/channels/xfer-…` (query string dropped). */
  readonly request: string;
  /** The status it answered; undefined while it runs. */
  status?: number;
}

export interface AriRequestLog {
  readonly requests: readonly AriRequest[];
  /** Forgets the requests so far (start of the part a test looks at). */
  clear(): void;
  close(): void;
}

export function ariRequestLog(): AriRequestLog {
  const requests: AriRequest[] = [];
  const pending = new WeakMap<ClientRequest, AriRequest>();
  const started = (message: unknown): void => {
    const { request } = message as { request: ClientRequest };
    const path = decodeURIComponent(request.path.split('?')[0]!);
    if (!path.startsWith('/ari/') || path === '/ari/events') return;
    const entry: AriRequest = { request: `${request.method} ${path}` };
    pending.set(request, entry);
    requests.push(entry);
  };
  const answered = (message: unknown): void => {
    const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
    const entry = pending.get(request);
    if (entry) entry.status = response.statusCode;
  };
  subscribe('http.client.request.start', started);
  subscribe('http.client.response.finish', answered);
  return {
    requests,
    clear: () => void requests.splice(0),
    close() {
      unsubscribe('http.client.request.start', started);
      unsubscribe('http.client.response.finish', answered);
    },
  };
}
