/**
 * The callers of the fault tests, on the simulator: like tests/e2e/call-floor.ts (callers talk and
 * hang up, or their agent hangs up first and they rate the call; every seat and call is watched for
 * two legs at once) and also callers who leave a suggestion with key 9, callers who book a callback
 * with key 1 while waiting (and answer when called back), callers told all agents are busy who
 * keep waiting (key 1), and a survey gate: while it is closed,
 * callers in the survey listen without pressing a key (to be caught there by a fault).
 *
 * `violations` notes what a caller or agent would notice as wrong: a seat with two calls, a call
 * ringing two seats, and a caller's line ended by the server when neither the caller nor the agent
 * hung up and the flow did not end there (after a booked callback or a finished suggestion it does).
 */
import type { Simulator } from '../../../src/sim/simulator.ts';
import { until } from '../../support/sim-events.ts';

/** What a caller does: talk and hang up, talk until the agent hangs up, keep talking until the test says, leave a suggestion, book a callback. */
export type Plan = 'caller-hangs-up' | 'agent-hangs-up' | 'hold' | 'feedback' | 'callback';

export interface Caller {
  readonly callId: string;
  readonly number: string;
  readonly n: number;
  readonly plan: Plan;
}

export interface Connected {
  /** The caller's line: the call id, or `<call id>-cb<n>` for a callback. */
  readonly lineId: string;
  readonly callId: string;
  readonly agentLeg: string;
  readonly extension: string;
}

type SimEvent = Record<string, unknown>;
interface ChannelJson { id: string; name: string }

const agentLeg = /^agent-(.+)-\d+$/;
const callbackLine = /^(.+)-cb\d+$/;
const seat = /^PJSIP\/(\d+)-/;
const ignoreGone = (): undefined => undefined;
const later = (ms: number, work: () => Promise<unknown>) => void setTimeout(() => void work().catch(ignoreGone), ms);

