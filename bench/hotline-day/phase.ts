/**
 * One phase of bench/hotline-day.ts: a fresh simulator, an ARI application in a child process (the
 * hotline server, or the raw-ARI floor), optionally the CTI clients in another, and the callers
 * keeping the day's shape up. Returns what each side measured.
 */
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { createLogger } from '../../src/log.ts';
import { createSimulator } from '../../src/sim/simulator.ts';
import { createCallers, type CallerFigures } from './callers.ts';
import { extensionOf, inbox, type FromApp, type FromClients, type MemorySample, type Shape, type ToApp, type ToClients } from './shared.ts';

export interface PhaseResult {
  readonly label: string;
  readonly shape: Shape;
  readonly connectMs: number;
  /** Performance-clock times (ms) relative to the start: ramp over, placing stopped, calls over. */
  readonly rampEndMs: number;
  readonly placingEndMs: number;
  readonly callsEndMs: number;
  readonly startedAt: number;
  readonly allEnded: boolean;
  /** Calls still up when the drain timed out, by what they last went through. */
  readonly unfinished: Record<string, number>;
  /** What the simulator still held when the phase ended (channels include callers' phone halves). */
  readonly simLeft: { channels: number; bridges: number; playbacks: number; recordings: number };
  readonly callers: CallerFigures;
  readonly app: Extract<FromApp, { type: 'stopped' }>;
  /** After a full GC: before the first call, every `sampleS` over the plateau, after the drain. */
  readonly memory: MemorySample[];
  readonly cti?: Extract<FromClients, { type: 'stopped' }>;
  readonly benchCpuMs: number;
  /** os.loadavg() at the start and the end. */
  readonly load: { start: number[]; end: number[] };
}

export interface PhaseOptions {
  readonly label: string;
  readonly script: string;
  readonly env: Record<string, string>;
  readonly nodeArgs: readonly string[];
  readonly clients?: string;
  readonly shape: Shape;
  /** Seconds between memory samples (0: only at the end of the hold and after the drain). */
  readonly sampleS: number;
  readonly drainTimeoutS: number;
}

export async function runPhase(options: PhaseOptions): Promise<PhaseResult> {
  const { shape } = options;
  const load = { start: os.loadavg(), end: [] as number[] };
  const sim = await createSimulator({ port: 0, logger: createLogger('warn') });
  for (let n = 0; n < shape.agents; n++) await sim.control.setEndpoint('PJSIP', extensionOf(n), { behavior: 'answer', answerAfterMs: shape.ringMs });
  const app = fork(options.script, [], {
    execArgv: ['--import', 'tsx', '--expose-gc', ...options.nodeArgs],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'], // ari-client chats on stdout
    env: { ...process.env, ...options.env, BENCH_ARI_URL: sim.url },
  });
  const clients: ChildProcess | undefined = options.clients ? fork(options.clients, [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' }) : undefined;
  const fromApp = inbox<FromApp>(app);
  const fromClients = clients ? inbox<FromClients>(clients) : undefined;
  const toApp = (message: ToApp): void => void (app.connected && app.send(message));
  const toClients = (message: ToClients): void => void (clients?.connected && clients.send(message));
  const callers = createCallers(sim, shape);
  try {
    const { url } = await fromApp('ready');
    let connectMs = 0;
    if (fromClients && url) {
      toClients({ type: 'connect', url, shape });
      connectMs = (await fromClients('connected', 300_000)).connectMs;
    }
    const memory: MemorySample[] = [];
    toApp({ type: 'start' });
    await fromApp('started');
    toApp({ type: 'sample', callsEnded: 0 }); // the baseline: agents in, no call yet
    memory.push((await fromApp('sampled')).sample);
    toClients({ type: 'start' });
    const benchCpu = process.cpuUsage();
    const startedAt = performance.now();
    const sample = async (): Promise<void> => {
      toApp({ type: 'sample', callsEnded: callers.figures.ended });
      memory.push((await fromApp('sampled')).sample);
    };
    const rampMs = shape.rampS * 1000;
    const holdEndMs = rampMs + shape.holdS * 1000;
    const enough = (): boolean => shape.totalCalls > 0 && callers.figures.ended >= shape.totalCalls;
    let sampling = Promise.resolve();
    let nextSample = rampMs;
    const sampler = setInterval(() => {
      const elapsed = performance.now() - startedAt;
      if (options.sampleS > 0 && elapsed >= nextSample) {
        nextSample += options.sampleS * 1000;
        sampling = sampling.then(sample);
      }
    }, 200);
    await callers.keepUp(
      (elapsed) => (elapsed < rampMs ? Math.ceil((shape.concurrent * elapsed) / rampMs) : shape.totalCalls > 0 || elapsed < holdEndMs ? shape.concurrent : 0),
      enough,
    );
    const placingEndMs = performance.now() - startedAt;
    clearInterval(sampler);
    await sampling;
    await sample(); // still full: the last sample at the plateau
    const allEnded = await callers.finished(performance.now() + options.drainTimeoutS * 1000);
    const callsEndMs = performance.now() - startedAt;
    const unfinished = callers.unfinished();
    const simLeft = await sim.control.stats();
    if (!allEnded) for (const line of await callers.stuckDetail()) console.log(`[${options.label}] still up: ${line}`);
    if (fromClients) {
      toClients({ type: 'drain' });
      await fromClients('drained');
    }
    const used = process.cpuUsage(benchCpu);
    toApp({ type: 'stop' });
    const stopped = await fromApp('stopped');
    await sample(); // after the drain: no call left
    let cti: Extract<FromClients, { type: 'stopped' }> | undefined;
    if (fromClients) {
      toClients({ type: 'stop' });
      cti = await fromClients('stopped');
    }
    load.end = os.loadavg();
    return {
      label: options.label, shape, connectMs, rampEndMs: Math.min(rampMs, placingEndMs), placingEndMs, callsEndMs, startedAt, allEnded, unfinished, simLeft,
      callers: callers.figures, app: stopped, memory, cti, benchCpuMs: (used.user + used.system) / 1000, load,
    };
  } finally {
    callers.close();
    toApp({ type: 'close' });
    await Promise.race([
      new Promise((resolve) => (app.exitCode !== null ? resolve(null) : app.once('exit', resolve))),
      new Promise((resolve) => setTimeout(resolve, 10_000)),
    ]);
    if (app.exitCode === null) app.kill();
    if (clients && clients.exitCode === null) clients.kill();
    await sim.close();
  }
}
