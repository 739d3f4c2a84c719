/**
 * Writes each call's record as the call happens: opened when the call arrives, then the IVR's
 * steps, the queue's events (enqueued, offered, RONA, answered) and the end with who hung up.
 * Appends of one call run one after the other, so the record is opened before anything is added,
 * and a failure to write is logged, never allowed to disturb the call.
 *
 * With a `holder` (the server instance's id), the calls it writes are listed in the store until
 * they end; at every (re)connect to Asterisk, a listed call whose channel is gone — it hung up
 * while no server watched: a crash, a cut ARI connection, an Asterisk restart — is ended
 * `system` at that moment, so no record stays open forever.
 */
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { TelephonyEvent, TelephonyPort } from '../telephony/port.ts';
import type { CallEvent, EndedBy } from './call-record.ts';
import type { CallRecords } from './call-records.ts';

export function createCallRecorder({ records, telephony, clock, logger, holder }: {
  records: CallRecords; telephony: TelephonyPort; clock: Clock; logger: Logger; holder?: string;
}) {
  const log = logger.child({ component: 'call-recorder' });
  /** Per live call: the chain of its writes. */
  const chains = new Map<string, Promise<void>>();
  /** Calls whose agent hung up first (the caller may still be rating the call). */
  const agentFirst = new Set<string>();
  /** Callback attempts this instance started (their channel is created only once the agent answers). */
  const dialling = new Set<string>();

  function write(callId: string, work: () => Promise<unknown>): void {
    const next = (chains.get(callId) ?? Promise.resolve())
      .then(work)
      .then(() => undefined)
      .catch((error: unknown) => log.warn({ err: error, callId }, 'call record not written'));
    chains.set(callId, next);
  }

  function record(callId: string, event: CallEvent): void {
    if (!chains.has(callId)) return; // not a call this instance saw arrive (e.g. an agent leg)
    write(callId, () => records.append(callId, event));
  }

  function ended(callId: string, by: EndedBy, cause?: number): void {
    if (!chains.has(callId)) return;
    dialling.delete(callId);
    record(callId, { type: 'ended', at: clock.now(), by, ...(cause !== undefined ? { cause } : {}) });
    if (holder !== undefined) write(callId, () => records.open.remove(holder, callId));
    const last = chains.get(callId)!;
    void last.then(() => {
      if (chains.get(callId) === last) chains.delete(callId);
    });
  }

  const unsubscribe = telephony.onEvent((event: TelephonyEvent) => {
    if (event.type === 'call-arrived') {
      const callId = event.channelId;
      chains.set(callId, Promise.resolve());
      write(callId, () => records.start({ callId, did: event.did ?? '', callerNumber: event.caller.number, arrivedAt: clock.now() }));
      if (holder !== undefined) write(callId, () => records.open.add(holder, callId));
    } else if (event.type === 'hung-up') {
      const by: EndedBy = agentFirst.delete(event.channelId) ? 'agent' : event.byApp ? 'system' : 'caller';
      ended(event.channelId, by, event.cause);
    }
  });

  // after a restart or reconnect: calls still in the app keep being recorded (their record is in the store)
  const unreconcile = telephony.onReconcile(async ({ channels }) => {
    for (const channel of channels) {
      if (!channel.inApp || chains.has(channel.id) || !(await records.get(channel.id))) continue;
      chains.set(channel.id, Promise.resolve());
    }
    if (holder === undefined) return;
    // calls that hung up while nobody watched; a callback attempt this instance is still dialling
    // (its citizen's channel may not exist yet) is the queue's to end
    const present = new Set(channels.map((c) => c.id));
    const gone = (await records.open.list(holder).catch(() => [])).filter((id) => !present.has(id) && !dialling.has(id));
    for (const callId of gone) {
      chains.set(callId, chains.get(callId) ?? Promise.resolve());
      ended(callId, 'system');
    }
    if (gone.length > 0) log.info({ calls: gone.length }, 'ended the records of calls that hung up while disconnected');
  });

  return {
    record,
    /** A callback attempt starts: a call of its own, to the number of the call that booked it. */
    callbackDialled(attempt: { callId: string; did: string; callerNumber: string; callbackOf: string }): void {
      if (chains.has(attempt.callId)) return;
      chains.set(attempt.callId, Promise.resolve());
      dialling.add(attempt.callId);
      write(attempt.callId, () => records.start({ ...attempt, arrivedAt: clock.now() }));
      if (holder !== undefined) write(attempt.callId, () => records.open.add(holder, attempt.callId));
    },
    /** A call that ends without a hang-up of a channel in the app (e.g. a callback nobody answered). */
    ended: (callId: string, by: EndedBy) => ended(callId, by),
    /** The agent hung up first: the record says so when the caller's leg ends (after the survey, if any). */
    agentHungUp: (callId: string) => void agentFirst.add(callId),
    /** Calls whose record is still being written. */
    live: (): number => chains.size,
    close(): void {
      unsubscribe();
      unreconcile();
    },
  };
}

export type CallRecorder = ReturnType<typeof createCallRecorder>;
