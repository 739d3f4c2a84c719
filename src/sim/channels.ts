/**
 * Channel life: entering and leaving Stasis, state changes, variables, DTMF, and hang-up with
 * the event tails the traces show for each kind of channel (see `ChannelKind` in model.ts).
 */
import { releaseOwedBridges, removeFromBridge, republishPeers } from './bridges.ts';
import type { SimCore } from './core.ts';
import { HotlineError } from '../errors.ts';
import { causeText, channelTransitions, type ChannelState, type SimChannel } from './model.ts';
import { failChannelPlaybacks } from './playbacks.ts';
import { dtmfToRecordings, finishChannelRecordings } from './recordings.ts';

/** Puts a channel into Stasis: StasisStart with `args`. */
export function enterStasis(core: SimCore, ch: SimChannel, app: string, args: string[]): void {
  ch.stasisApp = app;
  ch.eventApp = app;
  core.emitChannel(ch, 'StasisStart', { args });
}

/**
 * Moves a channel to `state` and emits ChannelStateChange (nothing when it is already there).
 * An impossible move is a simulator bug: it throws SIM_CONFLICT.
 */
export function setState(core: SimCore, ch: SimChannel, state: ChannelState): void {
  if (ch.state === state) return;
  if (!channelTransitions[ch.state].includes(state)) {
    throw new HotlineError('SIM_CONFLICT', `channel ${ch.id} cannot go from ${ch.state} to ${state}`);
  }
  ch.state = state;
  core.emitChannel(ch, 'ChannelStateChange');
}

export function setVariable(core: SimCore, ch: SimChannel, name: string, value: string): void {
  ch.variables.set(name, value);
  core.emitChannel(ch, 'ChannelVarset', { variable: name, value });
}

/** A key the far end pressed: ChannelDtmfReceived, then terminateOn checks. */
export function receiveDtmf(core: SimCore, ch: SimChannel, digit: string, durationMs: number): void {
  core.emitChannel(ch, 'ChannelDtmfReceived', { digit, duration_ms: durationMs });
  dtmfToRecordings(core, ch, digit);
}

function cancelTimers(ch: SimChannel): void {
  for (const t of ch.timers) t.cancel();
  ch.timers.clear();
}

/** Forgets a channel, keeping it in `ended` for the control API. */
function forget(core: SimCore, ch: SimChannel): void {
  ch.hungUp = true;
  cancelTimers(ch);
  core.channels.delete(ch.id);
  if (ch.spiedId !== null) snoopDetached(core, ch.spiedId);
  for (const snoop of [...core.channels.values()]) if (snoop.spiedId === ch.id) farEndHangup(core, snoop, 16);
  if (ch.kind !== 'phone' && ch.kind !== 'half2') core.ended.set(ch.id, ch);
  if (core.ended.size > 1000) core.ended.delete(core.ended.keys().next().value ?? '');
}

/** The last snoop leaving a bridged channel re-publishes its bridge's BRIDGEPEER twice (snoop trace). */
function snoopDetached(core: SimCore, spiedId: string): void {
  const spied = core.channels.get(spiedId);
  if (!spied || [...core.channels.values()].some((c) => c.spiedId === spiedId)) return;
  const bridge = spied.bridgeId ? core.bridges.get(spied.bridgeId) : undefined;
  if (bridge) for (let i = 0; i < 2; i++) republishPeers(core, bridge, false);
}

/** Media and bridge clean-up of a channel that is going away, then StasisEnd. */
function leaveEverything(core: SimCore, ch: SimChannel): void {
  failChannelPlaybacks(core, ch);
  finishChannelRecordings(core, ch);
  const bridge = ch.bridgeId ? core.bridges.get(ch.bridgeId) : undefined;
  if (bridge) removeFromBridge(core, bridge, ch, true);
  releaseOwedBridges(core, ch);
  if (ch.stasisApp !== null) {
    core.emitChannel(ch, 'StasisEnd');
    ch.stasisApp = null;
  }
}

function destroyed(core: SimCore, ch: SimChannel, cause: number): void {
  const outgoing = ch.kind === 'originated';
  ch.dialplan = { ...ch.dialplan, app_name: outgoing ? 'AppDial2' : '', app_data: outgoing ? '(Outgoing Line)' : '' };
  core.emitChannel(ch, 'ChannelDestroyed', { cause, cause_txt: causeText(cause) });
}

/** The `;2` half of an ARI-originated Local pair goes down after its `;1` half. */
function hangupHalf2After(core: SimCore, half: SimChannel, cause: number): void {
  core.emitChannel(half, 'ChannelHangupRequest', { cause: 16, soft: true });
  if (half.peer) half.caller = { ...half.peer.connected };
  destroyed(core, half, cause);
  core.emitChannel(half, 'ChannelCallerId', { caller_presentation: 0, caller_presentation_txt: 'Presentation Allowed, Not Screened' });
  forget(core, half);
}

/**
 * Hang-up requested by the app (DELETE /channels/{id}): HangupRequest cause 32 (the soft-hangup
 * flag) soft true; ChannelDestroyed (for ARI-originated channels) carries `cause`.
 */
export function appHangup(core: SimCore, ch: SimChannel, cause: number): void {
  if (ch.hungUp) return;
  ch.hungUp = true;
  core.emitChannel(ch, 'ChannelHangupRequest', { cause: 32, soft: true });
  leaveEverything(core, ch);
  finishOriginated(core, ch, cause);
  if (ch.peer && ch.kind === 'inbound') forget(core, ch.peer);
  forget(core, ch);
}

