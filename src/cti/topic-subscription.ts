/**
 * One connection's subscription to one topic, with resume. Joining first attaches to the
 * instance's live feed (which buffers here), then replays the stream from the client's
 * `lastEventId` up to the feed's cursor, then flushes the buffer: every event after `lastEventId`
 * arrives once, in order, with no gap between the backlog and live events. When the client's
 * position is no longer retained (trimmed by maxLen, or older than maxAgeMs) it gets one `resync`
 * event instead, and live events from there.
 */
import { compareStreamIds } from '../store/store.ts';
import type { BusEvent, EventBus } from './event-bus.ts';
import type { ResyncData } from './events.ts';

export interface JoinResult {
  /** Id after which live events follow (what a client stores as its position if it saw nothing). */
  readonly cursor: string;
  /** Events replayed from the stream. */
  readonly replayed: number;
  /** True when the client's position was gone and a resync event was sent. */
  readonly resync: boolean;
}

export interface TopicSubscriptionOptions {
  readonly topic: string;
  readonly bus: Pick<EventBus, 'watch' | 'read' | 'retainedSince'>;
  /** Sends an event; false when the connection is gone (the subscription then stops). */
  send(event: BusEvent): boolean;
  sendResync(topic: string, cursor: string, data: ResyncData): void;
}

const PAGE = 200;

export type TopicSubscription = ReturnType<typeof createTopicSubscription>;

export function createTopicSubscription(options: TopicSubscriptionOptions) {
  const { topic, bus } = options;
  let live = false;
  let closed = false;
  let lastId = '0';
  let buffer: BusEvent[] = [];
  let unwatch: (() => void) | undefined;

  function forward(event: BusEvent): void {
    if (closed || compareStreamIds(event.id, lastId) <= 0) return;
    lastId = event.id;
    if (!options.send(event)) close();
  }

  function onLive(event: BusEvent): void {
    if (live) forward(event);
    else buffer.push(event);
  }

  function goLive(): void {
    live = true;
    const held = buffer;
    buffer = [];
    for (const event of held) forward(event);
  }

  function resync(cursor: string, reason: ResyncData['reason']): JoinResult {
    lastId = cursor;
    options.sendResync(topic, cursor, { reason });
    goLive();
    return { cursor, replayed: 0, resync: true };
  }

  /** Replays (from, until]; false when `from` is no longer retained. */
  async function replay(from: string, until: string): Promise<number | false> {
    const oldest = (await bus.read(topic, '0', 1))[0];
    if (!oldest || compareStreamIds(oldest.id, from) > 0) return false;
    lastId = from;
    let replayed = 0;
    for (;;) {
      const page = await bus.read(topic, lastId, PAGE);
      if (closed) return replayed;
      if (replayed === 0 && page[0] && page[0].at < bus.retainedSince()) return false;
      for (const event of page) {
        if (compareStreamIds(event.id, until) > 0) return replayed;
        forward(event);
        replayed++;
      }
      if (page.length < PAGE || compareStreamIds(lastId, until) >= 0) return replayed;
    }
  }

  return {
    topic,
    /** Joins live, replaying after `lastEventId` first when given. */
    async join(lastEventId?: string): Promise<JoinResult> {
      const watch = await bus.watch(topic, onLive);
      unwatch = watch.unwatch;
      if (closed) {
        watch.unwatch();
        return { cursor: watch.cursor, replayed: 0, resync: false };
      }
      const cursor = watch.cursor;
      if (lastEventId === undefined || compareStreamIds(lastEventId, cursor) >= 0) {
        // nothing to replay; an id ahead of this instance's feed (it lags a few ms) is kept as is
        lastId = lastEventId !== undefined && compareStreamIds(lastEventId, cursor) > 0 ? lastEventId : cursor;
        goLive();
        return { cursor, replayed: 0, resync: false };
      }
      const replayed = await replay(lastEventId, cursor);
      if (replayed === false) return resync(cursor, 'retention');
      goLive();
      return { cursor, replayed, resync: false };
    },
    close,
  };

  function close(): void {
    if (closed) return;
    closed = true;
    buffer = [];
    unwatch?.();
  }
}
