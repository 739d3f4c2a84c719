/**
 * `npm run bench`: runs every benchmark in this folder, one after the other, each in its own
 * process so they do not disturb each other. Each prints its own figures. ari-floor.ts is not run
 * alone: hotline-day.ts runs it as its second phase (the protocol floor of the same day).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const here = import.meta.dirname;
/** Benchmarks another one runs as a part of it. */
const partOf = new Set(['ari-floor.ts']);
const benches = readdirSync(here).filter((file) => file.endsWith('.ts') && file !== 'run.ts' && !partOf.has(file)).sort();
let failed = 0;
for (const file of benches) {
  process.stdout.write(`\n== ${file}\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, file)], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
