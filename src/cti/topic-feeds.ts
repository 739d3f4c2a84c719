/**
 * One feed per topic that this instance's clients follow. A feed holds a cursor (the id of the
 * last event it delivered) and, when a notice says the topic has news, reads the stream after the
 * cursor and hands each event to its listeners in stream order. Reads of one feed never overlap:
 * notices that arrive during a read make it read once more. A periodic sweep re-reads every feed,
 * so a notice lost while pub/sub was down delays events but never loses them.
 *
 * The feeds take turns: feeds with work wait in a round-robin run queue that works at most
 * `sliceMs` in each turn of the event loop (then lets it turn: `setImmediate`), one read or a run of
 * deliveries per feed at a time. A live event goes out right after the handler that published it,
 * while the turn has time left; a burst of notices never holds up sockets, ARI events and timers
 * for longer than a slice. Agents' own topics (`agent:<u>`: the offer, the call's progress) go
 * first: a topic with a backlog of fan-out (`supervisor`, `queue:<id>`) gets what the agents'
 * feeds leave of a slice, so a busy hall of consoles never delays an agent's screen pop. The
 * sweep's re-reads come last, a slice at a time: a thousand feeds swept at once never hold up a
 * live event.
 *
 * A notice names the entry it announces; one the feed has already read past is dropped, so the
 * bus can notice its own appends at once (no wait for the pub/sub round trip) without every
 * event being read twice when the pub/sub notice comes back.
 */
import type { Clock, TimerHandle } from '../clock.ts';
import type { Logger } from '../log.ts';
import { compareStreamIds } from '../store/store.ts';
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
  /** Most time the feeds' reads and deliveries take in one turn of the event loop. Default 10 ms. */
  readonly sliceMs?: number;
}

interface Feed {
  readonly topic: string;
  cursor: string | undefined;
  readonly listeners: Set<FeedListener>;
  ready: Promise<void>;
  /** Read and not yet delivered, oldest first. */
  pending: BusEvent[];
  /** Next event of `pending` to deliver. */
  next: number;
  reading: boolean;
  /** Id of the last entry the feed has read (or its starting cursor): notices up to it are old news. */
  readTo: string | undefined;
  /** Read again once `pending` is delivered: a notice came, or the last page was full. */
  dirty: boolean;
  closed: boolean;
}

const PAGE = 500;
const SWEEP = Symbol('sweep');

/** Creates the per-instance feeds of the event bus. */
export function createTopicFeeds(options: TopicFeedsOptions) {
  const { clock, logger } = options;
  const feeds = new Map<string, Feed>();
  const counters = { reads: 0, readFailures: 0, delivered: 0 };
  let sweepTimer: TimerHandle | undefined;
  let closed = false;
  const runQueue = createRunQueue<Feed | typeof SWEEP>(options.sliceMs ?? 10, (item, timeLeft) => (item === SWEEP ? sweepStep(timeLeft) : step(item, timeLeft)),
    (item) => (item === SWEEP ? 2 : item.topic.startsWith('agent:') ? 0 : 1));
  /** Feeds the running sweep has yet to re-read. */
  let sweeping: Feed[] = [];

  function armSweep(): void {
    if (options.sweepMs <= 0 || closed) return;
    sweepTimer = clock.setTimeout(() => {
      sweeping = [...feeds.values()];
      runQueue.add(SWEEP);
      armSweep();
    }, options.sweepMs);
  }
  armSweep();

  /** Re-reads the swept feeds while the slice lasts (a queued or reading feed only reads once more when its turn comes). */
  function sweepStep(timeLeft: () => boolean): boolean {
    while (sweeping.length > 0 && timeLeft()) {
      const feed = sweeping.pop()!;
      if (feed.closed || feed.cursor === undefined) continue;
      feed.dirty = true;
      if (!feed.reading && feed.pending.length === 0 && !runQueue.queued(feed)) read(feed);
    }
    return sweeping.length > 0;
  }

  async function init(feed: Feed): Promise<void> {
    try {
      feed.cursor = await options.tail(feed.topic);
      feed.readTo = feed.cursor;
    } catch (error) {
      feed.closed = true;
      if (feeds.get(feed.topic) === feed) feeds.delete(feed.topic);
      throw error;
    }
    if (feed.dirty) runQueue.add(feed);
  }

  /** The topic has (or may have) entries after what the feed has read. */
  function news(feed: Feed): void {
    feed.dirty = true;
    if (feed.cursor !== undefined && !feed.reading) runQueue.add(feed);
  }

  /** One turn of a feed: deliver what was read while the slice lasts, else read. True = more to do now. */
  function step(feed: Feed, timeLeft: () => boolean): boolean {
    if (feed.closed) return false;
    while (feed.next < feed.pending.length) {
      if (!timeLeft()) return true;
      deliver(feed, feed.pending[feed.next++]!);
      if (feed.closed) return false;
    }
    feed.pending = [];
    feed.next = 0;
    if (feed.dirty && !feed.reading) read(feed);
    return false;
  }

  function read(feed: Feed): void {
    feed.reading = true;
    feed.dirty = false;
    counters.reads++;
    // the last delivered id is the cursor only once `pending` is empty, which step() ensures
    options.read(feed.topic, feed.cursor!, PAGE).then(
      (page) => {
        feed.reading = false;
        if (feed.closed) return;
        feed.pending = page;
        if (page.length > 0) feed.readTo = page[page.length - 1]!.id;
        if (page.length === PAGE) feed.dirty = true;
        if (page.length > 0 || feed.dirty) runQueue.add(feed);
      },
      (error: unknown) => {
        feed.reading = false;
        counters.readFailures++;
        logger.warn({ err: error, topic: feed.topic }, 'cannot read the topic stream; retrying at the next notice or sweep');
      },
    );
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
        const created: Feed = { topic, cursor: undefined, listeners: new Set(), ready: Promise.resolve(), pending: [], next: 0, reading: false, readTo: undefined, dirty: false, closed: false };
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
    /** A notice that `topic` has a new entry (`id`, when known). */
    notice(topic: string, id?: string): void {
      const feed = feeds.get(topic);
      if (!feed || feed.closed) return;
      if (id !== undefined && !feed.reading && feed.readTo !== undefined && compareStreamIds(id, feed.readTo) <= 0) return;
      news(feed);
    },
    close(): void {
      closed = true;
      sweepTimer?.cancel();
      for (const feed of feeds.values()) feed.closed = true;
      feeds.clear();
    },
    stats: () => ({ feeds: feeds.size, ...counters, yields: runQueue.yields() }),
  };
}

