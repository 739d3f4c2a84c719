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
/** Whole seconds of "audio" of each stored recording (keyed by its stored entry). */
const lengths = new WeakMap<object, number>();
const recorders = new WeakMap<SimRecording, string>();

/** Ends a live recording. `full` adds talking/silence durations (terminateOn, hang-up, max duration). */
export function finishRecording(core: SimCore, rec: SimRecording, state: 'done' | 'canceled', full: boolean): void {
  if (core.liveRecordings.get(rec.name) !== rec) return;
  for (const t of rec.timers) t.cancel();
  core.liveRecordings.delete(rec.name);
  rec.state = state;
  const duration = seconds(core, rec, beeps.get(rec) ?? false);
  if (state === 'done') {
    const entry = { name: rec.name, format: rec.format };
    lengths.set(entry, duration);
    core.storedRecordings.set(rec.name, entry);
  }
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

/**
 * The file of a stored recording, as GET /recordings/stored/{name}/file serves it: silence as
 * long as the recording lasted (8 kHz 16-bit mono; `wav` with its 44-byte header, `sln` raw,
 * `ulaw`/`alaw` one byte per sample; other formats zero bytes at 8,000 per second).
 * `Content-Type` is `audio/<format>`, as Asterisk builds it. Undefined when no such recording.
 */
export function storedRecordingFile(core: SimCore, name: string): { contentType: string; data: Buffer } | undefined {
  const entry = core.storedRecordings.get(name);
  if (!entry) return undefined;
  const samples = (lengths.get(entry) ?? 0) * 8000;
  const silence: Record<string, () => Buffer> = {
    wav: () => Buffer.concat([wavHeader(samples * 2), Buffer.alloc(samples * 2)]),
    sln: () => Buffer.alloc(samples * 2),
    ulaw: () => Buffer.alloc(samples, 0xff),
    alaw: () => Buffer.alloc(samples, 0xd5),
  };
  return { contentType: `audio/${entry.format}`, data: (silence[entry.format] ?? (() => Buffer.alloc(samples)))() };
}

/** RIFF/WAVE header of 16-bit PCM mono at 8 kHz for `dataBytes` of samples. */
function wavHeader(dataBytes: number): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(8000, 24); // sample rate
  header.writeUInt32LE(16_000, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  return header;
}
