/**
 * Pending waits of the port (playback done, recording done, originate answered). Each wait
 * belongs to a scope — the channel or bridge it depends on — and ends exactly once: resolved by
 * an event, or rejected by its timeout (TELEPHONY_TIMEOUT), its AbortSignal (TELEPHONY_ABORTED),
 * the end of its scope (TELEPHONY_CHANNEL_GONE) or the adapter closing (ARI_UNAVAILABLE).
 */
import type { Clock } from '../clock.ts';
import { HotlineError } from '../errors.ts';
import type { WaitOptions } from './port.ts';

/** One pending wait. `settled` turns true once it resolved or rejected. */
export interface Wait<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
  readonly settled: boolean;
}

export interface WaitSpec extends WaitOptions {
  /** The channel or bridge id whose end ends this wait. */
  readonly scope: string;
  /** For error messages, e.g. `playback p-1`. */
  readonly what: string;
  /** Called once when the wait gives up (timeout, abort, gone, close) — e.g. to stop a playback. */
  readonly onGiveUp?: (error: HotlineError) => void;
  /** Called once when the wait ends in any way (to drop it from the caller's index). */
  readonly onSettle?: () => void;
}

export interface Waits {
  create<T>(spec: WaitSpec): Wait<T>;
  /** Rejects every wait of `scope` with TELEPHONY_CHANNEL_GONE. */
  endScope(scope: string, why: string): void;
  /** Rejects every wait (the adapter is closing). */
  rejectAll(error: HotlineError): void;
  /** Number of pending waits. */
  size(): number;
  /** Scopes that have pending waits. */
  scopes(): string[];
}

export function createWaits(clock: Clock): Waits {
  const byScope = new Map<string, Set<Wait<unknown>>>();

  function create<T>(spec: WaitSpec): Wait<T> {
    let settled = false;
    let resolveFn!: (value: T) => void;
    let rejectFn!: (error: unknown) => void;
    const promise = new Promise<T>((resolve, reject) => {
      resolveFn = resolve;
      rejectFn = reject;
    });
    // a wait nobody awaits must not crash the process with an unhandled rejection
    promise.catch(() => undefined);

    const finish = (): boolean => {
      if (settled) return false;
      settled = true;
      timer.cancel();
      spec.signal?.removeEventListener('abort', onAbort);
      const set = byScope.get(spec.scope);
      set?.delete(wait as Wait<unknown>);
      if (set && set.size === 0) byScope.delete(spec.scope);
      spec.onSettle?.();
      return true;
    };
    const giveUp = (error: HotlineError): void => {
      if (!finish()) return;
      spec.onGiveUp?.(error);
      rejectFn(error);
    };
    const onAbort = (): void =>
      giveUp(new HotlineError('TELEPHONY_ABORTED', `${spec.what}: aborted`, undefined, { cause: spec.signal?.reason }));

    const wait: Wait<T> = {
      promise,
      resolve: (value) => void (finish() && resolveFn(value)),
      reject: (error) => void (finish() && rejectFn(error)),
      get settled() {
        return settled;
      },
    };
    const timer = clock.setTimeout(
      () => giveUp(new HotlineError('TELEPHONY_TIMEOUT', `${spec.what}: no result within ${spec.timeoutMs} ms`)),
      spec.timeoutMs,
    );
    let set = byScope.get(spec.scope);
    if (!set) byScope.set(spec.scope, (set = new Set()));
    set.add(wait as Wait<unknown>);
    if (spec.signal?.aborted) onAbort();
    else spec.signal?.addEventListener('abort', onAbort, { once: true });
    // give-up hooks are registered per wait; keep them reachable for endScope/rejectAll
    giveUps.set(wait as Wait<unknown>, giveUp);
    return wait;
  }

  const giveUps = new WeakMap<Wait<unknown>, (error: HotlineError) => void>();

  function endScope(scope: string, why: string): void {
    const set = byScope.get(scope);
    if (!set) return;
    for (const wait of [...set]) {
      giveUps.get(wait)?.(new HotlineError('TELEPHONY_CHANNEL_GONE', `${why} (${scope})`));
    }
  }

  return {
    create,
    endScope,
    rejectAll(error) {
      for (const set of [...byScope.values()]) for (const wait of [...set]) giveUps.get(wait)?.(error);
    },
    size: () => [...byScope.values()].reduce((n, set) => n + set.size, 0),
    scopes: () => [...byScope.keys()],
  };
}
