/**
 * The TelephonyPort over ARI: one supervised ARI connection (ari-connection.ts), raw events
 * mapped to TelephonyEvents, waits resolved as events arrive, events handed to the handler
 * through one serial queue per channel, and a reconcile step after every (re)connect that hands
 * the live channels and bridges to the registered hooks before any event of the new connection.
 */
import { HotlineError } from '../errors.ts';
import { createAriConnection, type AriConnectionSettings } from './ari-connection.ts';
import { bridgeKey, mapAriEvent, type KeyedEvent } from './ari-events.ts';
import type { Json } from './ari-json.ts';
import { createStoredFiles } from './ari-files.ts';
import { createAriMedia } from './ari-media.ts';
import { createAriOperations, listBridges, listChannels } from './ari-operations.ts';
import { createKeyedQueue } from './keyed-queue.ts';
import type { ConnectionState, ReconcileHook, TelephonyEventHandler, TelephonyPort } from './port.ts';
import { createWaits } from './waits.ts';

/** Connection settings (see ari-connection.ts for the defaults). */
export type AriTelephonyOptions = AriConnectionSettings;

/** The port plus its lifecycle. */
export interface AriTelephony extends TelephonyPort {
  /** Starts connecting (and keeps reconnecting until close()). */
  start(): void;
  /** Closes the connection for good: no reconnect, no timers, pending waits rejected, no new events. */
  close(): Promise<void>;
  /** Resolves when every queued event handler has run. */
  idle(): Promise<void>;
  /** Called after every change of `state()` (each failed attempt too); returns an unsubscribe function. */
  onStateChange(listener: (state: ConnectionState) => void): () => void;
  /** Bookkeeping sizes (for metrics, and tests that nothing grows without bound). */
  stats(): TelephonyStats;
}

export interface TelephonyStats {
  /** Channels/bridges with queued or running event handlers. */
  readonly busyQueues: number;
  /** Pending port waits. */
  readonly waits: number;
  /** Tracked playbacks, recordings, originates and snoops. */
  readonly tracked: number;
}

const CONNECTION_KEY = 'connection';

export function createAriTelephony(options: AriTelephonyOptions): AriTelephony {
  const logger = options.logger.child({ connection: 'ari' });
  const { clock } = options;
  const handlers = new Set<TelephonyEventHandler>();
  const hooks = new Set<ReconcileHook>();
  const waits = createWaits(clock);
  const queue = createKeyedQueue((error, key) => logger.error({ err: error, key }, 'telephony event handler failed'));
  let buffered: KeyedEvent[] | undefined;

  const connection = createAriConnection({ ...options, logger }, {
    onSessionStart: () => void (buffered = []),
    onEvent: onRawEvent,
    onUp: reconcile,
    onDown(reason) {
      buffered = undefined;
      dispatch({ key: CONNECTION_KEY, event: { type: 'connection-down', reason } });
    },
  });
  const { invoke } = connection;
  const media = createAriMedia(invoke, waits, options.app, logger);
  const operations = createAriOperations(invoke, options.app);
  const storedRecordingFile = createStoredFiles({
    url: options.url, user: options.user, password: options.password, timeoutMs: 60_000, isUp: () => connection.state().status === 'up',
  });

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

  /** After every (re)connect: snapshot → hooks → `connection-up` → the events held meanwhile. */
  async function reconcile(firstConnect: boolean): Promise<void> {
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

  /** BridgeDestroyed is not always delivered (see the traces): end the bridge's waits ourselves. */
  async function destroyBridge(bridgeId: string): Promise<void> {
    media.bridgeDestroying(bridgeId);
    await operations.destroyBridge(bridgeId);
    waits.endScope(bridgeKey(bridgeId), 'bridge destroyed');
  }

  return {
    ...operations,
    destroyBridge,
    storedRecordingFile,
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
    state: () => connection.state(),
    onStateChange: (listener) => connection.onStateChange(listener),
    start: () => connection.start(),
    async close() {
      await connection.close();
      waits.rejectAll(new HotlineError('ARI_UNAVAILABLE', 'the telephony adapter is closed'));
      handlers.clear();
      hooks.clear();
      // handlers still running finish on their own (port calls now fail with ARI_UNAVAILABLE);
      // close() does not wait for them, so a stuck handler cannot block shutdown — see idle()
    },
    idle: () => queue.idle(),
    stats: () => ({ busyQueues: queue.size(), waits: waits.size(), tracked: media.size() }),
  };
}

function splitScope(scope: string): [string, string] {
  const at = scope.indexOf(':');
  return [scope.slice(0, at), scope.slice(at + 1)];
}
