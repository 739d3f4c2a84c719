/**
 * The CTI event bus, on the store port. `publish` appends the event to the topic's stream (its
 * id is the stream id: monotonic per topic; retention bounded by `maxLen` and `maxAgeMs`) and then
 * sends a small notice `<topic> <id>` on one pub/sub channel that every instance hears. Each
 * instance keeps one feed per topic its clients follow (topic-feeds.ts), which reads the stream
 * after its cursor when a notice arrives: so every instance delivers a topic's events in stream
 * order, without gaps, even when several instances publish on it at once.
 *
 * Latest-value events are coalesced before the stream (`publishLatest`): queue figures and the
 * wallboard. `agent.state` on `supervisor` — whoever publishes it — is batched: one `agents.state`
 * event per interval carries the latest state of each agent that changed, so a hall of consoles
 * gets a few events a second, not one per agent and transition.
 */
import type { Clock } from '../clock.ts';
import { HotlineError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import { createBatcher, createCoalescer } from './coalescer.ts';
import type { BusEvent, EventMap, EventName } from './events.ts';
import { createTopicFeeds, type FeedListener } from './topic-feeds.ts';

export type { BusEvent } from './events.ts';

export interface EventBusOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Entries kept per topic stream (trimmed on append). Default 1000. */
  readonly maxLen?: number;
  /** Events older than this are not replayed on resume (a resync is sent instead). Default 15 min. */
  readonly maxAgeMs?: number;
  /** Smallest gap between two coalesced events of one key (`publishLatest`), and between two `agents.state` batches. Default 250 ms. */
  readonly coalesceMs?: number;
  /** Re-read every followed topic this often, to heal notices lost while pub/sub was down. 0 = never. Default 10 s. */
  readonly sweepMs?: number;
}

export type EventBus = ReturnType<typeof createEventBus>;

/** The pub/sub channel on which instances announce new stream entries. */
export const NOTICE_CHANNEL = 'cti:events';

const TOPIC = /^(agent:[A-Za-z0-9._-]{1,64}|supervisor|queue:[A-Za-z0-9._-]{1,64})$/;

/** Events published with `publishLatest`: the latest value per key wins. */
export type LatestEventName = 'queue.stats' | 'queues.stats' | 'wallboard';

/** The topic whose `agent.state` the bus batches into `agents.state` (the agent's own topic keeps every transition, in order). */
const BATCHED_TOPIC = 'supervisor';

type Waiter = { resolve(event: BusEvent): void; reject(error: unknown): void };

/** The store key of a topic's stream. */
export function streamKey(topic: string): string {
  return `cti:${topic}`;
}

