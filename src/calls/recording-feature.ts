/**
 * Call recording, retention and quality review composed for the server: one call from
 * `src/server.ts` builds them, `connected()` is wired to the queue service's onConnected hook,
 * `start()` starts the daily sweep, `close()` stops it and the event subscription.
 */
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import type { TelephonyPort } from '../telephony/port.ts';
import type { TicketService } from '../tickets/ticket-service.ts';
import type { CallEvent } from './call-record.ts';
import type { CallRecords } from './call-records.ts';
import { createQuality } from './quality.ts';
import { createRecordingRetention } from './recording-retention.ts';
import { recordingTickets } from './recording-tickets.ts';
import { createCallRecordings, type JoinedCall, type QueueRecording } from './recordings.ts';

export interface RecordingFeatureOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly telephony: TelephonyPort;
  readonly records: CallRecords;
  readonly tickets: TicketService;
  /** Per queue: whether its calls are recorded (see CallRecordingsOptions). */
  readonly queueSettings: QueueRecording;
  readonly config: { readonly RECORDING_RETENTION_DAYS: number; readonly QUALITY_SAMPLE_PERCENT: number };
  /** This instance (owner of the sweep's lease). */
  readonly owner: string;
  /** Notes an event on the call record (the call recorder). */
  readonly recordCallEvent?: (callId: string, event: CallEvent) => void;
}

export type RecordingFeature = ReturnType<typeof createRecordingFeature>;

export function createRecordingFeature(options: RecordingFeatureOptions) {
  const { store, clock, logger, telephony, records } = options;
  const quality = createQuality({ store, clock, logger, percent: options.config.QUALITY_SAMPLE_PERCENT });
  const recordings = createCallRecordings({
    store, clock, logger, telephony, records, tickets: recordingTickets(options.tickets), queueSettings: options.queueSettings,
    onStarted: (r) => options.recordCallEvent?.(r.callId, { type: 'recording', at: r.startedAt, name: r.id }),
  });
  const retention = createRecordingRetention({
    store, clock, logger, telephony, recordings, records, quality, retentionDays: options.config.RECORDING_RETENTION_DAYS, owner: options.owner,
  });
  const log = logger.child({ component: 'recordings' });

  return {
    recordings,
    quality,
    retention,
    /** Caller and agent are joined: record the bridge (if the queue records) and consider the call for review. */
    connected(call: JoinedCall): void {
      void recordings.connected(call)
        .then((recording) => recording && recording.state === 'recording' ? quality.consider({ callId: call.callId, agentId: call.agentId, recordingId: recording.id }) : null)
        .catch((error: unknown) => log.warn({ err: error, callId: call.callId }, 'call not recorded'));
    },
    start: () => retention.start(),
    async close(): Promise<void> {
      recordings.close();
      await retention.stop();
    },
  };
}
