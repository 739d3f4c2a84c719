/**
 * Replays one golden trace against a fresh simulator on a manual clock and lists every
 * difference: statuses, response bodies, and per step the events each socket received. Events
 * between two actions form a window compared in order first and, where Asterisk's order varies
 * (see the traces' README), as a multiset; `reordered` counts the windows that needed that.
 */
import { createManualClock } from '../../../src/clock.ts';
import type { Simulator } from '../../../src/sim/simulator.ts';
import { openEvents, startSim, type AriEvent, type EventStream } from '../support.ts';
import { doConnect, doExternal, doRequest } from './actions.ts';
import { loadTrace, type TraceStep } from './trace.ts';
import { Bindings, unify } from './unify.ts';

export interface ReplayResult {
  scenario: string;
  mismatches: string[];
  /** Windows whose events matched only as a multiset. */
  reordered: number;
  /** Every event the simulator emitted (delivered or not). */
  emitted: AriEvent[];
}

/** Endpoints and media of the traces' test dialplan (hotline-test) and sound files. */
async function configure(sim: Simulator): Promise<void> {
  await sim.control.setEndpoint('Local', 'answer-wait@hotline-test', { behavior: 'answer' });
  await sim.control.setEndpoint('Local', 'ring-answer@hotline-test', { behavior: 'answer', answerAfterMs: 2000 });
  await sim.control.setEndpoint('Local', 'ring-noanswer@hotline-test', { behavior: 'no-answer' });
  await sim.control.setMedia('sound:hello-world', { durationMs: 1400 });
  await sim.control.setMedia('sound:demo-congrats', { durationMs: 30_000 });
  await sim.control.setMedia('sound:no-such-sound-file', { exists: false });
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

/** Drops what the README says may or may not be there: the hidden MOH announcer in bridge.channels. */
function tolerate(event: Record<string, unknown>): Record<string, unknown> {
  const bridge = event.bridge as { channels?: string[] } | undefined;
  if (!bridge?.channels) return event;
  return { ...event, bridge: { ...bridge, channels: bridge.channels.filter((c) => !c.startsWith('{moh_announcer')) } };
}

function matchWindow(expected: Record<string, unknown>[], actual: AriEvent[], b: Bindings): { ok: boolean; reordered: boolean; diff: string } {
  const inOrder = b.clone();
  let diff = expected.length === actual.length ? '' : 'count differs';
  for (let i = 0; !diff && i < expected.length; i++) diff = unify(tolerate(expected[i]!), actual[i], inOrder);
  if (!diff) {
    b.adopt(inOrder);
    return { ok: true, reordered: false, diff: '' };
  }
  const loose = b.clone();
  const used = new Set<number>();
  for (const e of expected) {
    const index = actual.findIndex((a, i) => !used.has(i) && unify(tolerate(e), a, loose.clone()) === '');
    if (index < 0) {
      const near = actual.map((a) => unify(tolerate(e), a, loose.clone())).filter((d) => d !== '' && !d.startsWith('$.type'));
      return { ok: false, reordered: false, diff: `no match for ${String(e.type)}: ${near[0] ?? diff}` };
    }
    unify(tolerate(e), actual[index], loose);
    used.add(index);
  }
  if (used.size !== actual.length) return { ok: false, reordered: false, diff };
  b.adopt(loose);
  return { ok: true, reordered: true, diff: '' };
}

export async function replayTrace(name: string): Promise<ReplayResult> {
  const trace = loadTrace(name);
  const clock = createManualClock();
  const sim = await startSim(clock);
  const result: ReplayResult = { scenario: name, mismatches: [], reordered: 0, emitted: [] };
  let delivered = 0;
  sim.onEvent((_app, event, wasDelivered) => {
    result.emitted.push(event as AriEvent);
    if (wasDelivered) delivered++;
  });
  const b = new Bindings();
  const streams = new Map<string, EventStream>();
  const marks = new Map<string, number>();
  const multiSocket = trace.steps.some((s) => s.kind === 'ws');
  let expected: { ws: string; event: Record<string, unknown> }[] = [];
  let deliveredAtStart = 0;
  let label = 'start';

  async function closeWindow(): Promise<void> {
    for (let advanced = 0; ; advanced += 100) {
      await settle();
      const received = (): number => [...streams].reduce((n, [ws, s]) => n + s.received.length - (marks.get(ws) ?? 0), 0);
      for (let i = 0; i < 200 && received() < delivered - deliveredAtStart; i++) await settle();
      if (delivered - deliveredAtStart >= expected.length || advanced >= 60_000) break;
      await clock.advance(100);
    }
    for (const [ws, stream] of streams) {
      const actual = stream.received.slice(marks.get(ws) ?? 0);
      const wanted = expected.filter((e) => e.ws === ws).map((e) => e.event);
      const outcome = matchWindow(wanted, actual, b);
      if (outcome.reordered) result.reordered++;
      if (!outcome.ok) {
        result.mismatches.push(`after ${label} [${ws}]: expected ${wanted.map((e) => String(e.type)).join(',') || 'nothing'}; got ${actual.map((e) => e.type).join(',') || 'nothing'} (${outcome.diff})`);
      }
      marks.set(ws, stream.received.length);
    }
    expected = [];
    deliveredAtStart = delivered;
  }

  async function act(step: TraceStep): Promise<string> {
    if (step.kind === 'request') return doRequest(sim, step, b);
    if (step.kind === 'external') return doExternal(sim, step, b);
    if (step.kind === 'pause') {
      await clock.advance(Number(step.ms));
      return '';
    }
    const ws = String(step.ws);
    if (step.action === 'connect') {
      const { stream, diff } = await doConnect(sim, step);
      if (stream) {
        streams.set(ws, stream);
        marks.set(ws, 0);
      }
      return diff;
    }
    if (step.action === 'close') await streams.get(ws)?.close();
    return '';
  }

  try {
    await configure(sim);
    const connected = new Set(trace.steps.filter((s) => s.kind === 'ws' && s.action === 'connect').map((s) => String(s.ws)));
    const implicit = multiSocket ? new Set(trace.steps.filter((s) => s.kind === 'event' && !connected.has(String(s.ws))).map((s) => String(s.ws))) : new Set(['']);
    for (const ws of implicit) {
      streams.set(ws, await openEvents(sim.url));
      marks.set(ws, 0);
    }
    for (const [index, step] of trace.steps.entries()) {
      if (step.kind === 'event') {
        expected.push({ ws: multiSocket ? String(step.ws) : '', event: step.event as Record<string, unknown> });
        continue;
      }
      await closeWindow();
      label = `step ${index} ${step.kind} ${String(step.method ?? step.action ?? '')} ${String(step.path ?? '')}`.trim();
      const diff = await act(step);
      if (diff) result.mismatches.push(`step ${index}: ${diff}`);
    }
    await closeWindow();
  } finally {
    for (const stream of streams.values()) await stream.close();
    await sim.close();
  }
  return result;
}
