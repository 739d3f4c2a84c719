/**
 * CTI fan-out: 1,000 WebSocket clients on loopback (500 agents on their own topic, 500
 * supervisors on `supervisor`) against a gateway in a child process; the child publishes events
 * at a steady rate and the clients measure delivery latency (publish call → message parsed).
 * Prints p50/p95/p99/max latency, deliveries, and the server process's CPU. Asserts nothing.
 *
 *   npx tsx bench/cti-fanout.ts [--seconds 10] [--supervisor-rate 20] [--agent-rate 100]
 *   REDIS_URL=redis://127.0.0.1:6379 npx tsx bench/cti-fanout.ts   # the Redis store instead of memory
 *
 * Authentication at the upgrade is a map lookup here (scrypt logins of 1,000 users would dominate
 * the set-up and are not what is measured).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import WebSocket from 'ws';
import type { Role } from '../src/auth/roles.ts';
import type { Session } from '../src/auth/user-service.ts';
import { systemClock } from '../src/clock.ts';
import { createEventBus } from '../src/cti/event-bus.ts';
import { createCtiGateway } from '../src/cti/gateway.ts';
import { createLogger } from '../src/log.ts';
import { createStore } from '../src/store/create-store.ts';

const AGENTS = 500;
const SUPERVISORS = 500;
const now = (): number => performance.timeOrigin + performance.now();

type ToServer = { type: 'publish'; seconds: number; supervisorRate: number; agentRate: number };
type ToBench =
  | { type: 'ready'; port: number }
  | { type: 'done'; published: number; cpuMs: number; wallMs: number; stats: unknown };

const tokenOf = (role: Role, n: number): string => `bench-${role}-${String(n).padStart(6, '0')}-xxxxxxxxxxxx`;

async function server(): Promise<void> {
  const logger = createLogger('warn');
  const store = createStore({ REDIS_URL: process.env.REDIS_URL, REDIS_PREFIX: `bench-cti-${process.pid}` }, logger);
  const sessions = new Map<string, Session>();
  const expiresAt = Date.now() + 3600_000;
  for (let n = 0; n < AGENTS; n++) sessions.set(tokenOf('agent', n), { username: `a${n}`, roles: ['agent'], expiresAt });
  for (let n = 0; n < SUPERVISORS; n++) sessions.set(tokenOf('supervisor', n), { username: `s${n}`, roles: ['supervisor'], expiresAt });
  const app = Fastify();
  await app.listen({ host: '127.0.0.1', port: 0 });
  const bus = createEventBus({ store, clock: systemClock, logger });
  await bus.start();
  const gateway = createCtiGateway({
    server: app.server, bus, clock: systemClock, logger,
    users: { authenticate: async (token: string) => sessions.get(token) ?? null },
  });
  const address = app.server.address();
  process.send!({ type: 'ready', port: typeof address === 'object' && address ? address.port : 0 } satisfies ToBench);

  process.on('message', async (message: ToServer) => {
    if (message.type !== 'publish') return;
    const cpu = process.cpuUsage();
    const started = performance.now();
    let published = 0;
    const tickMs = 10;
    const ticks = (message.seconds * 1000) / tickMs;
    for (let tick = 0; tick < ticks; tick++) {
      const due = started + tick * tickMs;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const batch: Promise<unknown>[] = [];
      // whole events due by the end of this tick (rates need not be multiples of 100/s)
      const supervisorDue = Math.floor(((tick + 1) * message.supervisorRate * tickMs) / 1000) - Math.floor((tick * message.supervisorRate * tickMs) / 1000);
      const agentDue = Math.floor(((tick + 1) * message.agentRate * tickMs) / 1000) - Math.floor((tick * message.agentRate * tickMs) / 1000);
      for (let i = 0; i < supervisorDue; i++) {
        batch.push(bus.publish('supervisor', 'agent.state', { username: `a${published % AGENTS}`, state: 'ready', since: now() }));
      }
      for (let i = 0; i < agentDue; i++) {
        const agent = Math.floor(Math.random() * AGENTS);
        batch.push(bus.publish(`agent:a${agent}`, 'agent.state', { username: `a${agent}`, state: 'on_call', since: now() }));
      }
      published += batch.length;
      await Promise.all(batch);
    }
    // let the last deliveries leave before measuring
    await new Promise((resolve) => setTimeout(resolve, 500));
    const used = process.cpuUsage(cpu);
    process.send!({
      type: 'done', published, cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - started, stats: gateway.stats(),
    } satisfies ToBench);
    await gateway.close();
    await bus.close();
    await app.close();
    await store.close();
    process.exit(0);
  });
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function openClient(port: number, token: string, topic: string, latencies: number[]): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/cti`, ['hotline.cti.v1', `bearer.${token}`]);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const subscribed = new Promise<void>((resolve) => {
    ws.on('message', (data) => {
      const received = now();
      const message = JSON.parse(data.toString()) as { type: string; data?: { since?: number } };
      if (message.type === 'reply') return resolve();
      // `since` carries the publisher's high-resolution time of the publish call
      if (message.type === 'event' && message.data?.since !== undefined) latencies.push(received - message.data.since);
    });
  });
  ws.send(JSON.stringify({ id: '1', type: 'subscribe', topics: [topic] }));
  await subscribed;
  return ws;
}

async function bench(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '10' },
      'supervisor-rate': { type: 'string', default: '20' },
      'agent-rate': { type: 'string', default: '100' },
    },
  });
  const seconds = Number(values.seconds);
  const supervisorRate = Number(values['supervisor-rate']);
  const agentRate = Number(values['agent-rate']);
  const child: ChildProcess = fork(import.meta.filename, ['--server'], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const messages: ToBench[] = [];
  let wake: () => void = () => undefined;
  child.on('message', (message: ToBench) => {
    messages.push(message);
    wake();
  });
  const next = async <T extends ToBench['type']>(type: T): Promise<Extract<ToBench, { type: T }>> => {
    for (;;) {
      const found = messages.find((m) => m.type === type);
      if (found) return found as Extract<ToBench, { type: T }>;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  const { port } = await next('ready');

  const agentLatencies: number[] = [];
  const supervisorLatencies: number[] = [];
  const clients: WebSocket[] = [];
  const connectStarted = performance.now();
  for (let n = 0; n < Math.max(AGENTS, SUPERVISORS); n += 50) {
    const batch: Promise<WebSocket>[] = [];
    for (let i = n; i < n + 50; i++) {
      if (i < AGENTS) batch.push(openClient(port, tokenOf('agent', i), `agent:a${i}`, agentLatencies));
      if (i < SUPERVISORS) batch.push(openClient(port, tokenOf('supervisor', i), 'supervisor', supervisorLatencies));
    }
    clients.push(...(await Promise.all(batch)));
  }
  const connectMs = performance.now() - connectStarted;

  child.send({ type: 'publish', seconds, supervisorRate, agentRate } satisfies ToServer);
  const cpu = process.cpuUsage();
  const done = await next('done');
  const clientCpu = process.cpuUsage(cpu);
  for (const ws of clients) ws.terminate();

  const all = Float64Array.from([...agentLatencies, ...supervisorLatencies]).sort();
  const sup = Float64Array.from(supervisorLatencies).sort();
  const expected = supervisorRate * seconds * SUPERVISORS + agentRate * seconds;
  const fmt = (ms: number): string => `${ms.toFixed(2)} ms`;
  console.log(`store: ${process.env.REDIS_URL ? 'redis' : 'memory'}; clients: ${clients.length} (${AGENTS} agents, ${SUPERVISORS} supervisors), connected in ${connectMs.toFixed(0)} ms`);
  console.log(`published: ${done.published} events in ${seconds} s (supervisor ${supervisorRate}/s fanned out to ${SUPERVISORS}, agent ${agentRate}/s)`);
  console.log(`deliveries: ${all.length} of ${expected} expected (${((all.length / done.wallMs) * 1000).toFixed(0)}/s)`);
  console.log(`latency all:        p50 ${fmt(percentile(all, 50))}  p95 ${fmt(percentile(all, 95))}  p99 ${fmt(percentile(all, 99))}  max ${fmt(all[all.length - 1] ?? NaN)}`);
  console.log(`latency supervisor: p50 ${fmt(percentile(sup, 50))}  p99 ${fmt(percentile(sup, 99))}`);
  console.log(`server CPU: ${((done.cpuMs / done.wallMs) * 100).toFixed(1)} % of one core over ${(done.wallMs / 1000).toFixed(1)} s; clients' process: ${(((clientCpu.user + clientCpu.system) / 1000 / done.wallMs) * 100).toFixed(1)} %`);
  console.log(`gateway stats: ${JSON.stringify(done.stats)}`);
  // the child closes the gateway, the store and exits by itself
  await new Promise((resolve) => child.once('exit', resolve));
}

if (process.argv.includes('--server')) await server();
else await bench();
