/**
 * The queue settings an admin edits without a deploy: the longest wait before the flow's timeout
 * exit, how many callers may wait, the key a waiting caller presses for a callback, and whether the
 * queue's calls are recorded.
 *
 * One store document per queue, `acd:queue-settings:<queueId>`, replaced whole. Like the roster
 * (staffing.ts) it carries its own version (1 after the first save, +1 on each), when and by whom
 * it was last changed; a save commits against the store version it read, and an admin who sends the
 * version they edited gets STORE_CONFLICT instead of overwriting someone else's change. Until the
 * first save the code's defaults apply (version 0): `defaultLimits` and `defaultRecording` in
 * queue-config.ts.
 *
 * Read from the store at each use — when a caller is queued, when a call's recording starts — so a
 * change applies on every server instance from the next caller on; there is no cache to invalidate.
 * A caller already waiting keeps what it was queued with: its overflow timer and its callback key.
 */
import Type, { type Static } from 'typebox';
import Value from 'typebox/value';
import type { Clock } from '../clock.ts';
import { HotlineError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import { defaultLimits, defaultRecording } from './queue-config.ts';
import { noLimits, type QueueLimits } from './queue-limits.ts';
import type { RoutingQueue } from './routing.ts';

/**
 * Keys a caller may press for a callback: the phone keypad. A–D are DTMF too but on no citizen's
 * phone. No other key is read while a caller waits (the IVR takes no input at a queue node), so any
 * keypad key is free for the callback.
 */
const CALLBACK_KEY = '^[0-9*#]$';

export const QueueSettingsSchema = Type.Object({
  maxWaitSec: Type.Integer({ minimum: 0, maximum: 3600, description: 'longest wait (s) before the flow\'s timeout exit (or a callback); 0 = no limit' }),
  maxWaiting: Type.Integer({ minimum: 0, maximum: 10_000, description: 'most callers waiting at once; a further caller takes the flow\'s full exit; 0 = no limit' }),
  callbackKey: Type.Optional(Type.String({ pattern: CALLBACK_KEY, description: 'the key (0–9, *, #) a waiting caller presses to be called back keeping the place; absent = no callbacks' })),
  record: Type.Boolean({ description: 'whether calls answered from this queue are recorded' }),
}, { additionalProperties: false });
export type QueueSettings = Static<typeof QueueSettingsSchema>;

export interface QueueSettingsDoc extends QueueSettings {
  readonly queueId: string;
  /** 0: the code's defaults, never saved. */
  readonly version: number;
  readonly updatedAt: number | null;
  readonly updatedBy: string | null;
}

export interface QueueSettingsOptions {
  readonly store: Store;
  readonly clock: Clock;
  /** The routing queues: only these have settings. */
  readonly queues: ReadonlyMap<string, RoutingQueue>;
  /** Defaults until an admin saves (default: queue-config.ts). */
  readonly limits?: ReadonlyMap<string, QueueLimits>;
  readonly recording?: ReadonlyMap<string, { readonly record: boolean }>;
}

export type QueueSettingsStore = ReturnType<typeof createQueueSettings>;

const key = (queueId: string) => `acd:queue-settings:${queueId}`;

/** Validates settings as an admin sends them; throws BAD_REQUEST naming the field (details.field, a JSON pointer). */
export function parseQueueSettings(value: unknown): QueueSettings {
  if (!Value.Check(QueueSettingsSchema, value)) {
    const first = Value.Errors(QueueSettingsSchema, value)[0];
    const field = first?.instancePath || '/';
    throw new HotlineError('BAD_REQUEST', `queue settings ${field}: ${first?.message ?? 'invalid'}`, { field });
  }
  return value;
}

/** What changed, for the audit log: `maxWaiting 200→500; callbackKey 1→none`. */
export function describeChanges(before: QueueSettings, after: QueueSettings): string {
  const shown = (v: unknown) => (v === undefined ? 'none' : String(v));
  return (['maxWaitSec', 'maxWaiting', 'callbackKey', 'record'] as const)
    .filter((field) => before[field] !== after[field])
    .map((field) => `${field} ${shown(before[field])}→${shown(after[field])}`)
    .join('; ') || 'unchanged';
}

export function createQueueSettings({ store, clock, queues, limits = defaultLimits, recording = defaultRecording }: QueueSettingsOptions) {
  function defaults(queueId: string): QueueSettings {
    const limit = limits.get(queueId) ?? noLimits;
    return {
      maxWaitSec: limit.maxWaitSec, maxWaiting: limit.maxWaiting,
      ...(limit.callbackKey !== undefined ? { callbackKey: limit.callbackKey } : {}),
      record: recording.get(queueId)?.record ?? true,
    };
  }

  const docOf = (queueId: string, stored: QueueSettingsDoc | undefined): QueueSettingsDoc =>
    stored ?? { queueId, ...defaults(queueId), version: 0, updatedAt: null, updatedBy: null };

  function known(queueId: string): void {
    if (!queues.has(queueId)) throw new HotlineError('NOT_FOUND', `no queue "${queueId}"; queues: ${[...queues.keys()].join(', ')}`);
  }

  async function read(queueId: string): Promise<{ doc: QueueSettingsDoc; storeVersion: number }> {
    const found = await store.get<QueueSettingsDoc>(key(queueId));
    return { doc: docOf(queueId, found?.value), storeVersion: found?.version ?? 0 };
  }

  /** A queue's settings in force. NOT_FOUND for a queue that does not exist. */
  async function get(queueId: string): Promise<QueueSettingsDoc> {
    known(queueId);
    return (await read(queueId)).doc;
  }

  /** Every queue's settings in force, in the order of the routing queues. */
  async function list(): Promise<QueueSettingsDoc[]> {
    const ids = [...queues.keys()];
    const found = await store.getMany<QueueSettingsDoc>(ids.map(key));
    return ids.map((id, i) => docOf(id, found[i]?.value));
  }

  /**
   * Replaces a queue's settings (validated). `expectedVersion`: the version the admin edited
   * (STORE_CONFLICT if it moved on). Returns the new settings and what changed.
   */
  async function set(queueId: string, input: unknown, by: string, expectedVersion?: number): Promise<{ settings: QueueSettingsDoc; changes: string }> {
    known(queueId);
    const parsed = parseQueueSettings(input);
    const { doc, storeVersion } = await read(queueId);
    if (expectedVersion !== undefined && expectedVersion !== doc.version) {
      throw new HotlineError('STORE_CONFLICT', `the settings of queue ${queueId} are at version ${doc.version}, not ${expectedVersion}; re-read them`);
    }
    const settings: QueueSettingsDoc = {
      queueId, maxWaitSec: parsed.maxWaitSec, maxWaiting: parsed.maxWaiting,
      ...(parsed.callbackKey !== undefined ? { callbackKey: parsed.callbackKey } : {}),
      record: parsed.record, version: doc.version + 1, updatedAt: clock.now(), updatedBy: by,
    };
    const result = await store.commit([{ key: key(queueId), version: storeVersion }], [{ op: 'put', key: key(queueId), value: settings }]);
    if (!result.ok) throw new HotlineError('STORE_CONFLICT', `the settings of queue ${queueId} changed meanwhile; re-read them`);
    return { settings, changes: describeChanges(doc, settings) };
  }

  /**
   * The limits a caller queued now gets (the queue service asks at each enqueue). `timeoutTo` is
   * not an admin setting: it stays the code's. A queue that does not exist has none.
   */
  async function limitsOf(queueId: string): Promise<QueueLimits> {
    if (!queues.has(queueId)) return noLimits;
    const { doc } = await read(queueId);
    const timeoutTo = limits.get(queueId)?.timeoutTo;
    return {
      maxWaitSec: doc.maxWaitSec, maxWaiting: doc.maxWaiting,
      ...(doc.callbackKey !== undefined ? { callbackKey: doc.callbackKey } : {}),
      ...(timeoutTo !== undefined ? { timeoutTo } : {}),
    };
  }

  /** Whether a call answered from this queue is recorded now (a queue that does not exist: yes). */
  async function records(queueId: string): Promise<boolean> {
    if (!queues.has(queueId)) return true;
    return (await read(queueId)).doc.record;
  }

  return { get, list, set, limits: limitsOf, records, defaults };
}
