/**
 * Keeps one connection alive forever: connect (bounded by a timeout), run until the session
 * ends, wait a backoff with jitter, connect again — until `close()`. Used for ARI and AMI.
 *
 * ```
 *   idle ──start──► connecting ──ok──► up
 *                     │  ▲              │ session ended
 *            failed / │  │ timer        ▼
 *            timeout  ▼  └────────── backoff
 *   any state ──close()──► closed (final)
 * ```
 */
import type { Clock, TimerHandle } from '../clock.ts';
import { HotlineError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Backoff } from './backoff.ts';
import type { ConnectionState } from './port.ts';

export type SupervisorStatus = 'idle' | 'connecting' | 'up' | 'backoff' | 'closed';

const transitions: Readonly<Record<SupervisorStatus, readonly SupervisorStatus[]>> = {
  idle: ['connecting', 'closed'],
  connecting: ['up', 'backoff', 'closed'],
  up: ['backoff', 'closed'],
  backoff: ['connecting', 'closed'],
  closed: [],
};

/** Checks a move of the state machine; throws TELEPHONY_BAD_TRANSITION when the table forbids it. */
export function checkTransition(name: string, from: SupervisorStatus, to: SupervisorStatus): SupervisorStatus {
  if (!transitions[from].includes(to)) {
    throw new HotlineError('TELEPHONY_BAD_TRANSITION', `${name} connection: ${from} → ${to} is not allowed`);
  }
  return to;
}

/** A live connection; `ended` resolves with a reason when it dies (it never rejects). */
export interface Session {
  readonly ended: Promise<string>;
  /** Tears the connection down for good; must not trigger any reconnect of its own. */
  close(): Promise<void> | void;
}

export interface SupervisorOptions<S extends Session> {
  /** For logs and errors, e.g. `ari`. */
  readonly name: string;
  /** Opens a session; should stop work when `signal` aborts (the timeout passed or close()). */
  readonly connect: (signal: AbortSignal) => Promise<S>;
  readonly connectTimeoutMs: number;
  readonly backoff: Backoff;
  /**
   * A session that lived this long resets the backoff when it ends; shorter ones keep it growing,
   * so a connection that flaps (e.g. two instances taking the same Stasis app from each other)
   * slows down instead of spinning. Default 30 s.
   */
  readonly stableMs?: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface Supervisor<S extends Session> {
  start(): void;
  close(): Promise<void>;
  state(): ConnectionState;
  status(): SupervisorStatus;
  /** The live session, if up. */
  session(): S | undefined;
  /** Called after every status change. */
  onChange(listener: (status: SupervisorStatus, state: ConnectionState) => void): () => void;
}

export function createSupervisor<S extends Session>(options: SupervisorOptions<S>): Supervisor<S> {
  const { clock, logger, backoff } = options;
  let status: SupervisorStatus = 'idle';
  let since = clock.now();
  let lastError: string | undefined;
  let failures = 0;
  let current: S | undefined;
  let timer: TimerHandle | undefined;
  let attemptAbort: AbortController | undefined;
  const listeners = new Set<(status: SupervisorStatus, state: ConnectionState) => void>();

  // a function, so that TypeScript does not narrow `status` across awaits
  const isClosed = (): boolean => status === 'closed';

  function state(): ConnectionState {
    const shown = status === 'up' ? 'up' : status === 'closed' ? 'closed' : 'down';
    return { status: shown, since, lastError, attempts: failures };
  }

  function transition(to: SupervisorStatus): void {
    status = checkTransition(options.name, status, to);
    since = clock.now();
    for (const listener of [...listeners]) listener(status, state());
  }

  function scheduleRetry(reason: string): void {
    lastError = reason;
    transition('backoff');
    const delay = backoff.next();
    logger.warn({ reason, delayMs: delay, attempts: failures }, `${options.name} connection down; retrying`);
    timer = clock.setTimeout(() => void attempt(), delay);
  }

  async function attempt(): Promise<void> {
    timer = undefined;
    transition('connecting');
    const abort = new AbortController();
    attemptAbort = abort;
    const timeout = clock.setTimeout(() => abort.abort(new Error(`connect timed out after ${options.connectTimeoutMs} ms`)), options.connectTimeoutMs);
    let session: S;
    try {
      session = await raceAbort(options.connect(abort.signal), abort.signal);
    } catch (error) {
      if (isClosed()) return;
      failures += 1;
      scheduleRetry(error instanceof Error ? error.message : String(error));
      return;
    } finally {
      timeout.cancel();
      attemptAbort = undefined;
    }
    if (isClosed()) {
      await session.close();
      return;
    }
    current = session;
    failures = 0;
    transition('up');
    const upAt = clock.now();
    logger.info(`${options.name} connection up`);
    const reason = await session.ended;
    if (clock.now() - upAt >= (options.stableMs ?? 30_000)) backoff.reset();
    if (isClosed() || current !== session) return;
    current = undefined;
    await session.close();
    if (isClosed()) return;
    scheduleRetry(reason);
  }

  return {
    start() {
      if (status === 'idle') void attempt();
    },
    async close() {
      if (status === 'closed') return;
      transition('closed');
      timer?.cancel();
      attemptAbort?.abort(new Error('closed'));
      const session = current;
      current = undefined;
      await session?.close();
      listeners.clear();
    },
    state,
    status: () => status,
    session: () => current,
    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}

/** Rejects as soon as `signal` aborts; a late result of `work` is closed if it is a session. */
function raceAbort<S extends Session>(work: Promise<S>, signal: AbortSignal): Promise<S> {
  return new Promise<S>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (session) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) void session.close();
        else resolve(session);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
