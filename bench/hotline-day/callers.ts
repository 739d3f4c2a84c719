/**
 * The citizens of bench/hotline-day.ts, played on the simulator in the bench process. They keep
 * `target()` calls up at once (a call that ends is replaced), each dialling 12345:
 *
 * - `feedbackShare` press 9 during the menu, leave a `messageMs` suggestion and press # (the
 *   server files the ticket, thanks them and hangs up);
 * - the others stay silent (→ general queue); `impatientShare` of them hang up if no agent has
 *   answered after a patience drawn from `patienceS` (abandons);
 * - once in the agent's bridge they talk a time drawn from `talkMs`; then the agent's phone hangs up
 *   first (`agentHangsUpShare`: the caller hears the survey and presses 1, 2 or 3) or the caller does;
 * - a caller who hears "all agents busy" presses 1 to wait on.
 *
 * Everything is observed on the simulator's own event emission (`sim.onEvent`), so the latencies
 * are the simulator's view: StasisStart → first PlaybackStarted; a key pressed → the next prompt
 * it leads to starts. The same callers run against the hotline server and the raw-ARI floor.
 */
import type { Simulator } from '../../src/sim/simulator.ts';
import { seeded, type Shape } from './shared.ts';

type Kind = 'queue' | 'feedback';

interface Call {
  readonly kind: Kind;
  readonly placedAt: number;
  readonly patienceMs: number | undefined;
  stasisAt?: number;
  firstPromptSeen: boolean;
  connectedAt?: number;
  bridgeId?: string;
  pressed?: { at: number; kind: string; expect: string };
  abandoned: boolean;
  endedBy?: 'agent' | 'caller';
  surveyed: boolean;
  /** The last prompt the caller heard (for calls that never end). */
  lastMedia?: string;
}

export interface CallerFigures {
  placed: number;
  ended: number;
  /** By outcome: served (bridged to an agent), feedback, abandoned, other (ended unanswered otherwise). */
  outcomes: Record<string, number>;
  stasisToFirstPrompt: number[];
  /** Key pressed → the prompt it leads to, by key. */
  dtmfToPrompt: Record<string, number[]>;
  /** Placed → caller in the agent's bridge. */
  waits: number[];
  /** When each call ended (ms, performance clock of this process). */
  endedAt: number[];
  peakLive: number;
  busyPrompts: number;
}

const sound = (name: string): string => `sound:hotline/zh/${name}`;

