/**
 * The ticket intake used until the ticket service lands: each IVR ticket is written once (keyed by
 * call and request, so a resumed call cannot file twice) and appended to the `ivr-intake` stream,
 * from which the ticket service can take them over. Ticket ids are `IVR-<stream id>`.
 */
import { HotlineError } from '../../errors.ts';
import type { Store } from '../../store/store.ts';
import type { IvrTicketFields, TicketIntake } from './runtime-ports.ts';

export const intakeStreamKey = 'ivr-intake';

export interface IntakeRecord extends IvrTicketFields {
  readonly ticketId: string;
  readonly filedAt: number;
}

export function createIntakeStream(store: Store, now: () => number = Date.now): TicketIntake & { list(): Promise<IntakeRecord[]> } {
  const docKey = (f: IvrTicketFields) => `ivr-intake:${f.callId}:${f.requestId}`;
  return {
    async fileFromIvr(fields) {
      for (let attempt = 0; attempt < 5; attempt++) {
        const existing = await store.get<IntakeRecord>(docKey(fields));
        if (existing) return { ticketId: existing.value.ticketId };
        const seq = await store.incr('ivr-intake-seq');
        const ticketId = `IVR-${String(seq).padStart(8, '0')}`;
        const record: IntakeRecord = { ...fields, ticketId, filedAt: now() };
        const result = await store.commit([{ key: docKey(fields), version: 0 }], [
          { op: 'put', key: docKey(fields), value: record },
          { op: 'xadd', key: intakeStreamKey, fields: { ticketId, doc: docKey(fields) } },
        ]);
        if (result.ok) return { ticketId };
      }
      throw new HotlineError('STORE_CONFLICT', 'could not file the IVR ticket: too many concurrent attempts');
    },
    async list() {
      const entries = await store.xrange(intakeStreamKey, '0', 10_000);
      const docs = await store.getMany<IntakeRecord>(entries.flatMap((e) => (e.fields['doc'] ? [e.fields['doc']] : [])));
      return docs.flatMap((d) => (d ? [d.value] : []));
    },
  };
}
