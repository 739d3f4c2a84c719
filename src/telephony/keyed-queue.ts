/**
 * A set of serial async queues, one per key (a channel id, a bridge id). Work for one key runs
 * strictly one item after the other — item N+1 starts after item N's promise settled — while
 * different keys run independently. A key's entry exists only while it has pending work, so the
 * map never grows beyond the keys that are busy right now.
 */

export interface KeyedQueue {
  /** Appends `work` to the queue of `key`. Errors of `work` go to `onError`, never stop the queue. */
  push(key: string, work: () => Promise<void> | void): void;
  /** Keys with pending or running work. */
  size(): number;
  /** Resolves when every queue is empty (work pushed meanwhile included). */
  idle(): Promise<void>;
}

interface Lane {
  readonly items: Array<() => Promise<void> | void>;
}

/** Creates the queues; `onError` receives what a work item threw, with its key. */
export function createKeyedQueue(onError: (error: unknown, key: string) => void): KeyedQueue {
  const lanes = new Map<string, Lane>();
  let idleWaiters: Array<() => void> = [];

  function settleIdle(): void {
    if (lanes.size > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  async function drain(key: string, lane: Lane): Promise<void> {
    for (let work = lane.items.shift(); work; work = lane.items.shift()) {
      try {
        await work();
      } catch (error) {
        onError(error, key);
      }
    }
    lanes.delete(key);
    settleIdle();
  }

  return {
    push(key, work) {
      const existing = lanes.get(key);
      if (existing) {
        existing.items.push(work);
        return;
      }
      const lane: Lane = { items: [work] };
      lanes.set(key, lane);
      void drain(key, lane);
    },
    size: () => lanes.size,
    idle() {
      if (lanes.size === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}
