/**
 * The queue entry used until the ACD lands: parks the caller in a holding bridge of its own with
 * music on hold, logs the queue it asked for, and takes the bridge down when the caller hangs up.
 * No agent ever answers, so no outcome is reported: the caller waits until hanging up.
 */
import type { Logger } from '../../log.ts';
import type { TelephonyPort } from '../../telephony/port.ts';
import type { QueueEntry } from './runtime-ports.ts';

export interface HoldingQueue extends QueueEntry {
  /** Calls parked now, by channel id → queue id. */
  parked(): ReadonlyMap<string, string>;
}

export function createHoldingQueue(options: { telephony: TelephonyPort; logger: Logger; mohClass?: string }): HoldingQueue {
  const { telephony, logger } = options;
  const parked = new Map<string, string>();
  return {
    parked: () => parked,
    async enqueue(callId, queueId, priority, _vars, call) {
      const bridgeId = `ivr-hold-${call.channelId}`;
      const log = logger.child({ callId, channelId: call.channelId, queueId });
      if (call.signal.aborted) return;
      const release = () => {
        parked.delete(call.channelId);
        telephony.destroyBridge(bridgeId).catch((error: unknown) => log.debug({ err: error }, 'holding bridge already gone'));
      };
      call.signal.addEventListener('abort', release, { once: true });
      try {
        await telephony.createBridge('holding', bridgeId, 'ivr-hold').catch((error: unknown) => log.debug({ err: error }, 'holding bridge exists (resumed call)'));
        await telephony.addToBridge(bridgeId, [call.channelId]).catch(async (error: unknown) => {
          // a resumed call may already be in its holding bridge
          const bridges = await telephony.listBridges();
          if (!bridges.some((b) => b.id === bridgeId && b.channelIds.includes(call.channelId))) throw error;
        });
        await telephony.startBridgeMoh(bridgeId, options.mohClass);
        if (!call.signal.aborted) parked.set(call.channelId, queueId);
        log.info({ priority }, 'caller queued (holding bridge with music on hold; no ACD yet)');
      } catch (error) {
        log.warn({ err: error }, 'could not park the caller');
        if (call.signal.aborted) release();
      }
    },
  };
}
