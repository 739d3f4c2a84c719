/**
 * A stub of the customs (12360) self-service back end, for the demo and tests: the parcel-status
 * lookup the 12360 flow reads back to callers. Plain node:http on loopback.
 *
 *   GET [/customs-parcel]/parcels/{trackingNumber}[?lang=zh-CN|en]
 *     200 { "trackingNumber", "status": "in_transit" | "held" | "released",
 *           "statusText": "<in lang, default zh-CN>", "statusTexts": { "zh-CN", "en" }, "updatedAt": "<ISO time>" }
 *     404 { "error": "not-found" }   unknown number
 *     400 { "error": "bad-request" } malformed number (6–30 letters and digits)
 *
 * The 12360 flow (ivr-flows/12360.json) reads `/statusText` and `/updatedAt`. The optional `/customs-parcel` prefix matches the catalogue's base URL for the service. A delay
 * knob (`setDelay(ms)`, or `'never'` to hold answers until `close()`) drives timeout tests.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type ParcelStatus = 'in_transit' | 'held' | 'released';

export interface ParcelRecord {
  readonly status: ParcelStatus;
  /** When customs last changed the status (ISO 8601); default 2026-11-20T08:00:00+08:00. */
  readonly updatedAt?: string;
}

export interface CustomsServiceOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0 (any free port); the catalogue's default base URL uses 8090. */
  readonly port?: number;
  /** Tracking number → record; default: a few demo parcels. */
  readonly parcels?: Readonly<Record<string, ParcelRecord>>;
  /** Milliseconds before each answer (real time), or `never`. Default 0. */
  readonly delayMs?: number | 'never';
}

export interface CustomsService {
  /** Base URL, e.g. `http://127.0.0.1:8090`. */
  readonly url: string;
  /** Paths requested so far, in order. */
  readonly requests: readonly string[];
  setDelay(delayMs: number | 'never'): void;
  setParcel(trackingNumber: string, record: ParcelRecord): void;
  close(): Promise<void>;
}

/** What callers hear for each status. */
export const parcelStatusText: Readonly<Record<ParcelStatus, { readonly 'zh-CN': string; readonly en: string }>> = {
  in_transit: { 'zh-CN': '您的包裹正在运输途中', en: 'your parcel is in transit' },
  held: { 'zh-CN': '您的包裹被海关暂扣，请联系海关', en: 'your parcel is held by customs; please contact customs' },
  released: { 'zh-CN': '您的包裹已通关放行', en: 'your parcel has been cleared and released' },
};

export const demoParcels: Readonly<Record<string, ParcelRecord>> = {
  '12345678': { status: 'in_transit' },
  '87654321': { status: 'held' },
  '11112222': { status: 'released' },
};

const PATH = /^(?:\/customs-parcel)?\/parcels\/([^/?#]*)$/;
const TRACKING = /^[A-Za-z0-9]{6,30}$/;

/** Starts the stub; resolves once it listens. */
export async function createCustomsService(options: CustomsServiceOptions = {}): Promise<CustomsService> {
  const parcels = new Map(Object.entries(options.parcels ?? demoParcels));
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const held = new Set<() => void>();
  let delay = options.delayMs ?? 0;

  function answer(response: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    response.end(text);
  }

  function respond(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://stub');
    const path = url.pathname;
    const lang = url.searchParams.get('lang') === 'en' ? 'en' : 'zh-CN';
    const match = PATH.exec(path);
    if (request.method !== 'GET' || !match) return answer(response, 404, { error: 'not-found' });
    let tracking: string;
    try {
      tracking = decodeURIComponent(match[1]!);
    } catch {
      return answer(response, 400, { error: 'bad-request' });
    }
    if (!TRACKING.test(tracking)) return answer(response, 400, { error: 'bad-request' });
    const parcel = parcels.get(tracking);
    if (!parcel) return answer(response, 404, { error: 'not-found' });
    const texts = parcelStatusText[parcel.status];
    answer(response, 200, {
      trackingNumber: tracking, status: parcel.status, statusText: texts[lang], statusTexts: texts,
      updatedAt: parcel.updatedAt ?? '2026-11-20T08:00:00+08:00',
    });
  }

  const server = createServer((request, response) => {
    requests.push((request.url ?? '/').slice(0, 200));
    if (delay === 'never') {
      held.add(() => response.destroy());
      return;
    }
    if (delay <= 0) return respond(request, response);
    const timer = setTimeout(() => {
      held.delete(cancel);
      respond(request, response);
    }, delay);
    const cancel = () => {
      clearTimeout(timer);
      response.destroy();
    };
    held.add(cancel);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    requests,
    setDelay(next) {
      delay = next;
    },
    setParcel(trackingNumber, record) {
      parcels.set(trackingNumber, record);
    },
    async close() {
      for (const cancel of held) cancel();
      held.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
