/**
 * The router loop: one instance at a time (a store lease) matches waiting calls with ready agents
 * using the pure decision in routing.ts and reserves each pair atomically (acd-state.ts), all pairs
 * of a round at once. A round reads the ready agents first (none: done), then only the heads of
 * the queues, page by page in service order, until every ready agent has a caller or the queues
 * are exhausted — not every waiting call: with 500 callers waiting, an agent who becomes ready
 * costs a page, not 500 documents. A queue is read no further once no agent left free has a skill
 * of any of its escalation steps (`mayServe` in routing.ts): expert seats left free while the
 * general queue is long no longer make every round read it to its end (issue 5). The lease keeps
 * queue order across instances; safety never depends on it (docs/adr/0007). When the holder dies
 * its lease lapses and another instance's loop takes over.
 */
import type { Clock, TimerHandle } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import type { AcdState, QueuedCall } from './acd-state.ts';
import { createMatcher, serviceOrder, type ReadyAgent, type RoutingQueue } from './routing.ts';

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

/** Callers read from each queue with the ready agents; further pages as the ready agents need. */
const FIRST_PAGE = 16;

export function createQueueRouter(options: QueueRouterOptions) {
  const { acd, store, clock, instanceId, queues, deliver } = options;
  const logger = options.logger.child({ component: 'router' });
  const intervalMs = options.intervalMs ?? 500;
  const leaseMs = intervalMs * 4;
  let timer: TimerHandle | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;

  type Cursor = { readonly queueId: string; offset: number; more: boolean; last: QueuedCall | undefined; calls: QueuedCall[] };

  /** Reads the next `count` callers of a queue into its cursor. */
  async function readPage(cursor: Cursor, count: number): Promise<void> {
    const { listed, calls } = await acd.waitingPage(cursor.queueId, cursor.offset, count);
    cursor.offset += listed;
    cursor.more = listed === count;
    cursor.last = calls.at(-1) ?? cursor.last;
    cursor.calls.push(...calls);
  }

  /**
   * The round's matching: serves the queues' heads in service order, a page of each queue at a
   * time, as far as every queue's fetched heads reach (a caller further down a queue not read yet
   * might come first), until no agent is free or every queue is read to its end or closed. A queue
   * none of whose callers an agent still free could take is closed: its unread callers would take
   * nobody, so they need not hold back the other queues' callers either.
   */
  function match(ready: readonly ReadyAgent[], cursors: readonly Cursor[], now: number) {
    const alive = options.alive ?? (() => true);
    const matcher = createMatcher(ready, queues, now);
    const owners = new Map<string, string>();
    let fetched: QueuedCall[] = [];
    const take = (): void => {
      for (const cursor of cursors) {
        for (const call of cursor.calls.splice(0)) {
          owners.set(call.callId, call.instanceId);
          // a callback pauses between attempts; a gone instance's callers wait for it
          if ((call.callback?.notBefore ?? 0) <= now && alive(call.instanceId)) fetched.push(call);
        }
      }
    };
    /** The queues to read on: closes those whose callers no agent still free could take. */
    const stillOpen = (): Cursor[] => {
      for (const cursor of cursors) if (cursor.more && !matcher.mayServe(cursor.queueId)) cursor.more = false;
      return cursors.filter((cursor) => cursor.more);
    };
    /** Serves what is in its final order; true when more must be read. */
    const serve = (): boolean => {
      take();
      // callers up to the earliest last-read head of a queue that has more are in their final order
      const open = stillOpen();
      const until = open.some((cursor) => !cursor.last) ? undefined : open.map((cursor) => cursor.last!).sort((a, b) => serviceOrder(a, b, queues))[0];
      if (open.length === 0) {
        matcher.serve(fetched);
        fetched = [];
      } else if (until) {
        matcher.serve(fetched.filter((call) => serviceOrder(call, until, queues) <= 0));
        fetched = fetched.filter((call) => serviceOrder(call, until, queues) > 0);
      }
      if (matcher.free() === 0 || open.length === 0) return false;
      // a queue closed by what was just served no longer holds the others back: serve on without it
      return stillOpen().length < open.length ? serve() : true;
    };
    return { serve, assignments: matcher.assignments, owners };
  }

  async function round(): Promise<void> {
    if (!(await store.acquireLease(routerLease, instanceId, leaseMs))) return;
    const now = clock.now();
    // the ready agents and a first page of each queue in one go (on Redis: one round trip less)
    const readQueues = async (): Promise<Cursor[]> => {
      const cursors = (await acd.queueIds()).map((queueId): Cursor => ({ queueId, offset: 0, more: true, last: undefined, calls: [] }));
      await Promise.all(cursors.map((cursor) => readPage(cursor, FIRST_PAGE)));
      return cursors;
    };
    const [ready, cursors] = await Promise.all([acd.readyAgents(), readQueues()]);
    if (ready.length === 0) return;
    const matching = match(ready, cursors, now);
    for (let page = Math.max(FIRST_PAGE * 2, ready.length + 8); matching.serve(); page *= 2) {
      await Promise.all(cursors.filter((cursor) => cursor.more).map((cursor) => readPage(cursor, page)));
    }
    const { assignments, owners } = matching;
    // The pairs of one round share no call and no agent, and each reserve is atomic on its own:
    // they are sent together (in queue order) rather than one round trip after another.
    const results = await Promise.allSettled(
      assignments.map(async ({ callId, agentId }) => {
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