export function createCallers(sim: Simulator, shape: Shape) {
  const random = seeded(shape.seed);
  const between = ([low, high]: readonly [number, number]): number => low + random() * (high - low);
  const calls = new Map<string, Call>();
  /** StasisStart arrives before placeCall returns the id: kept here until it does. */
  const early = new Map<string, number>();
  /** The agent's leg in each call bridge (the first `agent-…` channel to enter it). */
  const agentLegs = new Map<string, string>();
  /** The same, kept after the call (for the report on calls that never end). */
  const agentLegsSeen = new Map<string, string>();
  let live = 0;
  const figures: CallerFigures = {
    placed: 0, ended: 0, outcomes: {}, stasisToFirstPrompt: [], dtmfToPrompt: {}, waits: [], endedAt: [], peakLive: 0, busyPrompts: 0,
  };
  const outcome = (key: string): void => void (figures.outcomes[key] = (figures.outcomes[key] ?? 0) + 1);
  const later = (ms: number, run: () => void): void => void setTimeout(run, ms);
  const ignore = (): undefined => undefined;

  function press(channelId: string, call: Call, digits: string, kind: string, expect: string): void {
    call.pressed = { at: performance.now(), kind, expect };
    sim.control.sendDtmf(channelId, { digits }).catch(ignore);
  }

  const stopListening = sim.onEvent((_app, event) => {
    const at = performance.now();
    const type = event['type'];
    const channel = event['channel'] as { id: string; name: string } | undefined;
    if (type === 'StasisStart' && channel) {
      if (!channel.name.includes('@hotline-in-')) return;
      const call = calls.get(channel.id);
      if (call) call.stasisAt = at;
      else early.set(channel.id, at);
      return;
    }
    if (type === 'PlaybackStarted' || type === 'RecordingStarted') {
      const target = (event['playback'] ?? event['recording']) as { target_uri: string; media_uri?: string };
      const channelId = target.target_uri.replace(/^channel:/, '');
      const call = calls.get(channelId);
      if (!call) return;
      if (type === 'RecordingStarted') {
        if (call.kind === 'feedback') later(shape.messageMs, () => press(channelId, call, '#', '# (message done) → thanks', sound('feedback-thanks')));
        return;
      }
      const media = target.media_uri!;
      call.lastMedia = media;
      if (!call.firstPromptSeen && call.stasisAt !== undefined) {
        call.firstPromptSeen = true;
        figures.stasisToFirstPrompt.push(at - call.stasisAt);
      }
      if (call.pressed && media === call.pressed.expect) {
        (figures.dtmfToPrompt[call.pressed.kind] ??= []).push(at - call.pressed.at);
        call.pressed = undefined;
      }
      if (media === sound('feedback-or-hold') && call.kind === 'feedback') later(300, () => press(channelId, call, '9', '9 in the menu → message prompt', sound('feedback-record')));
      else if (media === sound('survey') && !call.surveyed) {
        call.surveyed = true;
        later(400, () => press(channelId, call, String(1 + Math.floor(random() * 3)), 'survey 1/2/3 → thanks', sound('survey-thanks')));
      } else if (media === sound('agents-busy')) {
        figures.busyPrompts++;
        sim.control.sendDtmf(channelId, { digits: '1' }).catch(ignore);
      }
      return;
    }
    if (type === 'ChannelEnteredBridge' && channel) {
      const bridgeId = (event['bridge'] as { id: string }).id;
      if (!bridgeId.startsWith('call-')) return;
      if (channel.id.startsWith('agent-')) {
        if (!agentLegs.has(bridgeId)) agentLegs.set(bridgeId, channel.id);
        if (!agentLegsSeen.has(bridgeId)) agentLegsSeen.set(bridgeId, channel.id);
        return;
      }
      const call = calls.get(channel.id);
      if (!call || call.connectedAt !== undefined) return;
      call.connectedAt = at;
      call.bridgeId = bridgeId;
      figures.waits.push(at - call.placedAt);
      const callerId = channel.id;
      later(between(shape.talkMs), () => {
        if (!calls.has(callerId)) return;
        const agentLeg = agentLegs.get(bridgeId);
        if (agentLeg && random() < shape.agentHangsUpShare) {
          call.endedBy = 'agent';
          sim.control.hangup(agentLeg).catch(() => sim.control.hangup(callerId).catch(ignore));
        } else {
          call.endedBy = 'caller';
          sim.control.hangup(callerId).catch(ignore);
        }
      });
      return;
    }
    if (type === 'StasisEnd' && channel) {
      const call = calls.get(channel.id);
      if (!call) return;
      calls.delete(channel.id);
      if (call.bridgeId) agentLegs.delete(call.bridgeId);
      live--;
      figures.ended++;
      figures.endedAt.push(at);
      if (call.connectedAt !== undefined) outcome(call.endedBy === 'agent' ? (call.surveyed ? 'served, agent ended, surveyed' : 'served, agent ended, no survey heard') : 'served, caller ended');
      else if (call.abandoned) outcome('abandoned in the queue');
      else outcome(call.kind === 'feedback' ? 'feedback message' : 'ended unanswered');
    }
  });

  async function placeOne(): Promise<void> {
    const kind: Kind = random() < shape.feedbackShare ? 'feedback' : 'queue';
    const patienceMs = kind === 'queue' && random() < shape.impatientShare ? between(shape.patienceS) * 1000 : undefined;
    const placedAt = performance.now();
    const n = figures.placed++;
    live++;
    figures.peakLive = Math.max(figures.peakLive, live);
    try {
      const { channelId } = await sim.control.placeCall({ from: `139${String(n % 1e8).padStart(8, '0')}`, did: '12345' });
      const call: Call = { kind, placedAt, patienceMs, stasisAt: early.get(channelId), firstPromptSeen: false, abandoned: false, surveyed: false };
      early.delete(channelId);
      calls.set(channelId, call);
      if (patienceMs !== undefined) {
        later(patienceMs, () => {
          if (!calls.has(channelId) || call.connectedAt !== undefined) return;
          call.abandoned = true;
          sim.control.hangup(channelId).catch(ignore);
        });
      }
    } catch {
      live--;
      outcome('not placed');
    }
  }

  return {
    figures,
    live: () => live,
    /** Keeps `target(elapsed ms)` calls up until it answers 0 or `stop()` is true; ticks every 50 ms, at most `perTick` new calls a tick. */
    async keepUp(target: (elapsedMs: number) => number, stop: () => boolean, perTick = 25): Promise<void> {
      const started = performance.now();
      for (;;) {
        const want = target(performance.now() - started);
        if (want <= 0 || stop()) return;
        for (let placed = 0; live < want && placed < perTick; placed++) void placeOne();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    /** Resolves when every call has ended and the simulator holds no channel, or at `deadline` (performance clock). */
    async finished(deadline: number): Promise<boolean> {
      const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      while (live > 0 && performance.now() < deadline) await pause(100);
      while ((await sim.control.stats()).channels > 0 && performance.now() < deadline) await pause(50);
      return live === 0;
    },
    /** The calls still up, by what they last went through (for a drain that timed out). */
    unfinished(): Record<string, number> {
      const out: Record<string, number> = {};
      for (const call of calls.values()) {
        const key = `${call.kind}${call.connectedAt !== undefined ? `, connected (ended by ${call.endedBy ?? 'nobody yet'})` : ''}${call.abandoned ? ', abandoned' : ''}, last prompt ${call.lastMedia?.replace('sound:hotline/zh/', '') ?? 'none'}`;
        out[key] = (out[key] ?? 0) + 1;
      }
      return out;
    },
    /** A few of the calls still up, as the simulator sees them: bridge, and the agent leg's state. */
    async stuckDetail(limit = 3): Promise<string[]> {
      const out: string[] = [];
      for (const [channelId, call] of [...calls].slice(0, limit)) {
        const caller = await sim.control.channel(channelId).catch(() => undefined);
        const agentLeg = call.bridgeId ? agentLegsSeen.get(call.bridgeId) : undefined;
        const agent = agentLeg ? await sim.control.channel(agentLeg).catch(() => undefined) : undefined;
        out.push(`${channelId}: in bridge ${caller?.bridgeId ?? 'none'}, in Stasis ${caller?.inStasis}; agent leg ${agentLeg ?? '?'} ${agent ? (agent.hungUp ? 'hung up' : `up in ${agent.bridgeId ?? 'no bridge'}`) : '?'}; ` +
          `last heard ${JSON.stringify(caller?.heard.slice(-2).map(({ kind, media }) => `${kind} ${String(media ?? '')}`))}`);
      }
      return out;
    },
    close(): void {
      stopListening();
    },
  };
}
