/**
 * Waiting on events in telephony tests: resolve when a listener sees a value that matches, or
 * when the current value already matches. The test's own timeout bounds every wait.
 */
export function waitFor<T>(
  current: () => T,
  subscribe: (listener: (value: T) => void) => () => void,
  matches: (value: T) => boolean,
): Promise<T> {
  const now = current();
  if (matches(now)) return Promise.resolve(now);
  return new Promise((resolve) => {
    const unsubscribe = subscribe((value) => {
      if (!matches(value)) return;
      unsubscribe();
      resolve(value);
    });
  });
}

/** Collects values pushed to a listener and lets a test await the n-th matching one. */
export interface Recorder<T> {
  readonly values: T[];
  push(value: T): void;
  next(matches: (value: T) => boolean): Promise<T>;
}

export function createRecorder<T>(): Recorder<T> {
  const values: T[] = [];
  let waiters: Array<{ matches: (value: T) => boolean; resolve: (value: T) => void; from: number }> = [];
  return {
    values,
    push(value) {
      values.push(value);
      const ready = waiters.filter((w) => w.matches(value));
      waiters = waiters.filter((w) => !w.matches(value));
      for (const w of ready) w.resolve(value);
    },
    next(matches) {
      return new Promise((resolve) => waiters.push({ matches, resolve, from: values.length }));
    },
  };
}
