/**
 * Users, roles and sessions, kept in the store. A session token is 32 random bytes; the store
 * keeps only its SHA-256, so a leaked store dump yields no usable token. Failed logins per user
 * name are counted; past the limit the user name is locked for a while (RATE_LIMITED).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { HotlineError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import { hashPassword, verifyPassword } from './password.ts';
import type { Role } from './roles.ts';

export interface User {
  readonly username: string;
  readonly displayName: string;
  readonly roles: readonly Role[];
  /** The agent's SIP endpoint (seat), e.g. "1001", for agents. */
  readonly extension?: string;
  /** The unit a department user works for (e.g. 市交通运输局): department actions are limited to its tickets. */
  readonly unit?: string;
}

interface StoredUser extends User {
  readonly passwordHash: string;
  readonly createdAt: number;
}

export interface Session {
  readonly username: string;
  readonly roles: readonly Role[];
  readonly unit?: string;
  readonly expiresAt: number;
}

export interface UserServiceOptions {
  readonly store: Store;
  readonly clock: Clock;
  /** Session lifetime; a shift is 8 h. */
  readonly sessionTtlMs?: number;
  /** Failed logins per user name allowed within `lockoutMs` before RATE_LIMITED. */
  readonly maxFailures?: number;
  readonly lockoutMs?: number;
}

export type UserService = ReturnType<typeof createUserService>;

const USERNAME = /^[A-Za-z0-9._-]{1,64}$/;

export function createUserService(options: UserServiceOptions) {
  const { store, clock } = options;
  const sessionTtlMs = options.sessionTtlMs ?? 8 * 3600_000;
  const maxFailures = options.maxFailures ?? 5;
  const lockoutMs = options.lockoutMs ?? 15 * 60_000;

  const userKey = (username: string) => `user:${username}`;
  const sessionKey = (token: string) => `session:${createHash('sha256').update(token).digest('hex')}`;
  const failureKey = (username: string) => `login-failures:${username}`;

  async function createUser(user: User & { password: string }): Promise<User> {
    if (!USERNAME.test(user.username)) throw new HotlineError('BAD_REQUEST', 'user name must be 1–64 of A-Z a-z 0-9 . _ -');
    if (user.password.length < 8) throw new HotlineError('BAD_REQUEST', 'password must have at least 8 characters');
    const stored: StoredUser = {
      username: user.username,
      displayName: user.displayName,
      roles: [...new Set(user.roles)],
      ...(user.extension ? { extension: user.extension } : {}),
      ...(user.unit ? { unit: user.unit } : {}),
      passwordHash: await hashPassword(user.password),
      createdAt: clock.now(),
    };
    const result = await store.commit(
      [{ key: userKey(user.username), version: 0 }],
      [
        { op: 'put', key: userKey(user.username), value: stored },
        { op: 'sadd', key: 'users', member: user.username },
      ],
    );
    if (!result.ok) throw new HotlineError('STORE_CONFLICT', `user ${user.username} exists already`);
    return publicUser(stored);
  }

  async function getUser(username: string): Promise<User | null> {
    if (!USERNAME.test(username)) return null;
    const found = await store.get<StoredUser>(userKey(username));
    return found ? publicUser(found.value) : null;
  }

  async function countUsers(): Promise<number> {
    return (await store.smembers('users')).length;
  }

  /**
   * Checks the password and opens a session; the same error for an unknown user and a wrong
   * password. Attempts per user name are counted in a fixed window and reset by a success, so a
   * guesser gets `maxFailures` tries per `lockoutMs` (the count is one atomic increment).
   */
  async function login(username: string, password: string): Promise<{ token: string; session: Session; user: User }> {
    const valid = USERNAME.test(username);
    const attempts = valid ? await store.incr(failureKey(username), lockoutMs) : 1;
    if (attempts > maxFailures) {
      throw new HotlineError('RATE_LIMITED', 'too many failed logins for this user; try again later', {
        retryAfterSeconds: Math.ceil(lockoutMs / 1000),
      });
    }
    const found = valid ? await store.get<StoredUser>(userKey(username)) : null;
    const ok = found ? await verifyPassword(password, found.value.passwordHash) : false;
    if (!found || !ok) throw new HotlineError('UNAUTHORIZED', 'wrong user name or password');
    await store.commit([], [{ op: 'del', key: failureKey(username) }]);
    const token = randomBytes(32).toString('base64url');
    const session: Session = {
      username, roles: found.value.roles, ...(found.value.unit ? { unit: found.value.unit } : {}), expiresAt: clock.now() + sessionTtlMs,
    };
    await store.commit([], [{ op: 'put', key: sessionKey(token), value: session, ttlMs: sessionTtlMs }]);
    return { token, session, user: publicUser(found.value) };
  }

  /** The session of a bearer token, or null when unknown or expired. */
  async function authenticate(token: string): Promise<Session | null> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
    const found = await store.get<Session>(sessionKey(token));
    if (!found || found.value.expiresAt <= clock.now()) return null;
    return found.value;
  }

  async function logout(token: string): Promise<void> {
    await store.commit([], [{ op: 'del', key: sessionKey(token) }]);
  }

  return { createUser, getUser, countUsers, login, authenticate, logout };
}

function publicUser(user: StoredUser): User {
  return {
    username: user.username,
    displayName: user.displayName,
    roles: user.roles,
    ...(user.extension ? { extension: user.extension } : {}),
    ...(user.unit ? { unit: user.unit } : {}),
  };
}
