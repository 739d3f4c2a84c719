/**
 * The ARI events WebSocket (`/ari/events?app=NAME[,NAME2]&api_key=user:pass`). A second socket for
 * the same app takes it over: the old socket gets ApplicationReplaced and then nothing more, but
 * stays open. An app stays registered after its socket closes; its events are then dropped.
 */
import { chaoticSender, type EventChaos } from './chaos.ts';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { authorized, type AriCredentials } from './ari/router.ts';
import type { SimCore } from './core.ts';
import { asteriskTime } from './model.ts';
import { untrusted } from '../log.ts';

function reject(socket: Duplex, status: number, reason: string, contentType: string, body: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

function missingAppPage(): string {
  return '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\r\n<html><head>\r\n<title>400 Bad Request</title>\r\n</head><body>\r\n'
    + '<h1>Bad Request</h1>\r\n<p>HTTP request is missing param: [app]</p>\r\n<hr />\r\n<address>Asterisk-Hotline-Sim</address>\r\n</body></html>\r\n';
}

export interface EventsSocket {
  /** Handles an HTTP upgrade for `/ari/events`. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void;
  /** Closes every open events socket. */
  close(): void;
}

export function createEventsSocket(core: SimCore, creds: AriCredentials): EventsSocket {
  const wss = new WebSocketServer({ noServer: true });

  function attach(ws: WebSocket, names: string[]): void {
    const log = core.log.child({ component: 'sim-events' });
    for (const name of names) {
      const app = core.apps.get(name) ?? { name, sink: null };
      core.apps.set(name, app);
      const previous = app.sink;
      const send = (event: Record<string, unknown>): void => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(event));
      };
      let chaotic: { chaos: EventChaos; send: (event: Record<string, unknown>) => void } | undefined;
      const sink = (event: Record<string, unknown>): void => {
        if (!core.chaos) return send(event);
        if (chaotic?.chaos !== core.chaos) chaotic = { chaos: core.chaos, send: chaoticSender(core.chaos, send) };
        chaotic.send(event);
      };
      app.sink = sink;
      if (previous) {
        const replaced = { type: 'ApplicationReplaced', timestamp: asteriskTime(core.clock.now()), application: name, asterisk_id: core.asteriskId };
        for (const listener of core.listeners) listener(name, replaced, true);
        previous(replaced);
      }
      ws.on('close', () => {
        if (app.sink === sink) app.sink = null;
      });
      log.info({ input: untrusted(name) }, 'application connected');
    }
  }

  return {
    upgrade(req, socket, head, url) {
      if (!authorized(req, url, creds)) {
        reject(socket, 401, 'Unauthorized', 'application/json', JSON.stringify({ message: 'Authentication required' }));
        return;
      }
      const names = (url.searchParams.get('app') ?? '').split(',').filter((n) => n !== '');
      if (names.length === 0) {
        reject(socket, 400, 'Bad Request', 'text/html', missingAppPage());
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => attach(ws, names));
    },
    close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}
