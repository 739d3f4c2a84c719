/**
 * Commands on a call whose media another instance holds. A call's legs are driven by the instance
 * whose Stasis application holds the caller (src/acd/queue-service.ts), but the agent's CTI socket
 * may be on any instance. A command for a call this instance does not hold is published on
 * `acd:desk`; the instance that holds the call runs the same handler and replies on
 * `acd:desk:reply:<asking instance>`. No reply in time: NOT_FOUND, as for a call nobody holds.
 *
 * The asking instance has authenticated the user; the holding instance checks, as for a local
 * command, that the call is this user's.
 */
import { randomUUID } from 'node:crypto';
import { HotlineError, isHotlineError, type ErrorCode } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Store, Unsubscribe } from '../store/store.ts';
import type { CtiGateway } from '../cti/gateway.ts';
import type { HandledCommand, Payload } from '../cti/protocol.ts';

export interface DeskRelayOptions {
  readonly store: Store;
  readonly instanceId: string;
  readonly logger: Logger;
  /** Whether this instance holds the call's media. */
  readonly holds: (callId: string) => boolean;
  /** How long to wait for the holding instance's reply. */
  readonly timeoutMs?: number;
}

/** A command on a call: the user it is for and its payload. */
export type CallCommand<P extends { callId: string }, R> = (username: string, payload: P) => Promise<R>;

interface Request {
  readonly id: string;
  readonly from: string;
  readonly type: string;
  readonly username: string;
  readonly payload: { readonly callId: string };
}

type Reply =
  | { readonly id: string; readonly ok: true; readonly result: unknown }
  | { readonly id: string; readonly ok: false; readonly code: ErrorCode; readonly message: string; readonly details?: Record<string, unknown> };

const requests = 'acd:desk';
const replies = (instanceId: string): string => `acd:desk:reply:${instanceId}`;

export function createDeskRelay(options: DeskRelayOptions) {
  const { store, instanceId, holds } = options;
  const logger = options.logger.child({ component: 'desk-relay' });
  const timeoutMs = options.timeoutMs ?? 5000;
  const handlers = new Map<string, CallCommand<{ callId: string }, unknown>>();
  /** Replies awaited, by request id. */
  const pending = new Map<string, (reply: Reply) => void>();
  let subscriptions: Promise<Unsubscribe[]> | undefined;

  async function serve(request: Request): Promise<void> {
    const handler = handlers.get(request.type);
    if (request.from === instanceId || !handler || !holds(request.payload.callId)) return;
    let reply: Reply;
    try {
      reply = { id: request.id, ok: true, result: await handler(request.username, request.payload) };
    } catch (error) {
      if (!isHotlineError(error)) logger.warn({ err: error, type: request.type }, 'relayed command failed');
      reply = isHotlineError(error)
        ? { id: request.id, ok: false, code: error.code, message: error.message, ...(error.details ? { details: { ...error.details } } : {}) }
        : { id: request.id, ok: false, code: 'INTERNAL', message: 'the command failed on the server holding the call' };
    }
    await store.publish(replies(request.from), JSON.stringify(reply));
  }

  function ask(type: string, username: string, payload: { callId: string }): Promise<unknown> {
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new HotlineError('NOT_FOUND', 'no such call for you on any server'));
      }, timeoutMs);
      pending.set(id, (reply) => {
        clearTimeout(timer);
        pending.delete(id);
        if (reply.ok) resolve(reply.result);
        else reject(new HotlineError(reply.code, reply.message, reply.details));
      });
      const request: Request = { id, from: instanceId, type, username, payload };
      store.publish(requests, JSON.stringify(request)).catch((error: unknown) => {
        clearTimeout(timer);
        pending.delete(id);
        reject(error);
      });
    });
  }

  return {
    /** Whether this instance holds the call's media. */
    holdsHere: holds,
    /** Subscribes to requests and replies; commands can be relayed once this resolved. */
    async start(): Promise<void> {
      subscriptions ??= Promise.all([
        store.subscribe(requests, (message) => void serve(JSON.parse(message) as Request).catch((error: unknown) => logger.warn({ err: error }, 'relay reply not sent'))),
        store.subscribe(replies(instanceId), (message) => {
          const reply = JSON.parse(message) as Reply;
          pending.get(reply.id)?.(reply);
        }),
      ]);
      await subscriptions;
    },
    /**
     * `command` as run here when this instance holds the call, else on the instance that does.
     * `type` names it on the wire: every instance registers the same commands.
     */
    relayed<P extends { callId: string }, R>(type: string, command: CallCommand<P, R>): CallCommand<P, R> {
      handlers.set(type, command as CallCommand<{ callId: string }, unknown>);
      return async (username, payload) => (holds(payload.callId) ? command(username, payload) : (ask(type, username, payload) as Promise<R>));
    },
    async close(): Promise<void> {
      for (const settle of pending.values()) settle({ id: '', ok: false, code: 'SHUTTING_DOWN', message: 'the server is shutting down' });
      for (const unsubscribe of (await subscriptions) ?? []) await unsubscribe();
    },
  };
}

export type DeskRelay = ReturnType<typeof createDeskRelay>;

/**
 * Registers a CTI command on a call, run on the instance that holds the call (through `relay`;
 * without one, here). `elsewhere`, when given, says whether the call may be this user's on another
 * instance at all: a command it rules out gets NOT_FOUND at once instead of a relay's wait.
 */
export function onCallCommand<T extends HandledCommand>(
  cti: Pick<CtiGateway, 'onCommand'>,
  relay: DeskRelay | undefined,
  type: T,
  command: (username: string, payload: Payload<T> & { callId: string }) => Promise<unknown>,
  elsewhere?: (username: string, callId: string) => Promise<boolean>,
): void {
  const run = relay?.relayed(type, command) ?? command;
  cti.onCommand(type, async (session, payload) => {
    const call = payload as Payload<T> & { callId: string };
    if (relay && elsewhere && !relay.holdsHere(call.callId) && !(await elsewhere(session.username, call.callId))) {
      throw new HotlineError('NOT_FOUND', 'no such call for you on this server');
    }
    return run(session.username, call);
  });
}
