/**
 * The server process of bench/acd.ts: the composed hotline (`startHotline`, real ARI to the
 * bench's simulator), bench users written straight into the store (1,000 scrypt hashes would take
 * a minute and are not what is measured), and passive timestamps:
 *
 * - every ARI WebSocket frame as ari-client's `ws` receives it, and every REST request as it
 *   starts (`http.client.request.start`): only references are kept during the run, they are
 *   parsed after the CPU figure is taken;
 * - the ACD's own `acd:events` stream (enqueued, agent ready, offered) for routing decisions.
 *
 * Nothing in src/ is changed or wrapped; the general queue's `maxWaiting` is raised in its stored
 * settings, as an admin would. Env: BENCH_ARI_URL, BENCH_AGENTS, BENCH_SUPERVISORS, BENCH_WATCHERS,
 * BENCH_MAX_WAITING, REDIS_URL (optional).
 */
import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { createRequire } from 'node:module';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Role } from '../../src/auth/roles.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';
import { startHotline, type Hotline } from '../../src/server.ts';
import type { StreamEntry } from '../../src/store/store.ts';
import { seedBenchUsers, admitWaiting } from './seed.ts';
import { agentName, epochNow, extensionOf, summarize, supervisorName, tokenOf, watcherName, type FromServer, type Summary, type ToServer } from './shared.ts';

/** Warnings and errors the server logged during the run, by message. */
const logged: Record<string, number> = {};
const logSink = {
  write(line: string): void {
    if (!recording) return;
    const entry = JSON.parse(line) as { level: number; msg?: string; err?: { message?: string } };
    const detail = entry.err?.message ? ` (${entry.err.message.slice(0, 60)})` : '';
    const key = `${entry.level >= 50 ? 'error' : 'warn'}: ${entry.msg ?? ''}${detail}`.replace(/\d{4,}(\.\d+)?/g, '…'); // ids → …
    logged[key] = (logged[key] ?? 0) + 1;
  },
};
let recording = false;
const frames: Array<{ at: number; data: unknown }> = [];
/** Every CTI frame the server hands to a client's socket (the same frame object for every socket of one event). */
const ctiFrames: Array<{ at: number; data: unknown }> = [];
const requests: Array<{ at: number; method: string; path: string }> = [];

/** ari-client brings its own `ws` (v6): its frames are the server's ARI events. */
function hookAriFrames(): void {
  const require = createRequire(import.meta.url);
  const ws = createRequire(require.resolve('ari-client'))('ws') as { prototype: { emit(event: string, ...args: unknown[]): boolean } };
  const emit = ws.prototype.emit;
  ws.prototype.emit = function (this: unknown, event: string, ...args: unknown[]): boolean {
    if (recording && event === 'message') frames.push({ at: epochNow(), data: args[0] });
    return emit.call(this, event, ...args);
  };
  // the server's own `ws` (the CTI gateway): when each frame is handed to a socket
  const server = createRequire(import.meta.url)('ws') as { WebSocket: { prototype: { send(data: unknown, ...rest: unknown[]): void } } };
  const send = server.WebSocket.prototype.send;
  server.WebSocket.prototype.send = function (this: unknown, data: unknown, ...rest: unknown[]): void {
    if (recording) ctiFrames.push({ at: epochNow(), data });
    send.call(this, data, ...rest);
  };
  subscribe('http.client.request.start', (message) => {
    const { request } = message as { request: ClientRequest };
    if (recording) requests.push({ at: epochNow(), method: request.method, path: request.path });
  });
}

/** Published (`at`, server clock) → handed to the socket, for each CTI event frame written during the run. */
function ctiWritten(): { offer: Summary; supervisor: Summary; all: Summary } {
  const parsed = new Map<unknown, { topic: string; name: string; at: number } | null>();
  const offer: number[] = [];
  const supervisor: number[] = [];
  const all: number[] = [];
  for (const frame of ctiFrames) {
    let event = parsed.get(frame.data);
    if (event === undefined) {
      const message = JSON.parse(String(frame.data)) as { type: string; topic: string; name: string; at: number };
      event = message.type === 'event' && message.name !== 'resync' ? message : null;
      parsed.set(frame.data, event);
    }
    if (!event) continue;
    const ms = frame.at - event.at;
    all.push(ms);
    if (event.name === 'call.offer') offer.push(ms);
    if (event.topic === 'supervisor') supervisor.push(ms);
  }
  return { offer: summarize(offer), supervisor: summarize(supervisor), all: summarize(all) };
}

