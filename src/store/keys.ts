/**
 * The one place that turns logical store keys (`ticket:20261123-000001`) into physical Redis keys
 * (`{hotline}:ticket:20261123-000001`). The prefix is wrapped in a hash tag, so every key of one
 * deployment hashes to the same Redis Cluster slot and multi-key Lua scripts stay legal there.
 * Logical names starting with `_` are reserved for the store itself (leases live under `_lease:`).
 */
import { HotlineError } from '../errors.ts';

/** Longest logical key or channel name accepted, in UTF-16 code units. */
export const MAX_KEY_LENGTH = 512;

const PREFIX_PATTERN = /^[A-Za-z0-9:_-]+$/;
// whitespace, control and format characters, lone surrogates
const FORBIDDEN = /[\s\p{Cc}\p{Cf}\p{Cs}]/u;

export interface KeySpace {
  /** The hash-tagged prefix every physical key starts with, e.g. `{hotline}:`. */
  readonly prefix: string;
  /** Glob that matches every physical key of this deployment (for SCAN in tests and maintenance). */
  readonly pattern: string;
  /** Physical key of a logical key (document, counter, set, sorted set or stream). */
  key(logical: string): string;
  /** Physical key of a named lease. */
  lease(name: string): string;
  /** Physical pub/sub channel name, so deployments sharing one Redis never hear each other. */
  channel(name: string): string;
}

/** Builds the key space of a deployment from REDIS_PREFIX (default `hotline`). */
export function createKeySpace(prefix = 'hotline'): KeySpace {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new HotlineError('STORE_BAD_KEY', 'the store prefix must match ^[A-Za-z0-9:_-]+$');
  }
  const base = `{${prefix}}:`;
  return {
    prefix: base,
    pattern: `${base}*`,
    key: (logical) => base + assertLogicalKey(logical),
    lease: (name) => `${base}_lease:${assertName(name, 'lease name')}`,
    channel: (name) => base + assertName(name, 'channel name'),
  };
}

/** Returns `key` when it is a valid logical key; throws STORE_BAD_KEY otherwise. */
export function assertLogicalKey(key: unknown): string {
  const valid = assertName(key, 'key');
  if (valid.startsWith('_')) {
    throw new HotlineError('STORE_BAD_KEY', 'keys starting with "_" are reserved for the store');
  }
  return valid;
}

function assertName(name: unknown, what: string): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new HotlineError('STORE_BAD_KEY', `a ${what} must be a non-empty string`);
  }
  if (name.length > MAX_KEY_LENGTH) {
    throw new HotlineError('STORE_BAD_KEY', `a ${what} must be at most ${MAX_KEY_LENGTH} characters`);
  }
  if (FORBIDDEN.test(name)) {
    throw new HotlineError('STORE_BAD_KEY', `a ${what} must not contain whitespace or control characters`);
  }
  return name;
}
