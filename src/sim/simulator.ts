/**
 * The Asterisk 22 ARI simulator: one http server carrying ARI REST (`/ari`), the events
 * WebSocket (`/ari/events`), the generated api-docs and the control API (`/sim`).
 * See README.md in this folder for what it models and what it does not.
 */
import type { EventChaos } from './chaos.ts';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../clock.ts';
import { createLogger, type Logger } from '../log.ts';
import { bridgeRoutes } from './ari/bridge-routes.ts';
import { channelMediaRoutes } from './ari/channel-media-routes.ts';
import { channelRoutes } from './ari/channel-routes.ts';
import { miscRoutes } from './ari/misc-routes.ts';
import type { RouteSpec } from './ari/route-spec.ts';
import { createAriRouter, sendJson } from './ari/router.ts';
import { handleControl } from './control-routes.ts';
import { createControl, type SimControl } from './control.ts';
import { createCore, type EndpointBehavior, type EventListener } from './core.ts';
import { createEventsSocket } from './events-socket.ts';

export interface SimulatorOptions {
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  controlToken?: string;
  /** Stasis application that inbound calls enter (default `hotline`). */
  app?: string;
  clock?: Clock;
  logger?: Logger;
  /** Endpoints registered from the start, e.g. `{ 'PJSIP/1001': { behavior: 'manual' } }` (see control.setEndpoint). */
  endpoints?: Readonly<Record<string, Partial<EndpointBehavior>>>;
}

export interface Simulator {
  /** `http://127.0.0.1:<port>` — give this to ari-client. */
  readonly url: string;
  readonly control: SimControl;
  /** Observes every event the simulator emits (also those dropped for lack of a socket). */
  onEvent(listener: EventListener): () => void;
  /** Fault tests: events sent twice, swapped, or about unknown channels (src/sim/chaos.ts); null turns it off. */
  setChaos(chaos: EventChaos | null): void;
  close(): Promise<void>;
}

/** Every ARI route the simulator serves (also the source of its api-docs). */
export const ariRoutes: readonly RouteSpec[] = [...miscRoutes, ...channelRoutes, ...channelMediaRoutes, ...bridgeRoutes];

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 1_000_000) req.destroy(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function createSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const log = (options.logger ?? createLogger('info')).child({ component: 'ari-sim' });
  const creds = { user: options.user ?? 'hotline', password: options.password ?? 'hotline' };
  const token = options.controlToken ?? 'sim';
  const core = createCore(options.clock ?? systemClock, log);
  const router = createAriRouter(core, ariRoutes, creds);
  const events = createEventsSocket(core, creds);
  const control = createControl(core, options.app ?? 'hotline');
  for (const [key, behavior] of Object.entries(options.endpoints ?? {})) {
    const [tech = '', resource = ''] = key.split(/\/(.*)/s);
    await control.setEndpoint(tech, resource, behavior);
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    const body = await readBody(req);
    if (url.pathname.startsWith('/ari/')) router.handle(req, res, url, body);
    else if (url.pathname === '/sim' || url.pathname.startsWith('/sim/')) await handleControl(control, token, log, req, res, url, body);
    else sendJson(res, 404, { message: 'Resource not found' });
  }

  const server = createServer((req, res) => {
    onRequest(req, res).catch((error: unknown) => {
      log.error({ err: error }, 'simulator request failed');
      if (!res.headersSent) sendJson(res, 500, { message: 'Internal Server Error' });
    });
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    if (url.pathname === '/ari/events') events.upgrade(req, socket, head, url);
    else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  log.info({ url }, 'ARI simulator listening');

  return {
    url, control,
    setChaos(chaos) {
      core.chaos = chaos;
    },
    onEvent(listener) {
      core.listeners.add(listener);
      return () => core.listeners.delete(listener);
    },
    async close() {
      for (const ch of core.channels.values()) for (const t of ch.timers) t.cancel();
      for (const p of core.playbacks.values()) p.timer?.cancel();
      for (const r of core.liveRecordings.values()) for (const t of r.timers) t.cancel();
      events.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
