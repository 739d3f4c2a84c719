/**
 * Where a CTI client's bearer token comes from at the WebSocket upgrade. Browsers cannot set
 * headers on a WebSocket, so they offer it as a subprotocol `bearer.<token>` next to
 * `hotline.cti.v1` (preferred: it stays out of URLs and access logs) or, failing that, as the
 * query parameter `token`. Other clients may send `Authorization: Bearer <token>`.
 * See docs/adr/0005-cti-gateway.md. The token is never logged.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';

/** The subprotocol the gateway speaks; the server selects it, never the token. */
export const CTI_PROTOCOL = 'hotline.cti.v1';
const BEARER_PROTOCOL = 'bearer.';

/** The bearer token of an upgrade request, if any. */
export function upgradeToken(request: IncomingMessage, url: URL): string | undefined {
  const offered = request.headers['sec-websocket-protocol'];
  if (typeof offered === 'string') {
    const bearer = offered.split(',').map((p) => p.trim()).find((p) => p.startsWith(BEARER_PROTOCOL));
    if (bearer) return bearer.slice(BEARER_PROTOCOL.length);
  }
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (match?.[1]) return match[1];
  return url.searchParams.get('token') ?? undefined;
}

/** Picks the subprotocol to answer with: ours when offered, else none (never echo the token). */
export function selectProtocol(protocols: Set<string>): string | false {
  return protocols.has(CTI_PROTOCOL) ? CTI_PROTOCOL : false;
}

/** Refuses an upgrade with a plain HTTP status and closes the socket. */
export function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  if (socket.destroyed) return;
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.once('finish', () => socket.destroy());
}
