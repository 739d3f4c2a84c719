/**
 * The state of one supervision session (docs/supervision.md):
 *
 * ```
 *            answered (requested mode)
 *  ringing ─────────────────────────────► monitor ◄──► whisper
 *     │                                      ▲  ╲      ╱  ▲
 *     │                                      │   barge ◄──┘
 *     │                                      ▼     │
 *     │                                  takeOver ◄┘   (from monitor, whisper or barge)
 *     └──────────── any state ──► ended (left, a hang-up, no answer, failure, shutdown)
 * ```
 *
 * Monitor, whisper and barge switch freely on the same supervisor leg; take-over is final (the
 * supervisor holds the call). `transition()` is the only way to move and refuses every other move
 * with SUPERVISION_BAD_STATE.
 */
import { HotlineError } from '../errors.ts';

/** What the supervisor does: listen, talk to the agent only, talk to both, or hold the call. */
export type SupervisionMode = 'monitor' | 'whisper' | 'barge' | 'takeOver';
export type SessionState = 'ringing' | SupervisionMode | 'ended';

/** Why a session ended. */
export type EndReason =
  | 'left' | 'supervisor_hangup' | 'caller_hangup' | 'agent_hangup' | 'transferred' | 'no_answer' | 'failed' | 'shutdown';

export const supervisionModes: readonly SupervisionMode[] = ['monitor', 'whisper', 'barge', 'takeOver'];

const moves: Readonly<Record<SessionState, readonly SessionState[]>> = {
  ringing: ['monitor', 'whisper', 'barge', 'takeOver', 'ended'],
  monitor: ['whisper', 'barge', 'takeOver', 'ended'],
  whisper: ['monitor', 'barge', 'takeOver', 'ended'],
  barge: ['monitor', 'whisper', 'takeOver', 'ended'],
  takeOver: ['ended'],
  ended: [],
};

/** Whether `from` may move to `to`. */
export function mayMove(from: SessionState, to: SessionState): boolean {
  return moves[from].includes(to);
}

/** Returns `to` if the move is allowed; throws SUPERVISION_BAD_STATE otherwise. */
export function transition(from: SessionState, to: SessionState): SessionState {
  if (!mayMove(from, to)) {
    throw new HotlineError('SUPERVISION_BAD_STATE', from === 'takeOver' ? 'you hold this call now: leave hangs it up' : `cannot go from ${from} to ${to}`, { reason: 'bad_move', from, to });
  }
  return to;
}

/** How a leg's sound is wired in each mode (the ADR 0009 sound model). */
export function soundOf(mode: SupervisionMode): { readonly where: 'snoop' | 'call'; readonly whisper: 'none' | 'out' } {
  switch (mode) {
    case 'monitor': return { where: 'snoop', whisper: 'none' };
    case 'whisper': return { where: 'snoop', whisper: 'out' };
    case 'barge':
    case 'takeOver': return { where: 'call', whisper: 'none' };
  }
}
