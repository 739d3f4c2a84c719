/**
 * The store's Lua scripts (src/store/lua/*.lua), loaded once and run by SHA with EVALSHA, falling
 * back to EVAL when Redis has not cached the script yet (after a restart or SCRIPT FLUSH).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ErrorReply } from 'redis';
import type { RedisClient } from './redis-connection.ts';

export interface LuaScript {
  readonly name: string;
  readonly source: string;
  readonly sha: string;
}

function load(name: string): LuaScript {
  const source = readFileSync(path.join(import.meta.dirname, 'lua', `${name}.lua`), 'utf8');
  return { name, source, sha: createHash('sha1').update(source).digest('hex') };
}

/** Every script the Redis adapter runs, by file name. */
export const scripts = {
  commitChecked: load('commit-checked'),
  acquireLease: load('acquire-lease'),
  releaseLease: load('release-lease'),
  incrWithTtl: load('incr-with-ttl'),
} as const;

/** Runs `script` with `keys` and `args`; returns Redis' raw reply. */
export async function runScript(client: RedisClient, script: LuaScript, keys: string[], args: string[]): Promise<unknown> {
  try {
    return await client.evalSha(script.sha, { keys, arguments: args });
  } catch (error) {
    if (!(error instanceof ErrorReply) || !error.message.startsWith('NOSCRIPT')) throw error;
    return client.eval(script.source, { keys, arguments: args });
  }
}
