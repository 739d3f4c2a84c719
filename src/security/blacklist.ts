/**
 * The blacklist of malicious callers (恶意骚扰来电): numbers a supervisor or admin has blocked for a
 * while, each with a reason, an expiry and who blocked it. A blocked caller hears a short refusal
 * and is hung up (src/ivr/runtime/ivr-calls.ts asks `refuses()` when a call arrives).
 *
 * What can never be blocked: a caller without a number (anonymous or withheld: blocking "no
 * number" would block everyone who withholds theirs), and short service numbers — the emergency
 * services (110, 119, 120, 122) and any number shorter than 7 digits, which are service codes, not
 * citizens. A citizen who calls again and again about the same matter is not malicious: repeats are
 * merged into the ticket history (docs/tickets.md), never blocked.
 *
 * One document per number, `blacklist:<number>`, expiring on its own at the entry's expiry, and a
 * sorted set `blacklist:by-expiry` for the list. Changes are audited by the HTTP audit hook.
 */
import type { Clock } from '../clock.ts';
import { HotlineError } from '../errors.ts';
import type { Store } from '../store/store.ts';

export interface BlacklistEntry {
  readonly number: string;
  readonly reason: string;
  /** Who blocked it (user name). */
  readonly by: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

export interface Blacklist {
  /** Blocks (or re-blocks with a new reason and expiry) a number. BLACKLIST_NOT_ALLOWED for numbers that may never be blocked. */
  put(number: string, input: { reason: string; days: number }, by: string): Promise<BlacklistEntry>;
  get(number: string): Promise<BlacklistEntry | null>;
  /** Unblocks; false when it was not blocked. */
  remove(number: string): Promise<boolean>;
  /** Entries in force, soonest expiry first. */
  list(limit?: number): Promise<BlacklistEntry[]>;
  /** Whether a call from this caller number is refused now (never for anonymous or service numbers). */
  refuses(callerNumber: string): Promise<boolean>;
}

/** The refusal the caller hears, for rendering to a sound file (npm run prompts). */
export const blacklistPromptTexts = {
  blocked: {
    'zh-CN': '您的号码因多次恶意拨打，已被暂停服务。如有紧急情况，请拨打110。再见。',
    en: 'Service to your number is suspended because of repeated abusive calls. In an emergency, dial 110. Goodbye.',
  },
} as const;
export const blockedPrompt = 'sound:hotline/zh/blocked';

/** The emergency services; never blocked (they call back citizens' hotline reports). */
export const emergencyNumbers = ['110', '119', '120', '122'] as const;

const key = (number: string) => `blacklist:${number}`;
const byExpiry = 'blacklist:by-expiry';

/** The caller number as stored (digits, optional leading +), or null when it is not one that can be blocked. */
export function blockableNumber(value: string): string | null {
  const compact = value.replace(/[\s()-]/g, '');
  if (!/^\+?\d{7,20}$/.test(compact)) return null;
  const digits = compact.replace(/^\+/, '');
  if ((emergencyNumbers as readonly string[]).includes(digits)) return null;
  return compact;
}

export function createBlacklist({ store, clock }: { store: Store; clock: Clock }): Blacklist {
  async function get(number: string): Promise<BlacklistEntry | null> {
    const normal = blockableNumber(number);
    if (normal === null) return null;
    const found = await store.get<BlacklistEntry>(key(normal));
    return found && found.value.expiresAt > clock.now() ? found.value : null;
  }

  return {
    async put(number, { reason, days }, by) {
      const normal = blockableNumber(number);
      if (normal === null) {
        throw new HotlineError('BLACKLIST_NOT_ALLOWED', 'only a full caller number (7–20 digits) can be blocked; never anonymous callers or service numbers such as 110');
      }
      if (!(Number.isInteger(days) && days >= 1 && days <= 365)) throw new HotlineError('BAD_REQUEST', 'days must be 1–365');
      const now = clock.now();
      const entry: BlacklistEntry = { number: normal, reason: reason.trim().slice(0, 500), by, createdAt: now, expiresAt: now + days * 86_400_000 };
      await store.commit([], [
        { op: 'put', key: key(normal), value: entry, ttlMs: entry.expiresAt - now },
        { op: 'zadd', key: byExpiry, member: normal, score: entry.expiresAt },
      ]);
      return entry;
    },
    get,
    async remove(number) {
      const normal = blockableNumber(number);
      if (normal === null) return false;
      const was = await get(normal);
      await store.commit([], [{ op: 'del', key: key(normal) }, { op: 'zrem', key: byExpiry, member: normal }]);
      return was !== null;
    },
    async list(limit = 500) {
      const now = clock.now();
      const expired = await store.zrangeByScore(byExpiry, -Infinity, now);
      if (expired.length > 0) await store.commit([], expired.map((e) => ({ op: 'zrem' as const, key: byExpiry, member: e.member })));
      const members = await store.zrangeByScore(byExpiry, now + 1, Infinity, { count: limit });
      const docs = await store.getMany<BlacklistEntry>(members.map((m) => key(m.member)));
      return docs.flatMap((doc) => (doc && doc.value.expiresAt > now ? [doc.value] : []));
    },
    async refuses(callerNumber) {
      return (await get(callerNumber)) !== null;
    },
  };
}
