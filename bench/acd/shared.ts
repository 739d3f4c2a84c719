/**
 * What the three processes of bench/acd.ts share: the messages they exchange over IPC, the bench
 * users' tokens, the clock they compare, and percentile summaries.
 */
import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/** Milliseconds since the epoch with sub-millisecond resolution (comparable across processes). */
export const epochNow = (): number => performance.timeOrigin + performance.now();

export const agentName = (n: number): string => `bench-agent-${String(n).padStart(4, '0')}`;
export const supervisorName = (n: number): string => `bench-sup-${String(n).padStart(4, '0')}`;
/** Supervisor users whose consoles follow only the queue figures (`queue:general`). */
export const watcherName = (n: number): string => `bench-wall-${String(n).padStart(4, '0')}`;
export const extensionOf = (n: number): string => String(30000 + n);
/** A bearer token per bench user (the server child writes its session straight into the store). */
export const tokenOf = (username: string): string => `${username.replace(/[^A-Za-z0-9]/g, '')}-benchbenchbenchbench`;

export interface Summary {
  readonly n: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** Nearest-rank percentiles of `values` (sorted here). */
export function summarize(values: number[] | Float64Array): Summary {
  const sorted = Float64Array.from(values).sort();
  const at = (p: number): number => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
  return { n: sorted.length, p50: at(50), p95: at(95), p99: at(99), max: sorted[sorted.length - 1] ?? NaN };
}

/** Server child ⇄ bench. */
export type ToServer = { type: 'start' } | { type: 'stop' } | { type: 'close' };
export type FromServer =
  | { type: 'ready'; url: string }
  | { type: 'started' }
  | {
      type: 'stopped';
      cpuMs: number;
      wallMs: number;
      /** Event-loop delay of the server during the run. */
      loopDelay: Summary;
      /** Routing decisions by what made the pair routable last. */
      routing: { all: Summary; callEnqueued: Summary; agentReady: Summary; reserveToRing: Summary };
      /** ARI event in → the server's next REST request for that call, by trigger. */
      reactions: Record<string, Summary>;
      /** CTI event published → its frame handed to a client's socket (ws `send`) in the server, per socket: offers, supervisor topic, all. */
      ctiWritten: { offer: Summary; supervisor: Summary; all: Summary };
      counts: Record<string, number>;
      logged: Record<string, number>;
    };

/** Clients child ⇄ bench. */
export type ToClients =
  | { type: 'connect'; url: string; agents: number; supervisors: number; watchers: number; wrapMs: number }
  | { type: 'start' }
  | { type: 'drain' }
  | { type: 'stop' };
export type FromClients =
  | { type: 'connected'; connectMs: number }
  | { type: 'drained' }
  | {
      type: 'stopped';
      /** call.offer: publish → parsed at the agent's socket; reserve → parsed. */
      offerDelivery: Summary;
      offerFromReserve: Summary;
      /** Events on `supervisor`: publish → parsed at each supervisor socket. */
      supervisorDelivery: Summary;
      /** Each agent's state in a supervisor's `agents.state` batch: the change (`since`) → parsed, batching wait included. */
      supervisorFreshness: Summary;
      /** Events on `queue:general` (coalesced queue.stats): publish → parsed at each watcher socket. */
      watcherDelivery: Summary;
      /** Every event on every socket. */
      allDelivery: Summary;
      clientCpuMs: number;
      counts: Record<string, number>;
    };

/** Waits for IPC messages of a given type from a child, in arrival order. */
export function inbox<M extends { type: string }>(child: ChildProcess, defaultTimeoutMs = 120_000) {
  const messages: M[] = [];
  let wake: () => void = () => undefined;
  child.on('message', (message: M) => {
    messages.push(message);
    wake();
  });
  return async function next<T extends M['type']>(type: T, timeoutMs = defaultTimeoutMs): Promise<Extract<M, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = messages.findIndex((m) => m.type === type);
      if (index >= 0) return messages.splice(index, 1)[0] as Extract<M, { type: T }>;
      if (child.exitCode !== null) throw new Error(`child exited (${child.exitCode}) before '${type}'`);
      if (Date.now() > deadline) throw new Error(`no '${type}' from the child within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 500);
      });
    }
  };
}
