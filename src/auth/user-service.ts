/**
 * Users, roles and sessions, kept in the store. A session token is 32 random bytes; the store
 * keeps only its SHA-256, so a leaked store dump yields no usable token. Failed logins per user
 * name are counted; past the limit the user name is locked for a while (RATE_LIMITED). Failed
 * logins per client address are counted too: past `maxAddressFailures` the address is refused for
 * `lockoutMs` whatever name it tries (a guesser spraying many names). Each user's sessions are
 * indexed, so an admin can end them all at once (a stolen or lost credential).
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
  /** Failed logins from one client address within `lockoutMs` before it is refused (RATE_LIMITED). */
  readonly maxAddressFailures?: number;
}

export type UserService = ReturnType<typeof createUserService>;

const USERNAME = /^[A-Za-z0-9._-]{1,64}$/;

export function createUserService(options: UserServiceOptions) {
  const { store, clock } = options;
  const sessionTtlMs = options.sessionTtlMs ?? 8 * 3600_000;
  const maxFailures = options.maxFailures ?? 5;
  const lockoutMs = options.lockoutMs ?? 15 * 60_000;
  const maxAddressFailures = options.maxAddressFailures ?? 30;

  const userKey = (username: string) => `user:${username}`;
  const sessionKey = (token: string) => `session:${tokenHash(token)}`;
  const failureKey = (username: string) => `login-failures:${username}`;
  const addressKey = (address: string) => `login-failures-from:${address.replace(/[^0-9A-Fa-f.:]/g, '_').slice(0, 64)}`;
  const blockedKey = (address: string) => `login-blocked:${address.replace(/[^0-9A-Fa-f.:]/g, '_').slice(0, 64)}`;
  /** Set of the session-key hashes of a user (members may have expired; pruned at login). */
  const userSessionsKey = (username: string) => `user-sessions:${username}`;
  const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

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

  /** Every user (without password hashes), by user name. */
  async function listUsers(): Promise<User[]> {
    const names = (await store.smembers('users')).filter((name) => USERNAME.test(name)).sort();
    const docs = await store.getMany<StoredUser>(names.map(userKey));
    return docs.flatMap((doc) => (doc ? [publicUser(doc.value)] : []));
  }

  /**
   * Changes a user's display name, seat (extension; null removes it) or unit; never the roles or
   * the password. NOT_FOUND for an unknown user, STORE_CONFLICT if it changed meanwhile.
   */
  async function updateUser(username: string, patch: { displayName?: string; extension?: string | null; unit?: string | null }): Promise<User> {
    const found = USERNAME.test(username) ? await store.get<StoredUser>(userKey(username)) : null;
    if (!found) throw new HotlineError('NOT_FOUND', `no user ${username}`);
    const { extension: _extension, unit: _unit, ...kept } = found.value;
    const extension = patch.extension === undefined ? found.value.extension : patch.extension ?? undefined;
    const unit = patch.unit === undefined ? found.value.unit : patch.unit ?? undefined;
    const stored: StoredUser = {
      ...kept,
      ...(patch.displayName !== undefined ? { displayName: patch.displayName } : {}),
      ...(extension ? { extension } : {}),
      ...(unit ? { unit } : {}),
    };
    const result = await store.commit([{ key: userKey(username), version: found.version }], [{ op: 'put', key: userKey(username), value: stored }]);
    if (!result.ok) throw new HotlineError('STORE_CONFLICT', `user ${username} changed meanwhile; try again`);
    return publicUser(stored);
  }

  async function countUsers(): Promise<number> {
    return (await store.smembers('users')).length;
  }

  /**
   * Checks the password and opens a session; the same error for an unknown user and a wrong
   * password. Attempts per user name are counted in a fixed window and reset by a success, so a
   * guesser gets `maxFailures` tries per `lockoutMs` (the count is one atomic increment).
   */
  async function login(username: string, password: string, from?: string): Promise<{ token: string; session: Session; user: User }> {
    if (from !== undefined && (await store.get(blockedKey(from)))) {
      throw new HotlineError('RATE_LIMITED', 'too many failed logins from this address; try again later', { retryAfterSeconds: Math.ceil(lockoutMs / 1000) });
    }
    const valid = USERNAME.test(username);
    const attempts = valid ? await store.incr(failureKey(username), lockoutMs) : 1;
    if (attempts > maxFailures) {
      throw new HotlineError('RATE_LIMITED', 'too many failed logins for this user; try again later', {
        retryAfterSeconds: Math.ceil(lockoutMs / 1000),
      });
    }
    const found = valid ? await store.get<StoredUser>(userKey(username)) : null;
    const ok = found ? await verifyPassword(password, found.value.passwordHash) : false;
    if (!found || !ok) {
      if (from !== undefined) await countAddressFailure(from);
      throw new HotlineError('UNAUTHORIZED', 'wrong user name or password');
    }
    await store.commit([], [{ op: 'del', key: failureKey(username) }]);
    const token = randomBytes(32).toString('base64url');
    const session: Session = {
      username, roles: found.value.roles, ...(found.value.unit ? { unit: found.value.unit } : {}), expiresAt: clock.now() + sessionTtlMs,
    };
    await pruneSessions(username);
    await store.commit([], [
      { op: 'put', key: sessionKey(token), value: session, ttlMs: sessionTtlMs },
      { op: 'sadd', key: userSessionsKey(username), member: tokenHash(token) },
    ]);
    return { token, session, user: publicUser(found.value) };
  }

  async function countAddressFailure(from: string): Promise<void> {
    const failures = await store.incr(addressKey(from), lockoutMs);
    if (failures >= maxAddressFailures) await store.commit([], [{ op: 'put', key: blockedKey(from), value: { since: clock.now() }, ttlMs: lockoutMs }]);
  }

  /** Drops index entries of sessions that expired on their own. */
  async function pruneSessions(username: string): Promise<void> {
    const hashes = await store.smembers(userSessionsKey(username));
    if (hashes.length === 0) return;
    const docs = await store.getMany(hashes.map((hash) => `session:${hash}`));
    const gone = hashes.filter((_, i) => docs[i] === null);
    if (gone.length > 0) await store.commit([], gone.map((hash) => ({ op: 'srem' as const, key: userSessionsKey(username), member: hash })));
  }

  /** The session of a bearer token, or null when unknown or expired. */
  async function authenticate(token: string): Promise<Session | null> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
    const found = await store.get<Session>(sessionKey(token));
    if (!found || found.value.expiresAt <= clock.now()) return null;
    return found.value;
  }

  async function logout(token: string): Promise<void> {
    const found = /^[A-Za-z0-9_-]{20,100}$/.test(token) ? await store.get<Session>(sessionKey(token)) : null;
    await store.commit([], [
      { op: 'del', key: sessionKey(token) },
      ...(found ? [{ op: 'srem' as const, key: userSessionsKey(found.value.username), member: tokenHash(token) }] : []),
    ]);
  }

  /** Ends every session of a user at once (every token stops working); returns how many were open. */
  async function revokeSessions(username: string): Promise<number> {
    if (!USERNAME.test(username)) return 0;
    const hashes = await store.smembers(userSessionsKey(username));
    const docs = await store.getMany(hashes.map((hash) => `session:${hash}`));
    await store.commit([], [...hashes.map((hash) => ({ op: 'del' as const, key: `session:${hash}` })), { op: 'del', key: userSessionsKey(username) }]);
    return docs.filter((doc) => doc !== null).length;
  }

  return { createUser, getUser, listUsers, updateUser, countUsers, login, authenticate, logout, revokeSessions };
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