export function createFaultFloor(sim: Simulator, options: { did: string; talkMs: (n: number) => number; app?: string }) {
  const callers = new Map<string, Caller>();
  /** call id → the seats bridged with its caller (or with the citizen called back). */
  const served = new Map<string, string[]>();
  /** Call ids in the order an agent's phone first rang for them. */
  const offerOrder: string[] = [];
  /** Lines (call ids, callback lines) that ended. */
  const ended = new Set<string>();
  /** Call ids whose suggestion recording is running and waits for the test (`finishSuggestion`). */
  const recording = new Set<string>();
  const rated = new Set<string>();
  const held: Connected[] = [];
  const violations: string[] = [];
  const liveBySeat = new Map<string, Set<string>>();
  const liveByCall = new Map<string, Set<string>>();
  const destroyed = new Set<string>();
  const hungUpBy = new Map<string, 'caller' | 'agent'>();
  /** Lines the flow ends by itself (booked callback, finished suggestion). */
  const endsByFlow = new Set<string>();
  const inSurvey = new Set<string>();
  const actedOn = new Set<string>();
  let holding = true;
  let surveyOpen = true;

  function once(key: string): boolean {
    if (actedOn.has(key)) return false;
    actedOn.add(key);
    return true;
  }

  function live(index: Map<string, Set<string>>, key: string, legId: string, what: string): void {
    const legs = index.get(key) ?? new Set<string>();
    legs.add(legId);
    index.set(key, legs);
    if (legs.size > 1) violations.push(`${what}: ${[...legs].join(', ')}`);
  }

  const callOf = (lineId: string): string => callbackLine.exec(lineId)?.[1] ?? lineId;

  function onAgentLeg(event: SimEvent, channel: ChannelJson, lineId: string, extension: string): void {
    if (event['type'] === 'ChannelDestroyed') {
      destroyed.add(channel.id);
      liveBySeat.get(extension)?.delete(channel.id);
      liveByCall.get(lineId)?.delete(channel.id);
      return;
    }
    // a leg id comes back when a caller is queued again (the queue numbers a call's legs from 1 each time)
    if (event['type'] === 'StasisStart' || (event['type'] === 'Dial' && event['dialstatus'] === '')) destroyed.delete(channel.id);
    if (destroyed.has(channel.id)) return;
    const callId = callOf(lineId);
    if (!offerOrder.includes(callId)) offerOrder.push(callId);
    live(liveBySeat, extension, channel.id, `seat ${extension} had two calls at once`);
    live(liveByCall, lineId, channel.id, `call ${lineId} rang two seats at once`);
    const bridge = event['bridge'] as { id: string } | undefined;
    if (event['type'] !== 'ChannelEnteredBridge' || bridge?.id !== `call-${lineId}`) return;
    served.set(callId, [...(served.get(callId) ?? []), extension]);
    const caller = callers.get(callId);
    if (!caller) return void violations.push(`an agent was bridged with ${lineId}, which no caller placed`);
    if (caller.plan === 'hold' && holding) return void held.push({ lineId, callId, agentLeg: channel.id, extension });
    later(options.talkMs(caller.n), () => hangUp({ lineId, agentLeg: channel.id }, caller.plan === 'agent-hangs-up' ? 'agent' : 'caller'));
  }

  /** The caller or the agent of a connected call hangs up. */
  async function hangUp(call: { lineId: string; agentLeg: string }, who: 'caller' | 'agent'): Promise<void> {
    hungUpBy.set(call.lineId, who);
    await sim.control.hangup(who === 'agent' ? call.agentLeg : call.lineId).catch(ignoreGone);
  }

  function rate(lineId: string): void {
    inSurvey.delete(lineId);
    rated.add(callOf(lineId));
    later(0, () => sim.control.sendDtmf(lineId, { digits: '1' })); // 满意
  }

  function onLine(event: SimEvent, lineId: string): void {
    const caller = callers.get(callOf(lineId))!;
    const type = event['type'];
    if (type === 'StasisEnd') {
      ended.add(lineId);
      inSurvey.delete(lineId);
      recording.delete(lineId);
      if (!hungUpBy.has(lineId) && !endsByFlow.has(lineId)) violations.push(`caller ${lineId} was cut off`);
      return;
    }
    const media = (event['playback'] as { media_uri?: string } | undefined)?.media_uri;
    if (type === 'PlaybackStarted' && media === 'sound:hotline/zh/survey') {
      // the agent hung up first: the caller rates the call (満意) — now, or once the survey gate opens
      if (surveyOpen) rate(lineId);
      else inSurvey.add(lineId);
    }
    if (type === 'PlaybackStarted' && media === 'sound:hotline/zh/agents-busy' && caller.plan !== 'feedback') {
      later(0, () => sim.control.sendDtmf(lineId, { digits: '1' })); // all agents busy: keep waiting
    }
    if (caller.plan === 'feedback' && lineId === caller.callId) {
      if (type === 'PlaybackStarted' && media === 'sound:hotline/zh/feedback-or-hold' && once(`9:${lineId}`)) {
        later(0, () => sim.control.sendDtmf(lineId, { digits: '9' }));
      }
      if (type === 'RecordingStarted') {
        if (holding) recording.add(lineId);
        else later(300, () => finishSuggestion(lineId, 'hash'));
      }
    }
    if (caller.plan === 'callback' && lineId === caller.callId && type === 'ChannelEnteredBridge'
      && (event['bridge'] as { id: string }).id.startsWith('hold-') && once(`1:${lineId}`)) {
      endsByFlow.add(lineId); // booked: the confirmation plays and the server hangs up
      later(50, () => sim.control.sendDtmf(lineId, { digits: '1' }));
    }
  }

  /** A caller recording a suggestion presses # (the flow thanks and hangs up) or hangs up. */
  async function finishSuggestion(callId: string, how: 'hash' | 'hangup'): Promise<void> {
    recording.delete(callId);
    if (how === 'hangup') {
      hungUpBy.set(callId, 'caller');
      await sim.control.hangup(callId).catch(ignoreGone);
      return;
    }
    endsByFlow.add(callId);
    await sim.control.sendDtmf(callId, { digits: '#' }).catch(ignoreGone);
  }

  const stop = sim.onEvent((_app, event) => {
    const channel = (event['channel'] ?? event['peer']) as ChannelJson | undefined;
    const target = ((event['playback'] ?? event['recording']) as { target_uri?: string } | undefined)?.target_uri?.replace(/^channel:/, '');
    const id = channel?.id ?? target;
    if (id && callers.has(callOf(id))) return onLine(event, id);
    const leg = channel && agentLeg.exec(channel.id);
    const extension = channel && seat.exec(channel.name)?.[1];
    if (leg && extension) onAgentLeg(event, channel, leg[1]!, extension);
  });

  return {
    callers, served, offerOrder, ended, recording, rated, held, violations, hangUp, finishSuggestion,
    /** A citizen dials the hotline. */
    async place(plan?: Plan): Promise<Caller> {
      const n = callers.size;
      const number = `1390013${String(n).padStart(4, '0')}`;
      const { channelId } = await sim.control.placeCall({ from: number, did: options.did, ...(options.app ? { app: options.app } : {}) });
      const caller = { callId: channelId, number, n, plan: plan ?? (n % 5 === 4 ? 'agent-hangs-up' : 'caller-hangs-up') };
      callers.set(channelId, caller);
      return caller;
    },
    /**
     * While on (the default), callers placed with `hold` keep talking once connected and suggestions
     * keep recording, until the test ends them; off: they hang up after talking, press # at once.
     */
    setHolding(on: boolean): void {
      holding = on;
    },
    /** While closed, callers who reach the survey keep listening; opening it lets them (and later ones) rate. */
    setSurveyOpen(open: boolean): void {
      surveyOpen = open;
      if (open) for (const lineId of [...inSurvey]) rate(lineId);
    },
    /** Lines now in the survey, waiting for the gate. */
    inSurvey: (): string[] => [...inSurvey],
    seatBusy: (extension: string): boolean => (liveBySeat.get(extension)?.size ?? 0) > 0,
    /** The seat's live leg, if its phone rings or talks. */
    legOf: (extension: string): string | undefined => [...(liveBySeat.get(extension) ?? [])][0],
    /** Whether a caller's part is over: served and hung up (for callbacks: the callback), or the suggestion left. */
    finished(callId: string): boolean {
      const caller = callers.get(callId);
      if (!caller) return false;
      if (caller.plan === 'feedback') return ended.has(callId);
      if (caller.plan === 'callback') return served.has(callId) && [...ended].some((line) => line !== callId && callOf(line) === callId);
      return ended.has(callId) && served.has(callId);
    },
    stop,
  };
}

export type FaultFloor = ReturnType<typeof createFaultFloor>;

/**
 * What every fault test does with its floor: wait until a check holds — failing at once, naming
 * it, when a caller or an agent noticed something wrong, and saying through `explain` what the
 * given unfinished calls were doing when it timed out — and place callers 20 ms apart.
 */
export function floorHelpers(floor: FaultFloor, timeoutMs: number, explain?: (callIds: readonly string[]) => Promise<string>) {
  const waitFor = (check: () => boolean | Promise<boolean>, what: string, ids: readonly string[] = []) => until(() => {
    if (floor.violations.length > 0) throw new Error(`while waiting until ${what}: ${floor.violations.join('; ')}`);
    return check();
  }, what, timeoutMs).catch(async (error: unknown) => {
    if (!explain) throw error;
    throw new Error(`${String(error)}: ${await explain(ids.filter((id) => !floor.finished(id)))}`);
  });
  const place = async (count: number, plan?: Plan): Promise<string[]> => {
    const placed: string[] = [];
    for (let i = 0; i < count; i++) {
      placed.push((await floor.place(plan)).callId);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return placed;
  };
  return { waitFor, place };
}
