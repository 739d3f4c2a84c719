import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorCodes } from '../src/errors.ts';

describe('docs/errors.md', () => {
  const table = readFileSync(path.resolve(import.meta.dirname, '../docs/errors.md'), 'utf8');
  const documented = new Map(
    [...table.matchAll(/^\| ([A-Z][A-Z0-9_]+) \| (\d{3}) \|/gm)].map((m) => [m[1]!, Number(m[2])]),
  );

  it('documents every registered code with its status', () => {
    const missing = Object.entries(errorCodes)
      .filter(([code, spec]) => documented.get(code) !== spec.status)
      .map(([code, spec]) => `${code} (${spec.status})`);
    expect(missing).toEqual([]);
  });

  it('documents no code that the registry lacks', () => {
    expect([...documented.keys()].filter((code) => !(code in errorCodes))).toEqual([]);
  });
});
