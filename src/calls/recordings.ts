/**
 * Call recordings: when a caller and an agent are joined, their mixing bridge is recorded (if the
 * queue records) until the bridge is destroyed. Each recording has a document of its own,
 * `recording:<id>`, with the call, agent, queue, start, end, duration, format and state; the id is
 * the Asterisk recording name, `call-<call id>-<n>` (the call id checked against a strict pattern,
 * so no caller data can reach a file name). The end comes from Asterisk's RecordingFinished, which
 * reaches whichever instance holds the app's socket then — also after a restart.
 *
 * Recording states:
 * ```
 *   recording ──RecordingFinished──► stored ──retention sweep──► deleted
 *       └──record refused / RecordingFailed──► failed
 * ```
 * A finished recording is linked to the call's tickets (ticket `link_call` with the recording id).
 */
import type { Clock } from '../clock.ts';
import { HotlineError, isHotlineError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Op, Store } from '../store/store.ts';
import type { StoredRecordingFile, TelephonyEvent, TelephonyPort } from '../telephony/port.ts';
import type { CallRecords } from './call-records.ts';

export type RecordingState = 'recording' | 'stored' | 'failed' | 'deleted';

export interface CallRecording {
  /** The Asterisk recording name, e.g. `call-1763870000_42-1`. */
  readonly id: string;
  readonly callId: string;
  readonly agentId: string;
  readonly queueId: string | null;
  readonly bridgeId: string;
  readonly format: 'wav';
  readonly state: RecordingState;
  readonly startedAt: number;
  readonly endedAt: number | null;
  /** Seconds of audio as Asterisk reports it (whole seconds). */
  readonly durationSec: number | null;
  /** True when the end was taken from the call record because RecordingFinished was missed. */
  readonly endEstimated?: boolean;
  readonly ticketIds: readonly string[];
  readonly failure?: string;
  readonly deletedAt?: number;
}

/** The caller/agent pair joined in a bridge (what the queue service reports as connected). */
export interface JoinedCall {
  readonly callId: string;
  readonly agentId: string;
  readonly bridgeId: string;
}

/** Tickets of a call, as the recordings need them (built on the ticket service in server.ts). */
export interface RecordingTickets {
  /** Tickets that name the call (its `callIds`), with whether each is still open. */
  ofCall(callId: string, callerNumber: string): Promise<ReadonlyArray<{ readonly id: string; readonly open: boolean; readonly recordingIds: readonly string[] }>>;
  link(ticketId: string, recordingId: string): Promise<void>;
}

export interface CallRecordingsOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly telephony: TelephonyPort;
  readonly records: CallRecords;
  readonly tickets?: RecordingTickets;
  /**
   * Per queue: whether its calls are recorded (a queue not listed is recorded) — fixed, or read when
   * each recording would start (the admin-edited queue settings, src/acd/queue-settings.ts).
   */
  readonly queueSettings: QueueRecording;
  /** Called when a recording started (e.g. to note it on the call record). */
  readonly onStarted?: (recording: CallRecording) => void;
  /** Longest recording; Asterisk stops it then. Default 4 h. */
  readonly maxDurationSec?: number;
}

export type QueueRecording = ReadonlyMap<string, { readonly record: boolean }> | ((queueId: string) => Promise<boolean>);

export const recordingKeys = {
  recording: (id: string) => `recording:${id}`,
  byCall: (callId: string) => `recordings:call:${callId}`,
  /** Recordings whose audio exists (recording or stored), by start: what retention looks at. */
  kept: 'recordings:kept',
} as const;

/** Call ids that may appear in a recording name: Asterisk's `<epoch>.<seq>` ids, our own ids. */
const CALL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;
export const RECORDING_ID = /^call-[A-Za-z0-9_-]{1,96}-\d{1,3}$/;

export type CallRecordings = ReturnType<typeof createCallRecordings>;

