/**
 * Coalescing of "latest value" events (wallboard, queue statistics): per key, the first value goes
 * out at once, later ones within `intervalMs` are held and replaced, and the last one held goes
 * out when the interval has passed. So a key emits at most once per interval, and the latest value
 * always arrives. Runs on an injectable clock.
 */
import type { Clock, TimerHandle } from '../clock.ts';

export interface CoalescerOptions {
  readonly clock: Clock;
  readonly intervalMs: number;
  emit(topic: string, name: string, data: unknown, key: string): void;
}

interface Slot {
  lastEmit: number;
  held: { topic: string; name: string; data: unknown; key: string } | undefined;
  timer: TimerHandle | undefined;
}

/** The slot of a (topic, name, key): one value held at a time. */
export function slotId(topic: string, name: string, key: string): string {
  return `${topic}\u0000${name}\u0000${key}`;
}

export function createCoalescer(options: CoalescerOptions) {
  const { clock, intervalMs, emit } = options;
  const slots = new Map<string, Slot>();

  function flush(id: string): void {
    const slot = slots.get(id);
    if (!slot?.held) return;
    const { topic, name, data, key } = slot.held;
    slot.held = undefined;
    slot.timer = undefined;
    slot.lastEmit = clock.now();
    emit(topic, name, data, key);
  }

  return {
    /** Offers a value; true when it was emitted at once, false when held (and maybe replaced later). */
    offer(topic: string, name: string, key: string, data: unknown): boolean {
      const id = slotId(topic, name, key);
      const now = clock.now();
      const slot = slots.get(id);
      if (!slot || (slot.held === undefined && now - slot.lastEmit >= intervalMs)) {
        slots.set(id, { lastEmit: now, held: undefined, timer: undefined });
        emit(topic, name, data, key);
        return true;
      }
      slot.held = { topic, name, data, key };
      slot.timer ??= clock.setTimeout(() => flush(id), slot.lastEmit + intervalMs - now);
      return false;
    },
    /** Values held now. */
    pending: () => [...slots.values()].filter((slot) => slot.held !== undefined).length,
    /** Drops held values and timers. */
    close(): void {
      for (const slot of slots.values()) slot.timer?.cancel();
      slots.clear();
    },
  };
}

export interface BatcherOptions<T> {
  readonly clock: Clock;
  readonly intervalMs: number;
  /** Sends one batch: the latest item of each key offered since the previous batch, in the order of their last offer. */
  emit(items: T[]): void;
}

/**
 * Batching of per-key values into one event per interval (agent states for supervisor consoles):
 * an item offered after a quiet interval goes out at once, as a batch of one; later ones are held,
 * the latest per key, and go out together when the interval since the previous batch has passed.
 * So at most one batch per interval, and each key's latest item always arrives.
 */
export function createBatcher<T>(options: BatcherOptions<T>) {
  const { clock, intervalMs, emit } = options;
  let held = new Map<string, T>();
  let lastEmit = -Infinity;
  let timer: TimerHandle | undefined;

  function flush(): void {
    timer = undefined;
    if (held.size === 0) return;
    const items = [...held.values()];
    held = new Map();
    lastEmit = clock.now();
    emit(items);
  }

  return {
    /** Offers the latest item of `key`; true when it went out at once, false when held for the next batch. */
    offer(key: string, item: T): boolean {
      const now = clock.now();
      if (held.size === 0 && timer === undefined && now - lastEmit >= intervalMs) {
        lastEmit = now;
        emit([item]);
        return true;
      }
      held.delete(key); // re-insert: a batch lists keys in the order of their last change
      held.set(key, item);
      timer ??= clock.setTimeout(flush, Math.max(0, lastEmit + intervalMs - now));
      return false;
    },
    /** Items held now. */
    pending: () => held.size,
    /** Drops held items and the timer. */
    close(): void {
      timer?.cancel();
      timer = undefined;
      held.clear();
    },
  };
}
