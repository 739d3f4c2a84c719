/**
 * The agent desktop's server side: CTI commands of agents become ACD moves, and ACD changes become
 * CTI events — `agent.state` (to the agent and the supervisors), `call.offer` with the screen pop
 * (caller, hotline, waiting time, IVR path, caller history, open tickets), `call.progress` and
 * `call.ended`. Seats and skills come from the user record and the ACD (assigned by admins), never
 * from the client.
 */
import type { Clock } from '../clock.ts';
import type { CallRecords } from '../calls/call-records.ts';
import { agentTopic } from '../cti/access.ts';
import type { EventBus } from '../cti/event-bus.ts';
import type { TicketSummary } from '../cti/events.ts';
import type { CtiGateway } from '../cti/gateway.ts';
import { HotlineError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { TelephonyPort } from '../telephony/port.ts';
import type { User } from '../auth/user-service.ts';
import type { AcdState, AgentRecord } from './acd-state.ts';
import { onCallCommand as registerCallCommand, type CallCommand, type DeskRelay } from './desk-relay.ts';
import type { Connection, Ended, Offer } from './queue-service.ts';

export interface AgentDeskOptions {
  readonly cti: CtiGateway;
  readonly bus: EventBus;
  readonly acd: AcdState;
  readonly records: CallRecords;
  readonly telephony: TelephonyPort;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly getUser: (username: string) => Promise<User | null>;
  /** The legs of a call this instance holds (from the queue service). */
  readonly connection: (callId: string) => { callerChannelId: string; agentChannelId?: string; agentId?: string; phase: string } | undefined;
  /** Told when the agent put the caller on hold or took them back (the call record notes it). */
  readonly onHold?: (callId: string, held: boolean) => void;
  /** Asks the router to route now (an agent became ready). */
  readonly kick: () => void;
  /** Demo only, with no SIP phone: answers the agent's ringing leg (the simulator's control API). */
  readonly answerAgentLeg?: (channelId: string) => Promise<void>;
  /** Open tickets of a caller, for the screen pop. */
  readonly openTickets?: (phone: string) => Promise<TicketSummary[]>;
  /** Runs call commands on the instance that holds the call (two or more instances); none: this instance only. */
  readonly relay?: DeskRelay;
}

const DEFAULT_SKILLS = { general: 1 };

export function createAgentDesk(options: AgentDeskOptions) {
  const { cti, bus, acd, records, telephony, clock } = options;
  const logger = options.logger.child({ component: 'agent-desk' });

  const publishState = (agent: AgentRecord): void => {
    const { state, since, reason, callId } = agent.status;
    const data = { username: agent.agentId, state, since, ...(reason ? { reason } : {}), ...(callId ? { callId } : {}) };
    for (const topic of [agentTopic(agent.agentId), 'supervisor']) {
      bus.publish(topic, 'agent.state', data).catch((error: unknown) => logger.warn({ err: error }, 'agent.state not published'));
    }
  };
  const stopListening = acd.onAgentChange(publishState);

  cti.onCommand('agent.login', async (session, payload) => {
    const user = await options.getUser(session.username);
    if (!user?.extension) throw new HotlineError('FORBIDDEN', 'no seat is assigned to this user; ask an admin');
    if (payload.extension !== undefined && payload.extension !== user.extension) {
      throw new HotlineError('FORBIDDEN', `your seat is ${user.extension}`);
    }
    if (payload.skills !== undefined) throw new HotlineError('FORBIDDEN', 'skills are assigned by admins');
    const existing = await acd.agent(session.username);
    await acd.upsertAgent(session.username, { extension: user.extension, skills: existing?.skills ?? DEFAULT_SKILLS });
    if (!existing || existing.status.state === 'logged_out') await acd.applyAgent(session.username, { type: 'login', ready: false });
    const agent = (await acd.agent(session.username))!;
    publishState(agent); // also after a page reload, so the desktop recovers its state
    return { extension: agent.extension, skills: agent.skills, status: agent.status };
  });
  cti.onCommand('agent.ready', async (session) => {
    const agent = await acd.applyAgent(session.username, { type: 'ready' });
    options.kick();
    return agent.status;
  });
  cti.onCommand('agent.notReady', async (session, payload) => (await acd.applyAgent(session.username, { type: 'not_ready', reason: payload.reason })).status);
  cti.onCommand('agent.endWrapUp', async (session) => {
    const agent = await acd.applyAgent(session.username, { type: 'end_wrap_up' });
    options.kick();
    return agent.status;
  });
  cti.onCommand('agent.logout', async (session) => (await acd.applyAgent(session.username, { type: 'logout' })).status);

  /** The agent leg of `callId`, checking it belongs to this agent and is in `phase`. */
  function legOf(username: string, callId: string, phase: string): string {
    const connection = options.connection(callId);
    if (!connection || connection.agentId !== username || !connection.agentChannelId) {
      throw new HotlineError('NOT_FOUND', 'no such call for you on this server');
    }
    if (connection.phase !== phase) throw new HotlineError('AGENT_BAD_TRANSITION', `the call is ${connection.phase}, not ${phase}`);
    return connection.agentChannelId;
  }

  /** Whether a call held elsewhere can be this agent's: the ACD's call of the agent (a callback attempt is `<booked call>-cb<n>`). */
  async function agentsCall(username: string, callId: string): Promise<boolean> {
    const agentsCall = (await acd.agent(username))?.status.callId;
    return agentsCall !== undefined && (callId === agentsCall || callId.startsWith(`${agentsCall}-cb`));
  }
  const onCallCommand = (type: 'call.answer' | 'call.decline' | 'call.hangup' | 'call.hold' | 'call.unhold', command: CallCommand<{ callId: string }, { callId: string }>): void =>
    registerCallCommand(cti, options.relay, type, command, agentsCall);

  onCallCommand('call.answer', async (username, { callId }) => {
    const leg = legOf(username, callId, 'ringing');
    if (!options.answerAgentLeg) throw new HotlineError('BAD_REQUEST', 'answer on your phone: this server has no remote answer');
    await options.answerAgentLeg(leg);
    return { callId };
  });
  onCallCommand('call.decline', async (username, { callId }) => {
    await telephony.hangup(legOf(username, callId, 'ringing'), 'busy');
    return { callId };
  });
  onCallCommand('call.hangup', async (username, { callId }) => {
    await telephony.hangup(legOf(username, callId, 'connected'));
    return { callId };
  });

  /**
   * Hold: the caller hears music and neither side hears the other (both legs muted inward), so the
   * agent can consult a colleague privately; unhold undoes all three. Calls on hold, by call id.
   */
  const held = new Set<string>();
  onCallCommand('call.hold', async (username, { callId }) => {
    const agentLeg = legOf(username, callId, 'connected');
    if (held.has(callId)) throw new HotlineError('AGENT_BAD_TRANSITION', 'the caller is on hold already');
    const callerLeg = options.connection(callId)!.callerChannelId;
    await telephony.mute(callerLeg, 'in');
    await telephony.mute(agentLeg, 'in');
    await telephony.startMoh(callerLeg);
    held.add(callId);
    options.onHold?.(callId, true);
    await bus.publish(agentTopic(username), 'call.progress', { callId, status: 'held' });
    return { callId };
  });
  onCallCommand('call.unhold', async (username, { callId }) => {
    const agentLeg = legOf(username, callId, 'connected');
    if (!held.has(callId)) throw new HotlineError('AGENT_BAD_TRANSITION', 'the caller is not on hold');
    const callerLeg = options.connection(callId)!.callerChannelId;
    await telephony.stopMoh(callerLeg);
    await telephony.unmute(callerLeg, 'in');
    await telephony.unmute(agentLeg, 'in');
    held.delete(callId);
    options.onHold?.(callId, false);
    await bus.publish(agentTopic(username), 'call.progress', { callId, status: 'resumed' });
    return { callId };
  });

  /** The screen pop: who calls, on which hotline, how long they waited, their way through the IVR and their history. */
  async function offered({ request, agentId, ringTimeoutMs }: Offer): Promise<void> {
    try {
      const [record, history, openTickets] = await Promise.all([
        records.get(request.callbackOf ?? request.callId), // a callback shows the way its caller came in
        records.byPhone(request.callerNumber, 10),
        options.openTickets?.(request.callerNumber).catch(() => []) ?? Promise.resolve([]),
      ]);
      await bus.publish(agentTopic(agentId), 'call.offer', {
        callId: request.callId,
        caller: request.callerNumber,
        did: record?.did ?? request.did ?? '',
        queueId: request.queueId,
        waitingMs: clock.now() - request.arrivedAt,
        ivr: (record?.ivrPath ?? []).map((step) => ({ node: step.node, ...(step.input !== undefined ? { input: step.input } : {}) })),
        history: history
          .filter((call) => call.callId !== request.callId && call.callId !== request.callbackOf)
          .map((call) => ({ callId: call.callId, at: call.arrivedAt, ...(call.ticketIds[0] ? { ticketId: call.ticketIds[0] } : {}) })),
        openTickets,
        ringTimeoutMs,
        ...(request.callbackOf ? { callbackOf: request.callbackOf } : {}),
      });
    } catch (error) {
      logger.warn({ err: error, callId: request.callId }, 'call.offer not published');
    }
  }

  const connected = ({ callId, agentId }: Connection): void => {
    bus.publish(agentTopic(agentId), 'call.progress', { callId, status: 'answered' }).catch((error: unknown) => logger.warn({ err: error }, 'call.progress not published'));
  };
  const ended = ({ callId, agentId, cause }: Ended): void => {
    held.delete(callId);
    bus.publish(agentTopic(agentId), 'call.ended', { callId, cause }).catch((error: unknown) => logger.warn({ err: error }, 'call.ended not published'));
  };

  return {
    offered: (offer: Offer) => void offered(offer),
    connected,
    ended,
    close(): void {
      stopListening();
    },
  };
}

