/**
 * After a restart or an ARI reconnect, the queue service finds its calls again from what Asterisk
 * still has (channels, bridges) and what the store still says (acd:call documents, agents):
 * - a waiting caller whose channel lives is carried on where it was (its place in the queue kept);
 *   one whose channel is gone hung up while we were away: an abandon;
 * - a call that was ringing an agent: the agent leg is hung up and the offer withdrawn without
 *   penalty (agent ready, caller back at the head) — the answer could not be seen while down;
 * - a talking call (a `call-<callId>` bridge with caller and agent) is left alone and adopted, so
 *   its hang-up is handled; if one side left meanwhile, the other is hung up and the agent wraps up.
 *   Bridges whose channels are all in another Stasis app belong to another instance on the same
 *   Asterisk and are left to it.
 */
import type { Logger } from '../log.ts';
import type { ReconcileSnapshot, TelephonyPort } from '../telephony/port.ts';
import type { AcdState, QueuedCall } from './acd-state.ts';

export interface ReconcileContext {
  readonly acd: AcdState;
  readonly telephony: TelephonyPort;
  readonly instanceId: string;
  readonly logger: Logger;
  readonly known: (callId: string) => boolean;
  readonly adoptHoldingBridge: (queueId: string, bridgeId: string) => void;
  readonly adoptWaiting: (queued: QueuedCall, inBridge: boolean) => Promise<void>;
  readonly adoptConnected: (call: { callId: string; callerChannelId: string; agentChannelId: string; agentId: string; bridgeId: string }) => void;
  readonly wrapUp: (agentId: string) => Promise<void>;
}

export const agentLegPrefix = (callId: string): string => `agent-${callId}-`;

/** A callback attempt is a call of its own: `<booked call id>-cb<n>`, also the citizen's channel id. */
export const callbackAttemptId = (callId: string, attempt: number): string => `${callId}-cb${attempt}`;
const bookedCallOf = (callId: string): string => callId.replace(/-cb\d+$/, '');

export async function reconcileQueues({ channels, bridges }: ReconcileSnapshot, ctx: ReconcileContext): Promise<void> {
  const { acd, telephony, instanceId, logger } = ctx;
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
    if (ctx.known(queued.callId)) continue;
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
    // the caller's channel id is the call id (a callback attempt's too); a supervisor barging in is a third member
    const agentChannelId = bridge.channelIds.find((id) => id.startsWith(agentLegPrefix(callId)));
    const callerChannelId = bridge.channelIds.find((id) => id === callId);
    const agent = agents.find((a) => a.status.state === 'on_call' && a.status.callId === bookedCallOf(callId));
    if (agentChannelId && callerChannelId && agent) {
      ctx.adoptConnected({ callId, callerChannelId, agentChannelId, agentId: agent.agentId, bridgeId: bridge.id });
      logger.info({ callId, agentId: agent.agentId }, 'carrying on a talking call after a (re)connect');
      continue;
    }
    for (const id of bridge.channelIds) await telephony.hangup(id).catch(() => undefined);
    await telephony.destroyBridge(bridge.id).catch(() => undefined);
    if (agent) await ctx.wrapUp(agent.agentId);
    logger.info({ callId }, 'a call ended while the server was away');
  }
}
