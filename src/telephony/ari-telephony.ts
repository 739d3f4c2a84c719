/**
 * The TelephonyPort over ARI: one supervised ARI session (reconnected forever), raw events
 * mapped to TelephonyEvents, waits resolved as events arrive, events handed to the handler
 * through one serial queue per channel, and a reconcile step after every (re)connect that hands
 * the live channels and bridges to the registered hooks before any event of the new connection.
 */
import type { Clock } from '../clock.ts';
import { HotlineError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { createAriMedia } from './ari-media.ts';
import { bridgeKey, mapAriEvent, type KeyedEvent } from './ari-events.ts';
import { toHotlineError } from './ari-errors.ts';
import type { Json } from './ari-json.ts';
import { createAriOperations, listBridges, listChannels, type AriInvoke } from './ari-operations.ts';
import { openAriSession, type AriSession } from './ari-session.ts';
import { createBackoff } from './backoff.ts';
import { createKeyedQueue } from './keyed-queue.ts';
import type { ConnectionState, ReconcileHook, TelephonyEventHandler, TelephonyPort } from './port.ts';
import { createSupervisor, type SupervisorStatus } from './supervisor.ts';
import { createWaits } from './waits.ts';

export interface AriTelephonyOptions {
  readonly url: string;
  readonly user: string;
  readonly password: string;
  readonly app: string;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Random source of the backoff jitter. */
  readonly random?: () => number;
  readonly connectTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly pingIntervalMs?: number;
  readonly pongTimeoutMs?: number;
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
}

/** The port plus its lifecycle. */
export interface AriTelephony extends TelephonyPort {
  /** Starts connecting (and keeps reconnecting until close()). */
  start(): void;
  /** Closes the connection for good: no reconnect, no timers, pending waits rejected. */
  close(): Promise<void>;
  /** Resolves when every queued event handler has run. */
  idle(): Promise<void>;
  /** Called after every change of `state()` (each failed attempt too); returns an unsubscribe function. */
  onStateChange(listener: (state: ConnectionState) => void): () => void;
}

const CONNECTION_KEY = 'connection';

export function createAriTelephony(options: AriTelephonyOptions): AriTelephony {
  const logger = options.logger.child({ component: 'ari' });
  const { clock } = options;
  const handlers = new Set<TelephonyEventHandler>();
  const hooks = new Set<ReconcileHook>();
  const waits = createWaits(clock);
  const queue = createKeyedQueue((error, key) => logger.error({ err: error, key }, 'telephony event handler failed'));
  let buffered: KeyedEvent[] | undefined;
  let connects = 0;

  const supervisor = createSupervisor<AriSession>({
    name: 'ARI',
    clock,
    logger,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    backoff: createBackoff({ baseMs: options.backoffBaseMs ?? 250, maxMs: options.backoffMaxMs ?? 15_000, random: options.random }),
    connect(signal) {
      buffered = [];
      return openAriSession({
        url: options.url, user: options.user, password: options.password, app: options.app, clock, logger,
        pingIntervalMs: options.pingIntervalMs ?? 5_000,
        pongTimeoutMs: options.pongTimeoutMs ?? 15_000,
        requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
        onEvent: onRawEvent,
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
  const media = createAriMedia(invoke, waits, options.app, logger);
  const operations = createAriOperations(invoke, options.app);

  function dispatch(keyed: KeyedEvent): void {
    if (buffered) {
      buffered.push(keyed);
      return;
    }
    for (const handler of [...handlers]) queue.push(keyed.key, () => handler(keyed.event));
  }

  function onRawEvent(raw: Json): void {
    const keyed = mapAriEvent(raw, media.origin);
    if (!keyed) return;
    media.observe(keyed.event);
    dispatch(keyed);
  }

  async function reconcile(): Promise<void> {
    const firstConnect = connects === 0;
    connects += 1;
    const [channels, bridges] = await Promise.all([listChannels(invoke, options.app), listBridges(invoke)]);
    const liveChannels = new Set(channels.map((c) => c.id));
    endOrphanedWaits(liveChannels, new Set(bridges.map((b) => b.id)));
    media.prune(liveChannels);
    for (const hook of [...hooks]) {
      try {
        await hook({ channels, bridges, firstConnect });
      } catch (error) {
        logger.error({ err: error }, 'reconcile hook failed');
      }
    }
    const pending = buffered ?? [];
    buffered = undefined;
    dispatch({ key: CONNECTION_KEY, event: { type: 'connection-up', firstConnect } });
    for (const keyed of pending) dispatch(keyed);
  }

  /** Waits whose channel or bridge vanished while the events WebSocket was down. */
  function endOrphanedWaits(channelIds: ReadonlySet<string>, bridgeIds: ReadonlySet<string>): void {
    for (const scope of waits.scopes()) {
      const [kind, id] = splitScope(scope);
      if ((kind === 'channel' && !channelIds.has(id)) || (kind === 'bridge' && !bridgeIds.has(id))) {
        waits.endScope(scope, 'ended while the ARI connection was down');
      }
    }
  }

  let previous: SupervisorStatus = 'idle';
  supervisor.onChange((status: SupervisorStatus) => {
    const wasUp = previous === 'up';
    previous = status;
    if (status === 'up') {
      reconcile().catch((error: unknown) => {
        logger.warn({ err: error }, 'ARI reconcile failed; reconnecting');
        void supervisor.session()?.close();
      });
    } else if (status === 'backoff' && wasUp) {
      buffered = undefined;
      const reason = supervisor.state().lastError ?? 'unknown';
      dispatch({ key: CONNECTION_KEY, event: { type: 'connection-down', reason } });
    }
  });

  /** BridgeDestroyed is not always delivered (see the traces): end the bridge's waits ourselves. */
  async function destroyBridge(bridgeId: string): Promise<void> {
    media.bridgeDestroying(bridgeId);
    await operations.destroyBridge(bridgeId);
    waits.endScope(bridgeKey(bridgeId), 'bridge destroyed');
  }

  return {
    ...operations,
    destroyBridge,
    play: media.play,
    record: media.record,
    originate: media.originate,
    snoop: media.snoop,
    onEvent(handler) {
      handlers.add(handler);
      return () => void handlers.delete(handler);
    },
    onReconcile(hook) {
      hooks.add(hook);
      return () => void hooks.delete(hook);
    },
    state: () => supervisor.state(),
    onStateChange: (listener) => supervisor.onChange((_status, state) => listener(state)),
    start: () => supervisor.start(),
    async close() {
      await supervisor.close();
      waits.rejectAll(new HotlineError('ARI_UNAVAILABLE', 'the telephony adapter is closed'));
      handlers.clear();
      hooks.clear();
      await queue.idle();
    },
    idle: () => queue.idle(),
  };
}

function splitScope(scope: string): [string, string] {
  const at = scope.indexOf(':');
  return [scope.slice(0, at), scope.slice(at + 1)];
}
