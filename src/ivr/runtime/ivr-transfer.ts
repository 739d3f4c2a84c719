/**
 * The server's TransferPort: a flow's `transfer` node hands the caller to a catalogue destination
 * (docs/flows.md). The destination's fixed `endpoint` is rung — never a dial string built from
 * caller data; the caller's number is presented as the caller id — while the caller hears music; when it answers, caller and destination are joined
 * in a mixing bridge of their own and the IVR's part ends (`transferred`). From then on this port
 * watches the two: whoever hangs up, the other is hung up and the bridge destroyed.
 *
 *   ringing ─answered─► joined ─either side hangs up─► ended
 *      └─ no answer / busy / failure / caller gone ─► not transferred (the flow takes `failed`)
 *
 * Ids make a restart survivable: the leg is `ivrx-<callId>-<n>` (Stasis args `transfer`, so the
 * IVR never takes it for a caller), the bridge `ivr-transfer-<callId>`. After a (re)connect a
 * bridge with both still in it is watched again; a half-empty one is cleared; a leg in no bridge
 * (it rang, or answered but was not joined, when the server went away) is hung up — the resumed
 * flow rings again. Logs carry the call id and the destination id only, never caller data.
 */
import type { Clock } from '../../clock.ts';
import type { CallEvent } from '../../calls/call-record.ts';
import { isHotlineError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import type { ReconcileSnapshot, TelephonyEvent, TelephonyPort } from '../../telephony/port.ts';
import type { CatalogueDestination } from '../catalogue.ts';
import type { TransferPort } from './runtime-ports.ts';

export interface IvrTransferOptions {
  readonly telephony: TelephonyPort;
  /** The catalogue's transfer destinations: the only endpoints this port ever rings. */
  readonly destinations: Readonly<Record<string, CatalogueDestination>>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Seconds the destination rings before the transfer fails (`no-answer`). Default 20. */
  readonly ringTimeoutSec?: number;
  /** Appends to the call record. */
  readonly record?: (callId: string, event: CallEvent) => void;
  /** The destination hung up first: the call ends like an agent hang-up (told before the caller is hung up). */
  readonly onDestinationHungUp?: (callId: string) => void;
}

/** A destination that answered: joined with the caller, or being joined. */
interface Talk {
  readonly callId: string;
  readonly legId: string;
  readonly bridgeId: string;
  readonly log: Logger;
  joined: boolean;
  callerGone: boolean;
  legGone: boolean;
  ended: boolean;
}

/** The leg and bridge of a call's `n`th IVR transfer (the bridge is one per call). */
export const ivrTransferIds = (callId: string, n: number) => ({ legId: `ivrx-${callId}-${n}`, bridgeId: `ivr-transfer-${callId}` });
const legPattern = /^ivrx-(.+)-(\d{1,9})$/;
const bridgePrefix = 'ivr-transfer-';
const quietly = (work: Promise<unknown>): Promise<void> => work.then(() => undefined, () => undefined);

export function createIvrTransfer(options: IvrTransferOptions): TransferPort & { close(): void } {
  const { telephony, clock } = options;
  const logger = options.logger.child({ component: 'ivr-transfer' });
  const ringSec = options.ringTimeoutSec ?? 20;
  const record = (callId: string, event: CallEvent): void => options.record?.(callId, event);
  /** Rings under way, by the caller's channel: its hang-up stops the ring. */
  const rings = new Map<string, AbortController>();
  /** Their legs (an ARI reconnect leaves a ring of this instance alone). */
  const ringingLegs = new Set<string>();
  /** Answered transfers, by both channels. */
  const talks = new Map<string, Talk>();
  let seq = 0;

  const unsubscribe = telephony.onEvent((event: TelephonyEvent) => {
    if (event.type !== 'hung-up' && event.type !== 'left-stasis' && event.type !== 'channel-destroyed') return;
    rings.get(event.channelId)?.abort('caller-left');
    const talk = talks.get(event.channelId);
    if (!talk) return;
    const caller = event.channelId === talk.callId;
    if (caller) talk.callerGone = true;
    else talk.legGone = true;
    if (talk.joined) void windUp(talk, caller ? 'caller' : 'destination');
  });

  const unreconcile = telephony.onReconcile((snapshot) => reconcile(snapshot));

  async function transfer(callId: string, destinationId: string, signal: AbortSignal, callerNumber: string): Promise<boolean> {
    if (talks.get(callId)?.joined) return true; // resumed after a restart that found the call already transferred
    const destination = options.destinations[destinationId];
    const log = logger.child({ callId, destination: destinationId });
    if (!destination) {
      log.warn('IVR transfer: no such destination in the catalogue');
      return false;
    }
    if (signal.aborted) return false;
    const ring = new AbortController();
    const stop = (): void => ring.abort(signal.reason); // `caller-left` when the flow ended after the caller hung up
    signal.addEventListener('abort', stop, { once: true });
    const { legId, bridgeId } = ivrTransferIds(callId, ++seq);
    rings.set(callId, ring);
    ringingLegs.add(legId);
    record(callId, { type: 'transfer', at: clock.now(), kind: 'ivr', to: `destination:${destinationId}` });
    log.info({ ringSec }, 'IVR transfer: ringing the destination');
    try {
      await quietly(telephony.startMoh(callId));
      await telephony.originate(destination.endpoint, {
        channelId: legId, timeoutSec: ringSec, timeoutMs: (ringSec + 5) * 1000, signal: ring.signal,
        variables: { HOTLINE_CALL_ID: callId }, appArgs: 'transfer',
        ...(callerNumber ? { callerId: callerNumber.replace(/[^0-9+]/g, '').slice(0, 20) } : {}), // the citizen's number, for a call back
      });
    } catch (error) {
      // the ring was stopped: by the caller's hang-up, or by the flow itself ending (shutdown), when the resumed flow rings again
      const reason = ring.signal.aborted ? (ring.signal.reason === 'caller-left' ? 'caller-left' : 'stopped') : failureOf(error);
      if (reason !== 'caller-left') await quietly(telephony.stopMoh(callId));
      if (reason === 'caller-left') record(callId, { type: 'transfer_step', at: clock.now(), step: 'caller_left' });
      else if (reason !== 'stopped') record(callId, { type: 'transfer_step', at: clock.now(), step: 'failed', reason });
      log.info({ reason }, 'IVR transfer: the destination was not reached');
      return false;
    } finally {
      signal.removeEventListener('abort', stop);
      rings.delete(callId);
      ringingLegs.delete(legId);
    }
    const talk: Talk = { callId, legId, bridgeId, log, joined: false, callerGone: ring.signal.aborted, legGone: false, ended: false };
    talks.set(callId, talk);
    talks.set(legId, talk);
    return join(talk);
  }

  /** Joins caller and destination; on any failure both are cleared and the flow goes on at `failed`. */
  async function join(talk: Talk): Promise<boolean> {
    let added = false;
    try {
      if (!talk.callerGone) {
        await quietly(telephony.stopMoh(talk.callId));
        await telephony.createBridge('mixing', talk.bridgeId, `ivr transfer ${talk.callId}`);
        await telephony.addToBridge(talk.bridgeId, [talk.callId, talk.legId]);
        added = true;
      }
    } catch (error) {
      talk.log.warn({ err: error }, 'IVR transfer: caller and destination could not be joined');
    }
    if (talk.callerGone || talk.legGone || !added) {
      await clear(talk);
      record(talk.callId, { type: 'transfer_step', at: clock.now(), step: talk.callerGone ? 'caller_left' : 'failed', ...(talk.callerGone ? {} : { reason: 'failed' }) });
      return false;
    }
    talk.joined = true;
    record(talk.callId, { type: 'transfer_step', at: clock.now(), step: 'completed' });
    talk.log.info('IVR transfer: the destination has the caller');
    return true;
  }

  /** Either side hung up after the join: the other one goes too, and the bridge. */
  async function windUp(talk: Talk, who: 'caller' | 'destination'): Promise<void> {
    if (talk.ended) return;
    talk.log.info({ by: who }, 'IVR transfer: the call ended');
    if (who === 'destination' && !talk.callerGone) options.onDestinationHungUp?.(talk.callId);
    await clear(talk);
  }

  /** Hangs up whichever side is still there (once each) and destroys the bridge. */
  async function clear(talk: Talk): Promise<void> {
    if (talk.ended) return;
    talk.ended = true;
    if (!talk.legGone) await quietly(telephony.hangup(talk.legId));
    if (talk.joined && !talk.callerGone) await quietly(telephony.hangup(talk.callId));
    await quietly(telephony.destroyBridge(talk.bridgeId));
    talks.delete(talk.callId);
    talks.delete(talk.legId);
  }

  async function reconcile({ channels, bridges }: ReconcileSnapshot): Promise<void> {
    const live = new Set(channels.map((c) => c.id));
    const ours = new Set(channels.filter((c) => c.inApp).map((c) => c.id));
    for (const channel of channels) seq = Math.max(seq, Number(legPattern.exec(channel.id)?.[2] ?? 0));
    for (const talk of [...talks.values()]) {
      if (!live.has(talk.callId)) talk.callerGone = true;
      if (!live.has(talk.legId)) talk.legGone = true;
      if (talk.joined && (talk.callerGone || talk.legGone)) await windUp(talk, talk.callerGone ? 'caller' : 'destination');
    }
    const bridged = new Set<string>();
    for (const bridge of bridges) {
      if (!bridge.id.startsWith(bridgePrefix)) continue;
      if (bridge.channelIds.length > 0 && !bridge.channelIds.some((id) => ours.has(id))) continue; // another instance's
      bridge.channelIds.forEach((id) => bridged.add(id));
      const callId = bridge.id.slice(bridgePrefix.length);
      if (talks.get(callId)?.joined) continue;
      const legId = bridge.channelIds.find((id) => legPattern.exec(id)?.[1] === callId) ?? '';
      const talk: Talk = {
        callId, legId, bridgeId: bridge.id, log: logger.child({ callId }), joined: true,
        callerGone: !bridge.channelIds.includes(callId) || !live.has(callId), legGone: legId === '' || !live.has(legId), ended: false,
      };
      talks.set(callId, talk);
      if (legId) talks.set(legId, talk);
      if (talk.callerGone || talk.legGone) await windUp(talk, talk.callerGone ? 'caller' : 'destination');
      else talk.log.info('carrying on an IVR transfer after a (re)connect');
    }
    // a destination still ringing, or answered but not joined, when the server went away: the resumed flow rings again
    for (const channel of channels) {
      const callId = legPattern.exec(channel.id)?.[1];
      if (callId === undefined || bridged.has(channel.id) || talks.has(channel.id) || ringingLegs.has(channel.id) || !(ours.has(channel.id) || ours.has(callId))) continue;
      await quietly(telephony.hangup(channel.id));
      logger.info({ callId }, 'an IVR transfer rang during the restart: ring stopped');
    }
  }

  return {
    transfer,
    close(): void {
      unsubscribe();
      unreconcile();
      for (const ring of rings.values()) ring.abort();
    },
  };
}

function failureOf(error: unknown): 'no-answer' | 'busy' | 'failed' {
  if (isHotlineError(error, 'TELEPHONY_TIMEOUT')) return 'no-answer';
  if (!isHotlineError(error, 'TELEPHONY_ORIGINATE_FAILED')) return 'failed';
  const reason = error.details?.['reason'];
  return reason === 'no-answer' || reason === 'busy' ? reason : 'failed';
}
