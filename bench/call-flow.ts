/**
 * Benchmark: N simultaneous calls to 12345 on the simulator, each through the real IVR flow:
 * greeting → menu → the caller presses 9 → the feedback prompt → hang-up (a suggestion ticket is
 * filed for each), handled by the hotline server running as its own process (so its CPU can be
 * read from /proc). Prints calls/s, server CPU ms per call, and latency percentiles. Asserts nothing.
 *
 *   npx tsx bench/call-flow.ts            # 200 calls at once, 3 rounds
 *   BENCH_CALLS=500 BENCH_ROUNDS=1 npx tsx bench/call-flow.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createLogger } from '../src/log.ts';
import { createSimulator, type Simulator } from '../src/sim/simulator.ts';

const calls = Number(process.env['BENCH_CALLS'] ?? 200);
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 3);
const root = path.resolve(import.meta.dirname, '..');

/** CPU time (user + system) of a process, in ms, from /proc (Linux). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
  return (ticks * 1000) / 100; // CLK_TCK is 100 on Linux
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function startServer(sim: Simulator): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { ...process.env, ARI_URL: sim.url, ARI_PASSWORD: 'hotline', PORT: '0', LOG_LEVEL: 'warn', SHUTDOWN_GRACE_MS: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Hotline is running: (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  for (;;) {
    const health = (await (await fetch(`${url}/health`)).json()) as { components: { ari: { up: boolean } } };
    if (health.components.ari.up) return { child, url };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Resolves on the PlaybackStarted of `media` on `channelId`. */
function waitPlayback(sim: Simulator, channelId: string, media: string): Promise<number> {
  return new Promise((resolve) => {
    const stop = sim.onEvent((_app, event) => {
      const playback = event['playback'] as { target_uri?: string; media_uri?: string } | undefined;
      if (event['type'] === 'PlaybackStarted' && playback?.target_uri === `channel:${channelId}` && playback.media_uri === media) {
        stop();
        resolve(performance.now());
      }
    });
  });
}

async function oneCall(sim: Simulator, n: number, firstPrompt: number[], dtmfToPrompt: number[]): Promise<void> {
  const placedAt = performance.now();
  const { channelId } = await sim.control.placeCall({ from: `1380000${String(n).padStart(4, '0')}`, did: '12345' });
  const greeting = waitPlayback(sim, channelId, 'sound:hotline/zh/greeting-12345');
  const menu = waitPlayback(sim, channelId, 'sound:hotline/zh/feedback-or-hold');
  firstPrompt.push((await greeting) - placedAt);
  await menu;
  const feedback = waitPlayback(sim, channelId, 'sound:hotline/zh/feedback-record');
  const pressedAt = performance.now();
  await sim.control.sendDtmf(channelId, { digits: '9' });
  dtmfToPrompt.push((await feedback) - pressedAt);
  await sim.control.hangup(channelId);
}

async function main(): Promise<void> {
  const sim = await createSimulator({ logger: createLogger('warn') });
  const { child } = await startServer(sim);
  process.stdout.write(`call-flow benchmark: ${calls} simultaneous calls to 12345 × ${rounds} rounds (greeting → menu → 9 → feedback prompt → hang-up)\n`);
  try {
    for (let round = 1; round <= rounds; round++) {
      const firstPrompt: number[] = [];
      const dtmfToPrompt: number[] = [];
      const cpuBefore = cpuMs(child.pid!);
      const started = performance.now();
      await Promise.all(Array.from({ length: calls }, (_, n) => oneCall(sim, n, firstPrompt, dtmfToPrompt)));
      while ((await sim.control.stats()).channels > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      const seconds = (performance.now() - started) / 1000;
      await new Promise((resolve) => setTimeout(resolve, 200)); // let the server finish its clean-up before reading CPU
      const serverCpu = cpuMs(child.pid!) - cpuBefore;
      firstPrompt.sort((a, b) => a - b);
      dtmfToPrompt.sort((a, b) => a - b);
      process.stdout.write(
        `round ${round}: ${(calls / seconds).toFixed(1)} calls/s | server CPU ${(serverCpu / calls).toFixed(2)} ms/call | ` +
          `call placed → greeting starts p50 ${percentile(firstPrompt, 50).toFixed(1)} ms p99 ${percentile(firstPrompt, 99).toFixed(1)} ms | ` +
          `DTMF 9 → feedback prompt starts p50 ${percentile(dtmfToPrompt, 50).toFixed(1)} ms p99 ${percentile(dtmfToPrompt, 99).toFixed(1)} ms\n`,
      );
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    await sim.close();
  }
}

await main();
