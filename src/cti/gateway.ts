/**
 * The CTI gateway: a `ws` server on the HTTP server's port, path `/cti`. It authenticates at the
 * upgrade (401 without a valid token), then speaks the protocol of protocol.ts over each socket
 * (connection.ts): commands go to handlers the rest of the server registers with `onCommand`,
 * events come from the event bus. It pings every `heartbeatMs` and terminates a client it has not
 * heard over two heartbeats in a row (counted beats, not wall-clock time: a clock step cuts nobody
 * off). Counters are plain numbers from `stats()`.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Session, UserService } from '../auth/user-service.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { BusEvent, EventBus } from './event-bus.ts';
import { createConnection, type Connection } from './connection.ts';
import { countByRole, createCounters } from './gateway-stats.ts';
import { builtInCommands, closeCodes, EVENT_ID_PATTERN, type HandledCommand, type Payload } from './protocol.ts';
import { refuseUpgrade, selectProtocol, upgradeToken } from './upgrade-auth.ts';

export interface CtiGatewayOptions {
  /** The HTTP server to share (Fastify's `app.server`). */
  readonly server: Server;
  readonly users: Pick<UserService, 'authenticate'>;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly path?: string;
  /** Largest accepted frame, bytes; a larger one closes the socket with 1009. Default 64 KiB. */
  readonly maxPayload?: number;
  /** Unsent bytes a client may have queued before it is cut off (4008). Default 1 MiB. */
  readonly maxBufferedBytes?: number;
  /** Ping interval; a client silent for twice this is terminated. Default 15 s. */
  readonly heartbeatMs?: number;
  /** Every how many heartbeats each socket's session is checked again (revoked sessions close with 4001). */
  readonly sessionCheckBeats?: number;
  readonly maxTopics?: number;
  /** Commands of one connection waiting for their reply. Default 16. */
  readonly maxPending?: number;
}

/** Handles one command type for an authenticated session; its result is the reply's `result`. */
export type CommandHandler<T extends HandledCommand> = (session: Session, payload: Payload<T>) => Promise<unknown>;

/** Why and how a connection ended. */
export interface ConnectionClosed {
  readonly username: string;
  readonly code: number;
  readonly reason: string;
}

export type CtiGateway = ReturnType<typeof createCtiGateway>;

const lastEventIdCheck = new RegExp(EVENT_ID_PATTERN);

