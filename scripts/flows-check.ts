/**
 * `npm run flows:check` — lints every ivr-flows/*.json and exits 1 on errors (warnings are
 * printed and block publishing, not this check). Options:
 *   --test            also run ivr-flows/tests/*.json through the headless simulator and list
 *                     the nodes and exits no test reaches
 *   --strict          exit 1 on warnings too
 *   --write-schema    (re)write ivr-flows/schema/flow.schema.json from src/ivr/flow-schema.ts
 *   --dir <folder>    another flow folder (default ivr-flows/)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { defaultCatalogue } from '../src/ivr/catalogue.ts';
import { compileFlow } from '../src/ivr/compile.ts';
import { defaultFlowDir, flowsById, readJsonFiles } from '../src/ivr/flow-files.ts';
import { flowJsonSchema } from '../src/ivr/flow-schema.ts';
import type { FlowTestSuite } from '../src/ivr/flow-scenario.ts';
import { flowCoverage, runFlowTests, validateTestSuite } from '../src/ivr/flow-tests.ts';
import type { CompiledFlow } from '../src/ivr/interpreter-types.ts';
import { formatFindings, lintFlowText } from '../src/ivr/lint.ts';

const args = process.argv.slice(2);
const dirIndex = args.indexOf('--dir');
const dir = dirIndex >= 0 && args[dirIndex + 1] !== undefined ? path.resolve(args[dirIndex + 1]!) : defaultFlowDir;
// a subflow node may name any flow of the folder
const options = { catalogue: defaultCatalogue, flows: flowsById(readJsonFiles(dir)) };

if (args.includes('--write-schema')) {
  const file = path.join(dir, 'schema', 'flow.schema.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(flowJsonSchema(), null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

let failed = false;
const compiled = new Map<string, CompiledFlow>();
for (const { file, text } of readJsonFiles(dir)) {
  const result = lintFlowText(text, options);
  const name = path.relative(process.cwd(), file);
  const lines = formatFindings(result);
  console.log(`${result.ok ? (result.publishable ? 'ok     ' : 'warn   ') : 'FAIL   '} ${name}`);
  for (const line of lines) console.log(`    ${line}`);
  if (!result.ok || (args.includes('--strict') && !result.publishable)) failed = true;
  if (result.ok) {
    const flow = compileFlow(JSON.parse(text), options);
    compiled.set(flow.id, flow);
  }
}

if (args.includes('--test')) {
  for (const { file, text } of readJsonFiles(path.join(dir, 'tests'))) {
    const name = path.relative(process.cwd(), file);
    const doc: unknown = JSON.parse(text);
    const problems = validateTestSuite(doc);
    if (problems.length > 0) {
      failed = true;
      console.log(`FAIL    ${name}`);
      for (const p of problems) console.log(`    ${p}`);
      continue;
    }
    const suite = doc as FlowTestSuite;
    const flow = compiled.get(suite.flow);
    if (flow === undefined) { failed = true; console.log(`FAIL    ${name}: no valid flow "${suite.flow}"`); continue; }
    const results = await runFlowTests(flow, suite.cases, { catalogue: defaultCatalogue });
    const passed = results.filter((r) => r.pass).length;
    console.log(`${passed === results.length ? 'ok     ' : 'FAIL   '} ${name}: ${passed}/${results.length} cases pass`);
    for (const r of results.filter((x) => !x.pass)) {
      failed = true;
      console.log(`    ✗ ${r.name}`);
      for (const f of r.failures) console.log(`        ${f}`);
    }
    const coverage = flowCoverage(flow, results.map((r) => r.transcript));
    if (coverage.unreachedNodes.length > 0) console.log(`    nodes no test reaches: ${coverage.unreachedNodes.join(', ')}`);
    if (coverage.unreachedExits.length > 0) console.log(`    exits no test takes: ${coverage.unreachedExits.join(', ')}`);
  }
}

process.exit(failed ? 1 : 0);
