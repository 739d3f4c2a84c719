/**
 * Supervision of live agent calls (issue 6, docs/supervision.md, ADR 0009): a supervisor sends
 * `supervisor.monitor | whisper | barge | takeOver {callId}` over the CTI; the supervisor's seat is
 * rung (`PJSIP/<ext>`) and, once answered, attached to the call:
 * - monitor: a snoop on the agent's leg (spy both) shares a supervision bridge with the supervisor;
 * - whisper: the same with a snoop that also whispers toward the agent (whisper out);
 * - barge: the supervisor's leg joins the call's mixing bridge (all three hear each other);
 * - take-over: barge, then the call is handed over to the supervisor and the agent's leg hung up.
 * Switching makes the new path before it breaks the old one and never hangs up the supervisor's
 * leg. Every session is audited (supervision-audit.ts) and noted in the call record; the supervisor
 * follows it as `supervision.state` events on their own topic. Calls are supervised on the
 * instance that holds them; other instances answer NOT_FOUND.
 */
import { randomBytes } from 'node:crypto';
import type { User } from '../auth/user-service.ts';
import type { Clock } from '../clock.ts';
import { agentTopic } from '../cti/access.ts';
import type { EventBus } from '../cti/event-bus.ts';
import type { CtiGateway } from '../cti/gateway.ts';
import { HotlineError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { TelephonyEvent, TelephonyPort } from '../telephony/port.ts';
import type { SupervisionAudit, SupervisionRecord } from './supervision-audit.ts';
import { createSupervisionLegs, type SessionLegs } from './supervision-legs.ts';
import { transition, type EndReason, type SessionState, type SupervisionMode } from './supervision-session.ts';
import { onCallCommand, type DeskRelay } from './desk-relay.ts';

/** The legs of a call on this instance, as the queue service reports them. */
export interface CallLegs {
  readonly callerChannelId: string;
  readonly agentChannelId?: string;
  readonly agentId?: string;
  readonly bridgeId?: string;
  readonly phase: string;
  readonly callerNumber?: string;
}

export interface SupervisionOptions {
  readonly cti: Pick<CtiGateway, 'onCommand'>;
  /** Runs the commands on the instance that holds the call (two or more instances); none: this instance only. */
  readonly relay?: DeskRelay;
  readonly bus: Pick<EventBus, 'publish'>;
  readonly telephony: TelephonyPort;
  readonly audit: SupervisionAudit;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly instanceId: string;
  readonly getUser: (username: string) => Promise<User | null>;
  /** The legs of a call this instance holds (the queue service's `connection`). */
  readonly connection: (callId: string) => CallLegs | undefined;
  /** Makes `channelId` the call's agent-side party (the queue service's `handOver`). */
  readonly handOver: (callId: string, to: { agentId: string | null; channelId: string }) => Promise<void>;
  /** Dial string of the supervisor's seat; `{ext}` is replaced by the extension (digits only). */
  readonly dialTemplate?: string;
  /** Seconds the supervisor's phone rings. */
  readonly ringTimeoutSec?: number;
  /** Notes a supervision step in the call record (`mode` is a mode or `ended`). */
  readonly onNote?: (callId: string, note: { at: number; supervisor: string; mode: string }) => void;
}

interface Session extends SessionLegs {
  readonly id: string;
  readonly supervisor: string;
  readonly callId: string;
  readonly agentId: string;
  readonly callerLeg: string;
  readonly log: Logger;
  readonly ring: AbortController;
  state: SessionState;
  /** While ringing: the mode to enter once answered (the latest asked for). */
  requested: SupervisionMode;
  /** The supervisor's phone answered (the leg is in the app). */
  answered: boolean;
  /** Set just before the hand-over: the call's later 'transferred' end is this session's own doing. */
  takingOver: boolean;
  endReason?: EndReason;
  /** Call legs the server hung up (the reason comes from the call's end, or the other leg). */
  readonly legsGone: string[];
  moves: Promise<unknown>;
  audit: Promise<SupervisionRecord>;
  events: Promise<unknown>;
}

type Reply = { sessionId: string; callId: string; mode: SessionState; requested?: SupervisionMode };

const bad = (reason: string, message: string, details: Record<string, unknown> = {}) =>
  new HotlineError('SUPERVISION_BAD_STATE', message, { reason, ...details });

export function createSupervision(options: SupervisionOptions) {
  const { cti, bus, telephony, audit, clock, instanceId } = options;
  const logger = options.logger.child({ component: 'supervision' });
  const dialTemplate = options.dialTemplate ?? 'PJSIP/{ext}';
  const ringTimeoutSec = options.ringTimeoutSec ?? 20;
  const bySupervisor = new Map<string, Session>();
  const byCall = new Map<string, Session>();
  const byLeg = new Map<string, Session>();
  const legs = createSupervisionLegs({ telephony, clock, callBridge: (callId) => options.connection(callId)?.bridgeId ?? `call-${callId}` });

  const unsubscribe = telephony.onEvent((event) => onEvent(event));
  const unreconcile = telephony.onReconcile(async ({ channels, bridges, firstConnect }) => {
    const live = (id: string) => [...byCall.values()].some((s) => id.startsWith(s.leg));
    // a supervisor who took a call over holds it: the queue reconcile (which runs first) adopted the call with that leg
    const holding = (id: string) => bridges.some((b) => b.id.startsWith('call-') && b.channelIds.includes(id) && options.connection(b.id.slice('call-'.length))?.agentChannelId === id);
    for (const channel of channels) {
      if (channel.inApp && channel.id.startsWith('sv-') && !live(channel.id) && !holding(channel.id)) await telephony.hangup(channel.id).catch(() => undefined);
    }
    const ours = new Set(channels.filter((c) => c.inApp).map((c) => c.id));
    for (const bridge of bridges) {
      if (bridge.id.startsWith('sv-') && !live(bridge.id) && bridge.channelIds.every((id) => ours.has(id))) await telephony.destroyBridge(bridge.id).catch(() => undefined);
    }
    if (firstConnect) await closeOrphans().catch((error: unknown) => logger.warn({ err: error }, 'supervision audit not closed'));
  });

  onCallCommand(cti, options.relay, 'supervisor.monitor', (username, { callId }) => supervise(username, callId, 'monitor'));
  onCallCommand(cti, options.relay, 'supervisor.whisper', (username, { callId }) => supervise(username, callId, 'whisper'));
  onCallCommand(cti, options.relay, 'supervisor.barge', (username, { callId }) => supervise(username, callId, 'barge'));
  onCallCommand(cti, options.relay, 'supervisor.takeOver', (username, { callId }) => supervise(username, callId, 'takeOver'));
  onCallCommand(cti, options.relay, 'supervisor.leave', (username, { callId }) => leave(username, callId));

  /** Starts a session (ringing the supervisor), or switches the mode of the supervisor's session on this call. */
  async function supervise(username: string, callId: string, mode: SupervisionMode): Promise<Reply> {
    const own = bySupervisor.get(username);
    if (own) {
      if (own.callId !== callId) throw bad('busy', `you supervise call ${own.callId}: leave it first`, { callId: own.callId });
      return serial(own, () => switchTo(own, mode));
    }
    const user = await options.getUser(username);
    if (!user?.extension || !/^\d{1,16}$/.test(user.extension)) throw new HotlineError('FORBIDDEN', 'no seat is assigned to you: ask an admin (your phone is rung to listen)');
    const call = options.connection(callId);
    if (!call) throw new HotlineError('NOT_FOUND', 'no such call on this server');
    if (call.phase !== 'connected' || !call.agentChannelId || !call.agentId) throw bad('not_connected', `the call is ${call.phase}, not connected to an agent`);
    if (bySupervisor.has(username)) throw bad('busy', 'you started another supervision meanwhile');
    const other = byCall.get(callId);
    if (other) throw bad('supervised', `${other.supervisor} supervises this call`, { supervisor: other.supervisor });
    if (call.agentId === username) throw new HotlineError('FORBIDDEN', 'you cannot supervise your own call');

    const id = `${clock.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    const s: Session = {
      id, supervisor: username, callId, agentId: call.agentId, agentLeg: call.agentChannelId, callerLeg: call.callerChannelId,
      leg: `sv-${id}`, snoops: new Set(), counter: 0, where: 'none',
      log: logger.child({ callId, sessionId: id, supervisor: username }), ring: new AbortController(),
      state: 'ringing', requested: mode, answered: false, takingOver: false, legsGone: [], moves: Promise.resolve(), events: Promise.resolve(),
      audit: Promise.resolve({ sessionId: id, supervisor: username, agentId: call.agentId, callId, instanceId, startedAt: clock.now(), modes: [] }),
    };
    bySupervisor.set(username, s);
    byCall.set(callId, s);
    for (const leg of [s.leg, s.agentLeg, s.callerLeg]) byLeg.set(leg, s);
    audited(s, (record) => audit.start(record));
    publish(s, 'ringing', false);
    s.log.info({ agentId: s.agentId, mode }, 'supervision: ringing the supervisor');
    void ring(s, user.extension, (call.callerNumber ?? '').replace(/[^0-9+]/g, '').slice(0, 20));
    return { sessionId: id, callId, mode: 'ringing', requested: mode };
  }

  async function ring(s: Session, extension: string, callerId: string): Promise<void> {
    try {
      await telephony.originate(dialTemplate.replace('{ext}', extension), {
        channelId: s.leg, timeoutSec: ringTimeoutSec, timeoutMs: (ringTimeoutSec + 5) * 1000, signal: s.ring.signal,
        ...(callerId ? { callerId } : {}), variables: { HOTLINE_CALL_ID: s.callId, HOTLINE_SUPERVISION: s.id }, appArgs: 'supervisor-line',
      });
    } catch (error) {
      if (s.state !== 'ended') void end(s, isNoAnswer(error) ? 'no_answer' : 'failed');
      return;
    }
    s.answered = true;
    await serial(s, async () => {
      if (s.state !== 'ringing') return; // ended meanwhile: the clean-up hangs the leg up
      await rewire(s, s.requested);
    }).catch((error: unknown) => s.log.warn({ err: error }, 'supervisor not attached'));
  }

  /** Runs a mode change: monitor, whisper and barge switch on the same leg; the same mode again changes nothing. */
  async function switchTo(s: Session, mode: SupervisionMode): Promise<Reply> {
    if (s.state === 'ended') throw bad('ended', 'the supervision has ended');
    if (s.state === 'ringing') {
      s.requested = mode;
      return { sessionId: s.id, callId: s.callId, mode: 'ringing', requested: mode };
    }
    if (s.state !== mode) {
      transition(s.state, mode);
      await rewire(s, mode);
    }
    return { sessionId: s.id, callId: s.callId, mode: s.state };
  }

  /** Wires the sound for `mode` and enters it; a failure ends the session (nothing is left half-wired). */
  async function rewire(s: Session, mode: SupervisionMode): Promise<void> {
    try {
      await legs.wire(s, mode, () => s.state === 'ended', async () => {
        s.takingOver = true;
        await options.handOver(s.callId, { agentId: null, channelId: s.leg });
        byLeg.delete(s.agentLeg);
        await telephony.hangup(s.agentLeg).catch(() => undefined);
      });
    } catch (error) {
      if (s.state === 'ended') throw bad('ended', 'the call ended meanwhile', { endReason: s.endReason });
      s.log.warn({ err: error, mode }, 'supervision could not switch');
      void end(s, 'failed');
      throw error;
    }
    s.state = transition(s.state, mode);
    audited(s, (record) => audit.mode(record, mode));
    publish(s, mode, false);
    note(s, mode);
    s.log.info({ mode }, 'supervision mode');
  }

  async function leave(username: string, callId: string): Promise<Reply> {
    const s = bySupervisor.get(username);
    if (!s || s.callId !== callId) throw new HotlineError('NOT_FOUND', 'you do not supervise this call');
    const mode = s.state;
    await end(s, 'left');
    return { sessionId: s.id, callId, mode };
  }

  /**
   * Ends a session once: the supervisor is told, the audit closed, then (after any move under way)
   * the snoops, the supervisor's leg and the supervision bridge go. A taken-over call keeps its
   * supervisor leg on shutdown (the supervisor holds the call); `left` hangs it up like an agent.
   */
  function end(s: Session, reason: EndReason): Promise<unknown> {
    if (s.state === 'ended') return s.moves;
    const from = s.state;
    s.state = 'ended';
    s.endReason = reason;
    bySupervisor.delete(s.supervisor);
    byCall.delete(s.callId);
    for (const leg of [s.leg, s.agentLeg, s.callerLeg]) if (byLeg.get(leg) === s) byLeg.delete(leg);
    s.ring.abort();
    audited(s, (record) => audit.end(record, reason));
    publish(s, from, true, reason);
    if (from !== 'ringing') note(s, 'ended');
    s.log.info({ reason, from }, 'supervision ended');
    const keepLeg = from === 'takeOver' && reason === 'shutdown';
    const cleanup = () => legs.release(s, keepLeg);
    s.moves = s.moves.then(cleanup, cleanup).catch((error: unknown) => s.log.warn({ err: error }, 'supervision clean-up failed'));
    return s.moves;
  }

  async function onEvent(event: TelephonyEvent): Promise<void> {
    if (event.type === 'channel-started') return legs.started(event.channelId);
    if (event.type !== 'hung-up' && event.type !== 'left-stasis' && event.type !== 'channel-destroyed') return;
    legs.gone(event.channelId);
    const s = byLeg.get(event.channelId);
    if (!s || s.state === 'ended') return;
    const id = event.channelId;
    const farEnd = event.type === 'hung-up' && !event.byApp;
    if (id === s.leg) {
      if (s.answered) await end(s, 'supervisor_hangup'); // before the answer, ring() sees the originate fail
      return;
    }
    if (farEnd) {
      await end(s, id === s.callerLeg ? 'caller_hangup' : 'agent_hangup');
      return;
    }
    if (!s.legsGone.includes(id)) s.legsGone.push(id);
    // hung up by the server: the call's end (callEnded) tells why; if it never comes, both legs gone do
    if (s.legsGone.includes(s.callerLeg) && (s.legsGone.includes(s.agentLeg) || s.takingOver)) {
      await end(s, s.legsGone[0] === s.agentLeg ? 'agent_hangup' : 'caller_hangup');
    }
  }

  /** The queue service ended the call for the agent (wired to its `onEnded`). */
  function callEnded({ callId, agentId, cause }: { callId: string; agentId: string; cause: string }): void {
    const s = byCall.get(callId);
    if (!s || s.state === 'ended' || s.agentId !== agentId || (s.takingOver && cause === 'transferred')) return;
    const reason: EndReason = cause === 'caller_hangup' || cause === 'agent_hangup' || cause === 'transferred' ? cause : 'failed';
    void end(s, reason);
  }

  /** After a crash: sessions this instance left open in the audit are closed. */
  async function closeOrphans(): Promise<void> {
    for (const record of await audit.list({ limit: 1000 })) {
      if (record.instanceId !== instanceId || record.endedAt !== undefined || byCall.get(record.callId)?.id === record.sessionId) continue;
      await audit.end(record, 'shutdown');
    }
  }

  async function serial<T>(s: Session, work: () => Promise<T>): Promise<T> {
    const run = s.moves.then(work, work);
    s.moves = run.catch(() => undefined);
    return run;
  }

  function audited(s: Session, step: (record: SupervisionRecord) => Promise<SupervisionRecord>): void {
    s.audit = s.audit.then(async (record) => {
      try {
        return await step(record);
      } catch (error) {
        s.log.warn({ err: error }, 'supervision audit not written');
        return record;
      }
    });
  }

  function publish(s: Session, mode: Exclude<SessionState, 'ended'>, ended: boolean, reason?: EndReason): void {
    const data = { sessionId: s.id, callId: s.callId, agentId: s.agentId, mode, ended, ...(reason ? { reason } : {}) };
    s.events = s.events.then(() => bus.publish(agentTopic(s.supervisor), 'supervision.state', data))
      .catch((error: unknown) => s.log.warn({ err: error }, 'supervision.state not published'));
  }

  const note = (s: Session, mode: string): void => options.onNote?.(s.callId, { at: clock.now(), supervisor: s.supervisor, mode });

  return {
    callEnded,
    /** Sessions running on this instance. */
    active: (): number => byCall.size,
    /** Ends every session (the supervisors are told) and stops listening. */
    async close(): Promise<void> {
      const sessions = [...byCall.values()];
      await Promise.all(sessions.map((s) => end(s, 'shutdown')));
      await Promise.all(sessions.map((s) => Promise.all([s.audit, s.events])));
      unsubscribe();
      unreconcile();
    },
  };
}

export type Supervision = ReturnType<typeof createSupervision>;

function isNoAnswer(error: unknown): boolean {
  const reason = error instanceof HotlineError ? error.details?.['reason'] : undefined;
  return reason === 'no-answer' || reason === 'busy' || (error instanceof HotlineError && error.code === 'TELEPHONY_TIMEOUT');
}
