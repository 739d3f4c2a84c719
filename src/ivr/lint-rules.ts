/**
 * Per-node checks of a flow that matches the schema: targets exist, catalogue ids are known,
 * prompts cover every language, regexes compile, reserved keys keep their meaning, numbers agree.
 */
import type { Catalogue } from './catalogue.ts';
import { exitsOf, nodePath, promptsOf } from './flow-graph.ts';
import type { Flow, FlowNode } from './flow-schema.ts';
import type { Finding, ReservedPurpose } from './lint-types.ts';

/** Findings of the per-node rules. */
export function ruleFindings(flow: Flow, catalogue: Catalogue, reserved: Readonly<Record<string, ReservedPurpose>>): Finding[] {
  const out: Finding[] = [];
  const has = (id: string): boolean => Object.hasOwn(flow.nodes, id);
  if (!has(flow.entry)) out.push({ rule: 'unknown-target', path: '/entry', message: `the entry node "${flow.entry}" does not exist` });
  if (flow.onHangup !== undefined && !has(flow.onHangup)) {
    out.push({ rule: 'unknown-target', path: '/onHangup', message: `the hang-up handler node "${flow.onHangup}" does not exist` });
  }
  if (flow.fallbackQueue !== undefined && !Object.hasOwn(catalogue.queues, flow.fallbackQueue)) {
    out.push({ rule: 'unknown-queue', path: '/fallbackQueue', message: `the queue "${flow.fallbackQueue}" is not in the catalogue` });
  }
  for (const [id, node] of Object.entries(flow.nodes)) {
    for (const exit of exitsOf(id, node)) {
      if (!has(exit.target)) out.push({ rule: 'unknown-target', path: exit.path, message: `points to the node "${exit.target}", which does not exist` });
    }
    out.push(...promptFindings(flow, id, node), ...catalogueFindings(catalogue, id, node), ...nodeSpecific(flow, id, node, reserved));
  }
  return out;
}

function promptFindings(flow: Flow, id: string, node: FlowNode): Finding[] {
  const out: Finding[] = [];
  for (const { path, prompt } of promptsOf(id, node)) {
    for (const lang of flow.languages) {
      if (prompt[lang] === undefined) out.push({ rule: 'missing-prompt', path, message: `has no "${lang}" version, but the flow declares the language ${lang}` });
    }
    for (const lang of Object.keys(prompt)) {
      if (!flow.languages.includes(lang)) out.push({ rule: 'undeclared-language', path: `${path}/${lang}`, message: `is in the language "${lang}", which the flow does not declare in /languages` });
    }
  }
  return out;
}

function catalogueFindings(catalogue: Catalogue, id: string, node: FlowNode): Finding[] {
  const at = nodePath(id);
  const unknown = (rule: string, field: string, what: string, value: string, list: Record<string, unknown>): Finding[] =>
    Object.hasOwn(list, value) ? [] : [{ rule, path: `${at}/${field}`, message: `the ${what} "${value}" is not in the catalogue (known: ${Object.keys(list).join(', ') || 'none'})` }];
  switch (node.type) {
    case 'queue': return unknown('unknown-queue', 'queue', 'queue', node.queue, catalogue.queues);
    case 'transfer': return unknown('unknown-destination', 'destination', 'transfer destination', node.destination, catalogue.transferDestinations);
    case 'hours': return [
      ...unknown('unknown-schedule', 'schedule', 'schedule', node.schedule, catalogue.schedules),
      ...unknown('unknown-calendar', 'calendar', 'holiday calendar', node.calendar, catalogue.calendars),
    ];
    case 'http': {
      const found = unknown('unknown-service', 'service', 'service', node.service, catalogue.services);
      const service = catalogue.services[node.service];
      if (found.length === 0 && service !== undefined && !service.methods.includes(node.method)) {
        found.push({ rule: 'service-method', path: `${at}/method`, message: `the service "${node.service}" does not allow ${node.method} (allowed: ${service.methods.join(', ')})` });
      }
      return found;
    }
    default: return [];
  }
}

function nodeSpecific(flow: Flow, id: string, node: FlowNode, reserved: Readonly<Record<string, ReservedPurpose>>): Finding[] {
  const at = nodePath(id);
  const out: Finding[] = [];
  const regex = (source: string, path: string): void => {
    try { new RegExp(source); } catch (e) {
      out.push({ rule: 'bad-regex', path, message: `the regular expression does not compile: ${e instanceof Error ? e.message : String(e)}` });
    }
  };
  if (node.type === 'collect') {
    if (node.minDigits > node.maxDigits) out.push({ rule: 'digit-range', path: `${at}/minDigits`, message: `minDigits (${node.minDigits}) is larger than maxDigits (${node.maxDigits})` });
    if (node.pattern !== undefined) regex(`^(?:${node.pattern})$`, `${at}/pattern`);
  }
  if (node.type === 'condition') {
    node.cases.forEach((c, i) => {
      const path = `${at}/cases/${i}/when`;
      const { op, value } = c.when;
      if ((op === 'set' || op === 'unset') && value !== undefined) out.push({ rule: 'condition-value', path: `${path}/value`, message: `the operator "${op}" takes no value` });
      if (op === 'in' && !Array.isArray(value)) out.push({ rule: 'condition-value', path, message: 'the operator "in" needs a list of values' });
      if (['eq', 'ne', 'lt', 'gt', 'matches'].includes(op) && typeof value !== 'string') out.push({ rule: 'condition-value', path, message: `the operator "${op}" needs one string value` });
      if ((op === 'lt' || op === 'gt') && typeof value === 'string' && !Number.isFinite(Number(value))) out.push({ rule: 'condition-value', path: `${path}/value`, message: `the operator "${op}" compares numbers, but "${value}" is not a number` });
      if (op === 'matches' && typeof value === 'string') regex(value, `${path}/value`);
    });
  }
  if (node.type === 'menu') {
    for (const [key, option] of Object.entries(node.options)) {
      const purpose = reserved[key];
      if (purpose === undefined) continue;
      const target = Object.hasOwn(flow.nodes, option.next) ? flow.nodes[option.next] : undefined;
      const fits = purpose === 'agent' ? target?.type === 'queue' || target?.type === 'transfer'
        : purpose === 'repeat' ? option.next === id : target?.type === 'hangup';
      if (!fits && target !== undefined) {
        const meaning = { agent: 'reach an agent (a queue or transfer node)', repeat: 'repeat this menu (point to the menu itself)', end: 'end the call (a hangup node)' }[purpose];
        out.push({ rule: 'reserved-key', path: `${at}/options/${key.replace(/~/g, '~0').replace(/\//g, '~1')}/next`, message: `the key ${key} is reserved to ${meaning} across the hotline; use another key` });
      }
    }
  }
  if (node.type === 'http') {
    for (const name of node.optional ?? []) {
      if (!Object.hasOwn(node.assign ?? {}, name)) out.push({ rule: 'optional-unknown', path: `${at}/optional`, message: `"${name}" is listed as optional but is not assigned from the answer` });
    }
  }
  if (node.type === 'menu' || node.type === 'collect') {
    const first = node.firstDigitTimeoutMs, inter = node.interDigitTimeoutMs;
    if (first !== undefined && inter !== undefined && inter > first) {
      out.push({ rule: 'timeouts', path: `${at}/interDigitTimeoutMs`, message: `the inter-digit timeout (${inter} ms) is longer than the first-digit timeout (${first} ms)` });
    }
  }
  return out;
}