/** Creates the bus; call `start()` before watching topics and `close()` at shutdown. */
export function createEventBus(options: EventBusOptions) {
  const { store, clock } = options;
  const logger = options.logger.child({ component: 'cti-bus' });
  const maxLen = options.maxLen ?? 1000;
  const maxAgeMs = options.maxAgeMs ?? 15 * 60_000;
  const counters = { published: 0, publishFailures: 0, coalesced: 0 };
  const feeds = createTopicFeeds({ read, tail, clock, logger, sweepMs: options.sweepMs ?? 10_000 });
  const intervalMs = options.coalesceMs ?? 250;
  const coalescer = createCoalescer({
    clock,
    intervalMs,
    emit: (topic, name, data) => {
      append(topic, name as EventName, data as never).catch((error: unknown) => logger.warn({ err: error, topic, name }, 'coalesced event not published'));
    },
  });
  /** Callers of `publish` whose agent state waits for the next `agents.state` batch. */
  let batchWaiters: Waiter[] = [];
  const agentStates = createBatcher<EventMap['agent.state']>({
    clock,
    intervalMs,
    emit: (agents) => {
      const waiting = batchWaiters;
      batchWaiters = [];
      append(BATCHED_TOPIC, 'agents.state', { agents }).then(
        (event) => waiting.forEach((waiter) => waiter.resolve(event)),
        (error: unknown) => waiting.forEach((waiter) => waiter.reject(error)),
      );
    },
  });
  let unsubscribe: (() => Promise<void>) | undefined;

  /**
   * Appends an event to `topic` and announces it to every instance; resolves to the stored event.
   * `agent.state` on `supervisor` goes into the next `agents.state` batch (at once after a quiet
   * interval, else held up to `coalesceMs`, replaced by a later state of the same agent): it
   * resolves to the stored batch that carries the agent's state.
   */
  async function publish<N extends EventName>(topic: string, name: N, data: EventMap[N]): Promise<BusEvent> {
    assertTopic(topic);
    if (topic !== BATCHED_TOPIC || name !== 'agent.state') return append(topic, name, data);
    const state = data as EventMap['agent.state'];
    return new Promise<BusEvent>((resolve, reject) => {
      batchWaiters.push({ resolve, reject });
      if (!agentStates.offer(state.username, state)) counters.coalesced++;
    });
  }

  async function append<N extends EventName>(topic: string, name: N, data: EventMap[N]): Promise<BusEvent> {
    const at = clock.now();
    const fields = { n: name, d: JSON.stringify(data), t: String(at) };
    let id: string;
    try {
      const result = await store.commit([], [{ op: 'xadd', key: streamKey(topic), fields, maxLen }]);
      if (!result.ok || result.streamIds[0] === undefined) throw new HotlineError('STORE_CONFLICT', 'the event was not appended');
      id = result.streamIds[0];
    } catch (error) {
      counters.publishFailures++;
      throw error;
    }
    counters.published++;
    feeds.notice(topic, id); // this instance's own followers at once; the others through the notice below
    // a lost notice only delays delivery until the next notice or sweep: the stream is the truth
    await store.publish(NOTICE_CHANNEL, `${topic} ${id}`).catch((error: unknown) => {
      logger.warn({ err: error, topic }, 'event stored but its notice was not sent');
    });
    return { id, topic, name, data: data as unknown as Record<string, unknown>, at };
  }

  /**
   * Publishes the latest value for (`topic`, `name`, `key`) at most once per `coalesceMs`: the
   * first at once, later ones held and replaced until the interval has passed (latest wins).
   */
  function publishLatest<N extends LatestEventName>(topic: string, name: N, key: string, data: EventMap[N]): void {
    assertTopic(topic);
    if (!coalescer.offer(topic, name, key, data)) counters.coalesced++;
  }

  /** Entries of `topic` strictly after `afterId`, oldest first, at most `count`. */
  async function read(topic: string, afterId: string, count: number): Promise<BusEvent[]> {
    const entries = await store.xrange(streamKey(topic), afterId, count);
    return entries.map((entry) => ({
      id: entry.id,
      topic,
      name: entry.fields.n ?? 'unknown',
      data: parseData(entry.fields.d),
      at: Number(entry.fields.t ?? 0),
    }));
  }

  /** The id of the newest retained entry of `topic`, '0' when there is none. */
  async function tail(topic: string): Promise<string> {
    // the store port has no reverse range: page forward (a topic stream holds at most ~maxLen)
    let last = '0';
    for (;;) {
      const page = await store.xrange(streamKey(topic), last, 1000);
      if (page.length === 0) return last;
      last = page[page.length - 1]!.id;
      if (page.length < 1000) return last;
    }
  }

  async function start(): Promise<void> {
    if (unsubscribe) return;
    unsubscribe = await store.subscribe(NOTICE_CHANNEL, (message) => {
      const space = message.indexOf(' ');
      if (space > 0) feeds.notice(message.slice(0, space), message.slice(space + 1));
    });
  }

  async function close(): Promise<void> {
    coalescer.close();
    agentStates.close();
    const dropped = new HotlineError('SHUTTING_DOWN', 'the event bus closed before this batched event was published');
    for (const waiter of batchWaiters) waiter.reject(dropped);
    batchWaiters = [];
    feeds.close();
    const stop = unsubscribe;
    unsubscribe = undefined;
    await stop?.();
  }

  return {
    publish,
    publishLatest,
    read,
    tail,
    /**
     * Follows `topic` live on this instance: `listener` gets every event after the returned
     * cursor, in stream order. Resolves to the cursor (the id of the last event *not* delivered).
     */
    watch: (topic: string, listener: FeedListener) => feeds.watch(topic, listener),
    /** Oldest replayable time: events published before it are not replayed on resume. */
    retainedSince: () => clock.now() - maxAgeMs,
    start,
    close,
    stats: () => ({ ...counters, ...feeds.stats(), pendingCoalesced: coalescer.pending() + agentStates.pending() }),
  };
}

function assertTopic(topic: string): void {
  if (!TOPIC.test(topic)) throw new HotlineError('CTI_BAD_MESSAGE', 'a topic is agent:<username>, supervisor or queue:<id>', { path: '/topic' });
}

function parseData(json: string | undefined): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(json ?? '{}');
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
