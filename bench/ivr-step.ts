/**
 * DTMF → next command latency of the pure IVR interpreter, for 500 simultaneous simulated calls
 * on the 12360 flow (greeting menu, tracking-number collect, HTTP lookup, read-back menu). Calls
 * are interleaved key by key, as a busy server would see them; each step also round-trips the
 * state through JSON, as the live runtime stores it after every step. Prints p50 / p99 / max;
 * asserts nothing.  Run: npx tsx bench/ivr-step.ts [calls]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultCatalogue } from '../src/ivr/catalogue.ts';
import { compileFlow } from '../src/ivr/compile.ts';
import { createInterpreter } from '../src/ivr/interpreter.ts';
import type { IvrInput, IvrState } from '../src/ivr/interpreter-types.ts';

const calls = Number(process.argv[2] ?? 500);
const flow = compileFlow(JSON.parse(readFileSync(path.join(import.meta.dirname, '../ivr-flows/12360.json'), 'utf8')), { catalogue: defaultCatalogue });
const interpreter = createInterpreter(flow, { catalogue: defaultCatalogue });

const keys = ['1', ...'1234567890', '#'];
const states: IvrState[] = [];
let now = Date.UTC(2026, 10, 23, 2, 0, 0);
for (let i = 0; i < calls; i++) {
  const started = interpreter.start({ type: 'started', callId: `bench-${i}`, vars: { caller_number: `1380000${String(i).padStart(4, '0')}`, did: '12360' }, at: now });
  states.push(started.state);
}

const dtmfNs: number[] = [];
const storedNs: number[] = [];
let commands = 0;
let lookups = 0;
const t0 = process.hrtime.bigint();
for (let round = 0; round < 3; round++) {
  for (const key of keys) {
    now += 250;
    for (let i = 0; i < calls; i++) {
      let state = states[i]!;
      // the greeting / collect prompt ended before the caller types (phase listen)
      if (state.play !== null) state = interpreter.step(state, { type: 'promptFinished', playId: state.play.id, at: now }).state;
      const input: IvrInput = { type: 'dtmf', digit: key, at: now };
      const a = process.hrtime.bigint();
      const result = interpreter.step(state, input);
      const b = process.hrtime.bigint();
      const stored = JSON.parse(JSON.stringify(result.state)) as IvrState;
      const c = process.hrtime.bigint();
      dtmfNs.push(Number(b - a));
      storedNs.push(Number(c - a));
      commands += result.commands.length;
      lookups += result.commands.filter((c) => c.type === 'httpRequest').length;
      states[i] = stored;
    }
  }
  // answer every lookup, then restart the calls for the next round
  for (let i = 0; i < calls; i++) {
    const pending = states[i]!.pending;
    if (pending?.kind === 'http') interpreter.step(states[i]!, { type: 'httpResult', requestId: pending.id, outcome: 'ok', body: { statusText: '已放行' }, at: now });
    states[i] = interpreter.start({ type: 'started', callId: `bench-${round}-${i}`, at: now }).state;
  }
}
const totalMs = Number(process.hrtime.bigint() - t0) / 1e6;

const pct = (values: number[], p: number): string => {
  const sorted = [...values].sort((x, y) => x - y);
  return (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! / 1000).toFixed(1);
};
console.log(`ivr-step: ${calls} simultaneous calls on flow ${flow.id}@${flow.version.slice(0, 12)}, ${dtmfNs.length} DTMF steps, ${commands} commands (${lookups} parcel lookups), ${totalMs.toFixed(0)} ms total`);
console.log(`  DTMF → commands (pure step):        p50 ${pct(dtmfNs, 50)} µs   p99 ${pct(dtmfNs, 99)} µs   max ${pct(dtmfNs, 100)} µs`);
console.log(`  … including the JSON state round trip: p50 ${pct(storedNs, 50)} µs   p99 ${pct(storedNs, 99)} µs   max ${pct(storedNs, 100)} µs`);
console.log(`  throughput: ${Math.round(dtmfNs.length / (totalMs / 1000))} DTMF steps/s on one core`);
