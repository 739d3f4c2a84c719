import { describe, expect, it } from 'vitest';
import { assign, createMatcher, type ReadyAgent, type RoutingQueue, type WaitingCall } from '../../src/acd/routing.ts';

const queues = new Map<string, RoutingQueue>([
  ['general', { id: 'general', priority: 0, steps: [{ afterSec: 0, skills: ['general'] }] }],
  ['customs', { id: 'customs', priority: 5, steps: [{ afterSec: 0, skills: ['customs'], minLevel: 5 }, { afterSec: 30, skills: ['customs', 'general'] }] }],
]);
const call = (callId: string, queueId: string, enqueuedAt: number, extra: Partial<WaitingCall> = {}): WaitingCall => ({
  callId, queueId, arrivedAt: enqueuedAt, enqueuedAt, priority: 0, ...extra,
});
const agent = (agentId: string, skills: Record<string, number>, readySince: number): ReadyAgent => ({ agentId, skills, readySince });

describe('routing', () => {
  describe('when several agents are ready', () => {
    it('gives the head of the queue to the longest-idle agent with the skill', () => {
      const result = assign([call('late', 'general', 20), call('early', 'general', 10)], [agent('a', { general: 1 }, 300), agent('b', { general: 9 }, 100)], queues, 1_000);
      expect(result).toEqual([{ callId: 'early', agentId: 'b' }, { callId: 'late', agentId: 'a' }]);
    });
  });

  describe('when queues share agents', () => {
    it('serves the higher-priority queue first even if its caller came later', () => {
      const result = assign([call('g', 'general', 0), call('c', 'customs', 50)], [agent('x', { general: 5, customs: 6 }, 0)], queues, 1_000);
      expect(result).toEqual([{ callId: 'c', agentId: 'x' }]);
    });
  });

  describe('when the skill level is below the minimum', () => {
    it('does not offer the call until escalation widens the skills', () => {
      const waiting = [call('c', 'customs', 0)];
      const agents = [agent('junior', { customs: 2, general: 3 }, 0)];
      expect(assign(waiting, agents, queues, 29_000)).toEqual([]);
      expect(assign(waiting, agents, queues, 30_000)).toEqual([{ callId: 'c', agentId: 'junior' }]);
    });
  });

  describe('when the caller has a sticky agent who is ready', () => {
    it('routes to that agent rather than the longest idle', () => {
      const result = assign([call('c', 'general', 0, { stickyAgentId: 'known' })], [agent('idle', { general: 1 }, 0), agent('known', { general: 1 }, 500)], queues, 1_000);
      expect(result).toEqual([{ callId: 'c', agentId: 'known' }]);
    });
  });

  describe('when there are more callers than agents', () => {
    it('never gives one agent two calls', () => {
      const result = assign([call('1', 'general', 1), call('2', 'general', 2), call('3', 'general', 3)], [agent('a', { general: 1 }, 0), agent('b', { general: 1 }, 0)], queues, 10);
      expect(new Set(result.map((r) => r.agentId)).size).toBe(result.length);
      expect(result.map((r) => r.callId)).toEqual(['1', '2']);
    });
  });

  describe('when the callers are served in parts (a router reading the heads of its queues page by page)', () => {
    it('matches as when it sees every caller at once', () => {
      const waiting = Array.from({ length: 30 }, (_, n) => call(`c${n}`, n % 3 ? 'general' : 'customs', n * 10, { priority: n % 4, arrivedAt: n % 5 ? 0 : 900_000 }));
      const agents = Array.from({ length: 12 }, (_, n) => agent(`a${n}`, n % 2 ? { general: 3 } : { customs: 6, general: 1 }, (n * 7) % 5));
      const whole = assign(waiting, agents, queues, 1_000_000);
      const inParts = createMatcher(agents, queues, 1_000_000);
      const ordered = [...waiting].sort((a, b) => (queues.get(b.queueId)!.priority - queues.get(a.queueId)!.priority) || b.priority - a.priority || a.enqueuedAt - b.enqueuedAt);
      for (let n = 0; n < ordered.length; n += 7) inParts.serve(ordered.slice(n, n + 7));
      expect(inParts.assignments).toEqual(whole);
      expect(whole).toHaveLength(12);
    });
  });
});
