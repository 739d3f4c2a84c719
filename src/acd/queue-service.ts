/**
 * Queues on live calls: a queued caller waits in the queue's holding bridge with music on hold;
 * the router (src/acd/queue-router.ts) reserves an agent; this service rings the agent's seat and,
 * when the agent answers, takes the caller out of the music and bridges the two. Not answered in
 * time (RONA) → the caller is back at the head of the queue and the agent not ready. A caller who
 * hangs up while waiting or ringing is an abandon; the ringing agent leg is cancelled.
 *
 * Virtual hold: in a queue with a callback key, a waiting caller who presses it (or, if the queue
 * says so, one who waited the longest allowed) hangs up and keeps the place. When the place comes up
 * the reserved agent is rung first, and once the agent answers the citizen is called back and joins
 * the agent; an attempt nobody answers is retried after a pause, and given up after the last one.
 * Each attempt is a call of its own (`<callId>-cb<n>`, the citizen's channel id), linked to the
 * original by `callbackOf` in its record.
 *
 * Media stays on the instance that holds the caller's channel: offers for a call owned by another
 * instance are published to it (`acd:offers:<instanceId>`) and rung there.
 *
 * Hand-over (transfers, supervisor take-over): `handOver(callId, { agentId, channelId })` makes
 * `channelId` the agent-side party of a connected call. The previous agent wraps up (told
 * `transferred`) and their leg is no longer tied to the call: whoever calls `handOver` hangs it up
 * or moves it, and puts `channelId` into the call's bridge (`connection(callId).bridgeId`). From
 * then on that party hanging up ends the call like an agent hang-up (the caller may be kept for
 * the survey), and the caller hanging up ends it and hangs that party up. `agentId` is the ACD
 * agent now holding the call (on call; wrapped up when it ends), or null for a party that is not an
 * ACD agent (an outside number, a supervisor).
 *
 * While a transfer runs, `onPartyLeft` is asked first when the caller or the agent-side party of a
 * connected call hangs up: it may take the hang-up over (e.g. the agent leaves a three-way and the
 * caller goes on with the expert) or clean up its own legs and let the call end as usual.
 */
