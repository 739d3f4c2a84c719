import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isHotlineError } from '../../src/errors.ts';
import {
  MAX_RETURNS, actionsFrom, canTransition, ticketActions, ticketStates, transition, transitionTable,
  type Actor, type TicketAction, type TicketState, type TransitionFacts,
} from '../../src/tickets/ticket-states.ts';

const facts: TransitionFacts = { returnsApproved: 0, extensionPending: false, dissatisfiedPending: false, handleDueAt: null, now: 0 };

function move(state: TicketState, action: TicketAction, actors: Actor[], extra: Partial<TransitionFacts> = {}, reason = 'because'): TicketState {
  return transition({ state, action, actors, facts: { ...facts, ...extra }, reason });
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isHotlineError(error) ? error.code : 'not coded';
  }
  return undefined;
}

describe('ticket state machine', () => {
  describe('when a ticket goes the whole dispatched loop', () => {
    it('reaches archived through every step of the closed loop', () => {
      const path: Array<[TicketAction, Actor]> = [
        ['queue_dispatch', 'agent'], ['dispatch', 'agent'], ['sign', 'department'], ['start', 'department'],
        ['reply', 'department'], ['review', 'supervisor'], ['start_callback', 'system'], ['callback_satisfied', 'agent'],
        ['archive', 'system'],
      ];
      let state: TicketState = 'registered';
      const seen: TicketState[] = [];
      for (const [action, actor] of path) seen.push((state = move(state, action, [actor])));
      expect(seen).toEqual(['pending_dispatch', 'dispatched', 'signed', 'in_progress', 'replied', 'reviewed', 'callback', 'closed', 'archived']);
    });
  });

  describe('when the agent answers on the spot', () => {
    it('closes and archives without dispatch', () => {
      const answered = move('registered', 'direct_answer', ['agent']);
      expect(answered).toBe('direct_answered');
      expect(move(move(answered, 'close', ['agent']), 'archive', ['system'])).toBe('archived');
    });
  });

  describe('when the table does not allow a move', () => {
    it('refuses it with a coded 409 naming state and action', () => {
      try {
        move('registered', 'sign', ['department']);
        expect.unreachable();
      } catch (error) {
        expect(isHotlineError(error, 'TICKET_BAD_TRANSITION')).toBe(true);
        expect((error as { statusCode: number }).statusCode).toBe(409);
        expect((error as { details: unknown }).details).toEqual({ state: 'registered', action: 'sign' });
      }
    });

    it('refuses every action from archived', () => {
      for (const action of ticketActions) expect(codeOf(() => move('archived', action, ['admin', 'agent', 'department', 'supervisor', 'system']))).toBe('TICKET_BAD_TRANSITION');
    });

    it('agrees with canTransition for every state and action', () => {
      fc.assert(fc.property(fc.constantFrom(...ticketStates), fc.constantFrom(...ticketActions), (state, action) => {
        const code = codeOf(() => move(state, action, [...transitionTable[action].actors], { extensionPending: true, dissatisfiedPending: action.startsWith('verify') }));
        expect(code === 'TICKET_BAD_TRANSITION').toBe(!canTransition(state, action));
      }));
    });
  });

  describe('when the wrong role asks', () => {
    it('refuses a department dispatching and an agent signing with 403', () => {
      expect(codeOf(() => move('pending_dispatch', 'dispatch', ['department']))).toBe('TICKET_FORBIDDEN_ACTION');
      expect(codeOf(() => move('dispatched', 'sign', ['agent']))).toBe('TICKET_FORBIDDEN_ACTION');
    });

    it('lets a user with several roles use any of them', () => {
      expect(move('dispatched', 'sign', ['agent', 'department'])).toBe('signed');
    });
  });

  describe('when a unit returns a ticket', () => {
    it('needs a reason', () => {
      expect(codeOf(() => transition({ state: 'dispatched', action: 'request_return', actors: ['department'], facts, reason: ' ' }))).toBe('TICKET_INVALID');
    });

    it('goes back to pending dispatch when approved and to signed when rejected', () => {
      const requested = move('dispatched', 'request_return', ['department']);
      expect(requested).toBe('return_requested');
      expect(move(requested, 'approve_return', ['agent'])).toBe('pending_dispatch');
      expect(move(requested, 'reject_return', ['supervisor'])).toBe('signed');
    });

    it(`is refused after ${MAX_RETURNS} approved returns: the hotline has assigned the unit`, () => {
      expect(move('dispatched', 'request_return', ['department'], { returnsApproved: MAX_RETURNS - 1 })).toBe('return_requested');
      expect(codeOf(() => move('dispatched', 'request_return', ['department'], { returnsApproved: MAX_RETURNS }))).toBe('TICKET_RETURN_LIMIT');
    });
  });

  describe('when a unit asks for more time', () => {
    it('accepts a request before the deadline and keeps the state', () => {
      expect(move('in_progress', 'request_extension', ['department'], { handleDueAt: 1000, now: 999 })).toBe('in_progress');
    });

    it('refuses a request after the deadline or while one is pending', () => {
      expect(codeOf(() => move('in_progress', 'request_extension', ['department'], { handleDueAt: 1000, now: 1000 }))).toBe('TICKET_EXTENSION_REFUSED');
      expect(codeOf(() => move('in_progress', 'request_extension', ['department'], { extensionPending: true }))).toBe('TICKET_EXTENSION_REFUSED');
    });

    it('approves only a pending request', () => {
      expect(codeOf(() => move('in_progress', 'approve_extension', ['agent']))).toBe('TICKET_EXTENSION_REFUSED');
      expect(move('in_progress', 'approve_extension', ['agent'], { extensionPending: true })).toBe('in_progress');
    });
  });

  describe('when the callback finds the citizen dissatisfied', () => {
    it('waits for a supervisor, who sends it back to in_progress if reasonable', () => {
      expect(move('callback', 'callback_dissatisfied', ['agent'])).toBe('callback');
      expect(codeOf(() => move('callback', 'callback_satisfied', ['agent'], { dissatisfiedPending: true }))).toBe('TICKET_BAD_TRANSITION');
      expect(move('callback', 'verify_reasonable', ['supervisor'], { dissatisfiedPending: true })).toBe('in_progress');
      expect(move('callback', 'verify_unreasonable', ['supervisor'], { dissatisfiedPending: true })).toBe('closed');
    });

    it('cannot be verified when nobody was dissatisfied', () => {
      expect(codeOf(() => move('callback', 'verify_reasonable', ['supervisor']))).toBe('TICKET_BAD_TRANSITION');
    });

    it('stays in callback when the citizen is unreachable', () => {
      expect(move('callback', 'callback_unreachable', ['agent'])).toBe('callback');
    });
  });

  describe('when a reply is not accepted', () => {
    it('goes back to in_progress (重办)', () => {
      expect(move('replied', 'reject_reply', ['supervisor'])).toBe('in_progress');
    });
  });

  describe('when a duplicate arrives', () => {
    it('closes the duplicate and keeps the first ticket in its state', () => {
      expect(move('registered', 'merge_into', ['agent'])).toBe('closed');
      expect(move('in_progress', 'merge', ['agent'])).toBe('in_progress');
    });
  });

  describe('when listing the moves of a state', () => {
    it('offers urge, supervise, extension and add-unit while in progress', () => {
      expect(actionsFrom('in_progress')).toEqual(expect.arrayContaining(['reply', 'request_extension', 'urge', 'supervise', 'merge', 'add_unit']));
      expect(actionsFrom('archived')).toEqual([]);
    });
  });
});
