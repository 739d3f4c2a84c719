/**
 * The saved IVR state of live calls, so a restarted server can carry them on: the interpreter's
 * state (which names the flow id and version hash the call is pinned to) with the call's facts.
 * Saved at safe points (node entered, request made or answered, end); deleted when the call ends.
 * Keys are per Asterisk node (`node`), so instances on one Redis each see only their own calls.
 */
import type { Store } from '../../store/store.ts';
import type { IvrCommand, IvrState } from '../interpreter-types.ts';

/** How long a saved state outlives its last save (a call longer than this is not resumed). */
export const CALL_STATE_TTL_MS = 6 * 60 * 60 * 1000;

export interface SavedCall {
  readonly channelId: string;
  readonly did: string | undefined;
  readonly callerNumber: string;
  readonly alias: 'live' | 'staging';
  /** The interpreter state, or null for a call parked in the fallback queue without a flow. */
  readonly state: IvrState | null;
  /** The request the state waits on (queue, ticket, transfer), re-issued on resume. */
  readonly request?: Extract<IvrCommand, { type: 'enqueue' | 'fileTicket' | 'transfer' }>;
  /** Queue of a parked call. */
  readonly parkedQueue?: string;
  readonly savedAt: number;
}

export interface CallStateStore {
  save(call: SavedCall): Promise<void>;
  load(channelId: string): Promise<SavedCall | null>;
  remove(channelId: string): Promise<void>;
  /** Channel ids with a saved state on this node. */
  list(): Promise<string[]>;
}

export function createCallStateStore(store: Store, node = 'local'): CallStateStore {
  const key = (channelId: string) => `ivr-call:${node}:${channelId}`;
  const index = `ivr-calls:${node}`;
  return {
    async save(call) {
      await store.commit([], [
        { op: 'put', key: key(call.channelId), value: call, ttlMs: CALL_STATE_TTL_MS },
        { op: 'sadd', key: index, member: call.channelId },
      ]);
    },
    async load(channelId) {
      return (await store.get<SavedCall>(key(channelId)))?.value ?? null;
    },
    async remove(channelId) {
      await store.commit([], [{ op: 'del', key: key(channelId) }, { op: 'srem', key: index, member: channelId }]);
    },
    async list() {
      return store.smembers(index);
    },
  };
}
