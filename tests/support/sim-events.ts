/**
 * Waiting on what the simulator (standing in for Asterisk) emits, instead of sleeping.
 */
import type { Simulator } from '../../src/sim/simulator.ts';

type SimEvent = Record<string, unknown>;

/** Resolves with the first event matching `match` emitted after this call. */
export function nextEvent(sim: Simulator, match: (event: SimEvent) => boolean, what: string, timeoutMs = 5_000): Promise<SimEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const stop = sim.onEvent((_app, event) => {
      if (!match(event)) return;
      clearTimeout(timer);
      stop();
      resolve(event);
    });
  });
}

/** A PlaybackStarted of `media` on `channelId`. */
export function playbackStarted(sim: Simulator, channelId: string, media: string): Promise<SimEvent> {
  return nextEvent(
    sim,
    (e) => {
      const playback = e['playback'] as { target_uri?: string; media_uri?: string } | undefined;
      return e['type'] === 'PlaybackStarted' && playback?.target_uri === `channel:${channelId}` && playback.media_uri === media;
    },
    `playback of ${media} on ${channelId}`,
  );
}

/** Polls `check` until it returns true (for state that emits no event, e.g. counters). */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
