/**
 * Event chaos for fault tests: what a real Asterisk does not do, or does rarely, and a server must
 * survive — an event sent twice, two events swapped, an event about a channel or bridge the server
 * never heard of. Off unless a test turns it on (`Simulator.setChaos`); decisions come from a
 * seeded generator, so a failing run can be replayed.
 */
import { seededRandom } from '../seeded-random.ts';

export interface EventChaos {
  /** Share of events sent twice in a row. */
  readonly duplicate: number;
  /** Share of events held back and sent after the next one (or after 20 ms when none follows). */
  readonly swap: number;
  /** Share of events followed by a copy about an unknown channel and bridge. */
  readonly ghost: number;
  readonly seed: number;
}

/** Wraps one socket's `send` with `chaos`; the returned function takes the events in order. */
export function chaoticSender(chaos: EventChaos, send: (event: Record<string, unknown>) => void): (event: Record<string, unknown>) => void {
  const random = seededRandom(chaos.seed);
  let held: { event: Record<string, unknown>; timer: NodeJS.Timeout } | undefined;
  let ghosts = 0;

  function ghostOf(event: Record<string, unknown>): Record<string, unknown> {
    const n = ++ghosts;
    const copy: Record<string, unknown> = structuredClone(event);
    for (const key of ['channel', 'peer', 'bridge', 'replace_channel']) {
      const part = copy[key];
      if (part && typeof part === 'object' && 'id' in part) (part as { id: string }).id = `ghost-${key}-${n}`;
    }
    if (typeof copy['playback'] === 'object' && copy['playback'] !== null) {
      const playback = copy['playback'] as { id: string; target_uri?: string };
      playback.id = `ghost-playback-${n}`;
      playback.target_uri = `channel:ghost-channel-${n}`;
    }
    return copy;
  }

  function deliver(event: Record<string, unknown>): void {
    send(event);
    if (random() < chaos.duplicate) send(event);
    if (random() < chaos.ghost) send(ghostOf(event));
  }

  return (event) => {
    if (held) {
      clearTimeout(held.timer);
      const before = held.event;
      held = undefined;
      deliver(event);
      deliver(before);
      return;
    }
    if (random() < chaos.swap) {
      held = { event, timer: setTimeout(() => {
        const late = held?.event;
        held = undefined;
        if (late) deliver(late);
      }, 20) };
      return;
    }
    deliver(event);
  };
}
