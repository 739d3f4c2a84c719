/**
 * The audit log of admin and supervisor actions: one store stream, `audit`, one entry per change
 * — who (user name and roles), what (method and route pattern), target (the route's parameters),
 * the outcome (HTTP status), when, and the request id to find the log lines. Bodies are never
 * recorded (they may hold passwords or citizens' words). The HTTP app appends an entry for every
 * mutating request made by an admin or a supervisor, and for every request refused by role (403);
 * features may append their own (the blacklist
 * does). Supervision itself (monitor, whisper, barge over the CTI) has its own audit:
 * src/acd/supervision-audit.ts. Kept to the newest `maxEntries` (about; Redis trims lazily).
 */
import type { Clock } from '../clock.ts';
import type { Store } from '../store/store.ts';

export interface AuditEntry {
  /** Stream id `<ms>-<seq>`: page on with `after`. */
  readonly id: string;
  readonly at: number;
  readonly who: string;
  readonly roles: readonly string[];
  /** e.g. `PUT /api/blacklist/:number`. */
  readonly action: string;
  /** What the action was about: the route's parameters, e.g. `{"number":"13800138000"}`. */
  readonly target: Readonly<Record<string, string>>;
  /** HTTP status of the outcome (refusals are recorded too). */
  readonly status: number;
  readonly requestId?: string;
  /** A short, non-personal note (e.g. a blacklist reason's length is not recorded; the reason is in the entry). */
  readonly detail?: string;
}

export type AuditInput = Omit<AuditEntry, 'id' | 'at'>;

export interface AuditLog {
  record(entry: AuditInput): Promise<void>;
  /** Entries oldest first, strictly after `after` (a stream id) or from `since` (ms); at most `limit`. */
  list(query?: { after?: string; since?: number; limit?: number }): Promise<AuditEntry[]>;
}

export const auditStreamKey = 'audit';

export function createAuditLog({ store, clock, maxEntries = 1_000_000 }: { store: Store; clock: Clock; maxEntries?: number }): AuditLog {
  return {
    async record(entry) {
      const fields: Record<string, string> = {
        at: String(clock.now()), who: entry.who, roles: entry.roles.join(','), action: entry.action,
        target: JSON.stringify(entry.target), status: String(entry.status),
        ...(entry.requestId ? { requestId: entry.requestId } : {}),
        ...(entry.detail ? { detail: entry.detail } : {}),
      };
      await store.commit([], [{ op: 'xadd', key: auditStreamKey, fields, maxLen: maxEntries }]);
    },
    async list(query = {}) {
      const limit = Math.min(Math.max(query.limit ?? 100, 1), 1000);
      const after = query.after ?? (query.since !== undefined ? `${Math.max(0, Math.floor(query.since) - 1)}-999999999` : '0');
      const entries = await store.xrange(auditStreamKey, after, limit);
      return entries.map(({ id, fields }) => ({
        id,
        at: Number(fields['at']),
        who: fields['who'] ?? '',
        roles: (fields['roles'] ?? '').split(',').filter((r) => r !== ''),
        action: fields['action'] ?? '',
        target: parseTarget(fields['target']),
        status: Number(fields['status']),
        ...(fields['requestId'] ? { requestId: fields['requestId'] } : {}),
        ...(fields['detail'] ? { detail: fields['detail'] } : {}),
      }));
    },
  };
}

function parseTarget(text: string | undefined): Record<string, string> {
  try {
    const value: unknown = JSON.parse(text ?? '{}');
    return value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)])) : {};
  } catch {
    return {};
  }
}
