import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ticketActions, transitionTable } from '../../src/tickets/ticket-states.ts';

describe('docs/tickets.md', () => {
  const doc = readFileSync(path.resolve(import.meta.dirname, '../../docs/tickets.md'), 'utf8');
  const rows = new Map([...doc.matchAll(/^\| ([a-z_]+) \| ([a-z_, ]+) \| ([a-z_()]+) \| ([a-z, ]+) \| (yes)? \|$/gm)].map((m) => [m[1]!, m.slice(2).map((s) => s?.trim() ?? '')]));

  describe('when compared with the transition table', () => {
    it('documents every action with its states and roles exactly', () => {
      const expected = ticketActions.map((a) => {
        const m = transitionTable[a];
        return [a, [m.from.join(', '), m.to ?? '(same)', m.actors.join(', '), m.needsReason ? 'yes' : '']];
      });
      expect([...rows.entries()]).toEqual(expected);
    });
  });
});