function finishOriginated(core: SimCore, ch: SimChannel, cause: number): void {
  if (ch.kind !== 'originated' && ch.kind !== 'created') return;
  if (ch.stasisApp === null && ch.variables.has('STASISSTATUS')) setVariable(core, ch, 'STASISSTATUS', 'SUCCESS');
  const half = ch.kind === 'originated' ? ch.peer : null;
  if (half && !half.hungUp) core.emitChannel(half, 'ChannelHangupRequest', { cause });
  destroyed(core, ch, cause);
  if (half && !half.hungUp) hangupHalf2After(core, half, cause);
}

/** A PJSIP channel that carried RTP reports its quality variables at hang-up (values are placeholders). */
function rtpQualityVariables(core: SimCore, ch: SimChannel): void {
  if (ch.state !== 'Up') return;
  const zeros = (names: string[]): string => names.map((n) => `${n}=000.000000;`).join('');
  const stats = (what: string): string[] => ['min', 'max', 'avg', 'stdev'].flatMap((m) => [`${m}rx${what}`, `${m}tx${what}`]);
  setVariable(core, ch, 'RTPAUDIOQOS', 'ssrc=0;themssrc=0;lp=0;rxjitter=0.000000;rxcount=0;txjitter=0.000000;txcount=0;rlp=0;rtt=0.000000;rxmes=0.000000;txmes=0.000000');
  setVariable(core, ch, 'RTPAUDIOQOSJITTER', zeros(stats('jitter')));
  setVariable(core, ch, 'RTPAUDIOQOSLOSS', zeros(stats('lost')));
  setVariable(core, ch, 'RTPAUDIOQOSRTT', zeros(['minrtt', 'maxrtt', 'avgrtt', 'stdevrtt']));
  setVariable(core, ch, 'RTPAUDIOQOSMES', zeros(stats('mes')));
}

/**
 * Hang-up by the far end (caller's phone, agent's phone): HangupRequest with `cause` and no soft
 * flag (PJSIP: neither), then the same tail as an app hang-up.
 */
export function farEndHangup(core: SimCore, ch: SimChannel, cause: number): void {
  if (ch.hungUp) return;
  ch.hungUp = true;
  ch.hangupCause = cause;
  const half = ch.kind === 'originated' ? ch.peer : null;
  if (half) {
    core.emitChannel(half, 'ChannelHangupRequest', { cause, soft: true });
    core.emitChannel(ch, 'ChannelHangupRequest', { cause });
    half.caller = { ...ch.connected };
    destroyed(core, half, cause);
    core.emitChannel(half, 'ChannelCallerId', { caller_presentation: 0, caller_presentation_txt: 'Presentation Allowed, Not Screened' });
    forget(core, half);
  } else if (ch.name.startsWith('PJSIP/')) {
    rtpQualityVariables(core, ch);
    core.emitChannel(ch, 'ChannelHangupRequest');
  } else {
    core.emitChannel(ch, 'ChannelHangupRequest', { cause });
  }
  leaveEverything(core, ch);
  if (ch.kind === 'originated' || ch.kind === 'created') {
    if (ch.variables.has('STASISSTATUS')) setVariable(core, ch, 'STASISSTATUS', 'SUCCESS');
    destroyed(core, ch, cause);
  }
  if (ch.peer && ch.kind === 'inbound') forget(core, ch.peer);
  forget(core, ch);
}

/** An originate that never got answered (timeout, busy, reject): no StasisStart, both halves destroyed. */
export function failOriginate(core: SimCore, ch: SimChannel, cause: number): void {
  if (ch.hungUp) return;
  ch.hungUp = true;
  const half = ch.peer;
  if (half) core.emitChannel(half, 'ChannelHangupRequest', { cause });
  destroyed(core, ch, cause);
  if (half) {
    core.emitChannel(half, 'ChannelHangupRequest', { cause: 16, soft: true });
    destroyed(core, half, cause);
    forget(core, half);
  }
  forget(core, ch);
}

/**
 * POST /continue: StasisEnd. An inbound channel leaves the app (the simulator then hangs it up
 * silently: it has no dialplan to run); an originated one ends as in the errors trace.
 */
export function continueInDialplan(core: SimCore, ch: SimChannel, target: { context?: string | undefined; exten?: string | undefined; priority?: number | undefined }): void {
  if (ch.hungUp || ch.stasisApp === null) return;
  core.emitChannel(ch, 'StasisEnd');
  ch.stasisApp = null;
  ch.hungUp = true;
  const bridge = ch.bridgeId ? core.bridges.get(ch.bridgeId) : undefined;
  if (bridge) removeFromBridge(core, bridge, ch, true);
  if (ch.kind === 'originated' || ch.kind === 'created') {
    setVariable(core, ch, 'STASISSTATUS', 'SUCCESS');
    const half = ch.kind === 'originated' ? ch.peer : null;
    if (half) core.emitChannel(half, 'ChannelHangupRequest', { cause: 0 });
    ch.dialplan = { ...ch.dialplan, context: target.context ?? ch.dialplan.context, exten: target.exten ?? ch.dialplan.exten, priority: target.priority ?? 1 };
    destroyed(core, ch, 0);
    core.emitChannel(ch, 'ChannelDialplan', { dialplan_app: 'AppDial2', dialplan_app_data: '(Outgoing Line)' });
    if (half) {
      core.emitChannel(half, 'ChannelHangupRequest', { cause: 16, soft: true });
      destroyed(core, half, 0);
      forget(core, half);
    }
  }
  ch.eventApp = null;
  if (ch.peer && ch.kind === 'inbound') forget(core, ch.peer);
  forget(core, ch);
}
