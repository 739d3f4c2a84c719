/**
 * A readable diff of two JSON documents: the paths (JSON pointers) added, removed or changed.
 * Objects are compared key by key, arrays index by index; a change of type is one `changed`.
 */

/** One difference between two documents. */
export interface JsonChange {
  readonly op: 'added' | 'removed' | 'changed';
  /** JSON pointer, e.g. `/nodes/main_menu/options/9/next`. */
  readonly path: string;
  /** The old value (removed, changed). */
  readonly before?: unknown;
  /** The new value (added, changed). */
  readonly after?: unknown;
}

/** Differences that turn `before` into `after`, in document order. */
export function diffJson(before: unknown, after: unknown): JsonChange[] {
  const changes: JsonChange[] = [];
  walk(before, after, '', changes);
  return changes;
}

function walk(a: unknown, b: unknown, path: string, out: JsonChange[]): void {
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const key of keys) {
      const child = `${path}/${escape(key)}`;
      const inA = Object.hasOwn(a, key);
      const inB = Object.hasOwn(b, key);
      if (inA && !inB) out.push({ op: 'removed', path: child, before: a[key] });
      else if (!inA && inB) out.push({ op: 'added', path: child, after: b[key] });
      else walk(a[key], b[key], child, out);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const length = Math.max(a.length, b.length);
    for (let i = 0; i < length; i++) {
      const child = `${path}/${i}`;
      if (i >= b.length) out.push({ op: 'removed', path: child, before: a[i] });
      else if (i >= a.length) out.push({ op: 'added', path: child, after: b[i] });
      else walk(a[i], b[i], child, out);
    }
    return;
  }
  if (!Object.is(a, b)) out.push({ op: 'changed', path: path || '', before: a, after: b });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function escape(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