import type { Clock, TimerHandle } from '../clock.ts';
import { HotlineError, isHotlineError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import type { TelephonyEvent, TelephonyPort } from '../telephony/port.ts';
import type { AcdState, QueuedCall } from './acd-state.ts';
import { callableNumber } from './callback-number.ts';
import { createQueueAnnouncer } from './queue-announcer.ts';
import { admission, noLimits, type QueueLimits, type QueueRefusal } from './queue-limits.ts';
import type { RoutingQueue } from './routing.ts';
import { agentLegPrefix, callbackAttemptId, reconcileQueues, type AdoptedCall } from './queue-reconcile.ts';

export interface QueueServiceOptions {
  readonly telephony: TelephonyPort;
  readonly acd: AcdState;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly instanceId: string;
  /** Seconds an agent's phone rings before RONA. */
  readonly ringTimeoutSec?: number;
  /** Seconds of wrap-up after a call before the agent is ready again. */
  readonly wrapUpSec?: number;
  /** Dial string of a seat; `{ext}` is replaced by the agent's extension (digits only). */
  readonly dialTemplate?: string;
  /** Seconds between position announcements ("您前面还有N位用户在等待"); 0 = none. */
  readonly announceEverySec?: number;
  /** The routing queues (skills decide whether anyone could take a call at all). */
  readonly queues: ReadonlyMap<string, RoutingQueue>;
  /**
   * Limits per queue id — fixed, or read at each enqueue (the admin-edited queue settings,
   * queue-settings.ts); a queue not listed has none. A caller keeps the limits it was queued with.
   */
  readonly limits?: ReadonlyMap<string, QueueLimits> | ((queueId: string) => Promise<QueueLimits>);
  /** Told when a queue gives a caller back unanswered (`timeout`, `full`, `no-agents`): the IVR flow decides what follows. */
  readonly onLeft?: (callId: string, outcome: 'timeout' | QueueRefusal) => void;
  /** Told when a caller was put in a queue. */
  readonly onEnqueued?: (request: EnqueueRequest) => void;
  /** Told when an agent's phone starts ringing for a call (the CTI sends the screen pop). */
  readonly onOffer?: (offer: Offer) => void;
  /** Told when the agent (for a callback: the citizen) answered, before the legs are joined — the call record's answer time. */
  readonly onAnswered?: (callId: string, agentId: string) => void;
  /** Told when a call was connected to an agent (call sessions and the CTI build on this). */
  readonly onConnected?: (connection: Connection) => void;
  /** The agent hung up first: resolve true to keep the caller (e.g. for the post-call survey), false to hang up. */
  readonly onAgentHungUp?: (connection: Connection) => Promise<boolean>;
  /** Told when an offered or connected call ended for the agent (`transferred`: handed over to another party). */
  readonly onEnded?: (ended: Ended) => void;
  /**
   * The caller or the agent-side party of a connected call hung up: resolve true when the hang-up
   * was taken over (the call goes on, e.g. handed over), false to end the call as usual. Asked once
   * per channel; the transfer desk sets it.
   */
  readonly onPartyLeft?: (connection: Connection, party: 'caller' | 'agent') => Promise<boolean>;
  /** Told of callbacks: booked, dialled (a new call), not reached. */
  readonly onCallback?: (event: CallbackEvent) => void;
  /** How callbacks are dialled. */
  readonly callbacks?: Partial<CallbackSettings>;
}

export interface CallbackSettings {
  /** Dial string of a citizen's number; `{number}` is replaced by the checked digits. */
  readonly dialTemplate: string;
  /** Seconds the citizen's phone rings. */
  readonly ringSec: number;
  /** Seconds before an attempt nobody answered is tried again. */
  readonly retryAfterSec: number;
  /** Attempts before the callback is given up (the call then shows in the missed-call list). */
  readonly maxAttempts: number;
}

export const defaultCallbackSettings: CallbackSettings = { dialTemplate: 'PJSIP/{number}@trunk', ringSec: 30, retryAfterSec: 300, maxAttempts: 3 };

export type CallbackEvent =
  | { readonly type: 'registered'; readonly callId: string; readonly queueId: string; readonly number: string }
  | { readonly type: 'dialling'; readonly callId: string; readonly attemptId: string; readonly attempt: number; readonly agentId: string; readonly number: string; readonly did: string }
  | { readonly type: 'unreached'; readonly callId: string; readonly attemptId: string; readonly agentId: string; readonly givenUp: boolean };

export interface Offer {
  readonly request: EnqueueRequest;
  readonly agentId: string;
  readonly agentChannelId: string;
  readonly ringTimeoutMs: number;
}

export interface Ended {
  readonly callId: string;
  readonly agentId: string;
  /** `failed`: a callback attempt that did not reach the citizen; `dropped`: the agent answered but the caller could not be joined (back in the queue). */
  readonly cause: 'caller_hangup' | 'agent_hangup' | 'no_answer' | 'failed' | 'transferred' | 'dropped';
}

export interface EnqueueRequest {
  /** The call's correlation id (the caller's channel id unless the session chose another). */
  readonly callId: string;
  readonly channelId: string;
  readonly queueId: string;
  readonly priority: number;
  /** When the call reached the hotline (ms): the answer clock and escalation count from here. */
  readonly arrivedAt: number;
  readonly callerNumber: string;
  /** The hotline number dialled (the caller id of a callback). */
  readonly did?: string;
  /** A callback attempt: the call whose caller booked it. */
  readonly callbackOf?: string;
  readonly stickyAgentId?: string;
}

export interface Connection {
  readonly callId: string;
  readonly callerChannelId: string;
  readonly agentChannelId: string;
  /** The ACD agent holding the call; '' after a hand-over to a party that is not an agent. */
  readonly agentId: string;
  readonly bridgeId: string;
}

/** A talking call the reconcile found after a restart (queue-reconcile.ts). */
/** The new agent-side party of a connected call (see `handOver`). */
export interface HandOverTo {
  /** The ACD agent now holding the call (on call), or null for a party that is not an agent. */
  readonly agentId: string | null;
  readonly channelId: string;
}

interface LiveCall {
  readonly request: EnqueueRequest;
  /** The call's id in the ACD: the request's, except for a callback attempt (the booked call's). */
  readonly acdId: string;
  readonly log: Logger;
  /** `booking`: a callback is being booked for the waiting caller; `bridging`: the agent answered, the legs are being joined. */
  phase: 'waiting' | 'booking' | 'ringing' | 'bridging' | 'connected' | 'ended';
  /** The caller hung up while the legs were being joined: the call ends as soon as it is connected. */
  callerLeftWhileBridging?: boolean;
  /** The agent's leg that hung up after answering, before or while the caller was joined. */
  agentLegGone?: string;
  /** Channels whose hang-up `onPartyLeft` was asked about (each once). */
  departed?: Set<string>;
  /** A booked callback: no channel until the citizen is called. */
  callback?: { readonly number: string; readonly did: string; readonly attempts: number };
  agentId?: string;
  agentChannelId?: string;
  bridgeId?: string;
  ring?: AbortController;
  offers: number;
  /** The queue's limits when the caller was queued: a later change applies to later callers. */
  limits: QueueLimits;
  overflow?: TimerHandle;
  /** The longest wait passed while an agent rang: overflow after that ring if it fails. */
  overdue?: boolean;
}

export const offersChannel = (instanceId: string): string => `acd:offers:${instanceId}`;

export function createQueueService(options: QueueServiceOptions) {
  const { telephony, acd, store, clock, instanceId } = options;
  const logger = options.logger.child({ component: 'queues' });
  const ringTimeoutSec = options.ringTimeoutSec ?? 20;
  const wrapUpSec = options.wrapUpSec ?? 30;
  const dialTemplate = options.dialTemplate ?? 'PJSIP/{ext}';
  const callbackSettings = { ...defaultCallbackSettings, ...options.callbacks };
  const { limits } = options;
  const limitsOf = async (queueId: string): Promise<QueueLimits> =>
    (typeof limits === 'function' ? await limits(queueId) : limits?.get(queueId)) ?? noLimits;
  const announcer = createQueueAnnouncer({
    telephony, acd, clock, everyMs: (options.announceEverySec ?? 30) * 1000,
    callbackKey: (callId) => calls.get(callId)?.limits.callbackKey,
  });
  /** Pending end-of-wrap-up timers by agent: a new wrap-up replaces the one before. */
  const wrapUps = new Map<string, TimerHandle>();
  const calls = new Map<string, LiveCall>();
  const byChannel = new Map<string, LiveCall>();
  const holdingBridges = new Map<string, Promise<string>>();
  let closed = false;

  const unsubscribe = telephony.onEvent((event) => onEvent(event));
  const unreconcile = telephony.onReconcile(async (snapshot) => {
    // a holding bridge Asterisk no longer has (it restarted) is made again at its next use
    const present = new Set(snapshot.bridges.map((b) => b.id));
    for (const [queueId, bridge] of [...holdingBridges]) {
      const bridgeId = await bridge.catch(() => undefined);
      if (bridgeId !== undefined && !present.has(bridgeId) && holdingBridges.get(queueId) === bridge) holdingBridges.delete(queueId);
    }
    await reconcileQueues(snapshot, {
      acd, telephony, instanceId, logger, wrapUp,
      known: (callId) => calls.has(callId),
      adoptHoldingBridge: (queueId, bridgeId) => void holdingBridges.set(queueId, Promise.resolve(bridgeId)),
      adoptWaiting,
      adoptConnected,
    }).catch((error: unknown) => logger.error({ err: error }, 'queue reconcile failed'));
  });
  const unsubscribeOffers = store.subscribe(offersChannel(instanceId), (message) => {
    const { callId, agentId } = JSON.parse(message) as { callId: string; agentId: string };
    void ring(callId, agentId);
  });

  /** The holding bridge of a queue on this instance, created with music on first use. */
  function holdingBridge(queueId: string): Promise<string> {
    let bridge = holdingBridges.get(queueId);
    if (!bridge) {
      const bridgeId = `hold-${instanceId}-${queueId}`;
      bridge = (async () => {
        await telephony.createBridge('holding', bridgeId, `queue ${queueId}`);
        await telephony.startBridgeMoh(bridgeId);
        return bridgeId;
      })();
      bridge.catch(() => holdingBridges.get(queueId) === bridge && holdingBridges.delete(queueId)); // keep a bridge adopted meanwhile
      holdingBridges.set(queueId, bridge);
    }
    return bridge;
  }

  function track(request: EnqueueRequest, phase: LiveCall['phase'], limits: QueueLimits, acdId = request.callId): LiveCall {
    const call: LiveCall = { request, acdId, log: logger.child({ callId: request.callId, queueId: request.queueId }), phase, offers: 0, limits };
    calls.set(request.callId, call);
    if (request.channelId) byChannel.set(request.channelId, call);
    return call;
  }

  async function adoptWaiting(queued: QueuedCall, inBridge: boolean): Promise<void> {
    const { callId, channelId, queueId, priority, arrivedAt, callerNumber, callback } = queued;
    // the settings in force now (what the caller was queued with is not kept); without them, no callback key
    const limits = await limitsOf(queueId).catch(() => noLimits);
    const call = track({ callId, channelId, queueId, priority, arrivedAt, callerNumber }, 'waiting', limits);
    call.offers = 100; // new agent-leg ids: the legs before the restart may still be winding down
    if (callback) {
      call.callback = callback;
      return;
    }
    // the longest wait counts from the place in the queue (a caller sent back to the head counts from arrival)
    if (limits.maxWaitSec > 0) call.overflow = clock.setTimeout(() => void overflow(call).catch((error: unknown) => call.log.warn({ err: error }, 'overflow failed')), Math.max(0, queued.enqueuedAt + limits.maxWaitSec * 1000 - clock.now()));
    if (!inBridge) await telephony.addToBridge(await holdingBridge(queueId), [channelId]);
    announcer.schedule(announced(call));
  }

  function adoptConnected(c: AdoptedCall): void {
    const call = track({ callId: c.callId, channelId: c.callerChannelId, queueId: '', priority: 0, arrivedAt: 0, callerNumber: '' }, 'connected', noLimits);
    Object.assign(call, { agentChannelId: c.agentChannelId, bridgeId: c.bridgeId, ...(c.agentId ? { agentId: c.agentId } : {}) });
    byChannel.set(c.agentChannelId, call);
    if (c.handedTo && c.agentId) options.onAnswered?.(c.callId, c.agentId); // the expert now serves the caller (the call record's agents)
  }

  /**
   * Parks the caller with music and puts the call in its queue, or gives it back at once when the
   * queue refuses it. `enqueuedAt` (default now) is the place in the queue: a caller sent back keeps
   * the place its arrival gives it.
   */
  async function enqueue(
    request: EnqueueRequest, enqueuedAt = clock.now(),
    requeued?: { readonly offers: number; beforeRoutable(): Promise<void> },
  ): Promise<void> {
    // A call resumed by the IVR after a restart asks again: the ACD has it already and the reconcile
    // adopts it (withdrawing an offer made while this instance was away); tracking it here would hide it.
    if (await acd.call(request.callId)) throw new HotlineError('STORE_CONFLICT', `call ${request.callId} is queued already`);
    const limits = await limitsOf(request.queueId);
    const refusal = await admission(acd, options.queues.get(request.queueId), limits);
    if (refusal) {
      logger.info({ callId: request.callId, queueId: request.queueId, refusal }, 'queue refused the caller');
      options.onLeft?.(request.callId, refusal);
      return;
    }
    const call = track(request, 'waiting', limits);
    call.offers = requeued?.offers ?? 0;
    if (limits.maxWaitSec > 0) call.overflow = clock.setTimeout(() => void overflow(call).catch((error: unknown) => call.log.warn({ err: error }, 'overflow failed')), limits.maxWaitSec * 1000);
    await telephony.addToBridge(await holdingBridge(request.queueId), [request.channelId]);
    await requeued?.beforeRoutable();
    if (phaseOf(call) !== 'waiting') return; // the caller hung up meanwhile: nothing to queue
    await acd.enqueue({
      callId: request.callId, queueId: request.queueId, priority: request.priority, arrivedAt: request.arrivedAt,
      enqueuedAt, instanceId, channelId: request.channelId, callerNumber: request.callerNumber, ...(request.stickyAgentId ? { stickyAgentId: request.stickyAgentId } : {}),
    });
    call.log.info('caller queued');
    options.onEnqueued?.(request);
    announcer.schedule(announced(call));
  }

  /** The longest wait has passed: the caller leaves the queue and goes back to the IVR's `timeout` exit (or books a callback). */
  async function overflow(call: LiveCall): Promise<void> {
    if (call.phase === 'ringing') {
      call.overdue = true;
      return;
    }
    if (call.phase !== 'waiting') return;
    if (call.limits.timeoutTo === 'callback' && (await bookCallback(call))) return;
    if (phaseOf(call) !== 'waiting') return;
    call.phase = 'ended';
    forget(call);
    await acd.abandon(call.acdId, 'overflow');
    await telephony.removeFromBridge(await holdingBridge(call.request.queueId), [call.request.channelId]).catch(() => undefined);
    call.log.info('longest wait passed: back to the flow');
    options.onLeft?.(call.request.callId, 'timeout');
  }

  /** Delivers a reservation made by the router to the instance that holds the call. */
  async function deliver(callId: string, agentId: string, ownerInstanceId: string): Promise<void> {
    if (ownerInstanceId === instanceId) return ring(callId, agentId);
    await store.publish(offersChannel(ownerInstanceId), JSON.stringify({ callId, agentId }));
  }

  async function ring(callId: string, agentId: string): Promise<void> {
    const call = calls.get(callId);
    const agent = await acd.agent(agentId);
    if (!call || phaseOf(call) !== 'waiting') {
      await acd.withdrawOffer(callId, agentId); // not (yet) adopted here, or already gone: no fault of the agent
      return;
    }
    if (!agent || !/^\d{1,16}$/.test(agent.extension)) {
      await acd.rona(callId, agentId); // a seat that cannot be rung: the agent goes not ready
      return;
    }
    if (call.callback) return dialBack(call, agentId, agent.extension);
    const agentChannelId = `${agentLegPrefix(callId)}${++call.offers}`;
    Object.assign(call, { phase: 'ringing', agentId, agentChannelId, ring: new AbortController() });
    announcer.cancel(call.request.callId);
    byChannel.set(agentChannelId, call);
    call.log.info({ agentId }, 'ringing agent');
    options.onOffer?.({ request: call.request, agentId, agentChannelId, ringTimeoutMs: ringTimeoutSec * 1000 });
    try {
      await ringAgent(call, agent.extension, agentChannelId);
    } catch (error) {
      byChannel.delete(agentChannelId);
      if (closed || phaseOf(call) !== 'ringing') return; // shutting down (the next start withdraws the offer), or the caller hung up
      call.phase = 'waiting';
      announcer.schedule(announced(call));
      call.log.info({ agentId, reason: isHotlineError(error) ? error.details?.['reason'] ?? error.code : 'error' }, 'agent did not answer (RONA)');
      await acd.rona(callId, agentId);
      options.onEnded?.({ callId, agentId, cause: 'no_answer' });
      if (call.overdue) await overflow(call);
      return;
    }
    await connect(call, agentId, agentChannelId);
  }

  /** The agent's leg of a call, rung with the call's id as a channel variable; resolves when answered. */
  function ringAgent(call: LiveCall, extension: string, agentChannelId: string): Promise<unknown> {
    return telephony.originate(dialTemplate.replace('{ext}', extension), {
      channelId: agentChannelId,
      timeoutSec: ringTimeoutSec,
      timeoutMs: (ringTimeoutSec + 5) * 1000,
      signal: call.ring!.signal,
      callerId: call.request.callerNumber.replace(/[^0-9+]/g, '').slice(0, 20),
      // the softphone ties the INVITE to the CTI offer by this header (docs/softphone-sip.md)
      variables: { HOTLINE_CALL_ID: call.request.callId, 'PJSIP_HEADER(add,X-Hotline-Call-Id)': call.request.callId },
      appArgs: 'agent',
    });
  }

  /**
   * The waiting caller books a callback: the place is kept in the ACD without a channel, the
   * caller hears the confirmation and is hung up. Resolves false (the caller keeps waiting) when
   * the number cannot be called back or an agent was reserved meanwhile.
   */
  async function bookCallback(call: LiveCall): Promise<boolean> {
    const { request } = call;
    const number = callableNumber(request.callerNumber);
    const target = { kind: 'channel', id: request.channelId } as const;
    if (!number) {
      call.log.info('callback refused: the caller id cannot be called back');
      await telephony.play(target, ['sound:hotline/zh/callback-unavailable'], { playbackId: `${request.channelId}-cbno-${clock.now()}`, timeoutMs: 30_000 }).catch(() => undefined);
      return false;
    }
    call.phase = 'booking';
    const did = (request.did ?? '').replace(/\D/g, '') || '12345';
    if (!(await acd.registerCallback(call.acdId, { number, did }).catch(() => false)) || phaseOf(call) !== 'booking') {
      if (phaseOf(call) === 'booking') call.phase = 'waiting';
      return false;
    }
    call.phase = 'ended';
    forget(call);
    track({ ...request, channelId: '' }, 'waiting', call.limits).callback = { number, did, attempts: 0 };
    call.log.info('callback booked: the caller keeps the place');
    options.onCallback?.({ type: 'registered', callId: request.callId, queueId: request.queueId, number });
    const confirmation = await telephony
      .play(target, ['sound:hotline/zh/callback-registered'], { playbackId: `${request.channelId}-cbok`, timeoutMs: 30_000 })
      .catch(() => undefined);
    await confirmation?.done.catch(() => undefined);
    await telephony.hangup(request.channelId).catch(() => undefined);
    return true;
  }

  /**
   * The place of a booked callback came up and `agentId` is reserved: the agent is rung first, then
   * the citizen is called and joins the agent. Each attempt is a call of its own.
   */
  async function dialBack(booked: LiveCall, agentId: string, extension: string): Promise<void> {
    const { number, did, attempts } = booked.callback!;
    const attempt = attempts + 1;
    const attemptId = callbackAttemptId(booked.request.callId, attempt);
    const request = { ...booked.request, callId: attemptId, channelId: attemptId, callerNumber: number, arrivedAt: clock.now(), did, callbackOf: booked.acdId };
    const call = track(request, 'ringing', booked.limits, booked.acdId);
    const agentChannelId = `${agentLegPrefix(attemptId)}1`;
    Object.assign(call, { agentId, agentChannelId, ring: new AbortController() });
    booked.phase = 'ringing';
    byChannel.set(agentChannelId, call);
    options.onCallback?.({ type: 'dialling', callId: booked.acdId, attemptId, attempt, agentId, number, did });
    options.onOffer?.({ request: call.request, agentId, agentChannelId, ringTimeoutMs: ringTimeoutSec * 1000 });
    call.log.info({ agentId, attempt }, 'callback: ringing the agent first');
    const bridgeId = `call-${attemptId}`;
    try {
      await ringAgent(call, extension, agentChannelId);
    } catch {
      byChannel.delete(agentChannelId);
      if (closed) return;
      call.phase = 'ended';
      forget(call);
      booked.phase = 'waiting';
      calls.set(booked.request.callId, booked);
      await acd.rona(booked.acdId, agentId);
      options.onEnded?.({ callId: attemptId, agentId, cause: 'no_answer' });
      return;
    }
    try {
      await telephony.createBridge('mixing', bridgeId, `callback ${attemptId}`);
      await telephony.addToBridge(bridgeId, [agentChannelId]);
      call.bridgeId = bridgeId;
      await telephony.originate(callbackSettings.dialTemplate.replace('{number}', number), {
        channelId: attemptId,
        timeoutSec: callbackSettings.ringSec,
        timeoutMs: (callbackSettings.ringSec + 5) * 1000,
        signal: call.ring!.signal,
        callerId: did,
        variables: { HOTLINE_CALL_ID: attemptId, HOTLINE_CALLBACK_OF: booked.acdId },
        appArgs: 'callback',
      });
      if (phaseOf(call) !== 'ringing') throw new Error('the agent left while the citizen was called');
      options.onAnswered?.(attemptId, agentId);
      call.phase = 'bridging';
      await telephony.addToBridge(bridgeId, [attemptId]);
    } catch (error) {
      if (closed) return;
      const agentLeft = phaseOf(call) === 'ended' || call.agentLegGone !== undefined;
      call.phase = 'ended';
      forget(call);
      await telephony.hangup(attemptId).catch(() => undefined);
      await telephony.hangup(agentChannelId).catch(() => undefined);
      await telephony.destroyBridge(bridgeId).catch(() => undefined);
      const givenUp = !agentLeft && attempt >= callbackSettings.maxAttempts;
      if (agentLeft) {
        await acd.withdrawOffer(booked.acdId, agentId); // the agent hung up: the place stays, the attempt does not count
      } else {
        await acd.callbackFailed(booked.acdId, agentId, givenUp ? null : clock.now() + callbackSettings.retryAfterSec * 1000);
      }
      if (givenUp) {
        booked.phase = 'ended';
        calls.delete(booked.request.callId);
      } else {
        booked.phase = 'waiting';
        booked.callback = { number, did, attempts: agentLeft ? attempts : attempt };
        calls.set(booked.request.callId, booked);
      }
      call.log.info({ agentId, attempt, givenUp, agentLeft, reason: isHotlineError(error) ? error.details?.['reason'] ?? error.code : 'error' }, 'callback: citizen not reached');
      options.onCallback?.({ type: 'unreached', callId: booked.acdId, attemptId, agentId, givenUp });
      options.onEnded?.({ callId: attemptId, agentId, cause: 'failed' });
      return;
    }
    booked.phase = 'ended';
    calls.delete(booked.request.callId);
    await connected(call, agentId, agentChannelId, bridgeId);
  }

  async function connect(call: LiveCall, agentId: string, agentChannelId: string): Promise<void> {
    if (call.phase !== 'ringing') {
      await telephony.hangup(agentChannelId).catch(() => undefined);
      return;
    }
    const bridgeId = `call-${call.request.callId}`;
    call.phase = 'bridging';
    options.onAnswered?.(call.request.callId, agentId);
    let joined = false;
    if (call.agentLegGone !== agentChannelId) {
      try {
        await telephony.createBridge('mixing', bridgeId, `call ${call.request.callId}`);
        await telephony.addToBridge(bridgeId, [call.request.channelId, agentChannelId]); // moves the caller out of the music
        joined = true;
      } catch (error) {
        if (call.callerLeftWhileBridging) call.log.info({ agentId }, 'the caller hung up while being joined with the agent');
        else call.log.warn({ err: error, agentId }, 'could not bridge caller and agent');
      }
    }
    if (!call.callerLeftWhileBridging && (!joined || call.agentLegGone === agentChannelId)) {
      await backToQueue(call, agentId, agentChannelId, bridgeId, joined);
      return;
    }
    await connected(call, agentId, agentChannelId, bridgeId, joined);
  }

  /**
   * The agent answered but the caller could not be joined with them — their leg was gone (a
   * dropped softphone, a hang-up on answer) or the join failed: the caller goes back to the music
   * at the head of the queue, as if never answered. An agent whose leg dropped goes not ready
   * (`no_answer`, as a RONA: a broken phone must not take call after call); after any other
   * failure the agent is ready again.
   */
  async function backToQueue(call: LiveCall, agentId: string, agentChannelId: string, bridgeId: string, joined: boolean): Promise<void> {
    const agentLeft = call.agentLegGone === agentChannelId;
    call.log.warn({ agentId, agentLeft }, 'the caller was not joined with the agent: back at the head of the queue');
    byChannel.delete(agentChannelId);
    await telephony.hangup(agentChannelId).catch(() => undefined);
    if (joined) await telephony.addToBridge(await holdingBridge(call.request.queueId), [call.request.channelId]).catch(() => undefined);
    await telephony.destroyBridge(bridgeId).catch(() => undefined);
    if (closed) return;
    options.onEnded?.({ callId: call.request.callId, agentId, cause: 'dropped' });
    if (call.callerLeftWhileBridging) {
      call.phase = 'ended';
      forget(call);
      await acd.abandon(call.acdId);
      call.log.info('caller abandoned the queue');
      return;
    }
    call.phase = 'waiting';
    announcer.schedule(announced(call));
    await (agentLeft ? acd.rona(call.acdId, agentId) : acd.withdrawOffer(call.acdId, agentId));
    if (call.overdue) await overflow(call);
  }

  /**
   * The legs are joined: the agent is on call — committed before any hang-up is handled, so the
   * wrap-up that follows always finds the agent on call, never ready on a live leg. A leg that
   * hung up while they were being joined ends the call at once.
   */
  async function connected(call: LiveCall, agentId: string, agentChannelId: string, bridgeId: string, joined = true): Promise<void> {
    call.bridgeId = bridgeId;
    await acd.answered(call.acdId, agentId);
    call.phase = 'connected';
    call.log.info({ agentId }, 'connected to agent');
    // a caller who hung up before the legs were joined was never connected: nothing to record
    if (joined) options.onConnected?.({ callId: call.request.callId, callerChannelId: call.request.channelId, agentChannelId, agentId, bridgeId });
    if (call.callerLeftWhileBridging || call.agentLegGone === agentChannelId) {
      call.phase = 'ended';
      forget(call);
      await hungUpWhileConnected(call, call.callerLeftWhileBridging === true);
    }
  }

  async function onEvent(event: TelephonyEvent): Promise<void> {
    if (event.type === 'dtmf') return onKey(event.channelId, event.digit);
    if (event.type !== 'hung-up' && event.type !== 'left-stasis' && event.type !== 'channel-destroyed') return;
    const call = byChannel.get(event.channelId);
    if (!call || call.phase === 'ended') return;
    const callerLeft = event.channelId === call.request.channelId;
    if (call.acdId !== call.request.callId && call.phase === 'ringing') {
      // a callback attempt not connected yet: dialBack() winds it up; an agent who hangs up while
      // the citizen is being called stops the attempt
      if (!callerLeft && call.bridgeId) {
        call.phase = 'ended';
        call.ring?.abort();
      }
      return;
    }
    if (call.phase === 'bridging' || (call.phase === 'ringing' && event.channelId === call.agentChannelId)) {
      // connect() sees it: a caller gone ends the call once joined, an agent's leg gone sends the
      // caller back to the queue (a leg that never answered: ring() does RONA)
      if (callerLeft) call.callerLeftWhileBridging = true;
      else call.agentLegGone = event.channelId;
      return;
    }
    if (!callerLeft && call.phase !== 'connected') return; // an agent leg already given up
    if (call.phase === 'connected' && options.onPartyLeft) {
      call.departed ??= new Set();
      if (call.departed.has(event.channelId)) return;
      call.departed.add(event.channelId);
      const taken = await options.onPartyLeft(connectionOf(call), callerLeft ? 'caller' : 'agent').catch((error: unknown) => {
        call.log.warn({ err: error }, 'transfer hang-up handling failed: the call ends');
        return false;
      });
      if (taken || phaseOf(call) !== 'connected' || byChannel.get(event.channelId) !== call) return; // taken over, or handed over meanwhile
    }
    const phase = call.phase;
    call.phase = 'ended';
    forget(call);
    if (phase === 'waiting' || phase === 'booking' || phase === 'ringing') {
      call.ring?.abort();
      await acd.abandon(call.acdId);
      if (phase === 'ringing') options.onEnded?.({ callId: call.request.callId, agentId: call.agentId!, cause: 'caller_hangup' });
      call.log.info('caller abandoned the queue');
      return;
    }
    await hungUpWhileConnected(call, callerLeft);
  }

  /**
   * A party of a connected call hung up: the bridge is destroyed, the other party hung up — unless
   * the agent hung up first and the caller is kept for the post-call survey — and the agent wraps up.
   */
  async function hungUpWhileConnected(call: LiveCall, callerLeft: boolean): Promise<void> {
    await telephony.destroyBridge(call.bridgeId!).catch(() => undefined);
    const connection = connectionOf(call);
    const kept = !callerLeft && (await (options.onAgentHungUp?.(connection) ?? Promise.resolve(false)).catch(() => false));
    if (!kept) await telephony.hangup(callerLeft ? call.agentChannelId! : call.request.channelId).catch(() => undefined);
    if (call.agentId) {
      await wrapUp(call.agentId);
      options.onEnded?.({ callId: call.request.callId, agentId: call.agentId, cause: callerLeft ? 'caller_hangup' : 'agent_hangup' });
    }
    call.log.info({ by: callerLeft ? 'caller' : 'agent' }, 'call ended');
  }

  const connectionOf = (call: LiveCall): Connection => ({
    callId: call.request.callId, callerChannelId: call.request.channelId, agentChannelId: call.agentChannelId!, agentId: call.agentId ?? '', bridgeId: call.bridgeId!,
  });

  /**
   * Makes `to.channelId` the agent-side party of a connected call (see the file's doc comment):
   * the previous agent wraps up and is told `transferred`; their leg is left to the caller of this.
   * NOT_FOUND when the call is not connected on this instance.
   */
  async function handOver(callId: string, to: HandOverTo): Promise<void> {
    const call = calls.get(callId);
    if (!call || call.phase !== 'connected') throw new HotlineError('NOT_FOUND', `no connected call ${callId} on this server`);
    const previous = { agentId: call.agentId, channelId: call.agentChannelId };
    if (previous.channelId) byChannel.delete(previous.channelId);
    call.agentChannelId = to.channelId;
    call.agentId = to.agentId ?? undefined;
    byChannel.set(to.channelId, call);
    call.log.info({ from: previous.agentId ?? null, to: to.agentId }, 'call handed over');
    if (previous.agentId && previous.agentId !== to.agentId) {
      await wrapUp(previous.agentId);
      options.onEnded?.({ callId, agentId: previous.agentId, cause: 'transferred' });
    }
  }

  /**
   * Blind transfer to a queue: the caller of a connected call leaves the agent (who wraps up, told
   * `transferred`) and waits in `queueId` with music, keeping the arrival time. TRANSFER_TARGET_BUSY
   * when the queue refuses the caller now (full, nobody logged in): then nothing changed. `head`:
   * the caller keeps the place its arrival time gives it (ahead of everyone who called later), as
   * after a RONA — for a caller whose transfer failed.
   */
  async function requeue(callId: string, queueId: string, { head = false }: { head?: boolean } = {}): Promise<void> {
    const call = calls.get(callId);
    if (!call || call.phase !== 'connected') throw new HotlineError('NOT_FOUND', `no connected call ${callId} on this server`);
    const refusal = await admission(acd, options.queues.get(queueId), await limitsOf(queueId));
    if (refusal) throw new HotlineError('TRANSFER_TARGET_BUSY', `queue ${queueId} refuses the caller now (${refusal})`, { reason: refusal });
    if (phaseOf(call) !== 'connected') throw new HotlineError('NOT_FOUND', `no connected call ${callId} on this server`);
    call.phase = 'ended';
    forget(call);
    const { stickyAgentId: _sticky, ...request } = call.request;
    // the caller hears the music at once; the agent's leg and the call's bridge go before the caller
    // can be offered again (the next connection makes a bridge of the same id), and the next agent's
    // leg gets a new id (Asterisk may still hold the old one a moment after the hang-up)
    await enqueue({ ...request, queueId }, head ? request.arrivedAt : clock.now(), {
      offers: call.offers,
      async beforeRoutable() {
        await telephony.hangup(call.agentChannelId!).catch(() => undefined);
        await telephony.destroyBridge(call.bridgeId!).catch(() => undefined);
      },
    });
    if (call.agentId) {
      await wrapUp(call.agentId);
      options.onEnded?.({ callId, agentId: call.agentId, cause: 'transferred' });
    }
    call.log.info({ queueId }, 'caller transferred to a queue');
  }

  /** The waiting caller pressed a key: the queue's callback key books a callback. */
  async function onKey(channelId: string, digit: string): Promise<void> {
    const call = byChannel.get(channelId);
    if (!call || call.phase !== 'waiting' || channelId !== call.request.channelId) return;
    if (call.limits.callbackKey !== digit) return;
    await bookCallback(call).catch((error: unknown) => call.log.warn({ err: error }, 'callback not booked'));
  }

  /** The agent wraps up; the wrap-up ends by itself after `wrapUpSec` unless the agent ended it (or a later one began). */
  async function wrapUp(agentId: string): Promise<void> {
    wrapUps.get(agentId)?.cancel();
    const agent = await acd.applyAgent(agentId, { type: 'call_ended' }).catch((error: unknown) => void logger.warn({ err: error, agentId }, 'wrap-up failed'));
    if (!agent) return;
    const since = agent.status.since;
    wrapUps.set(agentId, clock.setTimeout(() => {
      wrapUps.delete(agentId);
      void (async () => {
        const now = await acd.agent(agentId);
        if (now?.status.state !== 'wrap_up' || now.status.since !== since) return; // ended by hand, or another call's wrap-up
        await acd.applyAgent(agentId, { type: 'end_wrap_up' });
      })().catch((error: unknown) => {
        if (!isHotlineError(error, 'AGENT_BAD_TRANSITION')) logger.warn({ err: error, agentId }, 'ending wrap-up failed');
      });
    }, wrapUpSec * 1000));
  }

  const announced = (call: LiveCall) => ({ callId: call.request.callId, channelId: call.request.channelId, log: call.log });

  /** The phase now (other handlers may have changed it while this one awaited). */
  const phaseOf = (call: LiveCall): LiveCall['phase'] => call.phase;

  function forget(call: LiveCall): void {
    call.overflow?.cancel();
    announcer.cancel(call.request.callId);
    calls.delete(call.request.callId);
    byChannel.delete(call.request.channelId);
    if (call.agentChannelId) byChannel.delete(call.agentChannelId);
  }

  return {
    enqueue: (request: EnqueueRequest): Promise<void> => enqueue(request),
    deliver,
    /** Calls this instance holds in a queue, ringing or connected. */
    liveCalls: (): number => calls.size,
    /** The legs of a ringing or connected call held by this instance (`bridgeId` once connected). */
    connection(callId: string): { callerChannelId: string; agentChannelId?: string; agentId?: string; bridgeId?: string; phase: string; callerNumber: string; queueId?: string } | undefined {
      const call = calls.get(callId);
      if (!call) return undefined;
      return {
        callerChannelId: call.request.channelId, phase: call.phase, callerNumber: call.request.callerNumber,
        ...(call.request.queueId ? { queueId: call.request.queueId } : {}),
        ...(call.agentChannelId ? { agentChannelId: call.agentChannelId } : {}),
        ...(call.agentId ? { agentId: call.agentId } : {}),
        ...(call.bridgeId && call.phase === 'connected' ? { bridgeId: call.bridgeId } : {}),
      };
    },
    handOver,
    requeue,
    /** A party's hang-up that a transfer saw first while handing the call over: handled as if it came now. */
    channelGone: (channelId: string): Promise<void> => onEvent({ type: 'hung-up', channelId, cause: 16, byApp: false }),
    /** The agent wraps up after a call of theirs ended (the wrap-up timer ends it); e.g. an expert after a consult. */
    wrapUp,
    async close(): Promise<void> {
      closed = true;
      unsubscribe();
      unreconcile();
      await (await unsubscribeOffers)();
      for (const call of calls.values()) {
        call.ring?.abort();
        call.overflow?.cancel(); // the next start sets it again from the place in the queue
      }
      for (const timer of wrapUps.values()) timer.cancel();
    },
  };
}

export type QueueService = ReturnType<typeof createQueueService>;
