/**
 * The live-call IVR runtime: answers each inbound call, pins the version of its DID's flow that
 * is live (staging for configured test callers) for the whole call, and runs an IVR session on
 * it. Telephony events are routed to the call's session in arrival order. After a (re)connect it
 * carries on the calls it has saved states for, parks live calls it knows nothing about in the
 * fallback queue, and finishes saved calls whose channel vanished meanwhile (a recording cut off
 * by the hang-up still files its ticket). Replaces src/calls/greeting-calls.ts (same shape:
 * `activeCalls`, `drain`, `close`).
 */
import type { Clock } from '../../clock.ts';
import { HotlineError, isHotlineError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { untrusted } from '../../log.ts';
import type { ChannelInfo, ReconcileSnapshot, TelephonyEvent, TelephonyPort } from '../../telephony/port.ts';
import { compileFlow } from '../compile.ts';
import { createInterpreter, type Interpreter, type InterpreterEnv } from '../interpreter.ts';
import type { DidFlows } from '../versions/did-flows.ts';
import type { FlowVersions } from '../versions/flow-versions.ts';
import { createCallStateStore, type CallStateStore, type SavedCall } from './call-state-store.ts';
import { createHttpLookup, type HttpLookup } from './http-lookup.ts';
import { createIvrSession, type CallFacts, type IvrSession, type SessionDeps } from './ivr-session.ts';
import { createParkedCall } from './parked-call.ts';
import type { QueueEntry, TicketIntake, TransferPort } from './runtime-ports.ts';
import type { Store } from '../../store/store.ts';

export interface IvrCallsOptions {
  readonly telephony: TelephonyPort;
  readonly versions: FlowVersions;
  readonly didFlows: DidFlows;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly tickets: TicketIntake;
  readonly queue: QueueEntry;
  readonly transfer?: TransferPort;
  /** Default: fetch to catalogue services only. */
  readonly lookup?: HttpLookup;
  /** Interpreter settings (step budget, type-ahead size, fallback queue, recording grace). */
  readonly env?: Omit<InterpreterEnv, 'catalogue'>;
  /** Asterisk node name: saved call states are kept per node. Default `local`. */
  readonly node?: string;
  /** Told when a caller rates the call in a survey node (一次一评). */
  readonly onRating?: (rating: CallRating) => void;
  /** Told what each call did in the IVR (for the call record). */
  readonly onCallEvent?: SessionDeps['onCallEvent'];
  /**
   * Blacklisted callers (src/security/blacklist.ts): a call whose number `refuses` is answered,
   * hears `prompt` and is hung up. Never asked for a call without a number. A failing check lets
   * the call in (a store outage must not turn citizens away).
   */
  readonly blocked?: { refuses(callerNumber: string): Promise<boolean>; readonly prompt: string };
}

export interface CallRating {
  readonly callId: string;
  readonly flowId: string;
  readonly rating: 1 | 2 | 3;
  readonly label: 'satisfied' | 'basically-satisfied' | 'dissatisfied';
}

export interface IvrCalls {
  activeCalls(): number;
  /**
   * Runs a flow's live version on a channel the IVR does not hold, already answered — e.g. the
   * post-call survey after the agent hung up. The call then belongs to the IVR until the flow ends.
   */
  startFlow(channelId: string, flowId: string, facts: { callerNumber: string; did?: string; vars?: Readonly<Record<string, string>> }): Promise<void>;
  /** The session of a live call (tests, supervision). */
  session(channelId: string): IvrSession | undefined;
  /** Stops taking calls; resolves when none is left or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<void>;
  /** Stops handling: calls stay up with their saved state for the next instance. */
  close(): void;
}

type Arrival = Extract<TelephonyEvent, { type: 'call-arrived' }>;

/**
 * The Stasis arguments of the legs the server originates itself (agent, callback, transfer and
 * supervision legs; src/acd). Such a leg in the app is never a caller: after a restart or a cut
 * ARI connection its StasisStart or its listing comes without the origin the adapter remembered,
 * and the queue's or the transfer desk's reconcile owns it.
 */
const ownLegArgs: ReadonlySet<string> = new Set(['agent', 'callback', 'transfer', 'supervisor', 'supervisor-line']);
const isOwnLeg = (args: readonly string[]): boolean => args[0] !== undefined && ownLegArgs.has(args[0]);
const argsOf = (channel: ChannelInfo): string[] => channel.dialplan.appData.split(',').slice(1).filter((a) => a !== '');

/** A listed, not yet answered channel as if its StasisStart had come (DID: first app argument, else the extension). */
function arrivalOf(channel: ChannelInfo): Arrival {
  const args = argsOf(channel);
  return {
    type: 'call-arrived', channelId: channel.id, channelName: channel.name, caller: channel.caller, did: args[0] ?? channel.dialplan.exten,
    args, dialplan: channel.dialplan, state: channel.state,
  };
}

export function createIvrCalls(options: IvrCallsOptions): IvrCalls {
  const { telephony, versions, didFlows, clock, logger } = options;
  const catalogue = versions.catalogue;
  const env: InterpreterEnv = { ...options.env, catalogue };
  const fallbackQueue = options.env?.fallbackQueue ?? 'general';
  const states: CallStateStore = createCallStateStore(options.store, options.node);
  const deps: SessionDeps = {
    telephony, clock, tickets: options.tickets, queue: options.queue, transfer: options.transfer,
    lookup: options.lookup ?? createHttpLookup(catalogue), states,
    ...(options.onRating && { onRating: options.onRating }),
    ...(options.onCallEvent && { onCallEvent: options.onCallEvent }),
  };
  const sessions = new Map<string, IvrSession>();
  /** Compiled flows by hash: versions are immutable, so this never goes stale. */
  const interpreters = new Map<string, Interpreter>();
  /** Calls being answered right now (an arrival can be seen by reconcile and as an event). */
  const arriving = new Set<string>();
  let draining = false;
  let idle: (() => void) | undefined;

  const unsubscribe = telephony.onEvent((event) => route(event));
  const unreconcile = telephony.onReconcile((snapshot) => reconcile(snapshot));

  function route(event: TelephonyEvent): Promise<void> | void {
    switch (event.type) {
      case 'call-arrived': return arrive(event);
      case 'dtmf':
        if (/^[0-9*#A-D]$/.test(event.digit)) sessions.get(event.channelId)?.feed({ type: 'dtmf', digit: event.digit });
        return;
      case 'hung-up': case 'left-stasis':
        sessions.get(event.channelId)?.callerGone();
        return;
      case 'recording-finished': case 'recording-failed':
        if (event.target.kind === 'channel') {
          sessions.get(event.target.id)?.recordingEnded(event.name, event.type === 'recording-finished' ? event.durationSec : undefined, event.type === 'recording-failed');
        }
        return;
      default:
        return;
    }
  }

  async function interpreterFor(flowId: string, hash: string): Promise<Interpreter> {
    const cached = interpreters.get(hash);
    if (cached) return cached;
    const version = await versions.getVersion(flowId, hash);
    if (!version) throw new HotlineError('FLOW_NOT_FOUND', `flow ${flowId} has no version ${hash.slice(0, 12)}`);
    const interpreter = createInterpreter(compileFlow(version.flow, { catalogue }), env);
    interpreters.set(hash, interpreter);
    return interpreter;
  }

  /** The version a new call is pinned to: staging for test callers when there is one, else live. */
  async function pin(flowId: string, callerNumber: string): Promise<{ alias: 'live' | 'staging'; hash: string } | null> {
    const aliases = await versions.aliases(flowId);
    if (didFlows.isTestCaller(callerNumber) && aliases.staging !== null) return { alias: 'staging', hash: aliases.staging };
    return aliases.live === null ? null : { alias: 'live', hash: aliases.live };
  }

  async function arrive(event: Arrival): Promise<void> {
    if (sessions.has(event.channelId) || arriving.has(event.channelId)) return; // already taken on by reconcile
    if (isOwnLeg(event.args)) return;
    arriving.add(event.channelId);
    try {
      await start(event);
    } finally {
      arriving.delete(event.channelId);
    }
  }

  async function start(event: Arrival): Promise<void> {
    const did = event.did && /^\d{3,20}$/.test(event.did) ? event.did : undefined;
    const callerNumber = event.caller.number.replace(/[^0-9+]/g, '').slice(0, 20);
    const log = logger.child({ callId: event.channelId, channelId: event.channelId, did: did ?? 'unknown' });
    if (draining) {
      log.info('draining: handing the call back to the dialplan');
      await telephony.continueInDialplan(event.channelId).catch((error: unknown) => log.warn({ err: error }, 'continue failed'));
      return;
    }
    log.info({ input: untrusted(event.caller.number) }, 'call arrived');
    if (callerNumber !== '' && (await isBlocked(callerNumber, log))) return refuse(event.channelId, log);
    const flowId = didFlows.flowFor(did);
    const facts = { channelId: event.channelId, did, callerNumber, alias: 'live' as const };
    try {
      await telephony.answer(event.channelId);
      const pinned = await pin(flowId, callerNumber);
      if (!pinned) {
        log.error({ flowId, code: 'IVR_NO_FLOW' }, 'the flow has no published version: the caller goes to the fallback queue');
        return park(facts, log);
      }
      const interpreter = await interpreterFor(flowId, pinned.hash);
      const session = createIvrSession(deps, interpreter, { ...facts, alias: pinned.alias }, log.child({ flowId, version: pinned.hash.slice(0, 12) }), ended);
      sessions.set(event.channelId, session);
      session.feed({ type: 'started', callId: event.channelId, vars: { caller_number: callerNumber, ...(did && { did }) } });
    } catch (error) {
      if (isHotlineError(error, 'TELEPHONY_CHANNEL_GONE') && !sessions.has(event.channelId)) {
        log.info('the channel was gone before it was answered: nothing to do'); // a caller who hung up at once, or an event about a channel Asterisk does not have
        return;
      }
      log.error({ err: error }, 'could not start the IVR: the caller goes to the fallback queue');
      if (!sessions.has(event.channelId)) park(facts, log);
    }
  }

  async function isBlocked(callerNumber: string, log: Logger): Promise<boolean> {
    if (!options.blocked) return false;
    try {
      return await options.blocked.refuses(callerNumber);
    } catch (error) {
      log.warn({ err: error }, 'blacklist check failed: the call is let in');
      return false;
    }
  }

  /** A blacklisted caller: a short refusal, then hang up. */
  async function refuse(channelId: string, log: Logger): Promise<void> {
    log.info('blacklisted caller: refused');
    try {
      await telephony.answer(channelId);
      const playback = await telephony.play({ kind: 'channel', id: channelId }, [options.blocked!.prompt], { playbackId: `${channelId}-blocked`, timeoutMs: 30_000 });
      await playback.done;
    } catch (error) {
      log.warn({ err: error }, 'refusal prompt not played');
    }
    await telephony.hangup(channelId, 'rejected').catch(() => undefined);
  }

  /** A call without a flow (none published, or lost state): straight to the fallback queue. */
  function park(facts: CallFacts, log: Logger): void {
    const parked = createParkedCall(deps, facts, fallbackQueue, log, ended);
    sessions.set(facts.channelId, parked);
  }

  function ended(session: IvrSession): void {
    if (sessions.get(session.channelId) === session) sessions.delete(session.channelId);
    if (sessions.size === 0) idle?.();
  }

  async function reconcile(snapshot: ReconcileSnapshot): Promise<void> {
    const bridged = new Set(snapshot.bridges.flatMap((b) => b.channelIds));
    const live = new Map<string, ChannelInfo>();
    for (const channel of snapshot.channels) if (channel.inApp) live.set(channel.id, channel);
    for (const [channelId, session] of [...sessions]) {
      if (!live.has(channelId)) session.callerGone(); // hung up while we were disconnected
    }
    for (const channelId of await states.list()) {
      if (sessions.has(channelId)) continue;
      const saved = await states.load(channelId);
      if (!saved) {
        await states.remove(channelId);
        continue;
      }
      const session = await adopt(saved);
      if (session && !live.has(channelId)) session.callerGone();
    }
    for (const channel of live.values()) {
      if (sessions.has(channel.id) || arriving.has(channel.id) || bridged.has(channel.id) || channel.dialplan.appName !== 'Stasis' || isOwnLeg(argsOf(channel))) continue;
      if (channel.state === 'Ring' || channel.state === 'Ringing') {
        // not answered yet: a new call (its StasisStart may come next, or was lost while disconnected)
        await arrive(arrivalOf(channel));
        continue;
      }
      const log = logger.child({ callId: channel.id, channelId: channel.id });
      log.warn('a live call without a saved IVR state: the caller goes to the fallback queue');
      park({ channelId: channel.id, did: undefined, callerNumber: channel.caller.number.replace(/[^0-9+]/g, '').slice(0, 20), alias: 'live' }, log);
    }
  }

  async function adopt(saved: SavedCall): Promise<IvrSession | undefined> {
    const log = logger.child({ callId: saved.channelId, channelId: saved.channelId });
    if (saved.state === null) {
      park(saved, log);
      return sessions.get(saved.channelId);
    }
    try {
      const interpreter = await interpreterFor(saved.state.flowId, saved.state.version);
      const session = createIvrSession(deps, interpreter, saved, log.child({ flowId: saved.state.flowId, version: saved.state.version.slice(0, 12) }), ended, {
        state: saved.state, request: saved.request,
      });
      sessions.set(saved.channelId, session);
      log.info({ node: saved.state.node }, 'carrying on a call after a restart');
      return session;
    } catch (error) {
      log.error({ err: error }, 'cannot resume the saved call: the caller goes to the fallback queue');
      park(saved, log);
      return sessions.get(saved.channelId);
    }
  }

  async function startFlow(channelId: string, flowId: string, facts: { callerNumber: string; did?: string; vars?: Readonly<Record<string, string>> }): Promise<void> {
    if (sessions.has(channelId) || arriving.has(channelId)) throw new HotlineError('IVR_CALL_IN_FLOW', `channel ${channelId} is already in the IVR`);
    const callerNumber = facts.callerNumber.replace(/[^0-9+]/g, '').slice(0, 20);
    const log = logger.child({ callId: channelId, channelId, flowId });
    const pinned = await pin(flowId, callerNumber);
    if (!pinned) throw new HotlineError('IVR_NO_FLOW', `flow ${flowId} has no published version`);
    const interpreter = await interpreterFor(flowId, pinned.hash);
    const session = createIvrSession(deps, interpreter, { channelId, did: facts.did, callerNumber, alias: pinned.alias }, log.child({ version: pinned.hash.slice(0, 12) }), ended);
    sessions.set(channelId, session);
    session.feed({ type: 'started', callId: channelId, vars: { ...facts.vars, caller_number: callerNumber, ...(facts.did && { did: facts.did }) } });
  }

  return {
    activeCalls: () => sessions.size,
    startFlow,
    session: (channelId) => sessions.get(channelId),
    async drain(timeoutMs) {
      draining = true;
      if (sessions.size === 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        idle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    },
    close() {
      unsubscribe();
      unreconcile();
      for (const session of sessions.values()) session.stop();
      sessions.clear();
    },
  };
}
