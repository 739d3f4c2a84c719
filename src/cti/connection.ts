/**
 * One authenticated CTI socket: parses and checks every message, answers each command with one
 * reply, runs commands one after the other (in the order sent), follows topics, and guards the
 * send side — past `maxBufferedBytes` unsent, the client is cut off as a slow consumer. Frames
 * sent in one tick leave in one write (the TCP socket is corked until the tick ends, or until
 * `FLUSH_BYTES` are held): a console that gets several events per tick costs one system call.
 */
import type { WebSocket, RawData } from 'ws';
import type { Session } from '../auth/user-service.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import { HotlineError, isHotlineError } from '../errors.ts';
import { untrusted, type Logger } from '../log.ts';
import type { BusEvent, EventBus } from './event-bus.ts';
import type { ResyncData } from './events.ts';
import { agentTopic, mayCommand, maySubscribe } from './access.ts';
import { closeCodes, messageId, parseCommand, type Command, type HandledCommand, type Reply } from './protocol.ts';
import { createTopicSubscription, type TopicSubscription } from './topic-subscription.ts';
import type { GatewayCounters } from './gateway-stats.ts';

/** What a connection needs from its gateway. */
export interface ConnectionContext {
  readonly bus: Pick<EventBus, 'watch' | 'read' | 'retainedSince'>;
  readonly clock: Clock;
  readonly counters: GatewayCounters;
  readonly limits: { readonly maxBufferedBytes: number; readonly maxTopics: number; readonly maxPending: number };
  /** The encoded frame of an event (encoded once, sent to every follower). */
  frame(event: BusEvent): Buffer;
  handler(type: HandledCommand): ((session: Session, payload: Record<string, unknown>) => Promise<unknown>) | undefined;
  /** Called once when the socket is gone, with why. */
  closed(connection: Connection, code: number, reason: string): void;
}

/** The TCP socket under the WebSocket (a `net.Socket`): corked while a tick's frames are written. */
export interface Transport {
  cork(): void;
  uncork(): void;
  readonly writableLength: number;
}

/** Held frames go out at once past this size, so `bufferedAmount` only counts what the client has not taken. */
const FLUSH_BYTES = 64 * 1024;

export type Connection = ReturnType<typeof createConnection>;

