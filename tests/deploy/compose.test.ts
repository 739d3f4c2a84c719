import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

describe('docker-compose.yml', () => {
  it('is accepted by docker-compose config', () => {
    const output = execFileSync('docker-compose', ['config'], { cwd: path.resolve(import.meta.dirname, '../..'), encoding: 'utf8' });
    expect(output).toContain('hotline:');
    expect(output).toMatch(/appendonly/);
  });
});
