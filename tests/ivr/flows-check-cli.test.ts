import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { baseFlow } from './support.ts';

const root = path.resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function check(files: Record<string, unknown>, ...args: string[]): { status: number | null; out: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'flows-check-'));
  dirs.push(dir);
  mkdirSync(path.join(dir, 'tests'));
  for (const [name, doc] of Object.entries(files)) writeFileSync(path.join(dir, name), typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2));
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/flows-check.ts', '--dir', dir, ...args], { cwd: root, encoding: 'utf8' });
  return { status: result.status, out: result.stdout + result.stderr };
}

describe('scripts/flows-check.ts (npm run flows:check)', () => {
  describe('when a flow has errors', () => {
    it('exits 1 and prints each error with its path and sentence', () => {
      const broken = baseFlow();
      (broken.nodes.main_menu as { options: Record<string, unknown> }).options[9] = { next: 'nowhere' };
      const { status, out } = check({ 'broken.json': broken, 'fine.json': { ...baseFlow(), id: 'fine' } });
      expect(status).toBe(1);
      expect(out).toContain('/nodes/main_menu/options/9/next: points to the node "nowhere", which does not exist');
      expect(out).toMatch(/ok\s+\S*fine\.json/);
    });
  });

  describe('when the flows are sound and --test runs their cases', () => {
    it('exits 0 and lists the nodes no case reaches', () => {
      const suite = { flow: 'test', cases: [{ name: 'silence reaches an agent', expect: { exit: 'agent' } }] };
      const { status, out } = check({ 'flow.json': baseFlow(), 'tests/flow.json': suite }, '--test');
      expect(out).toContain('1/1 cases pass');
      expect(out).toContain('nodes no test reaches: ask, check, bye');
      expect(status).toBe(0);
    });

    it('exits 1 when a case fails', () => {
      const suite = { flow: 'test', cases: [{ name: 'wrong', expect: { exit: 'hangup' } }] };
      const { status, out } = check({ 'flow.json': baseFlow(), 'tests/flow.json': suite }, '--test');
      expect(status).toBe(1);
      expect(out).toContain('expected exit "hangup", got "agent"');
    });
  });

  describe('when the schema is written', () => {
    it('writes the same schema as the committed file', () => {
      const { status } = check({ 'flow.json': baseFlow() }, '--write-schema');
      expect(status).toBe(0);
      const written = readFileSync(path.join(dirs.at(-1)!, 'schema', 'flow.schema.json'), 'utf8');
      expect(written).toBe(readFileSync(path.join(root, 'ivr-flows/schema/flow.schema.json'), 'utf8'));
    });
  });
});
