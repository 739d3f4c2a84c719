/**
 * Reading flow files: ivr-flows/*.json (one flow each) and ivr-flows/tests/*.json (test suites).
 * The only file I/O of src/ivr; the CLI, the tests and (later) the server's loader use it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Flow } from './flow-schema.ts';

export interface FlowFile {
  readonly file: string;
  readonly text: string;
}

/** The `*.json` files directly in `dir`, sorted by name. */
export function readJsonFiles(dir: string): FlowFile[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.json'))
    .map((e) => e.name)
    .sort()
    .map((name) => ({ file: path.join(dir, name), text: readFileSync(path.join(dir, name), 'utf8') }));
}

/** The repository's flow folder. */
export const defaultFlowDir = path.resolve(import.meta.dirname, '../../ivr-flows');

/**
 * The flow documents among `files` by their `id`: the flows a subflow node may name when the
 * linter, the compiler or the flow tests run on files (not yet checked: each is linted on its own).
 */
export function flowsById(files: readonly FlowFile[]): Record<string, Flow> {
  const out: Record<string, Flow> = {};
  for (const { text } of files) {
    let doc: unknown;
    try { doc = JSON.parse(text); } catch { continue; }
    const id = typeof doc === 'object' && doc !== null ? (doc as { id?: unknown }).id : undefined;
    if (typeof id === 'string') Object.defineProperty(out, id, { value: doc as Flow, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
