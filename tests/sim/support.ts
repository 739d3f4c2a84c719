/**
 * Helpers for the simulator tests: start a simulator with a quiet logger, a raw events socket
 * that queues messages so a test can wait for the next one, and a tiny ARI REST client.
 */
import { WebSocket } from 'ws';
import type { Clock } from '../../src/clock.ts';
import { createLogger } from '../../src/log.ts';
import { createSimulator, type Simulator } from '../../src/sim/simulator.ts';

export const quietLogger = createLogger('silent');

export function startSim(clock?: Clock): Promise<Simulator> {
  return createSimulator({ logger: quietLogger, ...(clock ? { clock } : {}) });
}

export type AriEvent = Record<string, unknown> & { type: string };

/** An events WebSocket that queues what it receives. */
export interface EventStream {
  readonly received: AriEvent[];
  /** Resolves with the next event of `type` not yet taken (in arrival order). */
  next(type?: string): Promise<AriEvent>;
  close(): Promise<void>;
}

export async function openEvents(baseUrl: string, app = 'hotline'): Promise<EventStream> {
  const ws = new WebSocket(`${baseUrl.replace('http', 'ws')}/ari/events?app=${app}&api_key=hotline:hotline`);
  const received: AriEvent[] = [];
  let taken = 0;
  const waiters: (() => void)[] = [];
  ws.on('message', (data) => {
    received.push(JSON.parse(String(data)) as AriEvent);
    for (const w of waiters.splice(0)) w();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    received,
    async next(type) {
      for (;;) {
        const index = received.findIndex((e, i) => i >= taken && (type === undefined || e.type === type));
        if (index >= 0) {
          taken = index + 1;
          return received[index]!;
        }
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    close: () => new Promise<void>((resolve) => {
      if (ws.readyState === ws.CLOSED) return resolve();
      ws.once('close', () => resolve());
      ws.close();
    }),
  };
}

export interface AriResponse { status: number; body: unknown }

/** One ARI REST request with HTTP Basic hotline:hotline (or the given Authorization header). */
export async function ari(baseUrl: string, method: string, path: string, query: Record<string, string> = {}, auth?: string | null): Promise<AriResponse> {
  const qs = new URLSearchParams(query).toString();
  const headers: Record<string, string> = {};
  if (auth !== null) headers.authorization = auth ?? `Basic ${Buffer.from('hotline:hotline').toString('base64')}`;
  const res = await fetch(`${baseUrl}/ari${path}${qs ? `?${qs}` : ''}`, { method, headers });
  const text = await res.text();
  let body: unknown = text === '' ? null : text;
  if (res.headers.get('content-type')?.includes('json')) body = JSON.parse(text);
  return { status: res.status, body };
}
