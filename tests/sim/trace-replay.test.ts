import { describe, expect, it } from 'vitest';
import { replayTrace } from './replay/replay.ts';
import { notReplayed, replayed } from './replay/trace.ts';

describe('trace replay against ../shared/ari-traces', () => {
  describe.each(replayed.map((name) => [name]))('when %s is replayed', (name) => {
    it('answers the same statuses and bodies and emits the same events', async () => {
      const result = await replayTrace(name);
      expect(result.mismatches).toEqual([]);
      expect(result.emitted.length).toBeGreaterThan(0);
    });
  });

  describe('when a scenario is not replayed', () => {
    it('says why', () => {
      for (const reason of Object.values(notReplayed)) expect(reason.length).toBeGreaterThan(20);
      expect(Object.keys(notReplayed)).toEqual(['sip-caller-hold']);
    });
  });
});
