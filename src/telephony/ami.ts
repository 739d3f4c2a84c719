/**
 * The AMI client: asterisk-manager behind a supervisor (reconnect forever with backoff and
 * jitter; asterisk-manager's own `keepConnected` is never used — it logs with console and backs
 * off linearly), liveness by periodic `Ping` actions, a timeout on every action, and a state for
 * GET /health. AMI is optional: without AMI_URL the client reports `not-configured`.
 * This is the only file that loads asterisk-manager.
 */
import { createRequire } from 'node:module';
import type { Clock, TimerHandle } from '../clock.ts';
import { HotlineError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { createBackoff } from './backoff.ts';
import type { ConnectionState } from './port.ts';
import { createSupervisor, type Session } from './supervisor.ts';

/** The part of asterisk-manager this file relies on (the package ships no types). */
interface RawManager {
  connect(port: number, host: string, callback: () => void): void;
  login(callback: (error: unknown) => void): void;
  action(action: Record<string, string>, callback: (error: unknown, response: unknown) => void): string;
  disconnect(): void;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  removeAllListeners(): unknown;
}

type ManagerFactory = (port?: number, host?: string, user?: string, secret?: string, events?: boolean) => RawManager;

const createManager = createRequire(import.meta.url)('asterisk-manager') as ManagerFactory;

/** An AMI response: lower-case keys, as asterisk-manager parses them. */
export type AmiResponse = Readonly<Record<string, unknown>>;

export interface AmiOptions {
  /** `tcp://host:port`; undefined = AMI not configured. */
  readonly url: string | undefined;
  readonly user: string;
  readonly secret: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly random?: () => number;
  readonly connectTimeoutMs?: number;
  readonly actionTimeoutMs?: number;
  readonly pingIntervalMs?: number;
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
}

export interface AmiClient {
  start(): void;
  close(): Promise<void>;
  state(): ConnectionState;
  /** Called after every change of `state()`; returns an unsubscribe function. */
  onStateChange(listener: (state: ConnectionState) => void): () => void;
  /** Sends `Ping`; resolves with the round trip in ms. AMI_UNAVAILABLE when down or not configured. */
  ping(): Promise<number>;
  /** Sends one action (e.g. `{ Action: 'Redirect', … }`); rejects with AMI_UNAVAILABLE or ARI-independent errors. */
  action(fields: Readonly<Record<string, string>>): Promise<AmiResponse>;
}

interface AmiSession extends Session {
  action(fields: Readonly<Record<string, string>>): Promise<AmiResponse>;
}

/** Parses `tcp://host:port`. */
export function parseAmiUrl(url: string): { host: string; port: number } {
  const match = /^tcp:\/\/([^\s:/]+):(\d+)$/.exec(url);
  if (!match) throw new HotlineError('CONFIG_INVALID', 'AMI_URL must look like tcp://host:port');
  return { host: match[1]!, port: Number(match[2]) };
}

export function createAmiClient(options: AmiOptions): AmiClient {
  const logger = options.logger.child({ connection: 'ami' });
  const { clock } = options;
  if (options.url === undefined) return notConfigured(clock.now());
  const { host, port } = parseAmiUrl(options.url);
  const actionTimeoutMs = options.actionTimeoutMs ?? 5_000;

  const supervisor = createSupervisor<AmiSession>({
    name: 'AMI', clock, logger,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    backoff: createBackoff({ baseMs: options.backoffBaseMs ?? 500, maxMs: options.backoffMaxMs ?? 30_000, random: options.random }),
    connect: (signal) => openAmiSession(signal, { host, port, user: options.user, secret: options.secret, clock, actionTimeoutMs, pingIntervalMs: options.pingIntervalMs ?? 10_000 }),
  });

  const action = (fields: Readonly<Record<string, string>>): Promise<AmiResponse> => {
    const session = supervisor.session();
    if (!session) return Promise.reject(new HotlineError('AMI_UNAVAILABLE', `AMI is not connected (${supervisor.state().lastError ?? 'connecting'})`));
    return session.action(fields);
  };

  return {
    start: () => supervisor.start(),
    close: () => supervisor.close(),
    state: () => supervisor.state(),
    onStateChange: (listener) => supervisor.onChange((_status, state) => listener(state)),
    action,
    async ping() {
      const started = clock.now();
      await action({ Action: 'Ping' });
      return clock.now() - started;
    },
  };
}

function notConfigured(since: number): AmiClient {
  const unavailable = (): Promise<never> => Promise.reject(new HotlineError('AMI_UNAVAILABLE', 'AMI is not configured (AMI_URL unset)'));
  return {
    start: () => undefined,
    close: async () => undefined,
    state: () => ({ status: 'not-configured', since, lastError: undefined, attempts: 0 }),
    onStateChange: () => () => undefined,
    ping: unavailable,
    action: unavailable,
  };
}

interface AmiSessionOptions {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly secret: string;
  readonly clock: Clock;
  readonly actionTimeoutMs: number;
  readonly pingIntervalMs: number;
}

/** Connects, logs in, and pings every `pingIntervalMs`; a failed ping ends the session. */
async function openAmiSession(signal: AbortSignal, options: AmiSessionOptions): Promise<AmiSession> {
  const manager = createManager(undefined, options.host, options.user, options.secret, false);
  let endReason: string | undefined;
  let resolveEnded!: (reason: string) => void;
  const ended = new Promise<string>((resolve) => (resolveEnded = resolve));
  let pingTimer: TimerHandle | undefined;

  const end = (reason: string): void => {
    if (endReason !== undefined) return;
    endReason = reason;
    pingTimer?.cancel();
    manager.removeAllListeners();
    manager.on('error', () => undefined);
    manager.disconnect();
    resolveEnded(reason);
  };
  const action = (fields: Readonly<Record<string, string>>): Promise<AmiResponse> => {
    if (endReason !== undefined) return Promise.reject(new HotlineError('AMI_UNAVAILABLE', `AMI connection lost: ${endReason}`));
    return new Promise<AmiResponse>((resolve, reject) => {
      const timer = options.clock.setTimeout(() => {
        reject(new HotlineError('AMI_UNAVAILABLE', `AMI ${fields['Action'] ?? 'action'}: no response within ${options.actionTimeoutMs} ms`));
      }, options.actionTimeoutMs);
      manager.action({ ...fields }, (error, response) => {
        timer.cancel();
        if (error) reject(new HotlineError('AMI_UNAVAILABLE', `AMI ${fields['Action'] ?? 'action'} failed: ${describe(error)}`));
        else resolve(isObject(response) ? response : {});
      });
    });
  };

  signal.addEventListener('abort', () => end('connect aborted'), { once: true });
  await new Promise<void>((resolve, reject) => {
    manager.on('error', (error: unknown) => {
      reject(new Error(`AMI connection error: ${describe(error)}`));
      end(`error: ${describe(error)}`);
    });
    manager.on('close', () => {
      reject(new Error('AMI connection closed'));
      end('connection closed');
    });
    manager.connect(options.port, options.host, () => resolve());
  });
  await new Promise<void>((resolve, reject) => {
    const timer = options.clock.setTimeout(() => reject(new Error('AMI login: no response')), options.actionTimeoutMs);
    manager.login((error) => {
      timer.cancel();
      if (error) reject(new Error(`AMI login failed: ${describe(error)}`));
      else resolve();
    });
  }).catch((error: unknown) => {
    end('login failed');
    throw error;
  });

  const schedulePing = (): void => {
    pingTimer = options.clock.setTimeout(() => {
      action({ Action: 'Ping' }).then(schedulePing, (error: unknown) => end(`ping failed: ${describe(error)}`));
    }, options.pingIntervalMs);
  };
  schedulePing();
  return { ended, close: () => end('closed'), action };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (isObject(error) && typeof error['message'] === 'string') return error['message'];
  return String(error);
}
