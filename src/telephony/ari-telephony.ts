/**
 * The TelephonyPort over ARI: one supervised ARI connection (ari-connection.ts), raw events
 * mapped to TelephonyEvents, waits resolved as events arrive, events handed to the handler
 * through one serial queue per channel, and a reconcile step after every (re)connect that hands
 * the live channels and bridges to the registered hooks before any event of the new connection.
 * After a reconnect it also hands on the events the gap lost that matter (see missedEvents).
 */
import { HotlineError } from '../errors.ts';
import { createAriConnection, type AriConnectionSettings } from './ari-connection.ts';
import { bridgeKey, channelKey, mapAriEvent, type KeyedEvent } from './ari-events.ts';
import type { Json } from './ari-json.ts';
import { createStoredFiles } from './ari-files.ts';
import { createAriMedia } from './ari-media.ts';
import { createAriOperations, listBridges, listChannels } from './ari-operations.ts';
import { createKeyedQueue } from './keyed-queue.ts';
import type { ChannelInfo, ConnectionState, ReconcileHook, TelephonyEventHandler, TelephonyPort } from './port.ts';
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
  /** Channels in the app the handlers have heard of (arrived, started, or listed at a reconcile) and not yet heard leave. */
  const watched = new Set<string>();

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
    watch(keyed.event);
    media.observe(keyed.event);
    dispatch(keyed);
  }

  function watch(event: KeyedEvent['event']): void {
    if (event.type === 'call-arrived' || event.type === 'channel-started') watched.add(event.channelId);
    if (event.type === 'hung-up' || event.type === 'left-stasis' || event.type === 'channel-destroyed') watched.delete(event.channelId);
  }

  /**
   * What happened while no events WebSocket listened (ARI drops those events), rebuilt from the
   * snapshot: channels the handlers knew that are gone (hung-up), originated legs answered meanwhile
   * (channel-started), playbacks that ended (playback-finished). Without them a call whose greeting
   * ended, whose agent picked up, or whose agent hung up during a cut would wait for an event that
   * never comes.
   */
  async function missedEvents(channels: readonly ChannelInfo[]): Promise<KeyedEvent[]> {
    const missed: KeyedEvent[] = [];
    const live = new Set(channels.map((c) => c.id));
    const inApp = new Map(channels.filter((c) => c.inApp).map((c) => [c.id, c]));
    for (const channelId of [...watched]) {
      if (!live.has(channelId)) missed.push({ key: channelKey(channelId), event: { type: 'hung-up', channelId, cause: undefined, byApp: false } });
    }
    for (const { channelId, origin } of media.pendingOriginates()) {
      const channel = inApp.get(channelId);
      if (!channel) continue;
      const args = channel.dialplan.appData.split(',').slice(1).filter((a) => a !== '');
      missed.push({ key: channelKey(channelId), event: { type: 'channel-started', channelId, origin, args } });
    }
    for (const { playbackId, target } of media.pendingPlaybacks()) {
      if (target.kind === 'channel' && !live.has(target.id)) continue; // its wait ended with the channel
      if (!(await media.playbackExists(playbackId))) {
        missed.push({ key: `${target.kind}:${target.id}`, event: { type: 'playback-finished', playbackId, target, failed: false } });
      }
    }
    return missed;
  }

  /** After every (re)connect: snapshot → hooks → `connection-up` → the events held meanwhile. */
  async function reconcile(firstConnect: boolean): Promise<void> {
    const [channels, bridges] = await Promise.all([listChannels(invoke, options.app), listBridges(invoke)]);
    const liveChannels = new Set(channels.map((c) => c.id));
    const missed = firstConnect ? [] : await missedEvents(channels);
    for (const keyed of missed) {
      watch(keyed.event);
      media.observe(keyed.event);
    }
    for (const channel of channels) if (channel.inApp) watched.add(channel.id);
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
    for (const keyed of [...missed, ...pending]) dispatch(keyed);
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
