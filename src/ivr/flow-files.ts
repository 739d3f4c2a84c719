/**
 * Reading flow files: ivr-flows/*.json (one flow each) and ivr-flows/tests/*.json (test suites).
 * The only file I/O of src/ivr; the CLI, the tests and (later) the server's loader use it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

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
