/**
 * The live-call IVR runtime under load: N simultaneous calls on the ARI simulator, through the
 * real ari-client and telephony adapter, each walking a three-menu flow by keys. Measures the
 * time from the key reaching "Asterisk" (ChannelDtmfReceived emitted) to the next prompt starting
 * (PlaybackStarted) — the runtime's whole loop: event → interpreter step → state save → stop
 * prompt → play. Checks nothing is left behind. Prints figures; asserts nothing.
 * Two rounds: every caller presses at the same instant (a burst: the worst case), then callers
 * press spread over `spreadMs` (closer to real traffic). Everything runs in this one process.
 *   npx tsx bench/ivr-runtime.ts [calls=500] [spreadMs=5000]
 */
import { systemClock } from '../src/clock.ts';
import { defaultCatalogue } from '../src/ivr/catalogue.ts';
import type { Flow } from '../src/ivr/flow-schema.ts';
import { createHoldingQueue } from '../src/ivr/runtime/holding-queue.ts';
import { createIntakeStream } from '../src/ivr/runtime/intake-stream.ts';
import { createIvrCalls } from '../src/ivr/runtime/ivr-calls.ts';
import { createDidFlows } from '../src/ivr/versions/did-flows.ts';
import { createFlowVersions } from '../src/ivr/versions/flow-versions.ts';
import { createLogger } from '../src/log.ts';
import { createSimulator } from '../src/sim/simulator.ts';
import { createMemoryStore } from '../src/store/memory-store.ts';
import { createTelephony } from '../src/telephony/create-telephony.ts';

const calls = Number(process.argv[2] ?? 500);
const spreadMs = Number(process.argv[3] ?? 5000);
const logger = createLogger('silent');
const p = (sound: string) => ({ 'zh-CN': { sound: `sound:bench/${sound}` } });
const menu = (prompt: string, key: string, next: string) => ({
  type: 'menu' as const, prompt: p(prompt), options: { [key]: { next } }, firstDigitTimeoutMs: 60_000, maxNoInput: 1, maxNoMatch: 1,
  next: { noInput: 'to_queue', noMatch: 'to_queue' },
});
const flow: Flow = {
  id: 'bench', title: 'bench', languages: ['zh-CN'], entry: 'm1',
  nodes: {
    m1: menu('m1', '1', 'm2'), m2: menu('m2', '2', 'm3'), m3: menu('m3', '3', 'done'),
    done: { type: 'play', prompt: p('done'), next: 'bye' },
    to_queue: { type: 'queue', queue: 'general', next: { timeout: 'bye', full: 'bye', noAgents: 'bye' } },
    bye: { type: 'hangup' },
  },
};

const sim = await createSimulator({ logger, password: 'bench-pw' });
for (const sound of ['m1', 'm2', 'm3', 'done']) await sim.control.setMedia(`sound:bench/${sound}`, { durationMs: sound === 'done' ? 50 : 120_000 });
const store = createMemoryStore();
const versions = createFlowVersions({ store, clock: systemClock, catalogue: defaultCatalogue });
await versions.publish({ flow, author: 'bench', message: 'bench flow', expectedHash: null });
const telephony = createTelephony({
  ARI_URL: sim.url, ARI_USER: 'hotline', ARI_PASSWORD: 'bench-pw', ARI_APP: 'hotline', AMI_URL: undefined, AMI_USER: 'hotline', AMI_SECRET: 'x',
}, logger);
const runtime = createIvrCalls({
  telephony: telephony.port, versions, didFlows: createDidFlows({ didFlows: { 8000: 'bench' } }), store, clock: systemClock, logger,
  tickets: createIntakeStream(store), queue: createHoldingQueue({ telephony: telephony.port, logger }),
});
await telephony.start();
while (telephony.port.state().status !== 'up') await new Promise((resolve) => setTimeout(resolve, 10));

/** Prompt starts by channel, and the time each key reached the simulator's event stream. */
const prompts = new Map<string, Array<{ media: string; at: number }>>();
const keyAt = new Map<string, number>();
const latencies: number[] = [];
const waiting = new Map<string, { media: string; resolve: () => void }>();
sim.onEvent((_app, event) => {
  const now = performance.now();
  if (event['type'] === 'ChannelDtmfReceived') keyAt.set((event['channel'] as { id: string }).id, now);
  if (event['type'] !== 'PlaybackStarted') return;
  const playback = event['playback'] as { target_uri: string; media_uri: string };
  const channelId = playback.target_uri.slice('channel:'.length);
  prompts.set(channelId, [...(prompts.get(channelId) ?? []), { media: playback.media_uri, at: now }]);
  const pressed = keyAt.get(channelId);
  if (pressed !== undefined) {
    latencies.push(now - pressed);
    keyAt.delete(channelId);
  }
  const waiter = waiting.get(channelId);
  if (waiter && waiter.media === playback.media_uri) {
    waiting.delete(channelId);
    waiter.resolve();
  }
});
const hears = (channelId: string, media: string) => new Promise<void>((resolve) => {
  if (prompts.get(channelId)?.some((p) => p.media === media)) resolve();
  else waiting.set(channelId, { media, resolve });
});

const started = performance.now();
const ids = await Promise.all(Array.from({ length: calls }, async (_, i) => {
  const { channelId } = await sim.control.placeCall({ from: String(13_800_000_000 + i), did: '8000' });
  await hears(channelId, 'sound:bench/m1');
  return channelId;
}));
const answeredMs = performance.now() - started;
const rounds = [['1', 'm2', 0], ['2', 'm3', spreadMs], ['3', 'done', spreadMs]] as const;
const byRound: number[][] = [];
for (const [key, next, spread] of rounds) {
  const from = latencies.length;
  await Promise.all(ids.map(async (channelId) => {
    if (spread > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * spread));
    const heard = hears(channelId, `sound:bench/${next}`);
    await sim.control.sendDtmf(channelId, { digits: key });
    await heard;
  }));
  byRound.push(latencies.slice(from));
}
const walkedMs = performance.now() - started;
while (runtime.activeCalls() > 0) await new Promise((resolve) => setTimeout(resolve, 20));
const leftover = await sim.control.stats();

function summary(samples: readonly number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const pct = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
  return `${sorted.length} samples: p50 ${pct(0.5)} ms, p90 ${pct(0.9)} ms, p99 ${pct(0.99)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`;
}
console.log(`${calls} simultaneous calls: all greeted after ${answeredMs.toFixed(0)} ms; 3 menus walked by all after ${walkedMs.toFixed(0)} ms`);
console.log(`DTMF → next prompt started, all ${calls} keys at once: ${summary(byRound[0]!)}`);
console.log(`DTMF → next prompt started, keys spread over ${spreadMs} ms: ${summary([...byRound[1]!, ...byRound[2]!])}`);
console.log(`left behind: ${JSON.stringify(leftover)}; IVR sessions: ${runtime.activeCalls()}`);
runtime.close();
await telephony.close();
await sim.close();
await store.close();
