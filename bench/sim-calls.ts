/**
 * Load on the ARI simulator: N calls, C at a time, each doing what the hotline's IVR does
 * (StasisStart → answer → 50 ms prompt → DTMF → hang-up) over real HTTP and one events
 * WebSocket. Prints throughput and latencies; asserts nothing.
 *   npx tsx bench/sim-calls.ts [calls=500] [concurrency=50]
 */
import { WebSocket } from 'ws';
import { createLogger } from '../src/log.ts';
import { createSimulator } from '../src/sim/simulator.ts';

const total = Number(process.argv[2] ?? 500);
const concurrency = Number(process.argv[3] ?? 50);
const sim = await createSimulator({ logger: createLogger('silent') });
await sim.control.setMedia('sound:bench-prompt', { durationMs: 50 });
const auth = { authorization: `Basic ${Buffer.from('hotline:hotline').toString('base64')}` };

const waiters = new Map<string, (event: Record<string, unknown>) => void>();
const ws = new WebSocket(`${sim.url.replace('http', 'ws')}/ari/events?app=hotline&api_key=hotline:hotline`);
ws.on('message', (data) => {
  const event = JSON.parse(String(data)) as Record<string, unknown>;
  const channel = (event.channel as { id?: string } | undefined)?.id ?? (event.playback as { target_uri?: string } | undefined)?.target_uri?.slice(8);
  waiters.get(`${String(event.type)}:${channel ?? ''}`)?.(event);
});
await new Promise((resolve) => ws.once('open', resolve));

function next(type: string, channelId: string): Promise<Record<string, unknown>> {
  return new Promise((resolve) => waiters.set(`${type}:${channelId}`, (e) => {
    waiters.delete(`${type}:${channelId}`);
    resolve(e);
  }));
}

const rest: number[] = [];
const startLatency: number[] = [];
async function request(method: string, path: string): Promise<void> {
  const t = performance.now();
  const res = await fetch(`${sim.url}/ari${path}`, { method, headers: auth });
  await res.arrayBuffer();
  rest.push(performance.now() - t);
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status}`);
}

async function oneCall(i: number): Promise<void> {
  const t = performance.now();
  const call = await sim.control.placeCall({ from: String(5550000 + i), did: '12345' });
  // StasisStart was sent synchronously but reaches this socket only on a later I/O turn
  await next('StasisStart', call.channelId);
  startLatency.push(performance.now() - t);
  await request('POST', `/channels/${call.channelId}/answer`);
  const finished = next('PlaybackFinished', call.channelId);
  await request('POST', `/channels/${call.channelId}/play?media=sound:bench-prompt`);
  await finished;
  const digit = next('ChannelDtmfReceived', call.channelId);
  await sim.control.sendDtmf(call.channelId, { digits: '1' });
  await digit;
  const ended = next('StasisEnd', call.channelId);
  await request('DELETE', `/channels/${call.channelId}`);
  await ended;
}

const pct = (xs: number[], p: number): string => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!.toFixed(2);
const t0 = performance.now();
let started = 0;
await Promise.all(Array.from({ length: concurrency }, async () => {
  while (started < total) await oneCall(started++);
}));
const seconds = (performance.now() - t0) / 1000;
console.log(`calls: ${total}, concurrency: ${concurrency}, wall: ${seconds.toFixed(2)} s, ${(total / seconds).toFixed(1)} calls/s`);
console.log(`REST round trip ms: p50 ${pct(rest, 50)} p95 ${pct(rest, 95)} p99 ${pct(rest, 99)} (n=${rest.length})`);
console.log(`placeCall → StasisStart on the socket ms: p50 ${pct(startLatency, 50)} p95 ${pct(startLatency, 95)}`);
console.log('stats after:', JSON.stringify(await sim.control.stats()));
ws.close();
await sim.close();
