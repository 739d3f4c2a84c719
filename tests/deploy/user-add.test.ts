import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createUserService } from '../../src/auth/user-service.ts';
import { createManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/log.ts';
import { createRedisStore } from '../../src/store/redis-store.ts';
import { listSeats } from '../../scripts/asterisk/render.ts';
import { deletePrefix, uniquePrefix } from '../support/redis.ts';
import { repoRoot } from './compose.ts';

const url = inject('redisUrl');
const prefix = uniquePrefix('user-add');

/** Runs scripts/user-add.ts with `password` on stdin; resolves with exit code and output. */
function userAdd(args: string[], password: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(path.join(repoRoot, 'node_modules/.bin/tsx'), [path.join(repoRoot, 'scripts/user-add.ts'), ...args], {
      cwd: repoRoot, env: { PATH: process.env['PATH'] ?? '', REDIS_URL: url, REDIS_PREFIX: prefix },
    }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
    child.stdin!.end(`${password}\n`);
  });
}

describe('scripts/user-add.ts (users before an admin console exists)', () => {
  const store = createRedisStore({ url, prefix, logger: createLogger('silent') });
  afterAll(async () => {
    await store.close();
    await deletePrefix(url, prefix);
  });

  it('creates a seat the renderer sees, with the password read from stdin', async () => {
    const result = await userAdd(['agent1001', '--name', '话务员 李娜', '--roles', 'agent', '--extension', '1001'], 'a long password');
    expect(result.stdout).toContain('created agent1001 (agent), seat 1001');
    expect(await listSeats(store)).toEqual([{ extension: '1001' }]);
    const users = createUserService({ store, clock: createManualClock() });
    expect((await users.login('agent1001', 'a long password')).user.displayName).toBe('话务员 李娜');
  });

  it.each([
    [['bob', '--roles', 'boss'], /--roles must list/],
    [['bob', '--roles', 'agent', '--extension', '110'], /--extension must be 4–8 digits/],
    [['agent1001', '--roles', 'agent'], /exists already/],
  ])('refuses %j', async (args, message) => {
    const result = await userAdd(args, 'a long password');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
  });
});