/**
 * A round-robin run queue that works at most `sliceMs` in each turn of the event loop. `add`
 * queues an item (once); a run calls `step(item, timeLeft)` for queued items in order while the
 * turn's time lasts, re-queuing at the back an item whose step says it has more to do. Items wait
 * in lanes (`laneOf`: 0 first, then 1, then 2): an item runs only when the lanes before its own are
 * empty. While the turn has time left, an added item runs at once, in a microtask: a live event
 * goes out right after the handler that published it, ahead of the ARI frames and timers already
 * waiting for the loop. Once the turn's time is spent, the next run waits for the next turn
 * (`setImmediate`). Real time, not the injected clock: it measures how long the feeds hold the process.
 */
function createRunQueue<T>(sliceMs: number, step: (item: T, timeLeft: () => boolean) => boolean, laneOf: (item: T) => 0 | 1 | 2) {
  const lanes = [createLane<T>(), createLane<T>(), createLane<T>()] as const;
  const queued = new Set<T>();
  /** Time the runs took in this turn of the event loop; a `setImmediate` armed with the first run of a turn sets it back to 0. */
  let spent = 0;
  let turnArmed = false;
  let runStart = 0;
  let pending = false;
  let yields = 0;
  const timeLeft = (): boolean => spent + (performance.now() - runStart) < sliceMs;

  function schedule(): void {
    if (pending) return;
    pending = true;
    if (spent < sliceMs) {
      queueMicrotask(run);
      return;
    }
    yields++;
    setImmediate(run); // after the turn's reset, which was armed first
  }

  function run(): void {
    pending = false;
    runStart = performance.now();
    let more = false;
    for (;;) {
      const lane = lanes.find((l) => l.size() > 0);
      if (!lane) break;
      if (!timeLeft()) {
        more = true;
        break;
      }
      const item = lane.shift();
      queued.delete(item);
      if (step(item, timeLeft)) add(item);
    }
    spent += performance.now() - runStart;
    if (!turnArmed) {
      turnArmed = true;
      setImmediate(() => {
        turnArmed = false;
        spent = 0;
      });
    }
    if (more) schedule();
  }

  function add(item: T): void {
    if (queued.has(item)) return;
    queued.add(item);
    lanes[laneOf(item)].push(item);
    schedule();
  }

  return { add, queued: (item: T) => queued.has(item), yields: () => yields };
}

/** A FIFO with amortised O(1) shift. */
function createLane<T>() {
  let items: T[] = [];
  let head = 0;
  return {
    size: () => items.length - head,
    push: (item: T) => void items.push(item),
    shift(): T {
      const item = items[head++]!;
      if (head > 1024 && head * 2 > items.length) {
        items = items.slice(head);
        head = 0;
      }
      return item;
    },
  };
}