/** The whole stream; a page that times out (the server may still be busy) is asked again. */
async function readStream(hotline: Hotline, key: string): Promise<StreamEntry[]> {
  const entries: StreamEntry[] = [];
  const read = async (after: string, tries = 10): Promise<StreamEntry[]> => {
    try {
      return await hotline.store.xrange(key, after, 1000);
    } catch (error) {
      if (tries <= 1) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
      return read(after, tries - 1);
    }
  };
  for (let after = '0-0'; ;) {
    const page = await read(after);
    entries.push(...page);
    if (page.length < 1000) return entries;
    after = page[page.length - 1]!.id;
  }
}

/** Offered at − max(call enqueued, agent ready), from the ACD's stream (ms clock of the server). */
function routingDecisions(entries: StreamEntry[], startedAt: number) {
  const enqueuedAt = new Map<string, number>();
  const readyAt = new Map<string, number>();
  const offers: Array<{ callId: string; at: number }> = [];
  const all: number[] = [];
  const callEnqueued: number[] = [];
  const agentReady: number[] = [];
  for (const { fields } of entries) {
    const at = Number(fields['at']);
    if (fields['kind'] === 'agent' && fields['state'] === 'ready') readyAt.set(fields['agentId']!, at);
    if (fields['kind'] !== 'call') continue;
    if (fields['event'] === 'enqueued') enqueuedAt.set(fields['callId']!, at);
    if (fields['event'] === 'withdrawn') readyAt.set(fields['agentId']!, at);
    if (fields['event'] !== 'offered' || at < startedAt) continue;
    const call = enqueuedAt.get(fields['callId']!);
    const agent = readyAt.get(fields['agentId']!);
    if (call === undefined || agent === undefined) continue;
    const decision = at - Math.max(call, agent);
    all.push(decision);
    (call >= agent ? callEnqueued : agentReady).push(decision);
    offers.push({ callId: fields['callId']!, at });
  }
  return { all, callEnqueued, agentReady, offers };
}

/** The call a request or channel id belongs to: agent legs are `agent-<callId>-<n>`, call bridges `call-<callId>`. */
const callOf = (id: string): string => /^agent-(.+)-\d+$/.exec(id)?.[1] ?? /^call-(.+)$/.exec(id)?.[1] ?? id;

/** ARI event in → the server's next REST request naming the same call, for events that demand one at once. */
function ariReactions(offers: Array<{ callId: string; at: number }>) {
  const byCall = new Map<string, Array<{ at: number; method: string; path: string }>>();
  for (const request of requests) {
    for (const token of new Set(decodeURIComponent(request.path).split(/[/?&=,]/))) {
      if (!token) continue;
      const key = callOf(token);
      let list = byCall.get(key);
      if (!list) byCall.set(key, (list = []));
      list.push(request);
    }
  }
  const next = (callId: string, after: number, match: (r: { method: string; path: string }) => boolean = () => true): number | undefined =>
    byCall.get(callId)?.find((r) => r.at >= after && match(r))?.at;
  const out: Record<string, number[]> = {
    'caller in → answer': [], 'greeting done → menu': [], 'agent answered → bridge': [], 'caller gone → agent leg freed': [],
  };
  const add = (kind: string, callId: string, at: number): void => {
    const reply = next(callId, at);
    if (reply !== undefined) out[kind]!.push(reply - at);
  };
  const connected = new Set<string>();
  const released = new Set<string>();
  for (const { at, data } of frames) {
    const event = JSON.parse(String(data)) as { type: string; channel?: { id: string }; playback?: { media_uri: string; target_uri: string } };
    const channelId = event.channel?.id;
    if (event.type === 'StasisStart' && channelId) {
      if (channelId.startsWith('agent-')) {
        connected.add(callOf(channelId));
        add('agent answered → bridge', callOf(channelId), at);
      } else add('caller in → answer', channelId, at);
    } else if (event.type === 'PlaybackFinished' && event.playback?.media_uri === 'sound:hotline/zh/greeting-12345') {
      add('greeting done → menu', event.playback.target_uri.replace(/^channel:/, ''), at);
    } else if ((event.type === 'ChannelHangupRequest' || event.type === 'StasisEnd') && channelId && connected.has(channelId) && !released.has(channelId)) {
      released.add(channelId);
      add('caller gone → agent leg freed', channelId, at);
    }
  }
  // the router's reserve (ms clock) → the agent's phone is dialled (POST /channels/agent-…)
  const reserveToRing: number[] = [];
  for (const { callId, at } of offers) {
    const ring = next(callId, at, (r) => r.method === 'POST' && /\/channels(\?|\/agent-)/.test(r.path) && r.path.includes('agent-'));
    if (ring !== undefined) reserveToRing.push(ring - at);
  }
  return { reactions: Object.fromEntries(Object.entries(out).map(([kind, values]) => [kind, summarize(values)])), reserveToRing };
}

