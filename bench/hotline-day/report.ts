/** The printed figures of bench/hotline-day.ts. */
import type { PhaseResult } from './phase.ts';
import { summarize, type MemorySample, type Summary } from './shared.ts';

const fixed = (v: number): string => (Number.isFinite(v) ? (Math.abs(v) < 10 ? v.toFixed(2) : v.toFixed(1)) : '–');
const ms = (v: number): string => fixed(v).padStart(9);
const row = (label: string, s: Summary): string => `${label.padEnd(58)}${String(s.n).padStart(8)}${ms(s.p50)}${ms(s.p95)}${ms(s.p99)}${ms(s.max)}`;
const header = `${'ms'.padEnd(58)}${'n'.padStart(8)}${'p50'.padStart(9)}${'p95'.padStart(9)}${'p99'.padStart(9)}${'max'.padStart(9)}`;
const loads = (l: number[]): string => l.map((v) => v.toFixed(1)).join(' / ');

/** Calls ended per second over the plateau (ramp over → placing stopped). */
export function sustained(r: PhaseResult): { callsPerS: number; windowS: number } {
  const from = r.startedAt + r.rampEndMs;
  const to = r.startedAt + r.placingEndMs;
  const ended = r.callers.endedAt.filter((at) => at >= from && at < to).length;
  const windowS = (to - from) / 1000;
  return { callsPerS: windowS > 0 ? ended / windowS : NaN, windowS };
}

/** CPU of the app per ended call, the forced collections of the memory samples left out. */
export const cpuPerCall = (r: PhaseResult): number => (r.app.cpuMs - r.app.gcCpuMs) / Math.max(1, r.callers.ended);

/** CPU per ended call over the plateau: between its first and last memory samples (all calls up in both). */
export function plateauCpuPerCall(r: PhaseResult): number {
  const plateau = r.memory.slice(1, -1);
  const first = plateau[0];
  const last = plateau.at(-1);
  if (!first || !last || last.callsEnded <= first.callsEnded) return NaN;
  return (last.cpuMs - first.cpuMs) / (last.callsEnded - first.callsEnded);
}

/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx > 0 ? points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / sxx : NaN;
}

/**
 * Memory at 100,000 ended calls. Measured when the run got there; else extrapolated two ways:
 * the slope over the plateau (calls live all along, warm-up left out), and what stayed from the
 * baseline (before the first call) to after the drain (no call live either time; includes one-time
 * warm-up such as compiled code and caches, so an upper bound).
 */
export function memoryAt100k(samples: MemorySample[]): string {
  const baseline = samples[0];
  const drained = samples.at(-1);
  const plateau = samples.slice(samples.length > 4 ? 2 : 1, -1);
  const last = plateau.at(-1);
  if (!baseline || !drained || !last) return 'memory: too few samples';
  const reached = plateau.find((s) => s.callsEnded >= 100_000);
  if (reached) return `memory after ${reached.callsEnded} calls: MEASURED after a full GC, the plateau's calls live: RSS ${reached.rssMb} MB, heap ${reached.heapUsedMb} MB`;
  const heapSlope = slope(plateau.map((s) => [s.callsEnded, s.heapUsedMb]));
  const rssSlope = slope(plateau.map((s) => [s.callsEnded, s.rssMb]));
  const more = 100_000 - last.callsEnded;
  const kb = (mbPerCall: number): string => (mbPerCall < 0 ? 'no growth (negative slope)' : `${fixed(mbPerCall * 1024)} KB/call`);
  const at = (from: number, mbPerCall: number, calls: number): string => (mbPerCall < 0 ? `${from}` : fixed(from + mbPerCall * calls));
  const heapKept = (drained.heapUsedMb - baseline.heapUsedMb) / Math.max(1, drained.callsEnded);
  const rssKept = (drained.rssMb - baseline.rssMb) / Math.max(1, drained.callsEnded);
  return [
    `memory after 100,000 calls: EXTRAPOLATED (this run ended ${drained.callsEnded} calls); all after a full GC`,
    `  plateau slope (${plateau.length} samples, ${plateau[0]!.callsEnded}–${last.callsEnded} calls ended, calls live): heap ${kb(heapSlope)} → ${at(last.heapUsedMb, heapSlope, more)} MB, ` +
      `RSS ${kb(rssSlope)} → ${at(last.rssMb, rssSlope, more)} MB (last measured heap ${last.heapUsedMb} MB, RSS ${last.rssMb} MB)`,
    `  baseline → after the drain (no call live; an upper bound): heap ${baseline.heapUsedMb} → ${drained.heapUsedMb} MB = ${kb(heapKept)} → ${at(baseline.heapUsedMb, heapKept, 100_000)} MB, ` +
      `RSS ${baseline.rssMb} → ${drained.rssMb} MB = ${kb(rssKept)} → ${at(baseline.rssMb, rssKept, 100_000)} MB`,
  ].join('\n');
}

