/**
 * The flow linter: one verdict for a flow document, every finding with its JSON path and a plain
 * sentence. Errors stop a flow from being compiled; warnings (unreachable nodes, a long route to a
 * person) stop it from being published. Never throws on any input.
 */
import type { Flow } from './flow-schema.ts';
import { graphFindings } from './lint-graph.ts';
import { duplicateKeys } from './lint-json.ts';
import { ruleFindings } from './lint-rules.ts';
import { schemaFindings } from './lint-schema.ts';
import { inlineSubflows, subflowFindings } from './subflows.ts';
import { defaultReservedKeys, type Finding, type LintOptions, type LintResult } from './lint-types.ts';

export type { Finding, LintOptions, LintResult, ReservedPurpose } from './lint-types.ts';

/** Lints a parsed flow document (anything JSON.parse can return). */
export function lintFlow(doc: unknown, options: LintOptions): LintResult {
  try {
    return lintUnsafe(doc, options);
  } catch (error) {
    // the checks are written not to throw; if one does, the verdict is still a verdict
    const message = `the linter could not check this flow (${error instanceof Error ? error.message : String(error)})`;
    return verdict([{ rule: 'internal', path: '', message }], [], undefined);
  }
}

/** Lints JSON text: syntax, keys written twice, then everything `lintFlow` checks. */
export function lintFlowText(text: string, options: LintOptions): LintResult {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return verdict([{ rule: 'json', path: '', message: `not valid JSON: ${error instanceof Error ? error.message : String(error)}` }], [], undefined);
  }
  const duplicates = duplicateKeys(text);
  const result = lintFlow(doc, options);
  if (duplicates.length === 0) return result;
  return verdict([...duplicates, ...result.errors], [...result.warnings], undefined);
}

function lintUnsafe(doc: unknown, options: LintOptions): LintResult {
  const schema = schemaFindings(doc);
  if (schema.length > 0) return verdict(schema, [], undefined);
  const flow = doc as Flow;
  const subflows = subflowFindings(flow, options.flows ?? {});
  if (subflows.length > 0) return verdict(subflows, [], undefined);
  // the rest is checked on the flow as it will run: subflows inlined (their nodes as `<node>__<child node>`)
  const inlined = inlineSubflows(flow, options.flows ?? {});
  const rules = ruleFindings(inlined, options.catalogue, options.reservedKeys ?? defaultReservedKeys);
  const graph = graphFindings(inlined, options.maxStepsToHuman ?? 4);
  return verdict([...rules, ...graph.errors], graph.warnings, flow);
}

function verdict(errors: Finding[], warnings: Finding[], flow: Flow | undefined): LintResult {
  const ok = errors.length === 0;
  return { ok, publishable: ok && warnings.length === 0, errors, warnings, flow: ok ? flow : undefined };
}

/** One line per finding: `error /nodes/x/next: points to …`. */
export function formatFindings(result: LintResult): string[] {
  return [
    ...result.errors.map((f) => `error   ${f.path || '/'}: ${f.message} [${f.rule}]`),
    ...result.warnings.map((f) => `warning ${f.path || '/'}: ${f.message} [${f.rule}]`),
  ];
}
