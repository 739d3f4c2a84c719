import { describe, expect, it } from 'vitest';
import { canTransition, transition, type AgentEvent, type AgentState, type AgentStatus } from '../../src/acd/agent-states.ts';
import { isHotlineError } from '../../src/errors.ts';

const at = (state: AgentState, extra: Partial<AgentStatus> = {}): AgentStatus => ({ state, since: 0, ...extra });

describe('agent state machine', () => {
  describe('when an agent works through a call', () => {
    it('goes ready → reserved → on call → wrap-up → ready, stamping each change', () => {
      let status = transition(at('logged_out'), { type: 'login', ready: true }, 1);
      status = transition(status, { type: 'offer', callId: 'c1' }, 2);
      expect(status).toEqual({ state: 'reserved', since: 2, callId: 'c1' });
      status = transition(status, { type: 'answer' }, 3);
      status = transition(status, { type: 'call_ended' }, 4);
      expect(status).toEqual({ state: 'wrap_up', since: 4, callId: 'c1' });
      expect(transition(status, { type: 'end_wrap_up' }, 5)).toEqual({ state: 'ready', since: 5 });
    });
  });

  describe('when a ring is not answered in time (RONA)', () => {
    it('puts the agent to not ready with reason no_answer, so no further calls ring there', () => {
      const status = transition(at('reserved', { callId: 'c1' }), { type: 'rona' }, 9);
      expect(status).toEqual({ state: 'not_ready', since: 9, reason: 'no_answer' });
      expect(canTransition(status.state, 'offer')).toBe(false);
    });
  });

  describe('when a move is not allowed', () => {
    const illegal: Array<[AgentState, AgentEvent]> = [
      ['on_call', { type: 'ready' }],
      ['on_call', { type: 'logout' }],
      ['not_ready', { type: 'offer', callId: 'c' }],
      ['logged_out', { type: 'ready' }],
      ['reserved', { type: 'logout' }],
      ['ready', { type: 'answer' }],
    ];
    it.each(illegal)('refuses %s + %o with AGENT_BAD_TRANSITION', (state, event) => {
      let error: unknown;
      try {
        transition(at(state), event, 1);
      } catch (e) {
        error = e;
      }
      expect(isHotlineError(error, 'AGENT_BAD_TRANSITION')).toBe(true);
    });
  });

  describe('when an agent pauses', () => {
    it('keeps the pause reason and may change it without going ready', () => {
      const meal = transition(at('ready'), { type: 'not_ready', reason: 'meal' }, 1);
      expect(transition(meal, { type: 'not_ready', reason: 'training' }, 2)).toEqual({ state: 'not_ready', since: 2, reason: 'training' });
    });
  });
});
