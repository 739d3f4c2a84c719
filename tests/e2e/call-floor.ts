/**
 * The people around the hotline, for load tests on the simulator: callers who talk a little and
 * hang up (or whose agent hangs up first and who then rate the call), agents who click "ready"
 * after wrap-up or go on a break, and a watcher that sees every agent leg the simulator
 * ("Asterisk") creates and notes anything a caller or an agent would notice as wrong.
 */
import type { AcdState } from '../../src/acd/acd-state.ts';
import type { Simulator } from '../../src/sim/simulator.ts';

/** What a caller does once an agent is on the line (`hold`: keeps talking until the test says, while holds last). */
export type Plan = 'caller-hangs-up' | 'agent-hangs-up' | 'hold';

export interface Caller {
  readonly callId: string;
  readonly app: string;
  readonly n: number;
  readonly plan: Plan;
}

export interface Connected {
  readonly callId: string;
  readonly agentLeg: string;
  readonly extension: string;
}

type SimEvent = Record<string, unknown>;
interface ChannelJson { id: string; name: string }

const agentLeg = /^agent-(.+)-\d+$/;
const seat = /^PJSIP\/(\d+)-/;
const ignoreGone = (): undefined => undefined; // the far end is gone already, or a desk move lost a race: nothing to do

/**
 * Places callers and plays their part. `served` maps each call to the seats whose leg was bridged
 * with the caller; `violations` lists every moment a seat had two legs at once, a call rang two
 * seats at once, or a caller's line ended before the caller or the agent hung up (from the
 * simulator's own event order, so nothing is missed between polls).
 */
export function createCallFloor(sim: Simulator, options: { did: string; talkMs: (n: number) => number }) {
  const callers = new Map<string, Caller>();
  const served = new Map<string, string[]>();
  const ended = new Set<string>();
  const held: Connected[] = [];
  const violations: string[] = [];
  const liveBySeat = new Map<string, Set<string>>();
  const liveByCall = new Map<string, Set<string>>();
  const destroyed = new Set<string>();
  const hungUpBy = new Map<string, 'caller' | 'agent'>();
  let holding = true;

  function live(index: Map<string, Set<string>>, key: string, legId: string, what: string): void {
    const legs = index.get(key) ?? new Set<string>();
    legs.add(legId);
    index.set(key, legs);
    if (legs.size > 1) violations.push(`${what}: ${[...legs].join(', ')}`);
  }

  function onAgentLeg(event: SimEvent, channel: ChannelJson, callId: string, extension: string): void {
    if (event['type'] === 'ChannelDestroyed') {
      destroyed.add(channel.id);
      liveBySeat.get(extension)?.delete(channel.id);
      liveByCall.get(callId)?.delete(channel.id);
      return;
    }
    if (destroyed.has(channel.id)) return;
    live(liveBySeat, extension, channel.id, `seat ${extension} had two calls at once`);
    live(liveByCall, callId, channel.id, `call ${callId} rang two seats at once`);
    const bridge = event['bridge'] as { id: string } | undefined;
    if (event['type'] !== 'ChannelEnteredBridge' || bridge?.id !== `call-${callId}`) return;
    served.set(callId, [...(served.get(callId) ?? []), extension]);
    const caller = callers.get(callId);
    if (!caller) return void violations.push(`an agent was bridged with ${callId}, which no caller placed`);
    if (caller.plan === 'hold' && holding) return void held.push({ callId, agentLeg: channel.id, extension });
    setTimeout(() => void hangUp({ callId, agentLeg: channel.id }, caller.plan === 'agent-hangs-up' ? 'agent' : 'caller'), options.talkMs(caller.n));
  }

  /** The caller or the agent of a connected call hangs up (the caller is never cut off by anyone else). */
  async function hangUp(call: { callId: string; agentLeg: string }, who: 'caller' | 'agent'): Promise<void> {
    hungUpBy.set(call.callId, who);
    await sim.control.hangup(who === 'agent' ? call.agentLeg : call.callId).catch(ignoreGone);
  }

  function onCaller(event: SimEvent, callId: string): void {
    if (event['type'] === 'StasisEnd') {
      ended.add(callId);
      if (!hungUpBy.has(callId)) violations.push(`caller ${callId} was cut off`);
    }
    if (event['type'] === 'PlaybackStarted' && (event['playback'] as { media_uri?: string }).media_uri === 'sound:hotline/zh/survey') {
      // the agent hung up first: the caller rates the call (满意) and the survey says goodbye
      setTimeout(() => void sim.control.sendDtmf(callId, { digits: '1' }).catch(ignoreGone), 0);
    }
  }

  const stop = sim.onEvent((_app, event) => {
    const channel = (event['channel'] ?? event['peer']) as ChannelJson | undefined;
    const target = (event['playback'] as { target_uri?: string } | undefined)?.target_uri?.replace(/^channel:/, '');
    const id = channel?.id ?? target;
    if (id && callers.has(id)) return onCaller(event, id);
    const leg = channel && agentLeg.exec(channel.id);
    const extension = channel && seat.exec(channel.name)?.[1];
    if (leg && extension) onAgentLeg(event, channel, leg[1]!, extension);
  });

  return {
    callers, served, ended, held, violations, hangUp,
    /** A citizen dials the hotline; the dialplan sends the call to Stasis application `app`. */
    async place(app: string, plan?: Plan): Promise<Caller> {
      const n = callers.size;
      const { channelId } = await sim.control.placeCall({ from: `1380013${String(n).padStart(4, '0')}`, did: options.did, app });
      const caller = { callId: channelId, app, n, plan: plan ?? (n % 5 === 4 ? 'agent-hangs-up' : 'caller-hangs-up') };
      callers.set(channelId, caller);
      return caller;
    },
    /** Callers connected from now on talk and hang up as usual, also those placed with `hold`. */
    endHolds(): void {
      holding = false;
    },
    /** Whether the seat's phone has a live leg now. */
    seatBusy: (extension: string): boolean => (liveBySeat.get(extension)?.size ?? 0) > 0,
    stop,
  };
}

export type CallFloor = ReturnType<typeof createCallFloor>;

/**
 * The agents at their desks: after each call's wrap-up they click "ready" (and after a RONA too);
 * agents `onBreak` go not ready ("meal") instead, and come back when the break is over.
 * Works through the ACD state like the agent desk's CTI commands do.
 */
export function createAgents(acd: AcdState) {
  let onBreak: ReadonlySet<string> = new Set();
  let running = true;

  async function tick(): Promise<void> {
    for (const agent of await acd.allAgents()) {
      const { state } = agent.status;
      const resting = onBreak.has(agent.agentId);
      const move = resting
        ? (state === 'ready' || state === 'wrap_up') && { type: 'not_ready', reason: 'meal' } as const
        : (state === 'wrap_up' || state === 'not_ready') && { type: 'ready' } as const;
      // a move may lose against the router's reservation or the server's own wrap-up timer: next tick
      if (move) await acd.applyAgent(agent.agentId, move).catch(ignoreGone);
    }
  }

  const loop = (async () => {
    while (running) {
      await tick().catch(ignoreGone);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();

  return {
    /** These agents take a break (the others work); an empty set ends every break. */
    setBreak(agentIds: Iterable<string>): void {
      onBreak = new Set(agentIds);
    },
    async stop(): Promise<void> {
      running = false;
      await loop;
    },
  };
}
