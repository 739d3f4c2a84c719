/**
 * One ARI session: ari-client loads the API and opens the app's event WebSocket, kept alive with
 * WebSocket pings; REST requests go through ari-rest.ts (its own keep-alive connections, ADR 0017),
 * each bounded by a timeout. The session ends (once, with a reason) when anything goes wrong. The
 * supervisor (supervisor.ts) throws a dead session away and opens a new one; ari-client's own
 * reconnect is never used (it gives up after ~10 tries), and a discarded client is fenced so that its
 * pending reconnect timer cannot bring a zombie WebSocket back. This is the only file that loads ari-client.
 */
import { createRequire } from 'node:module';
import type { Clock, TimerHandle } from '../clock.ts';
import { HotlineError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { isRecord, type Json } from './ari-json.ts';
import { openAriRest, type AriRest } from './ari-rest.ts';
import type { Session } from './supervisor.ts';

/** The part of ari-client's Client this file relies on (the package ships no types). */
interface RawAriClient {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  removeAllListeners(): unknown;
  start(apps: string): PromiseLike<void>;
  ping(): void;
}

interface AriClientModule {
  connect(url: string, user: string, password: string): PromiseLike<RawAriClient>;
}

const ariClient = createRequire(import.meta.url)('ari-client') as AriClientModule;

export interface AriSessionOptions {
  readonly url: string;
  readonly user: string;
  readonly password: string;
  readonly app: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How often to ping the WebSocket. */
  readonly pingIntervalMs: number;
  /** The session is dead when no pong came for this long. */
  readonly pongTimeoutMs: number;
  /** Upper bound of one REST request (a hung Asterisk would hold it forever). */
  readonly requestTimeoutMs: number;
  /** Receives every raw event, in arrival order. */
  readonly onEvent: (event: Json) => void;
}

export interface AriSession extends Session {
  /** Ends the session with `reason` (the supervisor then reconnects). */
  fail(reason: string): void;
  /** Calls an ARI operation, e.g. `call('channels', 'answer', { channelId })`. */
  call(resource: string, operation: string, params: Record<string, unknown>): Promise<unknown>;
}

/** Opens a session; rejects if the API or the WebSocket cannot be reached. */
export async function openAriSession(options: AriSessionOptions, signal: AbortSignal): Promise<AriSession> {
  // both read the API description: ari-client for its events, ari-rest.ts for the requests
  const [connected, loaded] = await Promise.allSettled([
    Promise.resolve(ariClient.connect(options.url, options.user, options.password)),
    openAriRest({ url: options.url, user: options.user, password: options.password }, signal),
  ]);
  if (connected.status === 'fulfilled' && loaded.status === 'fulfilled' && !signal.aborted) {
    return startSession(connected.value, fenceClient(connected.value), loaded.value, options, signal);
  }
  if (connected.status === 'fulfilled') fenceClient(connected.value).destroy();
  if (loaded.status === 'fulfilled') loaded.value.destroy();
  if (connected.status === 'rejected') throw connected.reason;
  if (loaded.status === 'rejected') throw loaded.reason;
  throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

async function startSession(
  client: RawAriClient, fence: Fence, rest: AriRest, options: AriSessionOptions, signal: AbortSignal,
): Promise<AriSession> {
  const { clock, logger } = options;
  let endReason: string | undefined;
  let resolveEnded!: (reason: string) => void;
  const ended = new Promise<string>((resolve) => (resolveEnded = resolve));
  const inFlight = new Set<(error: HotlineError) => void>();
  let pingTimer: TimerHandle | undefined;
  let lastPong = clock.now();

  const end = (reason: string): void => {
    if (endReason !== undefined) return;
    endReason = reason;
    pingTimer?.cancel();
    fence.destroy();
    const error = new HotlineError('ARI_UNAVAILABLE', `ARI connection lost: ${reason}`);
    for (const fail of [...inFlight]) fail(error);
    rest.destroy();
    resolveEnded(reason);
  };

  client.on('*', (event: unknown) => {
    if (endReason !== undefined || !isRecord(event)) return;
    if (event['type'] === 'ApplicationReplaced') {
      end('application replaced by another WebSocket');
      return;
    }
    try {
      options.onEvent(event);
    } catch (error) {
      logger.error({ err: error }, 'ARI event listener threw');
    }
  });
  client.on('pong', () => void (lastPong = clock.now()));

  const opened = new Promise<void>((resolve, reject) => {
    client.on('WebSocketConnected', () => resolve());
    // ari-client's own reconnect starts here: end the session instead (the supervisor retries)
    const onDown = (error: unknown): void => {
      const reason = `WebSocket closed${error instanceof Error ? `: ${error.message}` : ''}`;
      reject(new Error(reason));
      end(reason);
    };
    client.on('WebSocketReconnecting', onDown);
    client.on('WebSocketMaxRetries', onDown);
    signal.addEventListener('abort', () => onDown(signal.reason), { once: true });
  });
  void Promise.resolve(client.start(options.app)).catch(() => undefined);
  try {
    await opened;
  } catch (error) {
    end('start failed');
    throw error;
  }

  const schedulePing = (): void => {
    pingTimer = clock.setTimeout(() => {
      if (endReason !== undefined) return;
      if (clock.now() - lastPong > options.pongTimeoutMs) {
        end(`no pong for ${clock.now() - lastPong} ms`);
        return;
      }
      try {
        client.ping();
      } catch (error) {
        // ws throws when the socket is already closing; the close event may not have arrived yet
        end(`ping failed: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
      schedulePing();
    }, options.pingIntervalMs);
  };
  schedulePing();

  return {
    ended,
    close: () => end('closed'),
    fail: end,
    call(resource, operation, params) {
      if (endReason !== undefined) return Promise.reject(new HotlineError('ARI_UNAVAILABLE', `ARI connection lost: ${endReason}`));
      return callOperation(rest, resource, operation, params, clock, options.requestTimeoutMs, inFlight);
    },
  };
}

/** One REST request bounded by `timeoutMs`; a timeout or the session's end fails it and aborts it. */
function callOperation(
  rest: AriRest, resource: string, operation: string, params: Record<string, unknown>,
  clock: Clock, timeoutMs: number, inFlight: Set<(error: HotlineError) => void>,
): Promise<unknown> {
  const op = rest.operation(resource, operation);
  if (!op) return Promise.reject(new HotlineError('ARI_REQUEST_FAILED', `ARI has no operation ${resource}.${operation}`));
  return new Promise<unknown>((resolve, reject) => {
    const abort = new AbortController();
    const settle = (): void => {
      timer.cancel();
      inFlight.delete(fail);
    };
    const fail = (error: HotlineError): void => {
      settle();
      abort.abort(error);
      reject(error);
    };
    const timer = clock.setTimeout(
      () => fail(new HotlineError('ARI_UNAVAILABLE', `ARI ${resource}.${operation}: no response within ${timeoutMs} ms`)),
      timeoutMs,
    );
    inFlight.add(fail);
    rest.send(op, params, abort.signal).then(
      (value) => {
        settle();
        resolve(value);
      },
      (error: unknown) => {
        settle();
        reject(error);
      },
    );
  });
}

interface Fence {
  destroy(): void;
}

/**
 * ari-client reconnects through an uncancellable timer that assigns `client._ws`. Intercept that
 * property: once destroyed, the current socket is terminated, any later socket is terminated as
 * soon as it is assigned, and `_wsClosed` reads true so ari-client never schedules another try.
 */
function fenceClient(client: RawAriClient): Fence {
  let destroyed = false;
  let socket: unknown;
  let wsClosed: unknown = false;
  const terminate = (ws: unknown): void => {
    if (isRecord(ws) && typeof ws['terminate'] === 'function') (ws['terminate'] as () => void).call(ws);
  };
  Object.defineProperty(client, '_ws', {
    configurable: true,
    get: () => socket,
    set(ws: unknown) {
      socket = ws;
      // listeners are attached right after the assignment; terminate once they are in place
      if (destroyed) setImmediate(() => terminate(ws));
    },
  });
  Object.defineProperty(client, '_wsClosed', {
    configurable: true,
    get: () => destroyed || wsClosed === true,
    set(value: unknown) {
      wsClosed = value;
    },
  });
  return {
    destroy() {
      if (destroyed) return;
      destroyed = true;
      terminate(socket);
      client.removeAllListeners();
      // ari-client emits 'APILoadError' and the like without listeners; keep a sink for 'error'
      client.on('error', () => undefined);
    },
  };
}
