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

/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx > 0 ? points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / sxx : NaN;
}

/** Memory at 100,000 ended calls: measured when the run got there, else the plateau's slope extrapolated. */
export function memoryAt100k(samples: MemorySample[]): { line: string; heapMb: number; rssMb: number; measured: boolean } {
  // the last sample is after the drain; the first (the ramp just over) still has the warm-up in it
  const plateau = samples.slice(samples.length > 3 ? 1 : 0, -1);
  const last = plateau.at(-1);
  if (!last) return { line: 'memory: no sample', heapMb: NaN, rssMb: NaN, measured: false };
  const reached = plateau.find((s) => s.callsEnded >= 100_000);
  if (reached) {
    return { line: `memory after ${reached.callsEnded} calls (measured, after a full GC, the plateau's calls live): RSS ${reached.rssMb} MB, heap ${reached.heapUsedMb} MB`, heapMb: reached.heapUsedMb, rssMb: reached.rssMb, measured: true };
  }
  const heapSlope = slope(plateau.map((s) => [s.callsEnded, s.heapUsedMb]));
  const rssSlope = slope(plateau.map((s) => [s.callsEnded, s.rssMb]));
  const more = 100_000 - last.callsEnded;
  const heapMb = last.heapUsedMb + heapSlope * more;
  const rssMb = last.rssMb + rssSlope * more;
  const first = plateau[0]!;
  return {
    line: `memory after 100,000 calls: EXTRAPOLATED from ${plateau.length} samples after a full GC over the plateau (${first.callsEnded}–${last.callsEnded} calls ended): ` +
      `heap ${fixed(heapSlope * 1024)} KB/call → ${fixed(heapMb)} MB, RSS ${fixed(rssSlope * 1024)} KB/call → ${fixed(rssMb)} MB ` +
      `(last measured: heap ${last.heapUsedMb} MB, RSS ${last.rssMb} MB at ${last.callsEnded} calls)`,
    heapMb, rssMb, measured: false,
  };
}

export function phaseReport(r: PhaseResult): string {
  const { callers: c, app, cti, shape: s } = r;
  const rate = sustained(r);
  const wallS = r.callsEndMs / 1000;
  const afterDrain = r.memory.at(-1);
  const lines = [
    `-- ${r.label}: ramp to ${s.concurrent} simultaneous calls in ${s.rampS} s, ${s.totalCalls > 0 ? `until ${s.totalCalls} calls ended` : `hold ${s.holdS} s`}; ` +
      `load (1/5/15 min) at start ${loads(r.load.start)}, at end ${loads(r.load.end)}`,
    `calls: ${c.placed} placed, ${c.ended} ended${r.allEnded ? '' : ' (NOT all: drain timed out)'}; peak ${c.peakLive} simultaneous; ${JSON.stringify(c.outcomes)}; "agents busy" prompts ${c.busyPrompts}`,
    `throughput: ${fixed(rate.callsPerS)} calls/s sustained over the ${fixed(rate.windowS)}-s plateau; all calls over after ${fixed(wallS)} s`,
    `CPU: ${fixed(cpuPerCall(r))} ms per call (${fixed((app.cpuMs - app.gcCpuMs) / 1000)} s in ${fixed(app.wallMs / 1000)} s = ${fixed(((app.cpuMs - app.gcCpuMs) / app.wallMs) * 100)} % of a core; ` +
      `forced GCs for the memory samples ${fixed(app.gcCpuMs)} ms left out); simulator + callers ${fixed((r.benchCpuMs / app.wallMs) * 100)} %` +
      (cti ? `, CTI clients ${fixed((cti.clientCpuMs / app.wallMs) * 100)} % of a core` : ''),
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
    memoryAt100k(r.memory).line,
    afterDrain ? `memory after the drain (no call live, after a full GC): heap ${afterDrain.heapUsedMb} MB, RSS ${afterDrain.rssMb} MB at ${afterDrain.callsEnded} calls` : '',
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
