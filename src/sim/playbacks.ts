/**
 * Playbacks on channels and bridges. Durations come from the media table (PUT /sim/media) and run
 * on the injected clock. Sound names exist unless registered with `exists: false`; URIs with an
 * unknown scheme start but never finish (as Asterisk does), until the channel hangs up.
 */
import { defaultMediaMs, type SimCore } from './core.ts';
import { playbackJson, type SimChannel, type SimPlayback } from './model.ts';

const knownSchemes = ['sound', 'recording', 'number', 'digits', 'characters', 'tone'];

/** Where a playback plays: a channel, or a bridge (`app` receives its events). */
export interface PlaybackTarget {
  readonly uri: string;
  readonly app: string | null;
  readonly channel: SimChannel | null;
}

function mediaInfo(core: SimCore, uri: string): { durationMs: number; exists: boolean; playable: boolean } {
  const scheme = uri.split(':')[0] ?? '';
  if (!knownSchemes.includes(scheme)) return { durationMs: 0, exists: true, playable: false };
  const info = core.media.get(uri);
  if (scheme === 'recording') {
    const stored = core.storedRecordings.has(uri.slice('recording:'.length));
    return { durationMs: info?.durationMs ?? defaultMediaMs, exists: stored, playable: true };
  }
  return { durationMs: info?.durationMs ?? defaultMediaMs, exists: info?.exists ?? true, playable: true };
}

function finish(core: SimCore, playback: SimPlayback, state: 'done' | 'failed'): void {
  if (!core.playbacks.has(playback.id)) return;
  playback.timer?.cancel();
  playback.state = state;
  core.playbacks.delete(playback.id);
  const ch = playback.channelId ? core.channels.get(playback.channelId) ?? core.ended.get(playback.channelId) : undefined;
  const item = ch?.heard.find((h) => h.kind === 'playback' && h.detail.playbackId === playback.id);
  if (item) item.detail.state = state;
  core.emit(playback.app, 'PlaybackFinished', { playback: playbackJson(playback) });
}

/** Starts a playback of `media` (played one after another) and returns its 201 body (state queued). */
export function startPlayback(core: SimCore, target: PlaybackTarget, media: string[], id: string, lang: string): Record<string, unknown> {
  const first = media[0] ?? '';
  const playback: SimPlayback = {
    id, mediaUri: first, targetUri: target.uri, language: lang, state: 'queued', app: target.app, timer: null,
    channelId: target.channel?.id ?? null, durationMs: 0, remainingMs: 0, resumedAt: core.clock.now(), paused: false,
  };
  core.playbacks.set(id, playback);
  const queued = playbackJson(playback);
  target.channel?.heard.push({ kind: 'playback', at: core.clock.now(), detail: { playbackId: id, media, state: 'playing' } });
  playback.state = 'playing';
  core.emit(playback.app, 'PlaybackStarted', { playback: playbackJson(playback) });
  const infos = media.map((uri) => mediaInfo(core, uri));
  if (infos.some((i) => !i.playable)) return queued;
  if (infos.some((i) => !i.exists)) {
    finish(core, playback, 'failed');
  } else {
    playback.durationMs = infos.reduce((sum, i) => sum + i.durationMs, 0);
    run(core, playback, playback.durationMs);
  }
  return queued;
}

function run(core: SimCore, playback: SimPlayback, remainingMs: number): void {
  playback.timer?.cancel();
  playback.remainingMs = Math.max(0, remainingMs);
  playback.resumedAt = core.clock.now();
  playback.timer = core.after(null, playback.remainingMs, () => finish(core, playback, 'done'));
}

function remaining(core: SimCore, p: SimPlayback): number {
  return p.paused ? p.remainingMs : Math.max(0, p.remainingMs - (core.clock.now() - p.resumedAt));
}

export const playbackOperations = ['restart', 'pause', 'unpause', 'reverse', 'forward'] as const;

/**
 * POST /playbacks/{id}/control: moves the end of a playback on the clock. Returns false when the
 * playback cannot take the operation now (Asterisk: 409). No events, as in Asterisk.
 */
export function controlPlayback(core: SimCore, p: SimPlayback, operation: (typeof playbackOperations)[number], skipMs: number): boolean {
  if (p.timer === null && !p.paused) return false;
  const left = remaining(core, p);
  if (operation === 'pause') {
    if (p.paused) return true;
    p.timer?.cancel();
    p.timer = null;
    p.remainingMs = left;
    p.paused = true;
  } else if (operation === 'unpause') {
    if (!p.paused) return true;
    p.paused = false;
    run(core, p, left);
  } else {
    const next = operation === 'restart' ? p.durationMs : operation === 'reverse' ? Math.min(p.durationMs, left + skipMs) : left - skipMs;
    if (p.paused) p.remainingMs = Math.max(0, next);
    else run(core, p, next);
  }
  return true;
}

/** DELETE /playbacks/{id}: Asterisk reports the stopped playback as "done". */
export function stopPlayback(core: SimCore, playback: SimPlayback): void {
  finish(core, playback, 'done');
}

/** A hang-up fails every playback on the channel (one of an unknown scheme just vanishes, as in the errors trace). */
export function failChannelPlaybacks(core: SimCore, ch: SimChannel): void {
  for (const p of [...core.playbacks.values()]) {
    if (p.channelId !== ch.id || !p.targetUri.startsWith('channel:')) continue;
    if (knownSchemes.includes(p.mediaUri.split(':')[0] ?? '')) finish(core, p, 'failed');
    else core.playbacks.delete(p.id);
  }
}

/** Destroying a bridge ends its playbacks. */
export function stopBridgePlaybacks(core: SimCore, bridgeId: string): void {
  for (const p of [...core.playbacks.values()]) if (p.targetUri === `bridge:${bridgeId}`) finish(core, p, 'done');
}
