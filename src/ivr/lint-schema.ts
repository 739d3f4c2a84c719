/**
 * Schema checks of a flow, node by node, so that each violation names the node and the field
 * (`/nodes/greeting/bargeIn: must be true or false`) instead of a union's noise.
 */
import type { TSchema } from 'typebox';
import Value from 'typebox/value';
import { FlowShell, nodeSchemas, nodeTypes, type NodeType } from './flow-schema.ts';
import type { Finding } from './lint-types.ts';

/** Ids that are dangerous as object keys or confusing in logs. */
export const unsafeIds = new Set(['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf']);
const idPattern = /^[a-z][a-z0-9_]{0,47}$/;

interface SchemaError {
  readonly keyword: string;
  readonly instancePath: string;
  readonly params: Record<string, unknown>;
  readonly message: string;
}

/** Schema findings of the whole document (empty when it matches the format). */
export function schemaFindings(doc: unknown): Finding[] {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return [{ rule: 'schema', path: '', message: 'a flow must be a JSON object' }];
  }
  const findings = errorsOf(FlowShell, doc, '').filter((f) => !f.path.startsWith('/nodes/'));
  const nodes = (doc as Record<string, unknown>).nodes;
  if (typeof nodes !== 'object' || nodes === null || Array.isArray(nodes)) return findings;
  for (const id of Object.keys(nodes)) {
    const path = `/nodes/${id.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (unsafeIds.has(id)) {
      findings.push({ rule: 'unsafe-id', path, message: `the node id "${id}" is unsafe (it clashes with JavaScript object internals); rename it` });
      continue;
    }
    if (!idPattern.test(id)) {
      findings.push({ rule: 'unsafe-id', path, message: `the node id "${id}" must start with a lower-case letter and hold only a-z, 0-9 and _ (at most 48)` });
    }
    findings.push(...nodeFindings((nodes as Record<string, unknown>)[id], path));
  }
  return findings;
}

function nodeFindings(node: unknown, path: string): Finding[] {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) {
    return [{ rule: 'schema', path, message: 'a node must be a JSON object with a "type"' }];
  }
  const type = (node as Record<string, unknown>).type;
  if (typeof type !== 'string' || !(nodeTypes as string[]).includes(type)) {
    return [{ rule: 'unknown-node-type', path: `${path}/type`, message: `unknown node type ${JSON.stringify(type)}; use one of ${nodeTypes.join(', ')}` }];
  }
  return errorsOf(nodeSchemas[type as NodeType], node, path);
}

function errorsOf(schema: TSchema, value: unknown, prefix: string): Finding[] {
  const seen = new Set<string>();
  const out: Finding[] = [];
  const allowed = new Map<string, unknown[]>();
  for (const raw of Value.Errors(schema, value) as unknown as Iterable<SchemaError & { schemaPath: string }>) {
    if (raw.keyword === 'const' && raw.schemaPath.includes('anyOf')) {
      allowed.set(raw.instancePath, [...(allowed.get(raw.instancePath) ?? []), raw.params.allowedValue]);
      continue;
    }
    const choices = raw.keyword === 'anyOf' ? allowed.get(raw.instancePath) : undefined;
    const finding = choices !== undefined && choices.length > 0
      ? { rule: 'schema', path: `${prefix}${raw.instancePath}`, message: `must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}` }
      : describe(raw, prefix);
    if (finding === undefined) continue;
    const key = `${finding.path}|${finding.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(finding);
  }
  return out;
}

function describe(error: SchemaError, prefix: string): Finding | undefined {
  const path = `${prefix}${error.instancePath}`;
  const params = error.params;
  switch (error.keyword) {
    case 'boolean': return { rule: 'schema', path, message: 'this field is not part of the format (misspelt or misplaced?)' };
    case 'additionalProperties': return undefined; // reported per field by the `boolean` error
    case 'required': {
      const missing = (params.requiredProperties as string[] | undefined) ?? [];
      return { rule: 'schema', path, message: `required field${missing.length > 1 ? 's' : ''} missing: ${missing.join(', ')}` };
    }
    case 'pattern': return { rule: 'schema', path, message: `the value does not have the required form (${String(params.pattern)})` };
    case 'const': return { rule: 'schema', path, message: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'anyOf': return { rule: 'schema', path, message: 'the value is none of the allowed choices' };
    case 'minimum': case 'maximum': return { rule: 'schema', path, message: `must be ${error.keyword === 'minimum' ? 'at least' : 'at most'} ${String(params.limit)}` };
    case 'minItems': return { rule: 'schema', path, message: `needs at least ${String(params.limit)} item(s)` };
    case 'minProperties': return { rule: 'schema', path, message: `needs at least ${String(params.limit)} entr${params.limit === 1 ? 'y' : 'ies'}` };
    case 'uniqueItems': return { rule: 'schema', path, message: 'holds the same item twice' };
    case 'type': return { rule: 'schema', path, message: `must be ${/integer/.test(error.message) ? 'a whole number' : error.message.replace(/^must be /, 'a ')}` };
    default: return { rule: 'schema', path, message: error.message };
  }
}
