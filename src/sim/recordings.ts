/**
 * Live and stored recordings. The simulator records no audio: a recording ends on its
 * terminateOn key, maxDurationSeconds (on the clock), a live stop, or the channel's hang-up, and
 * is then listed as stored. maxSilenceSeconds is accepted but never fires (no audio to judge).
 */
import { republishPeers } from './bridges.ts';
import type { SimCore } from './core.ts';
import { recordingJson, type SimChannel, type SimRecording } from './model.ts';

/** What the caller of record() asked for. */
export interface RecordRequest {
  name: string;
  format: string;
  maxDurationSeconds: number;
  terminateOn: string;
  beep: boolean;
  targetUri: string;
  app: string | null;
  channel: SimChannel | null;
}

function seconds(core: SimCore, rec: SimRecording, beep: boolean): number {
  return Math.max(0, Math.floor((core.clock.now() - rec.startedAt - (beep ? 500 : 0)) / 1000));
}

const beeps = new WeakMap<SimRecording, boolean>();
const recorders = new WeakMap<SimRecording, string>();

/** Ends a live recording. `full` adds talking/silence durations (terminateOn, hang-up, max duration). */
export function finishRecording(core: SimCore, rec: SimRecording, state: 'done' | 'canceled', full: boolean): void {
  if (core.liveRecordings.get(rec.name) !== rec) return;
  for (const t of rec.timers) t.cancel();
  core.liveRecordings.delete(rec.name);
  rec.state = state;
  const duration = seconds(core, rec, beeps.get(rec) ?? false);
  if (state === 'done') core.storedRecordings.set(rec.name, { name: rec.name, format: rec.format });
  const ch = rec.channelId ? core.channels.get(rec.channelId) ?? core.ended.get(rec.channelId) : undefined;
  const item = ch?.heard.find((h) => h.kind === 'recording' && h.detail.name === rec.name);
  if (item) item.detail.state = state;
  const bridge = rec.targetUri.startsWith('bridge:') ? core.bridges.get(rec.targetUri.slice('bridge:'.length)) : undefined;
  const extra: Record<string, number> = full ? { duration, talking_duration: duration, silence_duration: 0 } : { duration };
  core.emit(rec.app, 'RecordingFinished', { recording: recordingJson(rec, extra) });
  const recorder = recorders.get(rec);
  if (bridge && recorder && bridge.recorders.includes(recorder)) {
    bridge.recorders.splice(bridge.recorders.indexOf(recorder), 1);
    republishPeers(core, bridge, true);
  }
}

/** Starts a recording; returns the 201 body. */
export function startRecording(core: SimCore, req: RecordRequest): Record<string, unknown> {
  const rec: SimRecording = {
    name: req.name, format: req.format, targetUri: req.targetUri, state: 'queued', startedAt: core.clock.now(),
    terminateOn: req.terminateOn, app: req.app, channelId: req.channel?.id ?? null, timers: [],
  };
  beeps.set(rec, req.beep);
  core.liveRecordings.set(rec.name, rec);
  const body = recordingJson(rec);
  if (req.beep) req.channel?.heard.push({ kind: 'beep', at: core.clock.now(), detail: {} });
  req.channel?.heard.push({ kind: 'recording', at: core.clock.now(), detail: { name: req.name, format: req.format, state: 'recording' } });
  rec.state = 'recording';
  const bridge = req.targetUri.startsWith('bridge:') ? core.bridges.get(req.targetUri.slice('bridge:'.length)) : undefined;
  if (bridge) {
    const recorder = `Recorder/ARI-${core.suffix()};2`;
    recorders.set(rec, recorder);
    bridge.recorders.push(recorder);
    republishPeers(core, bridge, true);
  }
  core.emit(rec.app, 'RecordingStarted', { recording: recordingJson(rec) });
  if (req.maxDurationSeconds > 0) {
    rec.timers.push(core.after(null, req.maxDurationSeconds * 1000, () => finishRecording(core, rec, 'done', true)));
  }
  return body;
}

/** A DTMF digit on a channel may end its recording (terminateOn). Called after ChannelDtmfReceived. */
export function dtmfToRecordings(core: SimCore, ch: SimChannel, digit: string): void {
  for (const rec of [...core.liveRecordings.values()]) {
    if (rec.channelId !== ch.id || rec.terminateOn === 'none') continue;
    if (rec.terminateOn === 'any' || rec.terminateOn.includes(digit)) finishRecording(core, rec, 'done', true);
  }
}

/** A hang-up ends the channel's recordings as "done"; the file is kept. */
export function finishChannelRecordings(core: SimCore, ch: SimChannel): void {
  for (const rec of [...core.liveRecordings.values()]) if (rec.channelId === ch.id) finishRecording(core, rec, 'done', true);
}

/** Destroying a recorded bridge ends its recordings. */
export function finishBridgeRecordings(core: SimCore, bridgeId: string): void {
  for (const rec of [...core.liveRecordings.values()]) if (rec.targetUri === `bridge:${bridgeId}`) finishRecording(core, rec, 'done', false);
}