/** Attaches the gateway to `options.server`; `close()` detaches it and closes every socket (1001). */
export function createCtiGateway(options: CtiGatewayOptions) {
  const { server, users, bus, clock } = options;
  const logger = options.logger.child({ component: 'cti' });
  const path = options.path ?? '/cti';
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const sessionCheckBeats = options.sessionCheckBeats ?? 4;
  /** The bearer token of each open connection, to notice a revoked session. */
  const tokens = new Map<Connection, string>();
  const limits = {
    maxBufferedBytes: options.maxBufferedBytes ?? 1024 * 1024,
    maxTopics: options.maxTopics ?? 64,
    maxPending: options.maxPending ?? 16,
  };
  const counters = createCounters();
  const handlers = new Map<HandledCommand, (session: Session, payload: Record<string, unknown>) => Promise<unknown>>();
  const connections = new Set<Connection>();
  const closedListeners = new Set<(closed: ConnectionClosed) => void>();
  const frames = new WeakMap<BusEvent, Buffer>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload ?? 64 * 1024, handleProtocols: selectProtocol, clientTracking: false });
  let nextId = 0;
  let closing = false;
  let heartbeat: TimerHandle | undefined;

  function frame(event: BusEvent): Buffer {
    let encoded = frames.get(event);
    if (!encoded) {
      const message = { type: 'event', eventId: event.id, topic: event.topic, name: event.name, data: event.data, at: event.at };
      encoded = Buffer.from(JSON.stringify(message));
      frames.set(event, encoded);
    }
    return encoded;
  }

  const context = {
    bus,
    clock,
    counters,
    limits,
    frame,
    handler: (type: HandledCommand) => handlers.get(type),
    closed(connection: Connection, code: number, reason: string) {
      if (!connections.delete(connection)) return;
      const closed = { username: connection.session.username, code, reason };
      logger.debug(closed, 'CTI connection closed');
      for (const listener of closedListeners) listener(closed);
    },
  };

  async function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== path) {
      // another upgrade handler may own this path; answer only when there is none
      if (server.listenerCount('upgrade') === 1) refuseUpgrade(socket, 404, 'no WebSocket here');
      return;
    }
    socket.on('error', () => socket.destroy());
    if (closing) return refuseUpgrade(socket, 503, 'shutting down');
    const token = upgradeToken(request, url);
    let session: Session | null = null;
    try {
      session = token ? await users.authenticate(token) : null;
    } catch (error) {
      logger.warn({ err: error }, 'cannot check a CTI token');
      counters.upgradesRejected++;
      return refuseUpgrade(socket, 503, 'cannot check credentials now; retry');
    }
    if (!session) {
      counters.upgradesRejected++;
      return refuseUpgrade(socket, 401, 'log in first: offer the subprotocol bearer.<token>');
    }
    if (socket.destroyed || closing) return;
    const lastEventId = url.searchParams.get('lastEventId') ?? undefined;
    const accepted = session;
    wss.handleUpgrade(request, socket, head, (ws) => accept(ws, socket, accepted, token!, lastEventId));
  }

  function accept(ws: WebSocket, socket: Duplex, session: Session, token: string, lastEventId: string | undefined): void {
    const connectionLogger = logger.child({ conn: ++nextId, username: session.username });
    const connection = createConnection(ws, session, context, connectionLogger, socket);
    connections.add(connection);
    tokens.set(connection, token);
    void connection.done.then(() => tokens.delete(connection));
    counters.connectionsOpened++;
    connectionLogger.debug({ roles: session.roles }, 'CTI connection open');
    connection.resumeAtConnect(lastEventId !== undefined && lastEventIdCheck.test(lastEventId) ? lastEventId : undefined);
  }

  /**
   * A session ended before its time (logout everywhere, an admin's revoke): its sockets close with
   * 4001 at the next check, one store read per socket every `sessionCheckBeats` heartbeats.
   */
  async function closeRevoked(): Promise<void> {
    for (const [connection, token] of tokens) {
      if ((await users.authenticate(token).catch(() => 'unknown' as const)) === null) connection.shut(closeCodes.sessionExpired, 'session ended');
    }
  }

  let beats = 0;
  function beat(): void {
    heartbeat = clock.setTimeout(() => {
      if (++beats % sessionCheckBeats === 0) void closeRevoked().catch((error: unknown) => logger.warn({ err: error }, 'CTI session check failed'));
      for (const connection of connections) {
        if (connection.missedBeat() >= 2) {
          counters.heartbeatTimeouts++;
          connection.terminate(closeCodes.heartbeat, 'no heartbeat');
        } else {
          connection.ping();
        }
      }
      beat();
    }, heartbeatMs);
  }

  const listener = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    onUpgrade(request, socket, head).catch((error: unknown) => {
      logger.error({ err: error }, 'CTI upgrade failed');
      socket.destroy();
    });
  };
  server.on('upgrade', listener);
  beat();

  return {
    /** Registers the handler of a command type (one per type). */
    onCommand<T extends HandledCommand>(type: T, handler: CommandHandler<T>): void {
      if ((builtInCommands as readonly string[]).includes(type)) throw new Error(`${type} is built into the gateway`);
      if (handlers.has(type)) throw new Error(`a handler for ${type} is registered already`);
      handlers.set(type, handler as (session: Session, payload: Record<string, unknown>) => Promise<unknown>);
    },
    /** Calls `listener` whenever a connection ends (presence, tests). Returns a function that stops it. */
    onConnectionClosed(fn: (closed: ConnectionClosed) => void): () => void {
      closedListeners.add(fn);
      return () => closedListeners.delete(fn);
    },
    stats: () => ({ connections: countByRole([...connections].map((c) => c.session)), ...counters, bus: bus.stats() }),
    /** Stops accepting, closes every socket with 1001 and waits until they are gone. */
    async close(): Promise<void> {
      if (closing) return;
      closing = true;
      server.off('upgrade', listener);
      heartbeat?.cancel();
      await Promise.all([...connections].map((connection) => {
        connection.shut(closeCodes.goingAway, 'server shutting down');
        return connection.done;
      }));
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
