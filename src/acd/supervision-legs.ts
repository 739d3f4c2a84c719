/**
 * The sound of a supervision session (ADR 0009), on the telephony port. The supervisor's leg is in
 * one of two places: a supervision bridge of its own with a snoop on the agent's leg (monitor: spy
 * both; whisper: spy both + whisper out, heard by the agent only), or the call's mixing bridge
 * (barge, take-over). Every switch makes the new path before it breaks the old one, as observed on
 * Asterisk (a new snoop joins the bridge, then the old one is hung up; a leg added to another
 * bridge is moved), so the supervisor's leg is never hung up by a switch.
 */
import type { Clock, TimerHandle } from '../clock.ts';
import { HotlineError } from '../errors.ts';
import type { TelephonyPort } from '../telephony/port.ts';
import { soundOf, type SupervisionMode } from './supervision-session.ts';

/** What the legs module keeps per session. */
export interface SessionLegs {
  readonly callId: string;
  /** The supervisor's leg (`sv-<sessionId>`); snoops and bridges take ids under it. */
  readonly leg: string;
  readonly agentLeg: string;
  /** Live snoop channels of this session (the current one last). */
  readonly snoops: Set<string>;
  /** The current snoop, while listening or whispering. */
  snoop?: string;
  /** The supervision bridge, while listening or whispering. */
  bridgeId?: string;
  where: 'none' | 'supervision' | 'call';
  /** Ids handed out so far (snoops and bridges). */
  counter: number;
}

/** Longest wait for a snoop channel to enter the app before it is put in a bridge. */
const SNOOP_START_MS = 5_000;

export function createSupervisionLegs({ telephony, clock, callBridge }: { telephony: TelephonyPort; clock: Clock; callBridge: (callId: string) => string }) {
  const starting = new Map<string, { resolve: () => void; reject: (error: Error) => void; timer: TimerHandle }>();

  /** Snoops on the agent's leg and resolves once the snoop channel is in the app (ready to bridge). */
  async function startSnoop(s: SessionLegs, whisper: 'none' | 'out'): Promise<string> {
    const snoopId = `${s.leg}-s${++s.counter}`;
    const started = new Promise<void>((resolve, reject) => {
      const timer = clock.setTimeout(() => settle(snoopId)?.reject(new HotlineError('TELEPHONY_TIMEOUT', `snoop ${snoopId} did not start`)), SNOOP_START_MS);
      starting.set(snoopId, { resolve, reject, timer });
    });
    s.snoops.add(snoopId);
    try {
      await telephony.snoop(s.agentLeg, { snoopId, spy: 'both', whisper, appArgs: 'supervisor' });
    } catch (error) {
      settle(snoopId);
      s.snoops.delete(snoopId);
      throw error;
    }
    await started;
    return snoopId;
  }

  function settle(snoopId: string) {
    const waiter = starting.get(snoopId);
    starting.delete(snoopId);
    waiter?.timer.cancel();
    return waiter;
  }

  async function dropSnoop(s: SessionLegs, snoopId: string): Promise<void> {
    s.snoops.delete(snoopId);
    await telephony.hangup(snoopId).catch(() => undefined);
  }

  /**
   * Wires `mode`. `ended()` is asked after every step (a step under way is finished, the rest
   * left to `release`); `takeOver` runs once the leg is in the call's bridge.
   */
  async function wire(s: SessionLegs, mode: SupervisionMode, ended: () => boolean, takeOver: () => Promise<void>): Promise<void> {
    const step = (): void => {
      if (ended()) throw new HotlineError('SUPERVISION_BAD_STATE', 'the supervision ended', { reason: 'ended' });
    };
    const sound = soundOf(mode);
    if (sound.where === 'snoop') {
      if (!s.bridgeId) {
        const bridgeId = `${s.leg}-b${++s.counter}`;
        await telephony.createBridge('mixing', bridgeId, 'supervision');
        s.bridgeId = bridgeId;
        step();
      }
      const snoopId = await startSnoop(s, sound.whisper);
      step();
      // the snoop first, then the supervisor (moved out of the call's bridge if barging)
      await telephony.addToBridge(s.bridgeId, s.where === 'supervision' ? [snoopId] : [snoopId, s.leg]);
      s.where = 'supervision';
      const old = s.snoop;
      s.snoop = snoopId;
      if (old) await dropSnoop(s, old);
      return;
    }
    if (s.where !== 'call') {
      await telephony.addToBridge(callBridge(s.callId), [s.leg]); // moves the leg out of the supervision bridge
      s.where = 'call';
      step();
    }
    if (s.snoop) await dropSnoop(s, s.snoop);
    s.snoop = undefined;
    if (s.bridgeId) await telephony.destroyBridge(s.bridgeId).catch(() => undefined);
    s.bridgeId = undefined;
    step();
    if (mode === 'takeOver') await takeOver();
  }

  /** Takes down everything of a session: snoops, the supervisor's leg (unless kept) and the supervision bridge. */
  async function release(s: SessionLegs, keepLeg: boolean): Promise<void> {
    for (const snoopId of [...s.snoops]) await dropSnoop(s, snoopId);
    s.snoop = undefined;
    if (!keepLeg) await telephony.hangup(s.leg).catch(() => undefined);
    if (s.bridgeId) await telephony.destroyBridge(s.bridgeId).catch(() => undefined);
    s.bridgeId = undefined;
  }

  return {
    wire,
    release,
    /** A channel entered the app (snoops waited for resolve). */
    started: (channelId: string): void => settle(channelId)?.resolve(),
    /** A channel ended (a snoop waited for fails). */
    gone: (channelId: string): void => settle(channelId)?.reject(new HotlineError('TELEPHONY_CHANNEL_GONE', `snoop ${channelId} ended`)),
  };
}
