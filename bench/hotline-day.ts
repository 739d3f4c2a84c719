/**
 * A hotline day in compressed time on the simulator (issue 9): the callers ramp to CONCURRENT
 * simultaneous calls and keep them up (a call that ends is replaced) against the hotline server
 * with AGENTS agents (EXPERTS of them expert seats) and SUPERVISORS consoles on the CTI, a mix of
 * suggestion messages (key 9), three-way calls (`call.consult` + `call.conference` to the expert
 * skill), surveys (the agent hangs up first) and abandons. Then, in the same run, the same callers
 * against bench/ari-floor.ts: a minimal raw-ARI application making the same REST operations per
 * call (the protocol floor). Prints throughput, CPU per call and the ratio to the floor, latency
 * percentiles, CTI delivery, and memory after 100,000 calls (measured, or extrapolated from the
 * plateau's slope: the report says which). Three processes per phase (bench/hotline-day/README.md).
 *
 *   npx tsx bench/hotline-day.ts       # default: half the day (1,000 calls, 250 agents, 250 consoles; ≈ 5 min)
 *   CONCURRENT=2000 AGENTS=500 SUPERVISORS=500 RAMP_S=30 HOLD_S=60 npx tsx bench/hotline-day.ts   # the full day (≈ 8 min)
 *   TOTAL_CALLS=100000 npx tsx bench/hotline-day.ts                # hold until 100,000 calls have ended (memory measured)
 *   FLOOR=0 npx tsx bench/hotline-day.ts                           # the server only
 *   SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' npx tsx bench/hotline-day.ts
 *
 * Knobs (env): CONCURRENT, AGENTS, EXPERTS, SUPERVISORS, RAMP_S, HOLD_S, TOTAL_CALLS, FLOOR_HOLD_S,
 * TALK_MIN_MS/TALK_MAX_MS, RING_MS, WRAP_MS, FEEDBACK, THREE_WAY, IMPATIENT, PATIENCE_MIN_S/MAX_S,
 * AGENT_HANGS_UP, SAMPLE_S, DRAIN_S, SEED, REDIS_URL, SERVER_NODE_ARGS, FLOOR_NODE_ARGS, FLOOR.
 */
import os from 'node:os';
import path from 'node:path';
import { runPhase, type PhaseResult } from './hotline-day/phase.ts';
import { cpuPerCall, phaseReport, plateauCpuPerCall, requestTable } from './hotline-day/report.ts';
import { dayShape } from './hotline-day/day-shape.ts';
import type { Shape } from './hotline-day/shared.ts';

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const here = import.meta.dirname;
const shape = dayShape();
const sampleS = env('SAMPLE_S', 10);
const args = (name: string): string[] => process.env[name]?.split(' ').filter(Boolean) ?? [];

async function main(): Promise<void> {
  const cpus = os.cpus();
  console.log(`hotline day: ${os.cpus().length} × ${cpus[0]?.model ?? '?'}, ${Math.round(os.totalmem() / 2 ** 30)} GB, node ${process.version}; ` +
    `store: ${process.env['REDIS_URL'] ? 'redis' : 'memory'}; shape ${JSON.stringify(shape)}`);
  const results: PhaseResult[] = [];
  const server = await runPhase({
    label: 'server', script: path.join(here, 'hotline-day', 'server.ts'), clients: path.join(here, 'hotline-day', 'clients.ts'), shape, sampleS,
    env: { BENCH_AGENTS: String(shape.agents), BENCH_EXPERTS: String(shape.experts), BENCH_SUPERVISORS: String(shape.supervisors), BENCH_MAX_WAITING: String(shape.concurrent) },
    nodeArgs: args('SERVER_NODE_ARGS'), drainTimeoutS: Number(process.env['DRAIN_S'] ?? 120),
  });
  results.push(server);
  console.log(phaseReport(server));
  if (env('FLOOR', 1) !== 0) {
    const floorShape: Shape = { ...shape, holdS: env('FLOOR_HOLD_S', shape.holdS), totalCalls: 0 };
    const floor = await runPhase({
      label: 'ARI floor', script: path.join(here, 'ari-floor.ts'), shape: floorShape, sampleS,
      env: { FLOOR_AGENTS: String(shape.agents), FLOOR_EXPERTS: String(shape.experts), FLOOR_SHAPE: JSON.stringify(floorShape) },
      nodeArgs: args('FLOOR_NODE_ARGS'), drainTimeoutS: Number(process.env['DRAIN_S'] ?? 120),
    });
    results.push(floor);
    console.log(phaseReport(floor));
    const ratio = (a: number, b: number): string => `${a.toFixed(2)} / ${b.toFixed(2)} ms = ${(a / b).toFixed(1)}×`;
    console.log(`\nserver CPU per call ÷ raw-ARI floor CPU per call (goal ≤ 1.5×): over the plateau ${ratio(plateauCpuPerCall(server), plateauCpuPerCall(floor))}; ` +
      `whole run ${ratio(cpuPerCall(server), cpuPerCall(floor))}`);
  }
  console.log(`\n${requestTable(results)}`);
}

await main();
