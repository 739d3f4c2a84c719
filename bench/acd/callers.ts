/**
 * The citizens of bench/acd.ts, played on the simulator in the bench process: each dials 12345,
 * stays silent through the menu (→ general queue), talks `talkMs` once bridged to an agent and
 * hangs up. A caller the queue refuses (`full`, or a failure) hears "all agents busy" and presses 1 to wait on.
 */
import type { Simulator } from '../../src/sim/simulator.ts';
import { epochNow, summarize, type Summary } from './shared.ts';

interface Caller {
  readonly placedAt: number;
  connectedAt?: number;
  done: boolean;
}

export interface CallerOutcome {
  readonly answered: number;
  /** Callers whose call ended before an agent answered. */
  readonly lost: number;
  readonly unfinished: number;
  /** Times a caller heard "all agents busy" (the queue refused it, or queueing failed) and pressed 1. */
  readonly refused: number;
  /** Placed → bridged to an agent. */
  readonly waits: Summary;
  /** Most callers in a call at one time (placed and not yet gone: in the IVR, waiting or talking). */
  readonly peakSimultaneous: number;
}

export function createCallers(sim: Simulator, talkMs: number) {
  const calls = new Map<string, Caller>();
  let refused = 0;
  let live = 0;
  let peakSimultaneous = 0;

  const stopListening = sim.onEvent((_app, event) => {
    const channel = event['channel'] as { id: string } | undefined;
    const playback = event['playback'] as { media_uri: string; target_uri: string } | undefined;
    if (event['type'] === 'ChannelEnteredBridge' && channel && (event['bridge'] as { id: string }).id.startsWith('call-')) {
      const call = calls.get(channel.id);
      if (!call || call.connectedAt !== undefined) return;
      call.connectedAt = epochNow();
      setTimeout(() => {
        call.done = true;
        sim.control.hangup(channel.id).catch(() => undefined);
      }, talkMs);
    } else if (event['type'] === 'PlaybackStarted' && playback?.media_uri === 'sound:hotline/zh/agents-busy') {
      refused++;
      sim.control.sendDtmf(playback.target_uri.replace(/^channel:/, ''), { digits: '1' }).catch(() => undefined);
    } else if (event['type'] === 'StasisEnd' && channel) {
      if (calls.has(channel.id)) live--;
      const call = calls.get(channel.id);
      if (call && call.connectedAt === undefined) call.done = true; // gone unanswered
    }
  });

  return {
    /** Places `count` calls, all at once or evenly over `spreadMs`. */
    async place(count: number, spreadMs: number): Promise<void> {
      await Promise.all(Array.from({ length: count }, async (_, n) => {
        if (spreadMs > 0) await new Promise((resolve) => setTimeout(resolve, (n * spreadMs) / count));
        const placedAt = epochNow();
        const { channelId } = await sim.control.placeCall({ from: `139${String(n).padStart(8, '0')}`, did: '12345' });
        calls.set(channelId, { placedAt, done: false });
        peakSimultaneous = Math.max(peakSimultaneous, ++live);
      }));
    },
    /** Resolves when every call is over and the simulator holds no channel, or at `deadline` (epoch ms). */
    async finished(deadline: number): Promise<void> {
      const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      while ([...calls.values()].some((call) => !call.done) && epochNow() < deadline) await pause(100);
      while ((await sim.control.stats()).channels > 0 && epochNow() < deadline) await pause(50);
    },
    outcome(): CallerOutcome {
      stopListening();
      const all = [...calls.values()];
      const answered = all.filter((c) => c.connectedAt !== undefined);
      return {
        answered: answered.length, lost: all.filter((c) => c.done && c.connectedAt === undefined).length,
        unfinished: all.filter((c) => !c.done).length, refused, waits: summarize(answered.map((c) => c.connectedAt! - c.placedAt)), peakSimultaneous,
      };
    },
  };
}