export function createCallRecordings(options: CallRecordingsOptions) {
  const { store, clock, telephony, records } = options;
  const log = options.logger.child({ component: 'recordings' });
  const maxSec = options.maxDurationSec ?? 4 * 3600;

  async function get(id: string): Promise<CallRecording | null> {
    if (!RECORDING_ID.test(id)) return null;
    return (await store.get<CallRecording>(recordingKeys.recording(id)))?.value ?? null;
  }

  /** Changes a recording document with a version check (re-read on conflict). */
  async function update(id: string, change: (r: CallRecording) => CallRecording | null, extra: (r: CallRecording) => Op[] = () => []): Promise<CallRecording | null> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const found = await store.get<CallRecording>(recordingKeys.recording(id));
      if (!found) return null;
      const next = change(found.value);
      if (!next) return found.value;
      const result = await store.commit([{ key: recordingKeys.recording(id), version: found.version }], [
        { op: 'put', key: recordingKeys.recording(id), value: next }, ...extra(next),
      ]);
      if (result.ok) return next;
    }
    throw new HotlineError('STORE_CONFLICT', `recording ${id}: too much contention`);
  }

  async function recorded(queueId: string): Promise<boolean> {
    const settings = options.queueSettings;
    return typeof settings === 'function' ? settings(queueId) : settings.get(queueId)?.record !== false;
  }

  /** The queue the call was answered from (a callback: the queue of the call that booked it). */
  async function queueOf(callId: string): Promise<string | null> {
    const record = await records.get(callId);
    const queueId = record?.queues.at(-1)?.queueId;
    if (queueId || !record?.callbackOf) return queueId ?? null;
    return (await records.get(record.callbackOf))?.queues.at(-1)?.queueId ?? null;
  }

  /** Opens the document of a new recording of the call; returns it (with its id). */
  async function open(call: JoinedCall, queueId: string | null): Promise<CallRecording> {
    const safe = call.callId.replaceAll('.', '_');
    for (let attempt = 0; attempt < 20; attempt++) {
      const n = (await store.zcard(recordingKeys.byCall(call.callId))) + 1 + attempt;
      const recording: CallRecording = {
        id: `call-${safe}-${n}`, callId: call.callId, agentId: call.agentId, queueId, bridgeId: call.bridgeId, format: 'wav',
        state: 'recording', startedAt: clock.now(), endedAt: null, durationSec: null, ticketIds: [],
      };
      const result = await store.commit([{ key: recordingKeys.recording(recording.id), version: 0 }], [
        { op: 'put', key: recordingKeys.recording(recording.id), value: recording },
        { op: 'zadd', key: recordingKeys.byCall(call.callId), member: recording.id, score: recording.startedAt },
        { op: 'zadd', key: recordingKeys.kept, member: recording.id, score: recording.startedAt },
      ]);
      if (result.ok) return recording;
    }
    throw new HotlineError('STORE_CONFLICT', `no free recording id for call ${call.callId}`);
  }

  /**
   * Caller and agent are joined in `bridgeId`: records the bridge if the call's queue records.
   * Returns the recording, or null when the queue does not record (or the call id is unusable).
   */
  async function connected(call: JoinedCall): Promise<CallRecording | null> {
    const callLog = log.child({ callId: call.callId, agentId: call.agentId });
    if (!CALL_ID.test(call.callId)) {
      callLog.warn('call id unfit for a recording name: not recorded');
      return null;
    }
    const queueId = await queueOf(call.callId);
    if (queueId !== null && !(await recorded(queueId))) return null;
    const recording = await open(call, queueId);
    try {
      const handle = await telephony.record({ kind: 'bridge', id: call.bridgeId }, {
        name: recording.id, format: 'wav', ifExists: 'fail', maxDurationSeconds: maxSec, timeoutMs: (maxSec + 60) * 1000,
      });
      // the end is taken from the RecordingFinished event (see onEvent), which also reaches a restarted server
      handle.done.catch(() => undefined);
    } catch (error) {
      callLog.warn({ err: error, recordingId: recording.id }, 'recording did not start');
      const failure = isHotlineError(error) ? error.code : 'INTERNAL';
      return update(recording.id, (r) => ({ ...r, state: 'failed', endedAt: clock.now(), failure }),
        () => [{ op: 'zrem', key: recordingKeys.kept, member: recording.id }]);
    }
    callLog.info({ recordingId: recording.id, queueId }, 'call recording started');
    options.onStarted?.(recording);
    return recording;
  }

  /** Links a finished recording to the call's tickets that do not have it yet. */
  async function linkTickets(recording: CallRecording): Promise<void> {
    if (!options.tickets) return;
    const record = await records.get(recording.callId);
    if (!record) return;
    const tickets = await options.tickets.ofCall(recording.callId, record.callerNumber);
    const linked: string[] = [];
    for (const ticket of tickets) {
      if (!ticket.recordingIds.includes(recording.id)) await options.tickets.link(ticket.id, recording.id);
      linked.push(ticket.id);
    }
    if (linked.some((id) => !recording.ticketIds.includes(id))) {
      await update(recording.id, (r) => ({ ...r, ticketIds: [...new Set([...r.ticketIds, ...linked])] }));
    }
  }

  async function onEvent(event: TelephonyEvent): Promise<void> {
    if (event.type !== 'recording-finished' && event.type !== 'recording-failed') return;
    if (!RECORDING_ID.test(event.name)) return; // not a call recording (e.g. an IVR message)
    const now = clock.now();
    const finished = await update(event.name, (r) => {
      if (r.state !== 'recording') return null;
      return event.type === 'recording-finished'
        ? { ...r, state: 'stored', endedAt: now, durationSec: event.durationSec ?? Math.round((now - r.startedAt) / 1000) }
        : { ...r, state: 'failed', endedAt: now, failure: event.cause };
    }, (r) => (r.state === 'failed' ? [{ op: 'zrem', key: recordingKeys.kept, member: r.id }] : []));
    if (finished?.state === 'stored') {
      log.info({ callId: finished.callId, recordingId: finished.id, durationSec: finished.durationSec }, 'call recording stored');
      await linkTickets(finished).catch((error: unknown) => log.warn({ err: error, recordingId: finished.id }, 'recording not linked to tickets'));
    }
  }

  const unsubscribe = telephony.onEvent((event) => onEvent(event).catch((error: unknown) => log.warn({ err: error }, 'recording event not handled')));

  return {
    connected,
    get,
    /** A call's recordings, oldest first. */
    async ofCall(callId: string): Promise<CallRecording[]> {
      const ids = await store.zrangeByScore(recordingKeys.byCall(callId), -Infinity, Infinity);
      return (await store.getMany<CallRecording>(ids.map((e) => recordingKeys.recording(e.member)))).flatMap((d) => (d ? [d.value] : []));
    },
    /** The audio of a stored recording (RECORDING_NOT_FOUND / _NOT_READY / _DELETED otherwise). */
    async audio(id: string): Promise<{ recording: CallRecording; file: StoredRecordingFile }> {
      const recording = await get(id);
      if (!recording) throw new HotlineError('RECORDING_NOT_FOUND', 'no call recording with this id');
      if (recording.state === 'deleted') throw new HotlineError('RECORDING_DELETED', `recording deleted by the retention policy on ${new Date(recording.deletedAt ?? 0).toISOString()}`);
      if (recording.state !== 'stored') throw new HotlineError('RECORDING_NOT_READY', `the recording is ${recording.state}`);
      try {
        return { recording, file: await telephony.storedRecordingFile(recording.id) };
      } catch (error) {
        if (isHotlineError(error) && error.details?.['kind'] === 'not-found') throw new HotlineError('RECORDING_NOT_FOUND', 'Asterisk no longer has this recording', undefined, { cause: error });
        throw error;
      }
    },
    linkTickets,
    update,
    /** Tickets of the recording's call (for retention). */
    async ticketsOf(recording: CallRecording) {
      const record = await records.get(recording.callId);
      return record && options.tickets ? options.tickets.ofCall(recording.callId, record.callerNumber) : [];
    },
    close: () => unsubscribe(),
  };
}
