/**
 * The server process of bench/hotline-day.ts: the composed hotline (`startHotline`, real ARI to
 * the bench's simulator) in a process of its own, so its CPU and memory are its own.
 *
 * Set-up, not measured: bench users written straight into the store (hundreds of scrypt hashes
 * would take a minute), the experts' skill set in the ACD before they log in (admins assign skills),
 * and the general queue's `maxWaiting` raised to the day's size in its stored settings, as an admin
 * would (the shipped 200 is for the centre as shipped).
 *
 * Measured passively: every REST request as it starts (`http.client.request.start`, as a template
 * count), CPU (`process.cpuUsage`), event-loop delay, and memory after a forced collection when
 * the bench asks (`--expose-gc`; the collection's CPU is reported apart). Env: BENCH_ARI_URL,
 * BENCH_AGENTS, BENCH_EXPERTS, BENCH_SUPERVISORS, BENCH_MAX_WAITING, REDIS_URL (optional),
 * BENCH_REQUEST_LOG (a file: every request of the run, in order, to read what a call costs).
 */
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import type { ClientRequest } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Role } from '../../src/auth/roles.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';
import { startHotline } from '../../src/server.ts';
import { admitWaiting, seedBenchUsers } from '../acd/seed.ts';
import { EXPERT_SKILL, agentName, extensionOf, requestTemplate, supervisorName, tokenOf, type FromApp, type MemorySample, type ToApp } from './shared.ts';

const logged: Record<string, number> = {};
let recording = false;
const logSink = {
  write(line: string): void {
    if (!recording) return;
    const entry = JSON.parse(line) as { level: number; msg?: string; err?: { message?: string } };
    const detail = entry.err?.message ? ` (${entry.err.message.slice(0, 60)})` : '';
    const key = `${entry.level >= 50 ? 'error' : 'warn'}: ${entry.msg ?? ''}${detail}`.replace(/\d{4,}(\.\d+)?/g, '…');
    logged[key] = (logged[key] ?? 0) + 1;
  },
};

/** Request method + path, kept as references during the run and templated after. */
const requests: Array<{ method: string; path: string }> = [];
subscribe('http.client.request.start', (message) => {
  const { request } = message as { request: ClientRequest };
  if (recording) requests.push({ method: request.method, path: request.path });
});

const mb = (bytes: number): number => Math.round((bytes / 1048576) * 10) / 10;

async function main(): Promise<void> {
  const agents = Number(process.env['BENCH_AGENTS']);
  const experts = Number(process.env['BENCH_EXPERTS']);
  const supervisors = Number(process.env['BENCH_SUPERVISORS']);
  const maxWaiting = Number(process.env['BENCH_MAX_WAITING']);
  const config = loadConfig({
    ARI_URL: process.env['BENCH_ARI_URL'], ARI_PASSWORD: 'hotline', PORT: '0', LOG_LEVEL: 'warn', SHUTDOWN_GRACE_MS: '0',
    INSTANCE_ID: 'bench', REDIS_URL: process.env['REDIS_URL'], REDIS_PREFIX: `bench-day-${process.pid}`,
  });
  const hotline = await startHotline(config, createLogger('warn', logSink));
  while (hotline.telephony.port.state().status !== 'up') await new Promise((resolve) => setTimeout(resolve, 20));
  await seedBenchUsers(hotline, [
    ...Array.from({ length: agents }, (_, n) => ({ username: agentName(n), roles: ['agent'] as Role[], extension: extensionOf(n) })),
    ...Array.from({ length: supervisors }, (_, n) => ({ username: supervisorName(n), roles: ['supervisor'] as Role[] })),
  ], tokenOf);
  // the last `experts` agents answer consults only (as an admin would assign their skills)
  for (let n = agents - experts; n < agents; n++) await hotline.acd.upsertAgent(agentName(n), { extension: extensionOf(n), skills: { [EXPERT_SKILL]: 1 } });
  await admitWaiting(hotline, maxWaiting);
  const send = (message: FromApp): void => void process.send!(message);
  send({ type: 'ready', url: hotline.url });

  let cpu = process.cpuUsage();
  let wallStart = 0;
  let gcCpuMs = 0;
  const loop = monitorEventLoopDelay({ resolution: 1 });
  const gc = (globalThis as { gc?: () => void }).gc;
  const cpuSince = (from: NodeJS.CpuUsage): number => {
    const used = process.cpuUsage(from);
    return (used.user + used.system) / 1000;
  };
  process.on('message', async (message: ToApp) => {
    if (message.type === 'start') {
      recording = true;
      wallStart = performance.now();
      loop.enable();
      cpu = process.cpuUsage();
      send({ type: 'started' });
    } else if (message.type === 'sample') {
      const before = process.cpuUsage();
      gc?.();
      const used = process.cpuUsage(before);
      const spent = (used.user + used.system) / 1000;
      gcCpuMs += spent;
      const memory = process.memoryUsage();
      const sample: MemorySample = {
        callsEnded: message.callsEnded, at: Date.now(), rssMb: mb(memory.rss), heapUsedMb: mb(memory.heapUsed), externalMb: mb(memory.external + memory.arrayBuffers),
        cpuMs: cpuSince(cpu) - gcCpuMs,
      };
      send({ type: 'sampled', sample, gcCpuMs: spent });
    } else if (message.type === 'stop') {
      const used = process.cpuUsage(cpu);
      const wallMs = performance.now() - wallStart;
      loop.disable();
      recording = false;
      const log = process.env['BENCH_REQUEST_LOG'];
      if (log) writeFileSync(log, requests.map(({ method, path }) => `${method} ${decodeURIComponent(path)}`).join('\n'));
      const templates: Record<string, number> = {};
      for (const { method, path } of requests) {
        const key = requestTemplate(method, path);
        templates[key] = (templates[key] ?? 0) + 1;
      }
      const ns = (p: number): number => Math.max(0, loop.percentile(p) / 1e6 - 1);
      const stats = hotline.cti.stats();
      send({
        type: 'stopped', cpuMs: (used.user + used.system) / 1000, wallMs, gcCpuMs,
        loopDelay: { n: loop.count, p50: ns(50), p95: ns(95), p99: ns(99), max: Math.max(0, loop.max / 1e6 - 1) },
        requests: templates,
        counts: { ariRequests: requests.length, ctiConnections: stats.connections.total, ctiMessagesOut: stats.messagesOut, ctiCutOffs: stats.cutOffs },
        logged,
      });
    } else if (message.type === 'close') {
      await hotline.close();
      process.exit(0);
    }
  });
}

await main();
