/**
 * Test helpers for the CTI gateway: a Fastify server on 127.0.0.1:0 with the gateway attached,
 * users with roles, and a `ws` client that queues what it receives so tests wait on messages.
 */
import { randomBytes } from 'node:crypto';
import { connect as connectTcp } from 'node:net';
import WebSocket from 'ws';
import type { Role } from '../../src/auth/roles.ts';
import { systemClock, type Clock } from '../../src/clock.ts';
import { createEventBus, type EventBus, type EventBusOptions } from '../../src/cti/event-bus.ts';
import { createCtiGateway, type CtiGateway, type CtiGatewayOptions } from '../../src/cti/gateway.ts';
import type { EventMessage, Reply } from '../../src/cti/protocol.ts';
import { createLogger } from '../../src/log.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import type { Store } from '../../src/store/store.ts';
import { buildTestApp, login, type TestApp } from '../support/app.ts';

export interface Instance {
  readonly url: string;
  readonly bus: EventBus;
  readonly gateway: CtiGateway;
  readonly test: TestApp;
  /** Creates a user with `roles` and returns its name and bearer token. */
  user(roles: readonly Role[]): Promise<{ username: string; token: string }>;
  close(): Promise<void>;
}

export interface InstanceOptions {
  readonly store?: Store;
  readonly clock?: Clock;
  readonly bus?: Partial<EventBusOptions>;
  readonly gateway?: Partial<CtiGatewayOptions>;
}

/** Starts a server instance with a gateway; close it after the test. */
export async function startInstance(options: InstanceOptions = {}): Promise<Instance> {
  const clock = options.clock ?? systemClock;
  const store = options.store ?? createMemoryStore({ clock });
  const test = await buildTestApp({ store, clock });
  await test.app.listen({ host: '127.0.0.1', port: 0 });
  const address = test.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const logger = createLogger('silent');
  const bus = createEventBus({ store, clock, logger, sweepMs: 0, ...options.bus });
  await bus.start();
  const gateway = createCtiGateway({ server: test.app.server, users: test.users, bus, clock, logger, ...options.gateway });
  return {
    url: `ws://127.0.0.1:${port}/cti`,
    bus,
    gateway,
    test,
    async user(roles) {
      const { authorization, username } = await login(test, roles);
      return { username, token: authorization.replace(/^Bearer /, '') };
    },
    async close() {
      await gateway.close();
      await bus.close();
      await test.app.close();
    },
  };
}

export type ServerMessage = Reply | EventMessage;

/** A test client: every message it receives is queued until a test takes it. */
export interface Client {
  readonly ws: WebSocket;
  /** Everything received so far, in order. */
  readonly received: ServerMessage[];
  send(message: unknown): void;
  /** Sends a command and resolves with its reply. */
  request(type: string, payload?: Record<string, unknown>): Promise<Reply>;
  /** Resolves with the first received message (from the start) that matches, waiting for it if needed. */
  waitFor(match: (message: ServerMessage) => boolean): Promise<ServerMessage>;
  /** Events received so far on `topic`, in order. */
  events(topic?: string): EventMessage[];
  readonly closed: Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

let ids = 0;

/** Opens a client with a token offered as subprotocol (or `query`), resolving once open. */
export async function connect(url: string, token: string | undefined, options: { query?: string; protocols?: string[]; wsOptions?: WebSocket.ClientOptions } = {}): Promise<Client> {
  const protocols = options.protocols ?? (token ? ['hotline.cti.v1', `bearer.${token}`] : ['hotline.cti.v1']);
  const ws = new WebSocket(options.query ? `${url}?${options.query}` : url, protocols, options.wsOptions);
  const received: ServerMessage[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data) => {
    received.push(JSON.parse(data.toString()) as ServerMessage);
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  function waitFor(match: (message: ServerMessage) => boolean): Promise<ServerMessage> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = received.find(match);
        if (found) return resolve(found);
        if (ws.readyState === WebSocket.CLOSED) return reject(new Error('socket closed while waiting'));
        waiters.push(check);
      };
      check();
    });
  }
  return {
    ws,
    received,
    send: (message) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
    async request(type, payload = {}) {
      const id = `m${++ids}`;
      ws.send(JSON.stringify({ id, type, ...payload }));
      return (await waitFor((m) => m.type === 'reply' && m.id === id)) as Reply;
    },
    waitFor,
    events: (topic) => received.filter((m): m is EventMessage => m.type === 'event' && (topic === undefined || m.topic === topic)),
    closed,
    async close() {
      ws.close();
      await closed;
    },
  };
}

/** Resolves with the HTTP status of a refused upgrade. */
export function refusedStatus(url: string, protocols?: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    ws.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => reject(new Error('the upgrade was accepted')));
    ws.on('error', () => undefined);
  });
}

/** A client that completes the upgrade, sends commands, and then never reads a byte. */
export interface StalledClient {
  /** Sends one masked text frame (a client→server WebSocket frame). */
  send(message: unknown): void;
  /** Stops reading: the server's sends pile up in the kernel and then in its own buffer. */
  stall(): void;
  destroy(): void;
}

/** Upgrades a raw TCP socket by hand, so that a test controls whether it reads. */
export async function stalledClient(url: string, token: string): Promise<StalledClient> {
  const { hostname, port, pathname } = new URL(url);
  const socket = connectTcp({ host: hostname, port: Number(port) });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(
    `GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
      `Sec-WebSocket-Protocol: hotline.cti.v1, bearer.${token}\r\n\r\n`,
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('data', (chunk: Buffer) => (chunk.toString().startsWith('HTTP/1.1 101') ? resolve() : reject(new Error(chunk.toString()))));
  });
  return {
    send(message) {
      const payload = Buffer.from(JSON.stringify(message));
      if (payload.length > 125) throw new Error('short frames only');
      const mask = randomBytes(4);
      const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
      socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
    },
    stall: () => void socket.pause(),
    destroy: () => socket.destroy(),
  };
}
