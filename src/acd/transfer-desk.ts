/**
 * Transfers on live calls (docs/transfers.md): the CTI commands `call.consult`, `call.cancelConsult`,
 * `call.conference`, `call.completeTransfer`, `call.transfer` and `call.emergency`, and what happens
 * when any party hangs up meanwhile. The moves are decided by the pure table in transfers.ts; this
 * shell moves channels and bridges, reserves expert agents, and tells the desks.
 *
 * A consult puts the caller on hold (music, alone in the call's bridge) and takes the agent into a
 * consult bridge of its own, then rings the target: an expert agent with the skill — the longest
 * idle ready one, reserved atomically in the ACD like any call (docs/adr/0010) — or an allow-listed
 * number over the trunk. Blind transfers ring the target the same way and hand the caller over as
 * soon as it answers. The caller is handed over through the queue service's `handOver`, so after a
 * transfer the call ends, wraps up and asks for the survey like any other.
 *
 * Work on one call runs one step after the other (commands, ring outcomes, hang-ups).
 */
import type { Clock } from '../clock.ts';
import type { CallEvent, TransferKind } from '../calls/call-record.ts';
import type { CallRecords } from '../calls/call-records.ts';
import { agentTopic } from '../cti/access.ts';
import type { EventBus } from '../cti/event-bus.ts';
import type { EventMap } from '../cti/events.ts';
import type { CtiGateway } from '../cti/gateway.ts';
import { HotlineError, isHotlineError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { TelephonyEvent, TelephonyPort } from '../telephony/port.ts';
import type { TicketService } from '../tickets/ticket-service.ts';
import type { AcdState } from './acd-state.ts';
import type { Connection, Offer, QueueService } from './queue-service.ts';
import type { RoutingQueue } from './routing.ts';
import { CONSULT_QUEUE, parseTransferId, transferIds, transferTransition, type ConsultFailure, type TransferAction, type TransferEvent, type TransferMode, type TransferState } from './transfers.ts';
import { onCallCommand, type DeskRelay } from './desk-relay.ts';

/** The emergency services an agent may hand a caller to, whatever the allow-list says. */
export const emergencyServices = ['110', '119', '120', '122'] as const;

export { CONSULT_QUEUE };

/** What a caller hears before being hung up when a blind transfer the agent left fails and no queue takes the caller back. */
export const transferPromptTexts = {
  'transfer-failed': { 'zh-CN': '很抱歉，转接未能接通，请稍后再拨。再见。', en: 'Sorry, the transfer could not be completed. Please call again later. Goodbye.' },
} as const;

export interface TransferDeskOptions {
  readonly cti: Pick<CtiGateway, 'onCommand'>;
  /** Runs the commands on the instance that holds the call (two or more instances); none: this instance only. */
  readonly relay?: DeskRelay;
  readonly bus: EventBus;
  readonly acd: AcdState;
  readonly queues: Pick<QueueService, 'connection' | 'handOver' | 'requeue' | 'wrapUp' | 'channelGone'>;
  readonly telephony: TelephonyPort;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly instanceId: string;
  /** Numbers agents may consult or transfer to (TRANSFER_ALLOW). */
  readonly allow: ReadonlySet<string>;
  /** The routing queues: which queues and skills exist. */
  readonly routingQueues: ReadonlyMap<string, RoutingQueue>;
  /** Seconds the target rings before the consult fails with `no-answer`. */
  readonly ringTimeoutSec?: number;
  /** Dial string of a seat (`{ext}`: digits only), as the queue service's. */
  readonly dialTemplate?: string;
  /** Dial string of an outside number (`{number}`: digits only). */
  readonly trunkTemplate?: string;
  /** Appends to the call record. */
  readonly record?: (callId: string, event: CallEvent) => void;
  /** Notes a line on the tickets of a call (the emergency hand-off). */
  readonly noteTickets?: (callId: string, note: string, by: string) => Promise<void>;
  /** Told when an expert's phone rings for a consult (the CTI sends the screen pop). */
  readonly onOffer?: (offer: Offer) => void;
}

type Target = { readonly skill: string } | { readonly queue: string } | { readonly number: string };
type Party = { readonly kind: 'agent'; readonly agentId: string; readonly extension: string } | { readonly kind: 'number'; readonly number: string };

interface Transfer {
  readonly callId: string;
  readonly consultId: string;
  readonly mode: TransferMode;
  readonly kind: TransferKind;
  state: TransferState;
  readonly agentId: string;
  readonly agentChannelId: string;
  readonly callerChannelId: string;
  readonly callBridgeId: string;
  readonly party: Party;
  readonly targetChannelId: string;
  readonly consultBridgeId: string;
  readonly ring: AbortController;
  /** The originate has not settled: aborting `ring` hangs the ring up (the adapter undoes an originate given up on). */
  ringPending: boolean;
  answered: boolean;
  /** The target's leg hung up (or left the app): it is not hung up again. */
  targetGone: boolean;
  /** The agent's leg hung up (the queue service told): it is not hung up again. */
  agentGone: boolean;
  /**
   * What the hold set up and the shell has not undone yet: the caller's music, the consult bridge,
   * and whether the target is already in the call's bridge (the three-way). The three-way undoes the
   * hold itself, so the wind-up after it must not again: each is undone once (issue 6: the expert
   * leaving a three-way sent these DELETEs a second time, answered 404).
   */
  readonly hold: { music: boolean; consultBridge: boolean; targetJoined: boolean };
  readonly log: Logger;
}

type Progress = EventMap['call.progress'];

export function createTransferDesk(options: TransferDeskOptions) {
  const { cti, bus, acd, queues, telephony, clock } = options;
  const logger = options.logger.child({ component: 'transfers' });
  const ringSec = options.ringTimeoutSec ?? 20;
  const dialTemplate = options.dialTemplate ?? 'PJSIP/{ext}';
  const trunkTemplate = options.trunkTemplate ?? 'PJSIP/{number}@trunk';
  const transfers = new Map<string, Transfer>();
  const byConsult = new Map<string, Transfer>();
  const byTarget = new Map<string, Transfer>();
  const chains = new Map<string, Promise<unknown>>();
  let seq = 0;

  /** Runs `work` after every earlier step of the same call. */
  function serial<T>(callId: string, work: () => Promise<T>): Promise<T> {
    const next = (chains.get(callId) ?? Promise.resolve()).then(work, work);
    const settled = next.catch(() => undefined);
    chains.set(callId, settled);
    void settled.then(() => chains.get(callId) === settled && chains.delete(callId));
    return next;
  }

  const publish = (agentId: string, data: Progress): void =>
    void bus.publish(agentTopic(agentId), 'call.progress', data).catch((error: unknown) => logger.warn({ err: error }, 'call.progress not published'));
  const ended = (agentId: string, callId: string, cause: EventMap['call.ended']['cause']): void =>
    void bus.publish(agentTopic(agentId), 'call.ended', { callId, cause }).catch((error: unknown) => logger.warn({ err: error }, 'call.ended not published'));
  const record = (callId: string, event: CallEvent): void => options.record?.(callId, event);
  const quietly = (work: Promise<unknown>): Promise<void> => work.then(() => undefined, () => undefined);

  /** The connected call of `username`, or a coded refusal. */
  function callOf(username: string, callId: string): Connection {
    const c = queues.connection(callId);
    if (!c || c.agentId !== username || !c.agentChannelId) throw new HotlineError('NOT_FOUND', 'no such call for you on this server');
    if (c.phase !== 'connected' || !c.bridgeId) throw new HotlineError('TRANSFER_BAD_STATE', `the call is ${c.phase}, not connected`, { state: c.phase });
    return { callId, callerChannelId: c.callerChannelId, agentChannelId: c.agentChannelId, agentId: username, bridgeId: c.bridgeId };
  }

  function transferOf(username: string, callId: string): Transfer {
    const t = transfers.get(callId);
    if (!t || t.agentId !== username) throw new HotlineError('TRANSFER_BAD_STATE', 'no consult or transfer runs on this call', { state: 'none' });
    return t;
  }

  /** The skills that may answer a target: a skill the routing queues know, or a queue's first step. */
  function skillsOf(target: { skill: string } | { queue: string }): readonly string[] {
    if ('queue' in target) {
      const steps = options.routingQueues.get(target.queue)?.steps;
      if (!steps?.[0]) throw new HotlineError('TRANSFER_NOT_ALLOWED', `no queue ${target.queue}`);
      return steps[0].skills;
    }
    const known = [...options.routingQueues.values()].some((q) => q.steps.some((s) => s.skills.includes(target.skill)));
    if (!known) throw new HotlineError('TRANSFER_NOT_ALLOWED', `no queue serves the skill ${target.skill}`);
    return [target.skill];
  }

  /** Reserves the longest-idle ready agent with one of `skills` for `consultId`, or null when none is free. */
  async function reserveExpert(skills: readonly string[], consultId: string, channelId: string, callerNumber: string): Promise<Party | null> {
    const candidates = (await acd.readyAgents())
      .filter((a) => skills.some((skill) => (a.skills[skill] ?? 0) >= 1))
      .sort((a, b) => a.readySince - b.readySince);
    if (candidates.length === 0) return null;
    const now = clock.now();
    await acd.enqueue({ callId: consultId, queueId: CONSULT_QUEUE, priority: 0, arrivedAt: now, enqueuedAt: now, instanceId: options.instanceId, channelId, callerNumber });
    for (const candidate of candidates) {
      if (!(await acd.reserve(consultId, candidate.agentId))) continue;
      const agent = await acd.agent(candidate.agentId);
      if (agent && /^\d{1,16}$/.test(agent.extension)) return { kind: 'agent', agentId: agent.agentId, extension: agent.extension };
      await acd.rona(consultId, candidate.agentId); // a seat that cannot be rung: not ready, like a RONA
      await acd.abandon(consultId).catch(() => undefined);
      return null;
    }
    await acd.abandon(consultId);
    return null;
  }

  /** Starts a consult or blind transfer of `c` to `target` (already checked against the allow-list). */
  async function start(c: Connection, target: Target, mode: TransferMode, kind: TransferKind): Promise<Transfer> {
    if (transfers.has(c.callId)) throw new HotlineError('TRANSFER_BAD_STATE', 'a consult or transfer already runs on this call', { state: transfers.get(c.callId)!.state });
    const { consultId, targetChannelId, consultBridgeId } = transferIds(c.callId, ++seq);
    const callerNumber = queues.connection(c.callId)?.callerNumber ?? '';
    let party: Party;
    if ('number' in target) {
      party = { kind: 'number', number: target.number };
    } else {
      const expert = await reserveExpert(skillsOf(target), consultId, targetChannelId, callerNumber);
      if (!expert) throw new HotlineError('TRANSFER_TARGET_BUSY', 'no agent with that skill is ready', { reason: 'busy' });
      party = expert;
    }
    const t: Transfer = {
      callId: c.callId, consultId, mode, kind, state: 'ringing', agentId: c.agentId, agentChannelId: c.agentChannelId, callerChannelId: c.callerChannelId,
      callBridgeId: c.bridgeId, party, targetChannelId, consultBridgeId, ring: new AbortController(), ringPending: false, answered: false, targetGone: false, agentGone: false,
      hold: { music: true, consultBridge: true, targetJoined: false }, // true: set up next, and undone even if setting up fails half-way
      log: logger.child({ callId: c.callId, consultId }),
    };
    transfers.set(c.callId, t);
    byConsult.set(consultId, t);
    byTarget.set(targetChannelId, t);
    const to = party.kind === 'number' ? `number:${party.number}` : 'queue' in target ? `queue:${target.queue}` : `skill:${(target as { skill: string }).skill}`;
    record(c.callId, { type: 'transfer', at: clock.now(), kind, to, by: c.agentId });
    t.log.info({ mode, kind, to, expert: party.kind === 'agent' ? party.agentId : null }, 'transfer: ringing the target');
    try {
      await telephony.startMoh(c.callerChannelId);
      await telephony.createBridge('mixing', t.consultBridgeId, `consult ${consultId}`);
      await telephony.addToBridge(t.consultBridgeId, [c.agentChannelId]); // out of the call's bridge: the caller hears only music
    } catch (error) {
      t.log.warn({ err: error }, 'transfer could not start');
      await finish(t, 'back-to-caller', { status: 'consult-failed', reason: 'failed' });
      throw error;
    }
    publish(c.agentId, { callId: c.callId, status: 'transferring' });
    if (party.kind === 'agent') {
      options.onOffer?.({
        request: { callId: consultId, channelId: c.callerChannelId, queueId: CONSULT_QUEUE, priority: 0, arrivedAt: clock.now(), callerNumber },
        agentId: party.agentId, agentChannelId: targetChannelId, ringTimeoutMs: ringSec * 1000,
      });
    }
    void ringTarget(t, callerNumber);
    return t;
  }

  async function ringTarget(t: Transfer, callerNumber: string): Promise<void> {
    const endpoint = t.party.kind === 'agent' ? dialTemplate.replace('{ext}', t.party.extension) : trunkTemplate.replace('{number}', t.party.number);
    t.ringPending = true;
    try {
      await telephony.originate(endpoint, {
        channelId: t.targetChannelId, timeoutSec: ringSec, timeoutMs: (ringSec + 5) * 1000, signal: t.ring.signal,
        callerId: callerNumber.replace(/[^0-9+]/g, '').slice(0, 20),
        variables: {
          HOTLINE_CALL_ID: t.callId, HOTLINE_CONSULT_ID: t.consultId,
          // an expert's softphone ties the INVITE to the consult's CTI offer by this header (docs/softphone-sip.md)
          ...(t.party.kind === 'agent' ? { 'PJSIP_HEADER(add,X-Hotline-Call-Id)': t.consultId } : {}),
        },
        appArgs: 'transfer',
      }).finally(() => (t.ringPending = false));
    } catch (error) {
      if (isHotlineError(error, 'TELEPHONY_ABORTED')) return; // stopped by a cancel or a hang-up, which cleaned up
      if (isHotlineError(error, 'ARI_UNAVAILABLE')) return; // the server is stopping: the next start's reconcile ends the ring, no fault of the target
      const reason = failureOf(error, t.party.kind === 'agent');
      await serial(t.callId, async () => {
        if (t.state !== 'ringing' && t.state !== 'unattended') return;
        if (t.party.kind === 'agent') {
          await acd.rona(t.consultId, t.party.agentId).catch((e: unknown) => t.log.warn({ err: e }, 'expert RONA failed'));
          await acd.abandon(t.consultId).catch(() => false); // the consult document leaves the ACD
          ended(t.party.agentId, t.consultId, 'no_answer');
        }
        t.log.info({ reason, agentLeft: t.state === 'unattended' }, 'transfer: target not reached');
        await apply(t, { type: 'failed', reason }, { status: 'consult-failed', reason });
      }).catch((e: unknown) => t.log.warn({ err: e }, 'transfer failure handling failed'));
      return;
    }
    await serial(t.callId, async () => {
      if (t.state !== 'ringing' && t.state !== 'unattended') {
        await quietly(telephony.hangup(t.targetChannelId));
        return;
      }
      if (t.targetGone) {
        await apply(t, { type: 'failed', reason: 'declined' }, { status: 'consult-failed', reason: 'declined' }); // answered and hung up at once
        return;
      }
      t.answered = true;
      if (t.party.kind === 'agent' && !(await acd.answered(t.consultId, t.party.agentId))) t.log.warn('expert answered but the reservation was gone');
      record(t.callId, { type: 'transfer_step', at: clock.now(), step: 'answered', ...(t.party.kind === 'agent' ? { agentId: t.party.agentId } : {}) });
      await apply(t, { type: 'answered' }, { status: 'consulting' });
    }).catch((e: unknown) => t.log.warn({ err: e }, 'transfer answer handling failed'));
  }

  /** Applies `event` to `t` and carries out its action; `progress` is what the agent is told when the agent gets the caller back. */
  async function apply(t: Transfer, event: TransferEvent, progress?: Omit<Progress, 'callId'>): Promise<TransferAction> {
    const { state, action } = transferTransition(t.state, t.mode, event);
    t.state = state;
    if (action === 'join-consult') {
      await telephony.addToBridge(t.consultBridgeId, [t.targetChannelId]);
      publish(t.agentId, { callId: t.callId, status: 'consulting' });
      return action;
    }
    if (action === 'release-agent') {
      // the agent leg stays the call's agent-side party (gone, and nobody's) until the target answers
      await queues.handOver(t.callId, { agentId: null, channelId: t.agentChannelId });
      await dropConsultBridge(t);
      t.log.info('transfer: the agent left, the target still rings for the caller');
      return action;
    }
    if (action === 'conference') {
      await telephony.addToBridge(t.callBridgeId, [t.agentChannelId, t.targetChannelId]);
      t.hold.targetJoined = true;
      await stopMusic(t);
      await dropConsultBridge(t);
      record(t.callId, { type: 'transfer_step', at: clock.now(), step: 'conference' });
      publish(t.agentId, { callId: t.callId, status: 'conference' });
      if (t.party.kind === 'agent') publish(t.party.agentId, { callId: t.consultId, status: 'conference' });
      return action;
    }
    await finish(t, action, progress, event);
    return action;
  }

  /** The transfer is over: carries out its last action and forgets it. */
  async function finish(t: Transfer, action: TransferAction, progress?: Omit<Progress, 'callId'>, event?: TransferEvent): Promise<void> {
    t.state = 'ended';
    transfers.delete(t.callId);
    byConsult.delete(t.consultId);
    if (action !== 'hand-over') byTarget.delete(t.targetChannelId);
    const ringStops = t.ringPending;
    t.ring.abort();
    const step = stepOf(action, event);
    if (action === 'hand-over') return handOver(t, step === 'agent_left' ? 'agent_left' : 'completed');
    // the ring or the target's leg goes in every case: a ring by the abort (an answer that raced it is
    // hung up by ringTarget), a leg by this — unless it hung up already
    if (!ringStops && !t.targetGone) await quietly(telephony.hangup(t.targetChannelId));
    await releaseExpert(t, action === 'end-call' ? 'caller_hangup' : 'agent_hangup');
    if (action === 'back-to-caller') await quietly(telephony.addToBridge(t.callBridgeId, [t.agentChannelId]));
    if (action !== 'end-call') await stopMusic(t);
    await dropConsultBridge(t);
    record(t.callId, { type: 'transfer_step', at: clock.now(), step, ...(event?.type === 'failed' ? { reason: event.reason } : {}) });
    if (action === 'requeue') await backToQueue(t);
    if ((action === 'back-to-caller' || action === 'two-way') && progress) publish(t.agentId, { callId: t.callId, ...progress });
    t.log.info({ action, step }, 'transfer ended');
  }

  /**
   * A blind transfer the agent left was not reached: the caller goes back to the queue the call came
   * from, at its head; if that queue refuses the caller now (or the call came from none, e.g. it was
   * adopted after a restart), the caller hears why and is hung up.
   */
  async function backToQueue(t: Transfer): Promise<void> {
    const queueId = queues.connection(t.callId)?.queueId;
    if (queueId) {
      try {
        await queues.requeue(t.callId, queueId, { head: true });
        t.log.info({ queueId }, 'transfer: target not reached, the caller is back in the queue');
        return;
      } catch (error) {
        if (!isHotlineError(error, 'TRANSFER_TARGET_BUSY')) t.log.warn({ err: error }, 'caller not requeued');
      }
    }
    t.log.info({ queueId: queueId ?? null }, 'transfer: target not reached and no queue takes the caller: goodbye');
    const bye = await telephony.play({ kind: 'channel', id: t.callerChannelId }, ['sound:hotline/zh/transfer-failed'], { playbackId: `${t.consultId}-bye`, timeoutMs: 30_000 })
      .catch(() => undefined);
    await bye?.done.catch(() => undefined);
    await quietly(telephony.hangup(t.callerChannelId));
  }

  /** The expert's part of a consult that did not take the caller: wrap-up after talking, the reservation withdrawn before. */
  async function releaseExpert(t: Transfer, cause: EventMap['call.ended']['cause']): Promise<void> {
    if (t.party.kind !== 'agent') return;
    if (t.answered) {
      await queues.wrapUp(t.party.agentId);
      ended(t.party.agentId, t.consultId, cause);
    } else if (await acd.withdrawOffer(t.consultId, t.party.agentId).catch(() => false)) {
      await acd.abandon(t.consultId).catch(() => false); // the consult document leaves the ACD
      ended(t.party.agentId, t.consultId, 'failed');
    }
  }

  /** The caller's music stops, once. */
  async function stopMusic(t: Transfer): Promise<void> {
    if (!t.hold.music) return;
    t.hold.music = false;
    await quietly(telephony.stopMoh(t.callerChannelId));
  }

  /** The consult bridge is destroyed, once. */
  async function dropConsultBridge(t: Transfer): Promise<void> {
    if (!t.hold.consultBridge) return;
    t.hold.consultBridge = false;
    await quietly(telephony.destroyBridge(t.consultBridgeId));
  }

  /** The target takes the agent's place; the agent's leg is hung up (unless it is gone already). */
  async function handOver(t: Transfer, step: 'completed' | 'agent_left'): Promise<void> {
    await stopMusic(t); // first: the one who takes the caller never hears the hold music
    if (!t.hold.targetJoined) await telephony.addToBridge(t.callBridgeId, [t.targetChannelId]);
    if (t.party.kind === 'agent') record(t.callId, { type: 'answered', at: clock.now(), agentId: t.party.agentId }); // the expert now serves the caller (rated by the survey)
    record(t.callId, { type: 'transfer_step', at: clock.now(), step });
    await queues.handOver(t.callId, { agentId: t.party.kind === 'agent' ? t.party.agentId : null, channelId: t.targetChannelId });
    byTarget.delete(t.targetChannelId);
    if (!t.agentGone) await quietly(telephony.hangup(t.agentChannelId));
    await dropConsultBridge(t);
    if (t.party.kind === 'agent') publish(t.party.agentId, { callId: t.callId, status: 'transferred', consultId: t.consultId });
    t.log.info({ step }, 'transfer: the target has the caller');
    if (t.targetGone) await queues.channelGone(t.targetChannelId); // it hung up while being handed the call
  }

  /** A party of a connected call hung up (asked by the queue service): true when the call goes on. */
  async function partyLeft(connection: Connection, party: 'caller' | 'agent'): Promise<boolean> {
    if (!transfers.has(connection.callId)) return false;
    return serial(connection.callId, async () => {
      const t = transfers.get(connection.callId);
      if (!t || t.state === 'ended') return false;
      if (party === 'agent' && (connection.agentChannelId !== t.agentChannelId || t.state === 'unattended')) return false;
      if (party === 'agent') t.agentGone = true;
      const action = await apply(t, { type: party === 'caller' ? 'caller_left' : 'agent_left' });
      return action === 'hand-over' || action === 'release-agent';
    });
  }

  const unsubscribe = telephony.onEvent((event: TelephonyEvent) => {
    if (event.type !== 'hung-up' && event.type !== 'left-stasis' && event.type !== 'channel-destroyed') return;
    const t = byTarget.get(event.channelId);
    if (!t || t.targetGone) return;
    t.targetGone = true;
    if (t.state !== 'consulting' && t.state !== 'conference') return; // a ring ends through the originate
    void serial(t.callId, async () => {
      if (t.state !== 'consulting' && t.state !== 'conference') return;
      t.log.info('transfer: the target hung up');
      await apply(t, { type: 'target_left' }, { status: t.state === 'conference' ? 'resumed' : 'consult-failed', reason: 'expert-left' });
    }).catch((error: unknown) => t.log.warn({ err: error }, 'target hang-up handling failed'));
  });

  /**
   * After a restart: a three-way the queue reconcile adopted with the agent (the target's leg still
   * in the call's bridge, transfer-reconcile.ts) goes on as a three-way of this desk, so the agent
   * leaving hands the caller to the expert and the expert leaving leaves caller and agent. Transfer
   * numbers go on after the ones found, so no new leg takes the id of a live one.
   */
  const unreconcile = telephony.onReconcile(async ({ channels, bridges }) => {
    for (const id of [...channels.map((c) => c.id), ...bridges.map((b) => b.id)]) seq = Math.max(seq, parseTransferId(id)?.n ?? 0);
    for (const bridge of bridges) {
      const callId = bridge.id.startsWith('call-') ? bridge.id.slice('call-'.length) : '';
      const c = callId && !transfers.has(callId) ? queues.connection(callId) : undefined;
      if (!c || c.phase !== 'connected' || !c.agentId || !c.agentChannelId || !c.bridgeId) continue;
      const target = bridge.channelIds.find((id) => id !== c.agentChannelId && parseTransferId(id)?.callId === callId && id.startsWith('xfer-'));
      if (!target) continue;
      const { consultId, consultBridgeId } = transferIds(callId, parseTransferId(target)!.n);
      const expert = (await acd.allAgents()).find((a) => a.status.state === 'on_call' && a.status.callId === consultId);
      const t: Transfer = {
        callId, consultId, mode: 'consult', kind: 'consult', state: 'conference', agentId: c.agentId, agentChannelId: c.agentChannelId, callerChannelId: c.callerChannelId,
        callBridgeId: c.bridgeId, party: expert ? { kind: 'agent', agentId: expert.agentId, extension: expert.extension } : { kind: 'number', number: '' },
        targetChannelId: target, consultBridgeId, ring: new AbortController(), ringPending: false, answered: true, targetGone: false, agentGone: false,
        // the repair destroyed the consult bridge; the music may still play if the restart cut the join short
        hold: { music: true, consultBridge: false, targetJoined: true }, log: logger.child({ callId, consultId }),
      };
      transfers.set(callId, t);
      byConsult.set(consultId, t);
      byTarget.set(target, t);
      t.log.info({ expert: expert?.agentId ?? null }, 'carrying on a three-way after a (re)connect');
    }
  });

  const allowed = (number: string): void => {
    if (!options.allow.has(number)) throw new HotlineError('TRANSFER_NOT_ALLOWED', `${number} is not on the transfer allow-list`, { number });
  };

  /** Whether a call held elsewhere can be this agent's (the call the ACD has them on). */
  const onCall = async (username: string, callId: string): Promise<boolean> => (await acd.agent(username))?.status.callId === callId;
  onCallCommand(cti, options.relay, 'call.consult', async (username, { callId, target }) =>
    serial(callId, async () => {
      if ('number' in target) allowed(target.number);
      const t = await start(callOf(username, callId), target, 'consult', 'consult');
      return { callId, consultId: t.consultId };
    }), onCall);
  onCallCommand(cti, options.relay, 'call.cancelConsult', async (username, { callId }) =>
    serial(callId, async () => {
      const t = transferOf(username, callId);
      await apply(t, { type: 'cancel' }, { status: 'resumed' });
      return { callId };
    }), onCall);
  onCallCommand(cti, options.relay, 'call.conference', async (username, { callId }) =>
    serial(callId, async () => {
      await apply(transferOf(username, callId), { type: 'conference' });
      return { callId };
    }), onCall);
  onCallCommand(cti, options.relay, 'call.completeTransfer', async (username, { callId }) =>
    serial(callId, async () => {
      await apply(transferOf(username, callId), { type: 'complete' });
      return { callId };
    }), onCall);
  onCallCommand(cti, options.relay, 'call.transfer', async (username, { callId, target }) =>
    serial(callId, async () => {
      const c = callOf(username, callId);
      if (transfers.has(callId)) throw new HotlineError('TRANSFER_BAD_STATE', 'a consult or transfer already runs on this call', { state: transfers.get(callId)!.state });
      if ('queue' in target) {
        if (!options.routingQueues.has(target.queue)) throw new HotlineError('TRANSFER_NOT_ALLOWED', `no queue ${target.queue}`);
        await queues.requeue(callId, target.queue);
        record(callId, { type: 'transfer', at: clock.now(), kind: 'queue', to: `queue:${target.queue}`, by: c.agentId });
        record(callId, { type: 'transfer_step', at: clock.now(), step: 'completed' });
        return { callId };
      }
      if ('number' in target) allowed(target.number);
      const t = await start(c, target, 'blind', 'blind');
      return { callId, consultId: t.consultId };
    }), onCall);
  onCallCommand(cti, options.relay, 'call.emergency', async (username, { callId, service }) =>
    serial(callId, async () => {
      const t = await start(callOf(username, callId), { number: service }, 'blind', 'emergency');
      await options.noteTickets?.(callId, `emergency hand-off to ${service} by ${username}`, username)
        .catch((error: unknown) => t.log.warn({ err: error }, 'emergency hand-off not noted on the ticket'));
      return { callId, consultId: t.consultId };
    }), onCall);

  return {
    partyLeft,
    /** The legs of a consult as the expert's desk sees them (`call.answer`, `call.decline`, `call.hangup` on the consult id). */
    connection(consultId: string): { callerChannelId: string; agentChannelId: string; agentId: string; phase: string } | undefined {
      const t = byConsult.get(consultId);
      if (!t || t.party.kind !== 'agent') return undefined;
      return { callerChannelId: t.callerChannelId, agentChannelId: t.targetChannelId, agentId: t.party.agentId, phase: t.answered ? 'connected' : 'ringing' };
    },
    /** Transfers running on this instance. */
    running: (): number => transfers.size,
    close(): void {
      unsubscribe();
      unreconcile();
      for (const t of transfers.values()) t.ring.abort();
    },
  };
}

export type TransferDesk = ReturnType<typeof createTransferDesk>;

/**
 * Notes a line on every ticket of a call: a `link_call` move (kept in the ticket's audit trail with
 * the note as its reason), made as the agent. A ticket that takes no move any more (archived) is skipped.
 */
export function ticketNotes(
  records: Pick<CallRecords, 'get'>,
  tickets: Pick<TicketService, 'act'>,
  logger: Logger,
): (callId: string, note: string, by: string) => Promise<void> {
  return async (callId, note, by) => {
    for (const ticketId of (await records.get(callId))?.ticketIds ?? []) {
      await tickets.act(ticketId, 'link_call', { callId, reason: note }, { username: by, roles: ['agent'] })
        .catch((error: unknown) => logger.warn({ err: error, ticketId, callId }, 'note not added to the ticket'));
    }
  };
}

function failureOf(error: unknown, toAgent: boolean): ConsultFailure {
  if (isHotlineError(error, 'TELEPHONY_TIMEOUT')) return 'no-answer';
  if (!isHotlineError(error, 'TELEPHONY_ORIGINATE_FAILED')) return 'failed';
  const reason = error.details?.['reason'];
  if (reason === 'no-answer') return 'no-answer';
  if (reason === 'busy') return toAgent ? 'declined' : 'busy';
  if (reason === 'hung-up') return 'declined';
  return 'failed';
}

function stepOf(action: TransferAction, event: TransferEvent | undefined): 'completed' | 'cancelled' | 'failed' | 'target_left' | 'caller_left' | 'agent_left' {
  switch (event?.type) {
    case 'failed':
      return 'failed';
    case 'target_left':
      return 'target_left';
    case 'caller_left':
      return 'caller_left';
    case 'agent_left':
      return 'agent_left';
    case 'cancel':
      return 'cancelled';
    default:
      return action === 'hand-over' ? 'completed' : 'failed';
  }
}
