import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFlow } from '../../src/ivr/compile.ts';
import { defaultFlowDir, flowsById, readJsonFiles } from '../../src/ivr/flow-files.ts';
import type { FlowTestSuite } from '../../src/ivr/flow-scenario.ts';
import { flowCoverage, runFlowTests, validateTestSuite } from '../../src/ivr/flow-tests.ts';
import { env, lintOptions } from './support.ts';

const files = readJsonFiles(defaultFlowDir);
// subflow nodes may name any shipped flow
const known = flowsById(files);
const flows = new Map(files.map(({ text }) => {
  const flow = compileFlow(JSON.parse(text), { ...lintOptions, flows: known });
  return [flow.id, flow];
}));
const suites = readJsonFiles(path.join(defaultFlowDir, 'tests')).map(({ file, text }) => ({ file: path.basename(file), doc: JSON.parse(text) as unknown }));

describe('the shipped flows\' test cases (ivr-flows/tests)', () => {
  it('has a test suite for every shipped flow', () => {
    const tested = suites.map((s) => (s.doc as FlowTestSuite).flow).sort();
    expect(tested).toEqual([...flows.keys()].sort());
  });

  describe.each(suites)('when $file runs through the headless simulator', ({ doc }) => {
    it('is a valid test suite', () => {
      expect(validateTestSuite(doc)).toEqual([]);
    });

    it('passes every case and reaches every node of the flow', async ({ annotate }) => {
      const suite = doc as FlowTestSuite;
      const flow = flows.get(suite.flow)!;
      const results = await runFlowTests(flow, suite.cases, env);
      expect(results.filter((r) => !r.pass).map((r) => ({ name: r.name, failures: r.failures }))).toEqual([]);
      const coverage = flowCoverage(flow, results.map((r) => r.transcript));
      expect(coverage.unreachedNodes).toEqual([]);
      if (coverage.unreachedExits.length > 0) await annotate(`exits no test takes: ${coverage.unreachedExits.join(', ')}`);
    });
  });
});

describe('checkExpectation via runFlowTests', () => {
  describe('when a case expects something that does not happen', () => {
    it('fails the case and says what differed', async () => {
      const flow = flows.get('12345')!;
      const [result] = await runFlowTests(flow, [{ name: 'wrong', expect: { exit: 'hangup', heard: ['不存在的提示'], vars: { rating: '1' } } }], env);
      expect(result!.pass).toBe(false);
      expect(result!.failures).toEqual([
        'expected exit "hangup", got "agent" at node "agent"',
        expect.stringContaining('expected to hear "不存在的提示"'),
        'expected variable rating = "1", got unset',
      ]);
    });
  });
});
