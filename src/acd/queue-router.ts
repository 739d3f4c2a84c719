/**
 * The router loop: one instance at a time (a store lease) matches waiting calls with ready agents
 * using the pure decision in routing.ts and reserves each pair atomically (acd-state.ts), all pairs
 * of a round at once. The lease keeps queue order across instances; safety never depends on it
 * (docs/adr/0007). When the holder dies its lease lapses and another instance's loop takes over.
 */
import type { Clock, TimerHandle } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import type { AcdState } from './acd-state.ts';
import { assign, type RoutingQueue } from './routing.ts';

export interface QueueRouterOptions {
  readonly acd: AcdState;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly instanceId: string;
  readonly queues: ReadonlyMap<string, RoutingQueue>;
  /** Hands a reservation to the instance that holds the call. */
  readonly deliver: (callId: string, agentId: string, ownerInstanceId: string) => Promise<void>;
  /** How often the loop runs without being kicked. */
  readonly intervalMs?: number;
  /** Whether the instance holding a call's media is alive (src/acd/instance-liveness.ts): a gone one's callers are not routed. */
  readonly alive?: (instanceId: string) => boolean;
}

export const routerLease = 'acd-router';

export function createQueueRouter(options: QueueRouterOptions) {
  const { acd, store, clock, instanceId, queues, deliver } = options;
  const logger = options.logger.child({ component: 'router' });
  const intervalMs = options.intervalMs ?? 500;
  const leaseMs = intervalMs * 4;
  let timer: TimerHandle | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;

  async function round(): Promise<void> {
    if (!(await store.acquireLease(routerLease, instanceId, leaseMs))) return;
    const now = clock.now();
    const [queued, ready] = await Promise.all([acd.waitingCalls(), acd.readyAgents()]);
    const alive = options.alive ?? (() => true);
    const waiting = queued.filter((call) => (call.callback?.notBefore ?? 0) <= now && alive(call.instanceId)); // a callback pauses between attempts
    if (waiting.length === 0 || ready.length === 0) return;
    const owners = new Map(waiting.map((call) => [call.callId, call.instanceId]));
    // The pairs of one round share no call and no agent, and each reserve is atomic on its own:
    // they are sent together (in queue order) rather than one round trip after another.
    const results = await Promise.allSettled(
      assign(waiting, ready, queues, now).map(async ({ callId, agentId }) => {
        if (!(await acd.reserve(callId, agentId))) {
          again = true; // someone changed meanwhile: route again at once
          return;
        }
        deliver(callId, agentId, owners.get(callId)!).catch((error: unknown) => logger.warn({ err: error, callId, agentId }, 'offer not delivered'));
      }),
    );
    const failed = results.filter((result) => result.status === 'rejected');
    if (failed.length > 0) {
      logger.warn({ err: failed[0]!.reason, failed: failed.length, of: results.length }, 'reservations failed');
    }
  }

  /** Runs a round now (or right after the one running), then keeps the interval. */
  function kick(): void {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    timer?.cancel();
    running = round()
      .catch((error: unknown) => logger.warn({ err: error }, 'routing round failed'))
      .finally(() => {
        running = undefined;
        if (closed) return;
        if (again) {
          again = false;
          kick();
        } else {
          timer = clock.setTimeout(kick, intervalMs);
        }
      });
  }

  return {
    start: kick,
    kick,
    async close(): Promise<void> {
      closed = true;
      timer?.cancel();
      await running;
      await store.releaseLease(routerLease, instanceId);
    },
  };
}

export type QueueRouter = ReturnType<typeof createQueueRouter>;
