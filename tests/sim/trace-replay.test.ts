import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { replayTrace } from './replay/replay.ts';
import { notReplayed, reorderAllowed, replayed, tracesDir } from './replay/trace.ts';

describe('trace replay against ../shared/ari-traces', () => {
  describe.each(replayed.map((name) => [name]))('when %s is replayed', (name) => {
    it('answers the same statuses and bodies and emits the same events', async () => {
      const result = await replayTrace(name);
      expect(result.mismatches).toEqual([]);
      expect(result.emitted.length).toBeGreaterThan(0);
      expect(result.reordered).toBeLessThanOrEqual(reorderAllowed[name]?.windows ?? 0);
    });
  });

  describe('when the trace folder is listed', () => {
    it('replays every scenario file or says why not', () => {
      const files = readdirSync(tracesDir).filter((f) => f.endsWith('.json') && !f.startsWith('_')).map((f) => f.replace('.json', ''));
      expect(files.filter((f) => !(replayed as readonly string[]).includes(f) && !(f in notReplayed))).toEqual([]);
    });
  });
});
