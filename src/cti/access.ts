/**
 * Who may do what on the CTI socket. Agents follow their own topic and send agent and call
 * commands; supervisors and admins follow `supervisor`, `queue:*` and any agent's topic;
 * supervision commands need the supervisor role. A user with several roles gets their union.
 */
import type { Role } from '../auth/roles.ts';
import type { Session } from '../auth/user-service.ts';
import type { HandledCommand } from './protocol.ts';

/** The roles that may send each handled command. */
export const commandRoles: Readonly<Record<HandledCommand, readonly Role[]>> = {
  'agent.login': ['agent'],
  'agent.logout': ['agent'],
  'agent.ready': ['agent'],
  'agent.notReady': ['agent'],
  'agent.endWrapUp': ['agent'],
  'call.answer': ['agent'],
  'call.decline': ['agent'],
  'call.hold': ['agent'],
  'call.unhold': ['agent'],
  'call.hangup': ['agent'],
  'call.consult': ['agent'],
  'call.cancelConsult': ['agent'],
  'call.conference': ['agent'],
  'call.completeTransfer': ['agent'],
  'call.transfer': ['agent'],
  'call.emergency': ['agent'],
  'supervisor.monitor': ['supervisor'],
  'supervisor.whisper': ['supervisor'],
  'supervisor.barge': ['supervisor'],
  'supervisor.takeOver': ['supervisor'],
  'supervisor.leave': ['supervisor'],
};

const watchers: readonly Role[] = ['supervisor', 'admin'];

/** The agent topic of a user. */
export function agentTopic(username: string): string {
  return `agent:${username}`;
}

/** Whether `session` may send a command of `type`. */
export function mayCommand(session: Pick<Session, 'roles'>, type: HandledCommand): boolean {
  return commandRoles[type].some((role) => session.roles.includes(role));
}

/** Whether `session` may follow `topic` (a valid topic name). */
export function maySubscribe(session: Pick<Session, 'roles' | 'username'>, topic: string): boolean {
  if (topic === agentTopic(session.username)) return true;
  return watchers.some((role) => session.roles.includes(role));
}
