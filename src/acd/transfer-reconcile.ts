/**
 * After a restart or an ARI reconnect, what the transfers of this instance left behind is put back
 * into shapes the queue reconcile knows (docs/transfers.md, *After a restart*). The transfer state
 * itself lived in the memory of the instance and is gone, so no transfer is carried on half-way:
 * - an expert still being rung for a consult: the ring is stopped and the reservation withdrawn
 *   (the expert is ready again, no penalty); a number still being rung: the ring is stopped;
 * - a consult bridge (the agent waiting for the target, or talking to it privately): the agent goes
 *   back to the caller and the target's leg is hung up — or, when the agent's leg is gone, the
 *   caller goes to the expert who had answered; the caller's music stops; the bridge is destroyed;
 * - a three-way (target and agent in the call's bridge) is left as it is: the queue reconcile adopts
 *   the call with the agent and the transfer desk the three-way.
 * Which agent is on which call is the queue reconcile's part (talkingParty below).
 */
import type { Logger } from '../log.ts';
import type { BridgeInfo, ReconcileSnapshot, TelephonyPort } from '../telephony/port.ts';
import type { AcdState, AgentRecord } from './acd-state.ts';
import { CONSULT_QUEUE, parseTransferId, transferIds } from './transfers.ts';

export interface TransferRepairContext {
  readonly acd: AcdState;
  readonly telephony: TelephonyPort;
  readonly instanceId: string;
  readonly logger: Logger;
  readonly agentLegPrefix: (callId: string) => string;
}

const quietly = (work: Promise<unknown>): Promise<void> => work.then(() => undefined, () => undefined);

/** Stops the transfers the restart interrupted; returns the bridges as they are afterwards (consult bridges gone, moved legs in place). */
export async function repairTransfers({ channels, bridges }: ReconcileSnapshot, ctx: TransferRepairContext): Promise<BridgeInfo[]> {
  const { acd, telephony, logger } = ctx;
  const live = new Set(channels.map((c) => c.id));
  const ours = new Set(channels.filter((c) => c.inApp).map((c) => c.id));
  const members = new Map(bridges.map((b) => [b.id, [...b.channelIds]]));
  const hangup = async (id: string): Promise<void> => {
    if (live.delete(id)) await quietly(telephony.hangup(id));
  };
  const ourCalls = new Set<string>();

  // experts rung for a consult: the answer could not be seen while down
  for (const consult of await acd.callsOf(ctx.instanceId)) {
    if (consult.queueId !== CONSULT_QUEUE) continue;
    ourCalls.add(consult.channelId);
    if (consult.state === 'offered' && consult.agentId) await acd.withdrawOffer(consult.callId, consult.agentId);
    await acd.abandon(consult.callId);
    await hangup(consult.channelId);
    logger.info({ consultId: consult.callId, expert: consult.agentId ?? null }, 'a consult rang during the restart: stopped, the expert is free again');
  }

  for (const bridge of bridges) {
    const ids = bridge.id.startsWith('consult-') ? parseTransferId(bridge.id) : null;
    if (!ids || (bridge.channelIds.length > 0 && !bridge.channelIds.some((id) => ours.has(id)))) continue;
    const { callId } = ids;
    const { targetChannelId } = transferIds(callId, ids.n);
    const callBridge = members.get(`call-${callId}`);
    const callerThere = callBridge?.includes(callId) === true && live.has(callId);
    const agentLeg = bridge.channelIds.find((id) => id.startsWith(ctx.agentLegPrefix(callId)) && live.has(id));
    const answered = bridge.channelIds.includes(targetChannelId) && live.has(targetChannelId);
    const backTo = callerThere ? agentLeg ?? (answered ? targetChannelId : undefined) : undefined;
    if (backTo) {
      await telephony.addToBridge(`call-${callId}`, [backTo]).catch((error: unknown) => logger.warn({ err: error, callId }, 'leg not moved back to the caller'));
      callBridge!.push(backTo);
      await quietly(telephony.stopMoh(callId));
    }
    for (const id of [agentLeg, targetChannelId]) if (id && id !== backTo) await hangup(id);
    await quietly(telephony.destroyBridge(bridge.id));
    members.delete(bridge.id);
    ourCalls.add(callId);
    logger.info({ callId, to: backTo === agentLeg ? 'agent' : backTo ? 'expert' : 'nobody' }, 'a consult was under way during the restart: the caller is back with one party');
  }

  // a target still ringing (a number, or an expert whose reservation went): in no bridge of ours
  const bridged = new Set([...members.values()].flat());
  for (const channel of channels) {
    const ids = channel.id.startsWith('xfer-') ? parseTransferId(channel.id) : null;
    if (!ids || bridged.has(channel.id) || !live.has(channel.id)) continue;
    const mine = ours.has(channel.id) || ours.has(ids.callId) || ourCalls.has(ids.callId) || (members.get(`call-${ids.callId}`) ?? []).some((id) => ours.has(id));
    if (!mine) continue;
    await hangup(channel.id);
    logger.info({ callId: ids.callId }, 'a transfer target rang during the restart: ring stopped');
  }
  return bridges.filter((b) => members.has(b.id)).map((b) => ({ ...b, channelIds: members.get(b.id)! }));
}

/** The agent-side party of a talking call's bridge, and the agents of the call who are no longer on it. */
export interface TalkingParty {
  readonly channelId: string;
  /** The ACD agent holding the call; '' for an outside number or a supervisor who took the call over. */
  readonly agentId: string;
  /** An expert who holds the call because of a transfer (noted as answered by them). */
  readonly handedTo: boolean;
}

/**
 * Who talks with the caller in `call-<callId>`: the agent's leg (with its agent on call), else a
 * transfer target's leg (the expert on call for that consult, or an outside number), else a
 * supervisor's leg (a take-over). Null when nobody is.
 */
export function talkingParty(callId: string, memberIds: readonly string[], agents: readonly AgentRecord[], agentLegPrefix: string, bookedCallId: string): TalkingParty | null {
  const onCall = (id: string) => agents.find((a) => a.status.state === 'on_call' && a.status.callId === id);
  const agentLeg = memberIds.find((id) => id.startsWith(agentLegPrefix));
  const agent = onCall(bookedCallId);
  if (agentLeg && agent) return { channelId: agentLeg, agentId: agent.agentId, handedTo: false };
  // the first target holds the call; a later one is in a three-way it started (the transfer desk adopts that)
  const target = memberIds.filter((id) => id.startsWith(`xfer-${callId}-`)).map((id) => parseTransferId(id)!.n).sort((a, b) => a - b)[0];
  if (target !== undefined) {
    const { targetChannelId, consultId } = transferIds(callId, target);
    const expert = onCall(consultId);
    return { channelId: targetChannelId, agentId: expert?.agentId ?? '', handedTo: expert !== undefined };
  }
  const supervisor = memberIds.find((id) => id.startsWith('sv-'));
  return supervisor ? { channelId: supervisor, agentId: '', handedTo: false } : null;
}

/** Agents on call for `callId` (in the ACD: `bookedCallId`) or one of its consults (`<callId>-cs<n>`). */
export function agentsOfCall(callId: string, bookedCallId: string, agents: readonly AgentRecord[]): AgentRecord[] {
  const consult = (id: string) => id.startsWith(`${callId}-cs`) && /^\d+$/.test(id.slice(`${callId}-cs`.length));
  return agents.filter((a) => a.status.state === 'on_call' && a.status.callId !== undefined && (a.status.callId === bookedCallId || consult(a.status.callId)));
}
