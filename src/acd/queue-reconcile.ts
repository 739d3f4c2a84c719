/**
 * After a restart or an ARI reconnect, the queue service finds its calls again from what Asterisk
 * still has (channels, bridges) and what the store still says (acd:call documents, agents):
 * - a waiting caller whose channel lives is carried on where it was (its place in the queue kept);
 *   one whose channel is gone hung up while we were away: an abandon;
 * - a call that was ringing an agent: the agent leg is hung up and the offer withdrawn without
 *   penalty (agent ready, caller back at the head) — the answer could not be seen while down;
 * - a talking call (a `call-<callId>` bridge with the caller and an agent-side party) is left alone
 *   and adopted, so its hang-up is handled; if one side left meanwhile, the other is hung up and the
 *   agent wraps up. The agent-side party is the agent's leg, else — after a transfer — the expert's
 *   or outside number's leg, else — after a take-over — the supervisor's leg. Transfers the restart
 *   interrupted are first brought back to such a call (transfer-reconcile.ts, docs/transfers.md).
 *   Bridges whose channels are all in another Stasis app belong to another instance on the same
 *   Asterisk and are left to it.
 */
import type { Logger } from '../log.ts';
import type { ReconcileSnapshot, TelephonyPort } from '../telephony/port.ts';
import type { AcdState, QueuedCall } from './acd-state.ts';
import { agentsOfCall, repairTransfers, talkingParty } from './transfer-reconcile.ts';
import { CONSULT_QUEUE } from './transfers.ts';

/** A talking call found again after a restart, handed to the queue service. */
export interface AdoptedCall {
  readonly callId: string;
  readonly callerChannelId: string;
  /** The agent-side party: the agent's leg, an expert's or outside number's leg after a transfer, a supervisor's after a take-over. */
  readonly agentChannelId: string;
  /** The ACD agent holding the call; '' for a party that is not an agent. */
  readonly agentId: string;
  readonly bridgeId: string;
  /** The call passed to `agentId` during the reconcile (a transfer the restart interrupted): noted as answered by them. */
  readonly handedTo?: boolean;
}

export interface ReconcileContext {
  readonly acd: AcdState;
  readonly telephony: TelephonyPort;
  readonly instanceId: string;
  readonly logger: Logger;
  readonly known: (callId: string) => boolean;
  readonly adoptHoldingBridge: (queueId: string, bridgeId: string) => void;
  readonly adoptWaiting: (queued: QueuedCall, inBridge: boolean) => Promise<void>;
  readonly adoptConnected: (call: AdoptedCall) => void;
  readonly wrapUp: (agentId: string) => Promise<void>;
}

export const agentLegPrefix = (callId: string): string => `agent-${callId}-`;

/** A callback attempt is a call of its own: `<booked call id>-cb<n>`, also the citizen's channel id. */
export const callbackAttemptId = (callId: string, attempt: number): string => `${callId}-cb${attempt}`;
const bookedCallOf = (callId: string): string => callId.replace(/-cb\d+$/, '');

export async function reconcileQueues(snapshot: ReconcileSnapshot, ctx: ReconcileContext): Promise<void> {
  const { acd, telephony, instanceId, logger } = ctx;
  const { channels } = snapshot;
  const bridges = await repairTransfers(snapshot, { acd, telephony, instanceId, logger, agentLegPrefix });
  const live = new Set(channels.map((c) => c.id));
  const holdPrefix = `hold-${instanceId}-`;
  const bridged = new Set<string>();
  for (const bridge of bridges) {
    if (bridge.id.startsWith(holdPrefix)) {
      ctx.adoptHoldingBridge(bridge.id.slice(holdPrefix.length), bridge.id);
      for (const id of bridge.channelIds) bridged.add(id);
    }
  }

  for (const queued of await acd.callsOf(instanceId)) {
    if (ctx.known(queued.callId) || queued.queueId === CONSULT_QUEUE) continue;
    if (queued.callback) {
      // A booked callback has no channel. An attempt under way when the server went is ended and
      // counted (its call id and record are taken), and the next attempt is made at once: the
      // citizen was not failed, the server was.
      let booked = queued;
      if (queued.state === 'offered' && queued.agentId) {
        for (const channel of channels) {
          if (channel.id.startsWith(agentLegPrefix(queued.callId)) || (channel.id !== queued.callId && bookedCallOf(channel.id) === queued.callId)) {
            await telephony.hangup(channel.id).catch(() => undefined);
          }
        }
        await acd.callbackFailed(queued.callId, queued.agentId, 0);
        booked = (await acd.call(queued.callId)) ?? queued;
      }
      await ctx.adoptWaiting(booked, false);
      logger.info({ callId: queued.callId, queueId: queued.queueId }, 'carrying on a booked callback after a (re)connect');
      continue;
    }
    if (!live.has(queued.channelId)) {
      await acd.abandon(queued.callId);
      logger.info({ callId: queued.callId }, 'caller hung up while the server was away: abandoned');
      continue;
    }
    if (queued.state === 'offered' && queued.agentId) {
      for (const channel of channels) {
        if (channel.id.startsWith(agentLegPrefix(queued.callId))) await telephony.hangup(channel.id).catch(() => undefined);
      }
      await acd.withdrawOffer(queued.callId, queued.agentId);
    }
    await ctx.adoptWaiting(queued, bridged.has(queued.channelId));
    logger.info({ callId: queued.callId, queueId: queued.queueId }, 'carrying on a queued call after a (re)connect');
  }

  const agents = await acd.allAgents();
  const ours = new Set(channels.filter((c) => c.inApp).map((c) => c.id));
  for (const bridge of bridges) {
    if (!bridge.id.startsWith('call-')) continue;
    const callId = bridge.id.slice('call-'.length);
    if (ctx.known(callId)) continue;
    // one Asterisk may serve several instances (one Stasis app each): another app's call is not ours to adopt or end
    if (bridge.channelIds.length > 0 && !bridge.channelIds.some((id) => ours.has(id))) continue;
    // the caller's channel id is the call id (a callback attempt's too); a supervisor barging in or
    // an expert in a three-way is a third member
    const callerChannelId = bridge.channelIds.find((id) => id === callId);
    const party = talkingParty(callId, bridge.channelIds, agents, agentLegPrefix(callId), bookedCallOf(callId));
    const onCall = agentsOfCall(callId, bookedCallOf(callId), agents);
    if (callerChannelId && party) {
      ctx.adoptConnected({ callId, callerChannelId, agentChannelId: party.channelId, agentId: party.agentId, bridgeId: bridge.id, ...(party.handedTo ? { handedTo: true } : {}) });
      // an expert in a three-way stays on call (the transfer desk adopts the three-way); an agent no longer on the call wraps up
      const inBridge = new Set(bridge.channelIds.filter((id) => id.startsWith(`xfer-${callId}-`)).map((id) => `${callId}-cs${id.slice(`xfer-${callId}-`.length)}`));
      for (const agent of onCall) {
        if (agent.agentId !== party.agentId && !inBridge.has(agent.status.callId!)) await ctx.wrapUp(agent.agentId);
      }
      logger.info({ callId, agentId: party.agentId || null }, 'carrying on a talking call after a (re)connect');
      continue;
    }
    for (const id of bridge.channelIds) await telephony.hangup(id).catch(() => undefined);
    await telephony.destroyBridge(bridge.id).catch(() => undefined);
    for (const agent of onCall) await ctx.wrapUp(agent.agentId);
    logger.info({ callId }, 'a call ended while the server was away');
  }
}
