/**
 * The recordings' daily sweep, run by one instance at a time under the lease
 * `recordings-retention` (like the ticket deadline scheduler): once per Beijing day it
 * 1. closes recordings whose RecordingFinished was missed (server down at that moment): their
 *    end is taken from the call record (`endEstimated`);
 * 2. deletes, through ARI, recordings older than RECORDING_RETENTION_DAYS — except those an open
 *    ticket names (by the call or the recording) or a quality review not yet final still needs:
 *    those are kept and looked at again the next day; a deleted recording keeps its document,
 *    marked `deleted`;
 * 3. tops the quality sampling up to one review per agent for the days just finished.
 * Every step is idempotent: a second instance after a lease hand-over repeats nothing harmful.
 */
import type { Clock, TimerHandle } from '../clock.ts';
import { isHotlineError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import type { TelephonyPort } from '../telephony/port.ts';
import type { CallRecords } from './call-records.ts';
import { beijingDay, type Quality } from './quality.ts';
import { recordingKeys, type CallRecording, type CallRecordings } from './recordings.ts';

export interface RetentionOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly telephony: TelephonyPort;
  readonly recordings: CallRecordings;
  readonly records: CallRecords;
  readonly quality: Quality;
  readonly retentionDays: number;
  /** This instance (lease owner). */
  readonly owner: string;
  /** How often to check whether today's sweep is due. Default 1 h. */
  readonly intervalMs?: number;
  readonly leaseMs?: number;
}

export interface SweepReport {
  readonly deleted: readonly string[];
  /** Past retention but kept: id and why. */
  readonly kept: ReadonlyArray<{ readonly id: string; readonly reason: 'open-ticket' | 'quality-review' }>;
  readonly closed: readonly string[];
  readonly qualityPicks: number;
}

const LEASE = 'recordings-retention';
const DAY_MS = 86_400_000;
const BATCH = 200;
const SWEPT = 'recordings:swept';

export type RecordingRetention = ReturnType<typeof createRecordingRetention>;

export function createRecordingRetention(options: RetentionOptions) {
  const { store, clock, recordings, records, quality } = options;
  const log = options.logger.child({ component: 'recording-retention', owner: options.owner });
  const intervalMs = options.intervalMs ?? 3_600_000;
  const leaseMs = options.leaseMs ?? 10 * 60_000;
  let timer: TimerHandle | undefined;
  let running = false;

  /** Recordings still "recording" whose call ended more than 10 minutes ago (last two days). */
  async function closeMissed(): Promise<string[]> {
    const now = clock.now();
    const recent = await store.zrangeByScore(recordingKeys.kept, now - 2 * DAY_MS, now - 10 * 60_000);
    const closed: string[] = [];
    for (const { member } of recent) {
      const recording = await recordings.get(member);
      if (recording?.state !== 'recording') continue;
      const endedAt = (await records.get(recording.callId))?.endedAt;
      if (endedAt === undefined || endedAt > now - 10 * 60_000) continue;
      await recordings.update(member, (r) => (r.state !== 'recording' ? null : {
        ...r, state: 'stored', endedAt, durationSec: Math.max(0, Math.round((endedAt - r.startedAt) / 1000)), endEstimated: true,
      }));
      closed.push(member);
    }
    return closed;
  }

  async function keepReason(recording: CallRecording): Promise<'open-ticket' | 'quality-review' | null> {
    if (await quality.inProgress(recording.id)) return 'quality-review';
    const tickets = await recordings.ticketsOf(recording);
    return tickets.some((t) => t.open) ? 'open-ticket' : null;
  }

  async function expire(): Promise<Pick<SweepReport, 'deleted' | 'kept'>> {
    const cutoff = clock.now() - options.retentionDays * DAY_MS;
    const deleted: string[] = [];
    const kept: Array<{ id: string; reason: 'open-ticket' | 'quality-review' }> = [];
    for (;;) {
      const due = await store.zrangeByScore(recordingKeys.kept, -Infinity, cutoff, { offset: kept.length, count: BATCH });
      for (const { member } of due) {
        const recording = await recordings.get(member);
        if (!recording || recording.state === 'deleted' || recording.state === 'failed') {
          await store.commit([], [{ op: 'zrem', key: recordingKeys.kept, member }]);
          continue;
        }
        const reason = await keepReason(recording);
        if (reason) {
          kept.push({ id: member, reason });
          continue;
        }
        try {
          await options.telephony.deleteStoredRecording(member);
        } catch (error) {
          if (!(isHotlineError(error) && error.details?.['kind'] === 'not-found')) throw error; // retried at the next sweep
        }
        const now = clock.now();
        await recordings.update(member, (r) => ({ ...r, state: 'deleted', deletedAt: now }), () => [{ op: 'zrem', key: recordingKeys.kept, member }]);
        deleted.push(member);
        log.info({ recordingId: member, callId: recording.callId }, 'recording deleted (retention)');
      }
      if (due.length < BATCH) break;
    }
    return { deleted, kept };
  }

  /** Runs the sweep now (if this instance holds the lease); null when another instance does. */
  async function sweep(): Promise<SweepReport | null> {
    if (!(await store.acquireLease(LEASE, options.owner, leaseMs))) return null;
    const closed = await closeMissed();
    const { deleted, kept } = await expire();
    const qualityPicks = (await quality.topUp()).length;
    await store.commit([], [{ op: 'put', key: SWEPT, value: { day: beijingDay(clock.now()), at: clock.now() } }]);
    if (deleted.length + kept.length + closed.length + qualityPicks > 0) log.info({ deleted: deleted.length, kept: kept.length, closed: closed.length, qualityPicks }, 'recordings swept');
    return { deleted, kept, closed, qualityPicks };
  }

  /** Sweeps once per Beijing day. */
  async function tick(): Promise<void> {
    const last = (await store.get<{ day: string }>(SWEPT))?.value.day;
    if (last !== beijingDay(clock.now())) await sweep();
  }

  function schedule(delay: number): void {
    timer = clock.setTimeout(() => {
      if (!running) return;
      tick()
        .catch((error: unknown) => log.warn({ err: error }, 'recording sweep failed'))
        .finally(() => running && schedule(intervalMs));
    }, delay);
  }

  return {
    sweep,
    tick,
    start() {
      if (running) return;
      running = true;
      schedule(60_000); // not in the middle of the start-up
    },
    async stop() {
      running = false;
      timer?.cancel();
      await store.releaseLease(LEASE, options.owner).catch(() => undefined);
    },
  };
}
