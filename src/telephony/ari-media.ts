/**
 * The port's operations that start something and wait for its end: playbacks, recordings,
 * originate (answered?) and snoop. The wait is registered before the request leaves (ids are
 * client-chosen), and is resolved by `observe()`, which sees every mapped event as it arrives —
 * not through the per-channel queue, so an event handler may await these waits.
 */
import { HotlineError, isHotlineError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { bridgeKey, channelKey } from './ari-events.ts';
import type { AriInvoke } from './ari-operations.ts';
import type {
  MediaTarget, OriginateFailureReason, PlaybackResult, RecordingResult, TelephonyEvent, TelephonyPort,
} from './port.ts';
import { checked } from './validate.ts';
import type { Wait, Waits } from './waits.ts';

export type MediaPort = Pick<TelephonyPort, 'play' | 'record' | 'originate' | 'snoop'>;

export interface AriMedia extends MediaPort {
  /** Feeds every mapped event in arrival order; resolves and ends waits. */
  observe(event: TelephonyEvent): void;
  /** Whether this adapter originated or snooped `channelId` (until it started or ended). */
  origin(channelId: string): 'originate' | 'snoop' | undefined;
  /** The app is destroying `bridgeId`: its playbacks end as `stopped`, not `finished`. */
  bridgeDestroying(bridgeId: string): void;
  /** Entries kept per pending playback, recording, originate and not-yet-started channel. */
  size(): number;
  /**
   * After a reconnect: forget originated/snooped ids that no longer exist (their events were lost),
   * and hang up the given-up originates whose hang-up failed while the connection was down.
   */
  prune(liveChannelIds: ReadonlySet<string>): void;
  /** Playbacks still waited for (after a reconnect: those that ended meanwhile lost their PlaybackFinished). */
  pendingPlaybacks(): Array<{ readonly playbackId: string; readonly target: MediaTarget }>;
  /** Originated channels whose answer (StasisStart) is still waited for, with what they were originated as. */
  pendingOriginates(): Array<{ readonly channelId: string; readonly origin: 'originate' | 'snoop' }>;
  /** Whether ARI still has the playback (GET /playbacks/{id}); false only on a 404. */
  playbackExists(playbackId: string): Promise<boolean>;
}

interface PlaybackEntry {
  readonly wait: Wait<PlaybackResult>;
  readonly target: MediaTarget;
  readonly scope: string;
  stopped: boolean;
}

const targetScope = (target: MediaTarget): string => (target.kind === 'channel' ? channelKey(target.id) : bridgeKey(target.id));
const originateScope = (channelId: string): string => `originate:${channelId}`;

/**
 * Q.850 cause of a destroyed originated channel → why it was not answered. 21 (call rejected,
 * e.g. SIP 603 Decline) counts as busy: the phone refused the call.
 */
export function originateFailureReason(cause: number): OriginateFailureReason {
  if (cause === 17 || cause === 21) return 'busy';
  if (cause === 18 || cause === 19) return 'no-answer';
  if ([1, 3, 20, 27, 28, 34, 38, 41, 42, 47, 58, 66, 88].includes(cause)) return 'failed';
  return 'hung-up';
}

export function createAriMedia(invoke: AriInvoke, waits: Waits, app: string, logger: Logger): AriMedia {
  const playbacks = new Map<string, PlaybackEntry>();
  const recordings = new Map<string, Wait<RecordingResult>>();
  const originates = new Map<string, Wait<{ readonly channelId: string }>>();
  const origins = new Map<string, 'originate' | 'snoop'>();
  /** Originates given up on whose hang-up failed (ARI was down): a phone answered meanwhile would stay on a silent call. */
  const leftUp = new Set<string>();

  const quietly = (what: string, work: Promise<unknown>): void =>
    void work.catch((error: unknown) => logger.debug({ err: error }, `${what} failed (ignored)`));
  const gaveUpByCaller = (error: HotlineError): boolean => error.code === 'TELEPHONY_TIMEOUT' || error.code === 'TELEPHONY_ABORTED';
  const resourceOf = (target: MediaTarget): { resource: string; idParam: Record<string, string> } =>
    target.kind === 'channel'
      ? { resource: 'channels', idParam: { channelId: checked('id', target.id, 'channel id') } }
      : { resource: 'bridges', idParam: { bridgeId: checked('id', target.id, 'bridge id') } };

  const stopPlayback = (playbackId: string): Promise<unknown> => invoke('playbacks', 'stop', { playbackId }, playbackId);
  const hangUpGivenUp = (channelId: string): Promise<unknown> => invoke('channels', 'hangup', { channelId }, channelId).catch((error: unknown) => {
    if (!(isHotlineError(error) && error.details?.['kind'] === 'not-found')) leftUp.add(channelId); // tried again after the reconnect
    throw error;
  });

  /**
   * Undoes a started thing (stop the playback, hang up the originate) when its wait is given up
   * by timeout or abort — at once if it exists already, else as soon as its request succeeded.
   */
  function undoOnGiveUp(what: string, undo: () => Promise<unknown>): { onGiveUp: (error: HotlineError) => void; created: () => void } {
    let wanted = false;
    let exists = false;
    return {
      onGiveUp(error) {
        if (!gaveUpByCaller(error)) return;
        wanted = true;
        if (exists) quietly(what, undo());
      },
      created() {
        exists = true;
        if (wanted) quietly(what, undo());
      },
    };
  }

  async function play(target: MediaTarget, media: readonly string[], options: Parameters<MediaPort['play']>[2]) {
    const playbackId = checked('id', options.playbackId, 'playback id');
    const { resource, idParam } = resourceOf(target);
    const uris = media.map((uri) => checked('media', uri, 'media URI'));
    if (uris.length === 0) throw new HotlineError('TELEPHONY_BAD_ARGUMENT', 'play needs at least one media URI');
    const undo = undoOnGiveUp('stop playback', () => stopPlayback(playbackId));
    const wait = waits.create<PlaybackResult>({
      scope: targetScope(target), what: `playback ${playbackId}`, timeoutMs: options.timeoutMs, signal: options.signal,
      onGiveUp: undo.onGiveUp,
      onSettle: () => playbacks.delete(playbackId),
    });
    const entry: PlaybackEntry = { wait, target, scope: targetScope(target), stopped: false };
    playbacks.set(playbackId, entry);
    try {
      await invoke(resource, 'play', {
        ...idParam, media: uris.join(','), playbackId, ...(options.language !== undefined && { lang: checked('word', options.language, 'language') }),
      }, target.id);
    } catch (error) {
      wait.reject(error);
      throw error;
    }
    undo.created();
    return {
      playbackId,
      done: wait.promise,
      async stop() {
        entry.stopped = true;
        await stopPlayback(playbackId).catch((error: unknown) => {
          if (!(isHotlineError(error) && error.details?.['kind'] === 'not-found')) throw error;
        });
      },
    };
  }

  async function record(target: MediaTarget, options: Parameters<MediaPort['record']>[1]) {
    const name = checked('recording', options.name, 'recording name');
    const { resource, idParam } = resourceOf(target);
    const undo = undoOnGiveUp('stop recording', () => invoke('recordings', 'stop', { recordingName: name }, name));
    const wait = waits.create<RecordingResult>({
      scope: targetScope(target), what: `recording ${name}`, timeoutMs: options.timeoutMs, signal: options.signal,
      onGiveUp: undo.onGiveUp,
      onSettle: () => recordings.delete(name),
    });
    recordings.set(name, wait);
    try {
      await invoke(resource, 'record', {
        ...idParam, name, format: options.format,
        ...(options.maxDurationSeconds !== undefined && { maxDurationSeconds: options.maxDurationSeconds }),
        ...(options.maxSilenceSeconds !== undefined && { maxSilenceSeconds: options.maxSilenceSeconds }),
        ...(options.terminateOn !== undefined && { terminateOn: options.terminateOn }),
        ...(options.beep !== undefined && { beep: options.beep }),
        ...(options.ifExists !== undefined && { ifExists: options.ifExists }),
      }, target.id);
    } catch (error) {
      wait.reject(error);
      throw error;
    }
    undo.created();
    return {
      name,
      done: wait.promise,
      stop: () => invoke('recordings', 'stop', { recordingName: name }, name).then(() => undefined),
    };
  }

  async function originate(endpoint: string, options: Parameters<MediaPort['originate']>[1]) {
    const channelId = checked('id', options.channelId, 'channel id');
    const params: Record<string, unknown> = {
      endpoint: checked('endpoint', endpoint), app, channelId, timeout: options.timeoutSec,
      ...(options.otherChannelId !== undefined && { otherChannelId: checked('id', options.otherChannelId, 'other channel id') }),
      ...(options.callerId !== undefined && { callerId: checked('word', options.callerId, 'caller id') }),
      ...(options.appArgs !== undefined && { appArgs: checked('word', options.appArgs, 'app args') }),
      ...(options.variables !== undefined && { variables: checkedVariables(options.variables) }),
    };
    origins.set(channelId, 'originate');
    const undo = undoOnGiveUp('hang up unanswered originate', () => hangUpGivenUp(channelId));
    const wait = waits.create<{ readonly channelId: string }>({
      scope: originateScope(channelId), what: `originate ${channelId}`, timeoutMs: options.timeoutMs, signal: options.signal,
      onGiveUp: undo.onGiveUp,
      onSettle: () => originates.delete(channelId),
    });
    originates.set(channelId, wait);
    try {
      await invoke('channels', 'originate', params, channelId);
    } catch (error) {
      origins.delete(channelId);
      const failed = isHotlineError(error) && error.details?.['kind'] === 'allocation-failed'
        ? new HotlineError('TELEPHONY_ORIGINATE_FAILED', `originate ${channelId}: ${error.message}`, { reason: 'failed' }, { cause: error })
        : error;
      wait.reject(failed);
      throw failed;
    }
    undo.created();
    return wait.promise;
  }

  async function snoop(channelId: string, options: Parameters<MediaPort['snoop']>[1]) {
    const snoopId = checked('id', options.snoopId, 'snoop id');
    origins.set(snoopId, 'snoop');
    try {
      await invoke('channels', 'snoopChannel', {
        channelId: checked('id', channelId, 'channel id'), snoopId, spy: options.spy, whisper: options.whisper, app,
        ...(options.appArgs !== undefined && { appArgs: checked('word', options.appArgs, 'app args') }),
      }, channelId);
    } catch (error) {
      origins.delete(snoopId);
      throw error;
    }
    return { snoopId };
  }

  function observe(event: TelephonyEvent): void {
    switch (event.type) {
      case 'channel-started':
        originates.get(event.channelId)?.resolve({ channelId: event.channelId });
        origins.delete(event.channelId);
        return;
      case 'channel-destroyed': {
        const reason = originateFailureReason(event.cause);
        originates.get(event.channelId)?.reject(new HotlineError('TELEPHONY_ORIGINATE_FAILED',
          `originate ${event.channelId}: ${reason} (cause ${event.cause} ${event.causeText})`, { reason, cause: event.cause }));
        origins.delete(event.channelId);
        waits.endScope(channelKey(event.channelId), 'channel destroyed');
        return;
      }
      case 'hung-up':
      case 'left-stasis':
        waits.endScope(channelKey(event.channelId), event.type === 'hung-up' ? 'channel hung up' : 'channel left the app');
        return;
      case 'bridge-destroyed':
        waits.endScope(bridgeKey(event.bridgeId), 'bridge destroyed');
        return;
      case 'playback-finished': {
        const entry = playbacks.get(event.playbackId);
        entry?.wait.resolve({ outcome: event.failed ? 'failed' : entry.stopped ? 'stopped' : 'finished' });
        return;
      }
      case 'recording-finished':
        recordings.get(event.name)?.resolve({ result: 'finished', durationSec: event.durationSec });
        return;
      case 'recording-failed':
        recordings.get(event.name)?.resolve({ result: 'failed', durationSec: undefined });
        return;
      default:
    }
  }

  return {
    play, record, originate, snoop, observe,
    origin: (channelId) => origins.get(channelId),
    size: () => playbacks.size + recordings.size + originates.size + origins.size,
    prune(liveChannelIds) {
      for (const id of [...origins.keys()]) if (!liveChannelIds.has(id) && !originates.has(id)) origins.delete(id);
      for (const id of [...leftUp]) {
        leftUp.delete(id);
        if (liveChannelIds.has(id)) quietly('hang up given-up originate', hangUpGivenUp(id));
      }
    },
    pendingPlaybacks: () => [...playbacks].map(([playbackId, entry]) => ({ playbackId, target: entry.target })),
    pendingOriginates: () => [...originates.keys()].map((channelId) => ({ channelId, origin: origins.get(channelId) ?? 'originate' })),
    async playbackExists(playbackId) {
      try {
        await invoke('playbacks', 'get', { playbackId }, playbackId);
        return true;
      } catch (error) {
        if (isHotlineError(error) && error.details?.['kind'] === 'not-found') return false;
        return true; // unknown: keep waiting (its own timeout still ends the wait)
      }
    },
    bridgeDestroying(bridgeId) {
      for (const entry of playbacks.values()) if (entry.scope === bridgeKey(bridgeId)) entry.stopped = true;
    },
  };
}

function checkedVariables(variables: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(variables)) out[checked('variable', name, 'variable name')] = value;
  return out;
}
