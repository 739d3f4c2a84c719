/**
 * A minimal Asterisk Manager Interface (AMI) server for the simulator: the banner, `Login`
 * (username/secret), `Ping`, `Logoff`; every other action answers `Response: Error`.
 * Enough to test the AMI client's login, liveness and reconnect against a real TCP peer.
 * Limits are listed in src/sim/ami/README.md.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../../log.ts';

export interface AmiServerOptions {
  /** 0 = any free port. */
  readonly port: number;
  readonly host?: string;
  readonly user: string;
  readonly secret: string;
  readonly logger?: Logger;
}

export interface AmiServer {
  /** `tcp://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Open client connections. */
  connections(): number;
  /** Resolves when exactly `count` client connections are open. */
  whenConnections(count: number): Promise<void>;
  /** Pings answered so far. */
  pings(): number;
  /** Cuts every client connection (the server keeps listening). */
  dropConnections(): void;
  /** When true, Ping actions get no response (a hung Asterisk). */
  setUnresponsive(value: boolean): void;
  close(): Promise<void>;
}

export const AMI_BANNER = 'Asterisk Call Manager/11.0.0';

/** Starts the server; resolves once it listens. */
export async function createAmiServer(options: AmiServerOptions): Promise<AmiServer> {
  const sockets = new Set<Socket>();
  let pings = 0;
  let unresponsive = false;
  let watchers: Array<{ count: number; resolve: () => void }> = [];
  const notify = (): void => {
    const ready = watchers.filter((w) => w.count === sockets.size);
    watchers = watchers.filter((w) => w.count !== sockets.size);
    for (const w of ready) w.resolve();
  };

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    notify();
    socket.setEncoding('utf8');
    socket.on('close', () => {
      sockets.delete(socket);
      notify();
    });
    socket.on('error', () => socket.destroy());
    socket.write(`${AMI_BANNER}\r\n`);
    let authenticated = false;
    let buffer = '';
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\r\n\r\n'); end >= 0; end = buffer.indexOf('\r\n\r\n')) {
        const message = parseMessage(buffer.slice(0, end));
        buffer = buffer.slice(end + 4);
        authenticated = handle(socket, message, authenticated);
      }
      if (buffer.length > 65_536) socket.destroy();
    });
  });

  function handle(socket: Socket, message: Map<string, string>, authenticated: boolean): boolean {
    const action = (message.get('action') ?? '').toLowerCase();
    const id = message.get('actionid');
    const reply = (fields: Array<[string, string]>): void => {
      const lines = [...fields, ...(id !== undefined ? [['ActionID', id] as [string, string]] : [])];
      socket.write(`${lines.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`);
    };
    if (action === 'login') {
      const ok = message.get('username') === options.user && message.get('secret') === options.secret;
      reply(ok ? [['Response', 'Success'], ['Message', 'Authentication accepted']] : [['Response', 'Error'], ['Message', 'Authentication failed']]);
      if (!ok) options.logger?.warn('sim AMI: login failed');
      return ok;
    }
    if (!authenticated) {
      reply([['Response', 'Error'], ['Message', 'Permission denied']]);
      return false;
    }
    if (action === 'ping') {
      if (unresponsive) return true;
      pings += 1;
      reply([['Response', 'Success'], ['Ping', 'Pong'], ['Timestamp', (Date.now() / 1000).toFixed(6)]]);
    } else if (action === 'logoff') {
      reply([['Response', 'Goodbye'], ['Message', 'Thanks for all the fish.']]);
      socket.end();
    } else {
      reply([['Response', 'Error'], ['Message', 'Invalid/unknown command']]);
    }
    return true;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;

  return {
    url: `tcp://127.0.0.1:${port}`,
    port,
    connections: () => sockets.size,
    whenConnections(count) {
      if (sockets.size === count) return Promise.resolve();
      return new Promise((resolve) => watchers.push({ count, resolve }));
    },
    pings: () => pings,
    dropConnections() {
      for (const socket of sockets) socket.destroy();
    },
    setUnresponsive(value) {
      unresponsive = value;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** `Key: value` lines → lower-case keys (AMI keys are case-insensitive). */
function parseMessage(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return fields;
}