export function createConnection(ws: WebSocket, session: Session, context: ConnectionContext, logger: Logger, transport?: Transport) {
  const { counters, limits, clock } = context;
  const topics = new Map<string, TopicSubscription>();
  /** Heartbeats since the client was last heard (a message or a pong): counted, not timed, so a wall-clock step cannot cut anyone off. */
  let missedBeats = 0;
  let pending = 0;
  let chain: Promise<void> = Promise.resolve();
  let open = true;
  let ending: { code: number; reason: string } | undefined;
  const expiry: TimerHandle = clock.setTimeout(() => shut(closeCodes.sessionExpired, 'session expired'), Math.max(0, session.expiresAt - clock.now()));

  let corked = false;
  function cork(): void {
    if (corked || !transport) return;
    corked = true;
    transport.cork();
    process.nextTick(uncork);
  }
  function uncork(): void {
    if (!corked) return;
    corked = false;
    transport!.uncork();
  }

  function sendRaw(data: Buffer | string): boolean {
    if (!open || ws.readyState !== ws.OPEN) return false;
    if (ws.bufferedAmount > limits.maxBufferedBytes) {
      counters.cutOffs++;
      logger.warn({ bufferedBytes: ws.bufferedAmount, limit: limits.maxBufferedBytes }, 'slow consumer cut off');
      shut(closeCodes.slowConsumer, 'slow consumer');
      return false;
    }
    cork();
    ws.send(data, { binary: false });
    counters.messagesOut++;
    if (transport && transport.writableLength >= FLUSH_BYTES) uncork();
    return true;
  }

  function reply(message: Reply): void {
    sendRaw(JSON.stringify(message));
  }

  function fail(id: string | null, error: unknown): void {
    if (!isHotlineError(error) || error.code === 'INTERNAL') {
      logger.error({ err: error }, 'CTI command failed');
      reply({ type: 'reply', id, ok: false, error: { code: 'INTERNAL', message: 'internal error; see the server log' } });
      return;
    }
    const details = error.details ? { details: { ...error.details } } : {};
    reply({ type: 'reply', id, ok: false, error: { code: error.code, message: error.message, ...details } });
  }

  function sendResync(topic: string, cursor: string, data: ResyncData): void {
    counters.resyncs++;
    sendRaw(JSON.stringify({ type: 'event', eventId: cursor, topic, name: 'resync', data, at: clock.now() }));
  }

  async function join(topic: string, lastEventId?: string) {
    if (!maySubscribe(session, topic)) throw new HotlineError('FORBIDDEN', `your roles may not follow ${topic}`);
    topics.get(topic)?.close();
    if (!topics.has(topic) && topics.size >= limits.maxTopics) throw new HotlineError('CTI_LIMIT', `at most ${limits.maxTopics} topics per connection`);
    const subscription = createTopicSubscription({ topic, bus: context.bus, send: (event) => sendRaw(context.frame(event)), sendResync });
    topics.set(topic, subscription);
    if (lastEventId !== undefined) counters.resumes++;
    let result;
    try {
      result = await subscription.join(lastEventId);
    } catch (error) {
      subscription.close();
      if (topics.get(topic) === subscription) topics.delete(topic);
      throw error;
    }
    counters.replayed += result.replayed;
    return result;
  }

  async function run(command: Command): Promise<unknown> {
    switch (command.type) {
      case 'ping':
        return 'pong';
      case 'subscribe': {
        const refused = command.topics.filter((topic) => !maySubscribe(session, topic));
        if (refused.length > 0) throw new HotlineError('FORBIDDEN', `your roles may not follow ${refused.join(', ')}`);
        const added = [...new Set(command.topics)].filter((topic) => !topics.has(topic));
        if (topics.size + added.length > limits.maxTopics) throw new HotlineError('CTI_LIMIT', `at most ${limits.maxTopics} topics per connection`);
        const cursors: Record<string, string> = {};
        for (const topic of added) cursors[topic] = (await join(topic)).cursor;
        return { topics: cursors };
      }
      case 'unsubscribe':
        for (const topic of command.topics) {
          topics.get(topic)?.close();
          topics.delete(topic);
        }
        return { topics: [...topics.keys()] };
      case 'resume': {
        const topic = command.topic ?? (session.roles.includes('agent') ? agentTopic(session.username) : undefined);
        if (!topic) throw new HotlineError('CTI_BAD_MESSAGE', 'resume needs a topic (only agents have a default one)', { path: '/topic' });
        return { topic, ...(await join(topic, command.lastEventId)) };
      }
      default: {
        if (!mayCommand(session, command.type)) throw new HotlineError('FORBIDDEN', `your roles may not send ${command.type}`);
        const handler = context.handler(command.type);
        if (!handler) throw new HotlineError('CTI_UNKNOWN_COMMAND', `${command.type} is not served by this server`);
        const { id: _id, type: _type, ...payload } = command;
        return handler(session, payload);
      }
    }
  }

  function onMessage(data: RawData, isBinary: boolean): void {
    missedBeats = 0;
    counters.messagesIn++;
    if (isBinary) return shut(closeCodes.unsupportedData, 'binary frames are not part of the protocol');
    const text = data.toString();
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      counters.badMessages++;
      logger.debug({ input: untrusted(text, 100) }, 'CTI frame is not JSON');
      return shut(closeCodes.unsupportedData, 'frames must be JSON text');
    }
    let command: Command;
    try {
      command = parseCommand(value);
    } catch (error) {
      counters.badMessages++;
      // the error text may quote field names the client chose: log only the code, and the input
      logger.debug({ code: isHotlineError(error) ? error.code : 'INTERNAL', input: untrusted(text, 200) }, 'bad CTI message');
      return fail(messageId(value), error);
    }
    if (pending >= limits.maxPending) return fail(command.id, new HotlineError('CTI_LIMIT', `at most ${limits.maxPending} commands waiting for a reply`));
    pending++;
    counters.commands++;
    chain = chain.then(async () => {
      try {
        const result = await run(command);
        reply({ type: 'reply', id: command.id, ok: true, ...(result === undefined ? {} : { result }) });
      } catch (error) {
        fail(command.id, error);
      } finally {
        pending--;
      }
    });
  }

  function shut(code: number, reason: string): void {
    if (!open) return;
    open = false;
    ending = { code, reason };
    ws.close(code, reason);
    // a slow or dead peer may never complete the closing handshake
    clock.setTimeout(() => ws.terminate(), 1000);
  }

  function cleanup(code: number, reason: string): void {
    open = false;
    expiry.cancel();
    for (const subscription of topics.values()) subscription.close();
    topics.clear();
    // report why the server ended it, not the 1006 of a peer that never answered the close
    context.closed(connection, ending?.code ?? code, ending?.reason ?? reason);
  }

  const done = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  ws.on('message', onMessage);
  ws.on('pong', () => {
    counters.pongs++;
    missedBeats = 0;
  });
  ws.on('close', (code: number, reason: Buffer) => cleanup(code, reason.toString()));
  ws.on('error', (error) => logger.debug({ err: error }, 'CTI socket error'));

  const connection = {
    session,
    /** Resolves when the socket is closed. */
    done,
    /**
     * Resumes the agent's own topic at connect (the `lastEventId` query parameter). Commands
     * wait for it, so the reply to a first command comes after the replayed events.
     */
    resumeAtConnect(lastEventId: string | undefined): void {
      if (lastEventId === undefined || !session.roles.includes('agent')) return;
      chain = chain.then(() =>
        join(agentTopic(session.username), lastEventId).then(
          () => undefined,
          (error: unknown) => {
            logger.warn({ err: error }, 'cannot follow the agent topic');
            shut(closeCodes.policy, 'cannot follow the agent topic');
          },
        ),
      );
    },
    /** A heartbeat passed: how many in a row without a word from the client. */
    missedBeat: () => ++missedBeats,
    ping: () => {
      if (ws.readyState === ws.OPEN) ws.ping();
    },
    /** Drops the socket at once (no closing handshake), reporting `code` as the reason. */
    terminate(code: number, reason: string): void {
      open = false;
      ending ??= { code, reason };
      ws.terminate();
    },
    shut,
  };
  return connection;
}
