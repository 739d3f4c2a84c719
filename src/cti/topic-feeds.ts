/**
 * One feed per topic that this instance's clients follow. A feed holds a cursor (the id of the
 * last event it delivered) and, when a notice says the topic has news, reads the stream after the
 * cursor and hands each event to its listeners in stream order. Reads of one feed never overlap:
 * notices that arrive during a read make it read once more. A periodic sweep re-reads every feed,
 * so a notice lost while pub/sub was down delays events but never loses them.
 *
 * The feeds of an instance share a time slice: once they have worked `sliceMs` without the event
 * loop turning, the next read or delivery waits for the next turn (`setImmediate`), so a burst of
 * notices never holds up sockets, ARI events and timers for longer than a slice.
 */
import type { Clock, TimerHandle } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { BusEvent } from './events.ts';

export type FeedListener = (event: BusEvent) => void;

/** A listener's place in a feed. */
export interface Watch {
  /** Id of the last event before the first one this listener gets ('0' when the topic was empty). */
  readonly cursor: string;
  /** Stops delivery to this listener; the feed ends with its last listener. */
  unwatch(): void;
}

export interface TopicFeedsOptions {
  read(topic: string, afterId: string, count: number): Promise<BusEvent[]>;
  tail(topic: string): Promise<string>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** 0 = no sweep. */
  readonly sweepMs: number;
  /** Longest run of reads and deliveries before the feeds let the event loop turn. Default 5 ms. */
  readonly sliceMs?: number;
}

interface Feed {
  readonly topic: string;
  cursor: string | undefined;
  readonly listeners: Set<FeedListener>;
  ready: Promise<void>;
  reading: boolean;
  dirty: boolean;
  closed: boolean;
}

const PAGE = 500;

/** Creates the per-instance feeds of the event bus. */
export function createTopicFeeds(options: TopicFeedsOptions) {
  const { clock, logger } = options;
  const feeds = new Map<string, Feed>();
  const counters = { reads: 0, readFailures: 0, delivered: 0 };
  let sweepTimer: TimerHandle | undefined;
  let closed = false;
  const pacer = createPacer(options.sliceMs ?? 5);

  function armSweep(): void {
    if (options.sweepMs <= 0 || closed) return;
    sweepTimer = clock.setTimeout(() => {
      for (const feed of feeds.values()) if (feed.cursor !== undefined) void pump(feed);
      armSweep();
    }, options.sweepMs);
  }
  armSweep();

  async function init(feed: Feed): Promise<void> {
    try {
      feed.cursor = await options.tail(feed.topic);
    } catch (error) {
      feed.closed = true;
      if (feeds.get(feed.topic) === feed) feeds.delete(feed.topic);
      throw error;
    }
    if (feed.dirty) void pump(feed);
  }

  async function pump(feed: Feed): Promise<void> {
    if (feed.reading) {
      feed.dirty = true;
      return;
    }
    feed.reading = true;
    try {
      for (;;) {
        await pacer.turn();
        if (feed.closed) return;
        feed.dirty = false;
        counters.reads++;
        const page = await options.read(feed.topic, feed.cursor!, PAGE);
        for (const event of page) {
          const wait = pacer.turn();
          if (wait) await wait;
          if (feed.closed) return;
          deliver(feed, event);
        }
        if (page.length < PAGE && !feed.dirty) return;
      }
    } catch (error) {
      counters.readFailures++;
      logger.warn({ err: error, topic: feed.topic }, 'cannot read the topic stream; retrying at the next notice or sweep');
    } finally {
      feed.reading = false;
    }
  }

  function deliver(feed: Feed, event: BusEvent): void {
    feed.cursor = event.id;
    for (const listener of [...feed.listeners]) {
      counters.delivered++;
      try {
        listener(event);
      } catch (error) {
        logger.error({ err: error, topic: feed.topic }, 'a feed listener threw');
      }
    }
  }

  /** Follows `topic`; see `Watch`. Rejects when the stream cannot be read. */
  async function watch(topic: string, listener: FeedListener): Promise<Watch> {
    for (;;) {
      let feed = feeds.get(topic);
      if (!feed) {
        const created: Feed = { topic, cursor: undefined, listeners: new Set(), ready: Promise.resolve(), reading: false, dirty: false, closed: false };
        created.ready = init(created);
        feeds.set(topic, created);
        feed = created;
      }
      await feed.ready;
      // the feed may have ended (its last listener left) while this one waited: take a fresh one
      if (feed.closed || feeds.get(topic) !== feed) continue;
      const joined = feed;
      joined.listeners.add(listener);
      return {
        cursor: joined.cursor!,
        unwatch() {
          joined.listeners.delete(listener);
          if (joined.listeners.size === 0 && !joined.closed) {
            joined.closed = true;
            if (feeds.get(topic) === joined) feeds.delete(topic);
          }
        },
      };
    }
  }

  return {
    watch,
    /** A notice that `topic` has a new entry. */
    notice(topic: string): void {
      const feed = feeds.get(topic);
      if (!feed || feed.closed) return;
      if (feed.cursor === undefined) feed.dirty = true;
      else void pump(feed);
    },
    close(): void {
      closed = true;
      sweepTimer?.cancel();
      for (const feed of feeds.values()) feed.closed = true;
      feeds.clear();
    },
    stats: () => ({ feeds: feeds.size, ...counters, yields: pacer.yields() }),
  };
}

/**
 * A time slice shared by every feed of an instance. `turn()` resolves at once while the slice
 * lasts; past `sliceMs` it resolves on the event loop's next turn, when a new slice starts.
 * Waiters resume in the order they came and each checks the slice again, so a crowd of feeds
 * woken together does not run back to back either. Real time, not the injected clock: it
 * measures how long the feeds hold the process.
 */
function createPacer(sliceMs: number) {
  let sliceStart: number | undefined;
  let next: Promise<void> | undefined;
  let yields = 0;

  function startSlice(): void {
    sliceStart = performance.now();
    // a slice never outlives the turn it started in
    setImmediate(() => (sliceStart = undefined));
  }

  function nextTurn(): Promise<void> {
    next ??= new Promise<void>((resolve) =>
      setImmediate(() => {
        next = undefined;
        yields++;
        resolve();
      }),
    );
    return next;
  }

  /** True when the slice is used up (starting one if none runs). */
  function spent(): boolean {
    if (sliceStart === undefined) startSlice();
    return performance.now() - sliceStart! >= sliceMs;
  }

  return {
    /** Undefined while the slice lasts (go on at once), else a promise of the next turn with time left. */
    turn(): Promise<void> | undefined {
      if (!spent()) return undefined;
      return (async () => {
        do await nextTurn();
        while (spent());
      })();
    },
    yields: () => yields,
  };
}
