/**
 * Matches a normalised trace value (with placeholders such as `{caller}`, `<n1>`, `<ts>`) against
 * what the simulator produced, binding each placeholder to one raw value consistently, as the
 * traces' README describes (rule 3: the same placeholder is the same value everywhere).
 */

const tokenPattern = /\{[a-z_]+\d*\}|<n\d+>|<ts>|<asterisk_id>/g;
const timestamp = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}$/;

/** Placeholder → raw value, per replayed file. `<nK>` keys are qualified by technology. */
export class Bindings {
  readonly values = new Map<string, string>();

  /** Fills bound placeholders into a request string; unbound client-chosen ids get a fresh value. */
  fill(text: string, fresh: (token: string) => string): string {
    return text.replace(tokenPattern, (token) => {
      const bound = this.values.get(token);
      if (bound !== undefined) return bound;
      const value = fresh(token);
      this.values.set(token, value);
      return value;
    });
  }

  clone(): Bindings {
    const copy = new Bindings();
    for (const [k, v] of this.values) copy.values.set(k, v);
    return copy;
  }

  adopt(other: Bindings): void {
    for (const [k, v] of other.values) this.values.set(k, v);
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Matches one expected string with placeholders against an actual string. */
function unifyString(expected: string, actual: string, b: Bindings): boolean {
  if (expected === '<ts>') return timestamp.test(actual);
  if (expected === '<asterisk_id>') return actual.length > 0;
  const tokens = [...expected.matchAll(tokenPattern)];
  if (tokens.length === 0) return expected === actual;
  // `<nK>` numbers suffixes per technology: qualify it by the nearest `Tech/` before it
  const keys = tokens.map((t) => {
    if (!t[0].startsWith('<n')) return t[0];
    const techs = [...expected.slice(0, t.index).matchAll(/([A-Za-z]+)\//g)];
    return `${techs.at(-1)?.[1] ?? ''}:${t[0]}`;
  });
  const literals = expected.split(tokenPattern).map(escape);
  const regex = new RegExp(`^${literals.map((l, i) => (i === 0 ? l : `${tokens[i - 1]![0].startsWith('<n') ? '([0-9a-f]{8})' : '(.+?)'}${l}`)).join('')}$`);
  const m = regex.exec(actual);
  if (!m) return false;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const value = m[i + 1]!;
    if (key.includes('<n') && !/^[0-9a-f]{8}$/.test(value)) return false;
    const bound = b.values.get(key);
    if (bound === undefined) {
      for (const [k, v] of b.values) if (v === value && k !== key && !k.includes('<n') && !key.includes('<n')) return false;
      b.values.set(key, value);
    } else if (bound !== value) return false;
  }
  return true;
}

/** Fields whose values the README says vary between runs (compared for presence and type only; also RTPAUDIOQOS* values). */
const varying = new Set(['duration', 'talking_duration', 'silence_duration']);

/**
 * Unifies `expected` with `actual`; on success binds placeholders in `b` and returns '',
 * otherwise returns the path of the first difference (and leaves `b` partly updated: clone first).
 */
export function unify(expected: unknown, actual: unknown, b: Bindings, path = '$'): string {
  if (typeof expected === 'string') return typeof actual === 'string' && unifyString(expected, actual, b) ? '' : `${path}: ${JSON.stringify(expected)} ≠ ${JSON.stringify(actual)}`;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return `${path}: ${JSON.stringify(expected)} ≠ ${JSON.stringify(actual)}`;
    if (path.endsWith('.channels')) return unifyUnordered(expected, actual, b, path);
    for (let i = 0; i < expected.length; i++) {
      const diff = unify(expected[i], actual[i], b, `${path}[${i}]`);
      if (diff) return diff;
    }
    return '';
  }
  if (expected && typeof expected === 'object') {
    if (!actual || typeof actual !== 'object' || Array.isArray(actual)) return `${path}: expected an object, got ${JSON.stringify(actual)}`;
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    // Asterisk's key order is part of what is compared (rule: everything is as Asterisk sent it)
    if (Object.keys(e).join() !== Object.keys(a).join()) return `${path}: key order ${Object.keys(e).join()} ≠ ${Object.keys(a).join()}`;
    const keys = new Set([...Object.keys(e), ...Object.keys(a)]);
    for (const key of keys) {
      if (!(key in e) || !(key in a)) return `${path}.${key}: present in ${key in e ? 'trace' : 'simulator'} only`;
      if (varying.has(key) && typeof e[key] === typeof a[key]) continue;
      if (key === 'value' && String(e.variable).startsWith('RTPAUDIOQOS') && typeof a[key] === 'string') continue;
      const diff = unify(e[key], a[key], b, `${path}.${key}`);
      if (diff) return diff;
    }
    return '';
  }
  return expected === actual ? '' : `${path}: ${JSON.stringify(expected)} ≠ ${JSON.stringify(actual)}`;
}

/** A bridge's `channels` list: Asterisk's order follows its hash container, so compare as a set. */
function unifyUnordered(expected: unknown[], actual: unknown[], b: Bindings, path: string): string {
  const used = new Set<number>();
  for (const e of expected) {
    const index = actual.findIndex((a, i) => !used.has(i) && unify(e, a, b.clone(), path) === '');
    if (index < 0) return `${path}: ${JSON.stringify(expected)} ≠ ${JSON.stringify(actual)} (as sets)`;
    unify(e, actual[index], b, path);
    used.add(index);
  }
  return '';
}
