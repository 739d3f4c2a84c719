import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileFlow } from '../../src/ivr/compile.ts';
import { defaultFlowDir, readJsonFiles } from '../../src/ivr/flow-files.ts';
import { simulateFlow } from '../../src/ivr/flow-simulator.ts';
import { lintFlow, lintFlowText } from '../../src/ivr/lint.ts';
import { env, lintOptions } from './support.ts';

const shipped = readJsonFiles(defaultFlowDir).map((f) => JSON.parse(f.text) as unknown);

/** Every JSON path (as key lists) inside a document. */
function paths(value: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [at];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...at, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...at, k]));
  return out;
}

type Mutation = { kind: 'replace'; value: unknown } | { kind: 'delete' } | { kind: 'rename'; key: string };

function mutate(doc: unknown, at: Array<string | number>, m: Mutation): unknown {
  const copy = structuredClone(doc);
  if (at.length === 0) return m.kind === 'replace' ? m.value : copy;
  let parent = copy as Record<string | number, unknown>;
  for (const k of at.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const last = at.at(-1)!;
  if (m.kind === 'replace') parent[last] = m.value;
  else if (m.kind === 'delete') { if (Array.isArray(parent)) parent.splice(Number(last), 1); else delete parent[last]; }
  else if (!Array.isArray(parent) && Object.hasOwn(parent, last)) { const v = parent[last]; delete parent[last]; Object.defineProperty(parent, m.key, { value: v, enumerable: true, writable: true, configurable: true }); }
  return copy;
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), value: fc.oneof(fc.jsonValue(), fc.constantFrom('nowhere', 'bye', '__proto__', '{{x}}', '[', 0, -1, 1e9, null, true, [], {})) }),
  fc.constant({ kind: 'delete' as const }),
  fc.record({ kind: fc.constant('rename' as const), key: fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'next', 'type', '0', '*')) }),
);

describe('lintFlow', () => {
  describe('when given random mutations of the shipped flows', () => {
    it('always returns a verdict with located findings, and no check ever breaks', () => {
      fc.assert(fc.property(
        fc.constantFrom(...shipped).chain((doc) => fc.tuple(fc.constant(doc), fc.constantFrom(...paths(doc)), fc.array(mutation, { minLength: 1, maxLength: 3 }))),
        ([doc, at, ms]) => {
          const mutated = ms.reduce((d, m) => mutate(d, at, m), doc);
          const result = lintFlow(mutated, lintOptions);
          expect(result.errors.filter((f) => f.rule === 'internal')).toEqual([]);
          for (const f of [...result.errors, ...result.warnings]) {
            expect(f.path === '' || f.path.startsWith('/')).toBe(true);
            expect(f.message.length).toBeGreaterThan(0);
          }
          expect(result.ok).toBe(result.errors.length === 0);
          const again = lintFlowText(JSON.stringify(mutated), lintOptions);
          expect(again.ok).toBe(result.ok);
        },
      ), { numRuns: 400 });
    });
  });

  describe('when given arbitrary JSON', () => {
    it('returns a verdict and never an internal failure', () => {
      fc.assert(fc.property(fc.jsonValue(), (value) => {
        const result = lintFlow(value, lintOptions);
        expect(result.ok).toBe(false);
        expect(result.errors.filter((f) => f.rule === 'internal')).toEqual([]);
      }), { numRuns: 300 });
    });
  });
});

describe('the interpreter', () => {
  describe('when a mutated flow still passes the linter', () => {
    it('runs it without throwing and ends or keeps waiting', async () => {
      await fc.assert(fc.asyncProperty(
        fc.constantFrom(...shipped).chain((doc) => fc.tuple(fc.constant(doc), fc.constantFrom(...paths(doc)), fc.array(mutation, { minLength: 1, maxLength: 2 }))),
        fc.array(fc.record({ at: fc.integer({ min: 0, max: 60_000 }), dtmf: fc.stringMatching(/^[0-9*#]{1,4}$/) }), { maxLength: 5 }),
        async ([doc, at, ms], events) => {
          const mutated = ms.reduce((d, m) => mutate(d, at, m), doc);
          if (!lintFlow(mutated, lintOptions).ok) return;
          const t = await simulateFlow(compileFlow(mutated, lintOptions), { events, maxMs: 300_000 }, env);
          expect(t.steps).toBeLessThanOrEqual(200);
        },
      ), { numRuns: 150 });
    });
  });

  describe('when a caller presses random keys and hangs up at random on the shipped flows', () => {
    it('always ends the call within the step budget and never throws', async () => {
      const flows = shipped.map((doc) => compileFlow(doc, lintOptions));
      const event = fc.record({ at: fc.integer({ min: 0, max: 120_000 }), dtmf: fc.stringMatching(/^[0-9*#]{1,6}$/) });
      await fc.assert(fc.asyncProperty(
        fc.constantFrom(...flows), fc.array(event, { maxLength: 8 }), fc.option(fc.integer({ min: 0, max: 200_000 }), { nil: undefined }),
        fc.constantFrom('ok', 'error', 'timeout'), fc.array(fc.constantFrom('answered', 'timeout', 'full', 'no-agents'), { maxLength: 4 }),
        async (flow, events, hangupAt, httpOutcome, queue) => {
          const t = await simulateFlow(flow, {
            events: [...events, ...(hangupAt === undefined ? [] : [{ at: hangupAt, hangup: true as const }])],
            http: { 'customs-parcel': { outcome: httpOutcome as 'ok', body: { statusText: '已放行' } } },
            queue: queue.map((outcome) => ({ outcome: outcome as 'answered', afterMs: 1000 })),
            maxMs: 3_600_000,
          }, env);
          expect(t.exit).not.toBeNull();
          expect(t.steps).toBeLessThanOrEqual(200);
        },
      ), { numRuns: 60 });
    });
  });
});
