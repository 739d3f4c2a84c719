/**
 * One ARI session over ari-client: load the API, open the app's event WebSocket, keep it alive
 * with WebSocket pings, and end (once, with a reason) when anything goes wrong. The supervisor
 * (supervisor.ts) throws a dead session away and opens a new one; ari-client's own reconnect is
 * never used (it gives up after ~10 tries), and a discarded client is fenced so that its pending
 * reconnect timer cannot bring a zombie WebSocket back. This is the only file that loads ari-client.
 */
import { createRequire } from 'node:module';
import type { Clock, TimerHandle } from '../clock.ts';
import { HotlineError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { isRecord, type Json } from './ari-json.ts';
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
  /** Upper bound of one REST request (ari-client has none and loses connection errors). */
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
  const client = await ariClient.connect(options.url, options.user, options.password);
  const fence = fenceClient(client);
  if (signal.aborted) {
    fence.destroy();
    throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
  }
  return startSession(client, fence, options, signal);
}

async function startSession(client: RawAriClient, fence: Fence, options: AriSessionOptions, signal: AbortSignal): Promise<AriSession> {
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
      return callOperation(client, resource, operation, params, clock, options.requestTimeoutMs, inFlight);
    },
  };
}

function callOperation(
  client: RawAriClient, resource: string, operation: string, params: Record<string, unknown>,
  clock: Clock, timeoutMs: number, inFlight: Set<(error: HotlineError) => void>,
): Promise<unknown> {
  const group = (client as unknown as Record<string, unknown>)[resource];
  const fn = isRecord(group) ? group[operation] : undefined;
  if (typeof fn !== 'function') {
    return Promise.reject(new HotlineError('ARI_REQUEST_FAILED', `ARI has no operation ${resource}.${operation}`));
  }
  return new Promise<unknown>((resolve, reject) => {
    const fail = (error: HotlineError): void => {
      timer.cancel();
      inFlight.delete(fail);
      reject(error);
    };
    const timer = clock.setTimeout(
      () => fail(new HotlineError('ARI_UNAVAILABLE', `ARI ${resource}.${operation}: no response within ${timeoutMs} ms`)),
      timeoutMs,
    );
    inFlight.add(fail);
    Promise.resolve((fn as (p: Record<string, unknown>) => PromiseLike<unknown>)(params)).then(
      (value) => {
        timer.cancel();
        inFlight.delete(fail);
        resolve(value);
      },
      (error: unknown) => {
        timer.cancel();
        inFlight.delete(fail);
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
