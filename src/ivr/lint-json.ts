/**
 * Checks on the raw JSON text that JSON.parse hides: a key written twice in one object (the
 * second silently wins — e.g. two menu options for the same key, or two nodes with one id).
 */
import type { Finding } from './lint-types.ts';

const escapeSegment = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** Finds keys that occur twice in the same object; returns one finding per repeat. */
export function duplicateKeys(text: string): Finding[] {
  const findings: Finding[] = [];
  // a stack of open containers: object key sets (with the path) or array indexes
  const stack: Array<{ kind: 'object'; keys: Set<string>; path: string; pendingKey: string | null } | { kind: 'array'; index: number; path: string }> = [];
  let i = 0;
  const childPath = (): string => {
    const top = stack[stack.length - 1];
    if (top === undefined) return '';
    return top.kind === 'object' ? `${top.path}/${escapeSegment(top.pendingKey ?? '')}` : `${top.path}/${top.index}`;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const raw = text.slice(i, j + 1);
      i = j + 1;
      const top = stack[stack.length - 1];
      let k = i;
      while (k < text.length && /\s/.test(text[k]!)) k++;
      if (top?.kind === 'object' && text[k] === ':') {
        let key: string;
        try { key = JSON.parse(raw) as string; } catch { return findings; }
        if (top.keys.has(key)) {
          findings.push({ rule: 'duplicate-key', path: `${top.path}/${escapeSegment(key)}`, message: `the key "${key}" is written twice in the same object; the second would silently replace the first` });
        }
        top.keys.add(key);
        top.pendingKey = key;
        i = k + 1;
      }
      continue;
    }
    if (c === '{' || c === '[') {
      const path = childPath();
      stack.push(c === '{' ? { kind: 'object', keys: new Set(), path, pendingKey: null } : { kind: 'array', index: 0, path });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.kind === 'array') top.index++;
    }
    i++;
  }
  return findings;
}
