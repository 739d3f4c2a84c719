/**
 * ONE supervised ARI connection over ari-client: a session (ari-session.ts) is opened with a
 * timeout, kept alive with WebSocket pings, and replaced — forever, with exponential backoff and
 * jitter — whenever it dies, until `close()`. After every (re)connect `onUp` runs (the port lists
 * channels and bridges and reconciles); if it throws, the session is dropped and retried.
 * Exposes the connection state for GET /health and `invoke()` for REST operations.
 */
import type { Clock } from '../clock.ts';
import { HotlineError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { toHotlineError } from './ari-errors.ts';
import type { Json } from './ari-json.ts';
import type { AriInvoke } from './ari-operations.ts';
import { openAriSession, type AriSession } from './ari-session.ts';
import { createBackoff } from './backoff.ts';
import type { ConnectionState } from './port.ts';
import { createSupervisor, type SupervisorStatus } from './supervisor.ts';

/** Where and how to connect; every timing has a production default. */
export interface AriConnectionSettings {
  readonly url: string;
  readonly user: string;
  readonly password: string;
  readonly app: string;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Random source of the backoff jitter. */
  readonly random?: () => number;
  /** Bound of one connect attempt (API download + WebSocket open). Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** Bound of one REST request. Default 10 s. */
  readonly requestTimeoutMs?: number;
  /** WebSocket ping period. Default 5 s. */
  readonly pingIntervalMs?: number;
  /** Dead after this long without a pong. Default 15 s. */
  readonly pongTimeoutMs?: number;
  /** Backoff: first delay and cap. Defaults 250 ms and 15 s. */
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  /** A session that lived this long resets the backoff. Default 30 s. */
  readonly stableMs?: number;
}

export interface AriConnectionHooks {
  /** A new session is being opened (its events will follow). */
  readonly onSessionStart: () => void;
  /** Every raw event of the live session, in arrival order. */
  readonly onEvent: (event: Json) => void;
  /** After every (re)connect; throwing drops the session (it is retried). */
  readonly onUp: (firstConnect: boolean) => Promise<void>;
  /** The connection was up and is now lost. */
  readonly onDown: (reason: string) => void;
}

export interface AriConnection {
  start(): void;
  /** No reconnect afterwards, no timer left. */
  close(): Promise<void>;
  state(): ConnectionState;
  /** Called after every state change (each failed attempt too). */
  onStateChange(listener: (state: ConnectionState) => void): () => void;
  /** Calls an ARI operation on the live session; ARI_UNAVAILABLE when down. */
  readonly invoke: AriInvoke;
}

export function createAriConnection(settings: AriConnectionSettings, hooks: AriConnectionHooks): AriConnection {
  const { clock, logger } = settings;
  let connects = 0;

  const supervisor = createSupervisor<AriSession>({
    name: 'ARI', clock, logger,
    connectTimeoutMs: settings.connectTimeoutMs ?? 10_000,
    backoff: createBackoff({ baseMs: settings.backoffBaseMs ?? 250, maxMs: settings.backoffMaxMs ?? 15_000, random: settings.random }),
    ...(settings.stableMs !== undefined && { stableMs: settings.stableMs }),
    connect(signal) {
      hooks.onSessionStart();
      return openAriSession({
        url: settings.url, user: settings.user, password: settings.password, app: settings.app, clock, logger,
        pingIntervalMs: settings.pingIntervalMs ?? 5_000,
        pongTimeoutMs: settings.pongTimeoutMs ?? 15_000,
        requestTimeoutMs: settings.requestTimeoutMs ?? 10_000,
        onEvent: hooks.onEvent,
      }, signal);
    },
  });

  const invoke: AriInvoke = async (resource, operation, params, subject) => {
    const session = supervisor.session();
    if (!session) throw new HotlineError('ARI_UNAVAILABLE', `ARI is not connected (${resource}.${operation})`);
    try {
      return await session.call(resource, operation, params);
    } catch (error) {
      throw toHotlineError(error, `${resource}.${operation}`, subject);
    }
  };

  let previous: SupervisorStatus = 'idle';
  supervisor.onChange((status) => {
    const wasUp = previous === 'up';
    previous = status;
    if (status === 'up') {
      const session = supervisor.session();
      const firstConnect = connects === 0;
      connects += 1;
      hooks.onUp(firstConnect).catch((error: unknown) => {
        logger.warn({ err: error }, 'ARI reconcile after connect failed; reconnecting');
        session?.fail(`reconcile failed: ${error instanceof Error ? error.message : String(error)}`);
      });
    } else if (status === 'backoff' && wasUp) {
      hooks.onDown(supervisor.state().lastError ?? 'unknown');
    }
  });

  return {
    start: () => supervisor.start(),
    close: () => supervisor.close(),
    state: () => supervisor.state(),
    onStateChange: (listener) => supervisor.onChange((_status, state) => listener(state)),
    invoke,
  };
}
