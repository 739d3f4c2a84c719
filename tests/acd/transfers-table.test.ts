/**
 * The transfer state machine's table (src/acd/transfers.ts): the moves the desk may make, and the
 * coded refusal of every other one.
 */
import { describe, expect, it } from 'vitest';
import { canTransfer, transferTransition } from '../../src/acd/transfers.ts';

describe('transfer state machine', () => {
  describe('when the target answers', () => {
    it('joins the consult in consult mode and hands the caller over in blind mode', () => {
      expect(transferTransition('ringing', 'consult', { type: 'answered' })).toEqual({ state: 'consulting', action: 'join-consult' });
      expect(transferTransition('ringing', 'blind', { type: 'answered' })).toEqual({ state: 'ended', action: 'hand-over' });
    });
  });

  describe('when the agent leaves', () => {
    it('hands the caller to the expert from the consult and the three-way, and ends the call while the expert rings', () => {
      expect(transferTransition('consulting', 'consult', { type: 'agent_left' }).action).toBe('hand-over');
      expect(transferTransition('conference', 'consult', { type: 'agent_left' }).action).toBe('hand-over');
      expect(transferTransition('ringing', 'consult', { type: 'agent_left' }).action).toBe('agent-gone');
    });
  });

  describe('when the agent leaves a blind transfer while the target rings', () => {
    it('goes on unattended: answered hands over, not reached requeues, the caller leaving ends it, nothing else', () => {
      expect(transferTransition('ringing', 'blind', { type: 'agent_left' })).toEqual({ state: 'unattended', action: 'release-agent' });
      expect(transferTransition('unattended', 'blind', { type: 'answered' })).toEqual({ state: 'ended', action: 'hand-over' });
      expect(transferTransition('unattended', 'blind', { type: 'failed', reason: 'busy' })).toEqual({ state: 'ended', action: 'requeue' });
      expect(transferTransition('unattended', 'blind', { type: 'caller_left' })).toEqual({ state: 'ended', action: 'end-call' });
      expect(canTransfer('unattended', 'cancel')).toBe(false);
      expect(canTransfer('unattended', 'agent_left')).toBe(false);
    });
  });

  describe('when the expert leaves or the agent cancels', () => {
    it('gives the caller back to the agent from the consult, and goes on two-way from the three-way', () => {
      expect(transferTransition('consulting', 'consult', { type: 'target_left' }).action).toBe('back-to-caller');
      expect(transferTransition('consulting', 'consult', { type: 'cancel' }).action).toBe('back-to-caller');
      expect(transferTransition('conference', 'consult', { type: 'target_left' }).action).toBe('two-way');
      expect(transferTransition('ringing', 'consult', { type: 'failed', reason: 'no-answer' }).action).toBe('back-to-caller');
    });
  });

  describe('when a step does not fit the state', () => {
    it('refuses with TRANSFER_BAD_STATE naming state and event', () => {
      expect(() => transferTransition('ringing', 'consult', { type: 'conference' })).toThrow(expect.objectContaining({ code: 'TRANSFER_BAD_STATE', details: { state: 'ringing', event: 'conference' } }));
      expect(() => transferTransition('ended', 'consult', { type: 'cancel' })).toThrow(expect.objectContaining({ code: 'TRANSFER_BAD_STATE' }));
      expect(canTransfer('conference', 'conference')).toBe(false);
      expect(canTransfer('ringing', 'complete')).toBe(false);
    });
  });

  describe('when the caller hangs up', () => {
    it('ends the call from every running state', () => {
      for (const state of ['ringing', 'consulting', 'conference'] as const) {
        expect(transferTransition(state, 'consult', { type: 'caller_left' })).toEqual({ state: 'ended', action: 'end-call' });
      }
    });
  });
});