export function phaseReport(r: PhaseResult): string {
  const { callers: c, app, cti, shape: s } = r;
  const rate = sustained(r);
  const wallS = r.callsEndMs / 1000;
  const lines = [
    `-- ${r.label}: ramp to ${s.concurrent} simultaneous calls in ${s.rampS} s, ${s.totalCalls > 0 ? `until ${s.totalCalls} calls ended` : `hold ${s.holdS} s`}; ` +
      `load (1/5/15 min) at start ${loads(r.load.start)}, at end ${loads(r.load.end)}`,
    `calls: ${c.placed} placed, ${c.ended} ended${r.allEnded ? '' : ' (NOT all: drain timed out)'}; peak ${c.peakLive} simultaneous; ${JSON.stringify(c.outcomes)}; "agents busy" prompts ${c.busyPrompts}`,
    `throughput: ${fixed(rate.callsPerS)} calls/s sustained over the ${fixed(rate.windowS)}-s plateau; all calls over after ${fixed(wallS)} s`,
    `CPU: ${fixed(cpuPerCall(r))} ms per call (${fixed((app.cpuMs - app.gcCpuMs) / 1000)} s in ${fixed(app.wallMs / 1000)} s = ${fixed(((app.cpuMs - app.gcCpuMs) / app.wallMs) * 100)} % of a core; ` +
      `forced GCs for the memory samples ${fixed(app.gcCpuMs)} ms left out); simulator + callers ${fixed((r.benchCpuMs / app.wallMs) * 100)} %` +
      (cti ? `, CTI clients ${fixed((cti.clientCpuMs / app.wallMs) * 100)} % of a core` : ''),
    `CPU over the plateau alone: ${fixed(plateauCpuPerCall(r))} ms per ended call ` +
      `(${r.memory.length > 3 ? `${r.memory[1]!.callsEnded}–${r.memory.at(-2)!.callsEnded} calls ended, ${fixed(((r.memory.at(-2)!.cpuMs - r.memory[1]!.cpuMs) / (r.memory.at(-2)!.at - r.memory[1]!.at)) * 100)} % of a core` : 'too few samples'})`,
    ...(r.allEnded ? [] : [`calls still up when the drain timed out: ${JSON.stringify(r.unfinished)}`]),
    ...(r.simLeft.channels > 0 ? [`the simulator still held ${JSON.stringify(r.simLeft)} at the end (the drain waited for it until DRAIN_S)`] : []),
    `ARI requests: ${app.counts['ariRequests'] ?? 0} (${fixed((app.counts['ariRequests'] ?? 0) / Math.max(1, c.ended))} per call)`,
    '',
    header,
    row('StasisStart → first prompt (PlaybackStarted)', summarize(c.stasisToFirstPrompt)),
    ...Object.entries(c.dtmfToPrompt).map(([kind, values]) => row(`DTMF ${kind}`, summarize(values))),
    row('placed → in the agent\'s bridge', summarize(c.waits)),
    ...(cti ? [
      row('agent free (ready since) → call.offer parsed', cti.freeToOffer),
      row(`CTI all events, ${cti.sockets} sockets: published → parsed`, cti.allDelivery),
      row('  … call.offer', cti.offerDelivery),
      row("  … 'supervisor' topic", cti.supervisorDelivery),
      row('three-way: call.consult sent → consulting', cti.consultToConsulting),
      row('three-way: call.conference sent → conference', cti.conferenceToJoined),
    ] : []),
    row('app event-loop delay', app.loopDelay),
    '',
    memoryAt100k(r.memory),
  ];
  if (cti) lines.push(`CTI: ${JSON.stringify(cti.counts)}; server: ${JSON.stringify(app.counts)}`);
  lines.push(`warnings/errors logged during the run: ${Object.keys(app.logged).length === 0 ? 'none' : JSON.stringify(app.logged)}`);
  return lines.join('\n');
}

/** The app's REST requests per ended call, by template, side by side. */
export function requestTable(results: PhaseResult[]): string {
  const templates = [...new Set(results.flatMap((r) => Object.keys(r.app.requests)))].sort();
  const per = (r: PhaseResult, t: string): string => fixed((r.app.requests[t] ?? 0) / Math.max(1, r.callers.ended)).padStart(10);
  return [
    `${'ARI requests per ended call'.padEnd(64)}${results.map((r) => r.label.slice(0, 10).padStart(10)).join('')}`,
    ...templates.map((t) => `${t.padEnd(64)}${results.map((r) => per(r, t)).join('')}`),
  ].join('\n');
}
