/**
 * Feeds the supervisors' wallboard over the CTI: every `intervalMs`, the instance that holds the
 * router lease publishes, from the live stats, `queue.stats` on each `queue:<id>`, and on
 * `supervisor` one `queues.stats` with every queue and one `wallboard` event: two events to each
 * console, not one per queue (each event on `supervisor` goes to every console: a hall of 500
 * takes one socket write per console and event). Publishing is coalesced by the bus (latest value
 * wins), so a burst of changes never floods the consoles.
 */
import type { Clock, TimerHandle } from '../clock.ts';
import type { EventBus } from '../cti/event-bus.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import type { LiveStats } from './live-stats.ts';
import { routerLease } from './queue-router.ts';

export function createWallboardFeed(options: {
  bus: EventBus; store: Store; clock: Clock; logger: Logger; instanceId: string;
  snapshot: () => Promise<LiveStats>; intervalMs?: number;
}) {
  const { bus, store, clock, instanceId, snapshot } = options;
  const intervalMs = options.intervalMs ?? 2_000;
  let timer: TimerHandle | undefined;
  let closed = false;

  async function publish(): Promise<void> {
    // one publisher per deployment: the instance holding the router's lease (same owner as this
    // instance's router, so renewing it here changes nothing)
    if (!(await store.acquireLease(routerLease, instanceId, intervalMs * 4))) return;
    const stats = await snapshot();
    const ready = stats.agents.filter((a) => a.state === 'ready').length;
    const busy = stats.agents.filter((a) => a.state === 'reserved' || a.state === 'on_call' || a.state === 'wrap_up').length;
    const queues = stats.queues.map((queue) => ({
      queueId: queue.queueId, waiting: queue.waiting, longestWaitMs: queue.longestWaitSec * 1000,
      agentsReady: ready, agentsBusy: busy, serviceLevel15s: queue.today.answeredWithin15sRate ?? null, // no calls yet: no figure, not 100 %
    }));
    for (const data of queues) bus.publishLatest(`queue:${data.queueId}`, 'queue.stats', data.queueId, data);
    bus.publishLatest('supervisor', 'queues.stats', 'centre', { queues });
    bus.publishLatest('supervisor', 'wallboard', 'centre', {
      waiting: stats.queues.reduce((sum, q) => sum + q.waiting, 0),
      answeredToday: stats.today.answered,
      abandonedToday: stats.today.abandoned,
      agentsLoggedIn: stats.agents.filter((a) => a.state !== 'logged_out').length,
      serviceLevel15s: stats.today.answeredWithin15sRate ?? null,
    });
  }

  function tick(): void {
    if (closed) return;
    publish()
      .catch((error: unknown) => options.logger.warn({ err: error }, 'wallboard not published'))
      .finally(() => {
        if (!closed) timer = clock.setTimeout(tick, intervalMs);
      });
  }

  return {
    start: tick,
    close(): void {
      closed = true;
      timer?.cancel();
    },
  };
}