function ctiCounts(hotline: Hotline): Record<string, number> {
  const stats = hotline.cti.stats();
  return { ctiConnections: stats.connections.total, ctiMessagesOut: stats.messagesOut, ctiCutOffs: stats.cutOffs };
}

async function main(): Promise<void> {
  hookAriFrames();
  const agents = Number(process.env['BENCH_AGENTS']);
  const supervisors = Number(process.env['BENCH_SUPERVISORS']);
  const watchers = Number(process.env['BENCH_WATCHERS']);
  const config = loadConfig({
    ARI_URL: process.env['BENCH_ARI_URL'], ARI_PASSWORD: 'hotline', PORT: '0', LOG_LEVEL: 'warn', SHUTDOWN_GRACE_MS: '0',
    INSTANCE_ID: 'bench', REDIS_URL: process.env['REDIS_URL'], REDIS_PREFIX: `bench-acd-${process.pid}`,
  });
  const hotline = await startHotline(config, createLogger('warn', logSink));
  while (hotline.telephony.port.state().status !== 'up') await new Promise((resolve) => setTimeout(resolve, 20));
  await seedBenchUsers(hotline, [
    ...Array.from({ length: agents }, (_, n) => ({ username: agentName(n), roles: ['agent'] as Role[], extension: extensionOf(n) })),
    ...Array.from({ length: supervisors }, (_, n) => ({ username: supervisorName(n), roles: ['supervisor'] as Role[] })),
    ...Array.from({ length: watchers }, (_, n) => ({ username: watcherName(n), roles: ['supervisor'] as Role[] })),
  ], tokenOf);
  await admitWaiting(hotline, Number(process.env['BENCH_MAX_WAITING']));
  const send = (message: FromServer): void => void process.send!(message);
  send({ type: 'ready', url: hotline.url });

  let cpu = process.cpuUsage();
  let wallStart = 0;
  let startedAt = 0;
  const loop = monitorEventLoopDelay({ resolution: 1 });
  process.on('message', async (message: ToServer) => {
    if (message.type === 'start') {
      recording = true;
      startedAt = Date.now();
      wallStart = performance.now();
      loop.enable();
      cpu = process.cpuUsage();
      send({ type: 'started' });
    } else if (message.type === 'stop') {
      const used = process.cpuUsage(cpu);
      const wallMs = performance.now() - wallStart;
      loop.disable();
      recording = false;
      const routing = routingDecisions(await readStream(hotline, hotline.acd.eventsKey), startedAt);
      const { reactions, reserveToRing } = ariReactions(routing.offers);
      const written = ctiWritten();
      const ns = (p: number): number => Math.max(0, loop.percentile(p) / 1e6 - 1); // the histogram includes the 1 ms sampling interval
      send({
        type: 'stopped', cpuMs: (used.user + used.system) / 1000, wallMs,
        loopDelay: { n: loop.count, p50: ns(50), p95: ns(95), p99: ns(99), max: Math.max(0, loop.max / 1e6 - 1) },
        routing: {
          all: summarize(routing.all), callEnqueued: summarize(routing.callEnqueued), agentReady: summarize(routing.agentReady),
          reserveToRing: summarize(reserveToRing),
        },
        reactions,
        ctiWritten: written,
        counts: { ariEvents: frames.length, ariRequests: requests.length, offers: routing.offers.length, ...ctiCounts(hotline) },
        logged,
      });
    } else if (message.type === 'close') {
      await hotline.close();
      process.exit(0);
    }
  });
}

await main();
