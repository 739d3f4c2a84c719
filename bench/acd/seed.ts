/**
 * Set-up shared by the bench servers (bench/acd/server.ts, bench/hotline-day/server.ts), not
 * measured: bench users written straight into the store (hundreds of scrypt hashes would take a
 * minute) with a session per user, checked by one real login; and the general queue's `maxWaiting`
 * raised in its stored settings, as an admin would.
 */
import { createHash } from 'node:crypto';
import { hashPassword } from '../../src/auth/password.ts';
import type { Role } from '../../src/auth/roles.ts';
import type { Hotline } from '../../src/server.ts';

const password = 'bench-password';

export interface BenchUser {
  readonly username: string;
  readonly roles: Role[];
  readonly extension?: string;
}

/** Writes the users and their sessions (the bench's token of each: `tokenOf(username)`), then logs in as the first one. */
export async function seedBenchUsers(hotline: Hotline, users: readonly BenchUser[], tokenOf: (username: string) => string): Promise<void> {
  const passwordHash = await hashPassword(password);
  const expiresAt = Date.now() + 8 * 3600_000;
  for (const { username, roles, extension } of users) {
    const session = createHash('sha256').update(tokenOf(username)).digest('hex');
    await hotline.store.commit([], [
      { op: 'put', key: `user:${username}`, value: { username, displayName: username, roles, ...(extension ? { extension } : {}), passwordHash, createdAt: Date.now() } },
      { op: 'sadd', key: 'users', member: username },
      { op: 'put', key: `session:${session}`, value: { username, roles, expiresAt }, ttlMs: 8 * 3600_000 },
    ]);
  }
  // the records are the user service's own: a real login of one of them must work
  const login = await fetch(`${hotline.url}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: users[0]?.username, password }),
  });
  if (login.status !== 200) throw new Error(`bench users are not valid users: login answered ${login.status}`);
}

/** Lets `maxWaiting` callers wait in the general queue (the shipped 200 is for the centre as shipped). */
export async function admitWaiting(hotline: Hotline, maxWaiting: number): Promise<void> {
  if (!(maxWaiting > 0)) return;
  const { maxWaitSec, callbackKey, record } = await hotline.queueSettings.get('general');
  await hotline.queueSettings.set('general', { maxWaitSec, maxWaiting, record, ...(callbackKey !== undefined ? { callbackKey } : {}) }, 'bench');
}
