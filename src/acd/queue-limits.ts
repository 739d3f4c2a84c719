/**
 * When a queue gives a caller back to the IVR, whose flow decides what follows (another queue,
 * a message, a callback registration): `no-agents` when no agent who could ever take the call is
 * logged in (voicemail only when agents are truly absent, not merely busy), `full` when the queue
 * holds its maximum, `timeout` after the longest wait allowed — unless the queue turns a caller who
 * waited too long into a callback that keeps the place (`timeoutTo: 'callback'`).
 */
import type { AcdState } from './acd-state.ts';
import type { RoutingQueue } from './routing.ts';

export interface QueueLimits {
  /** Longest wait in this queue before the caller goes back to the IVR's `timeout` exit; 0 = no limit. */
  readonly maxWaitSec: number;
  /** Most callers waiting at once; a further caller takes the `full` exit; 0 = no limit. */
  readonly maxWaiting: number;
  /** The key a waiting caller presses to be called back, keeping the place (virtual hold); none = no callbacks. */
  readonly callbackKey?: string;
  /** Where the longest wait leads: back to the flow (default), or straight to a callback keeping the place. */
  readonly timeoutTo?: 'flow' | 'callback';
}

export type QueueRefusal = 'full' | 'no-agents';

export const noLimits: QueueLimits = { maxWaitSec: 0, maxWaiting: 0 };

/** Whether `queue` may take one more caller now. */
export async function admission(acd: AcdState, queue: RoutingQueue | undefined, limits: QueueLimits): Promise<QueueRefusal | null> {
  const skills = [...new Set(queue?.steps.flatMap((step) => step.skills) ?? [])];
  const [staffed, waiting] = await Promise.all([acd.anyLoggedIn(skills), limits.maxWaiting > 0 && queue ? acd.waitingCount(queue.id) : Promise.resolve(0)]);
  if (!staffed) return 'no-agents';
  if (limits.maxWaiting > 0 && waiting >= limits.maxWaiting) return 'full';
  return null;
}
