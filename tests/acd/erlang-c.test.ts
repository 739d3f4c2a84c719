import { describe, expect, it } from 'vitest';
import { agentsNeeded, meanWaitSec, probabilityOfWaiting, serviceLevel } from '../../src/acd/erlang-c.ts';

describe('Erlang C', () => {
  describe('when computed by hand for small cases', () => {
    it('matches the textbook probability of waiting', () => {
      // A=1, N=2: (1/2 · 2/1) / (1 + 1 + 1) = 1/3;  A=2, N=3: (8/6 · 3) / (1 + 2 + 2 + 4) = 4/9
      expect(probabilityOfWaiting(2, 1)).toBeCloseTo(1 / 3, 10);
      expect(probabilityOfWaiting(3, 2)).toBeCloseTo(4 / 9, 10);
    });

    it('derives service level and mean wait from it', () => {
      const load = { callsPerHour: 72, handleSec: 100 }; // 2 Erlangs
      expect(serviceLevel(3, load, 10)).toBeCloseTo(1 - (4 / 9) * Math.exp(-0.1), 10);
      expect(meanWaitSec(3, load)).toBeCloseTo((4 / 9) * 100, 10);
    });
  });

  describe('when too few agents are on', () => {
    it('says every caller waits and none is answered in time', () => {
      expect(probabilityOfWaiting(5, 5)).toBe(1);
      expect(serviceLevel(5, { callsPerHour: 600, handleSec: 30 }, 15)).toBe(0);
    });
  });

  describe('when staffing for a target', () => {
    it('returns the fewest agents that meet it, and one fewer does not', () => {
      const load = { callsPerHour: 3000, handleSec: 300 }; // Beijing's peak hour: 250 Erlangs
      const needed = agentsNeeded(load, 15, 0.8);
      expect(serviceLevel(needed, load, 15)).toBeGreaterThanOrEqual(0.8);
      expect(serviceLevel(needed - 1, load, 15)).toBeLessThan(0.8);
      expect(needed).toBeGreaterThan(250);
    });
  });
});
