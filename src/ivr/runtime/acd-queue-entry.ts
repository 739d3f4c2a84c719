/**
 * The IVR's queue entry over the ACD's queue service (src/acd/queue-service.ts): the flow's queue
 * node hands the call to the ACD, which parks it with music, rings agents and bridges. The ACD
 * handles the caller's hang-up itself (abandon); the IVR learns `answered` when the composition
 * root forwards the queue service's `onConnected` to `connected()`, and then lets go of the call.
 */
import { isHotlineError } from '../../errors.ts';
import type { QueueEntry, QueuedCall } from './runtime-ports.ts';

/** What the IVR needs of the ACD's queue service (structurally: `QueueService.enqueue`). */
export interface AcdQueues {
  enqueue(request: {
    readonly callId: string; readonly channelId: string; readonly queueId: string; readonly priority: number;
    readonly arrivedAt: number; readonly callerNumber: string; readonly did?: string;
  }): Promise<void>;
}

export interface AcdQueueEntry extends QueueEntry {
  /** Forward the queue service's onConnected here: the call was bridged to an agent. */
  connected(callId: string): void;
  /** Forward the queue service's onLeft here: the queue gave the call back (the flow takes that exit). */
  left(callId: string, outcome: 'timeout' | 'full' | 'no-agents'): void;
}

export function createAcdQueueEntry(queues: AcdQueues): AcdQueueEntry {
  const waiting = new Map<string, QueuedCall>();
  return {
    async enqueue(callId, queueId, priority, vars, call) {
      if (call.signal.aborted) return;
      waiting.set(callId, call);
      call.signal.addEventListener('abort', () => waiting.delete(callId), { once: true });
      try {
        const did = vars['did'];
        await queues.enqueue({ callId, channelId: call.channelId, queueId, priority, arrivedAt: call.arrivedAt, callerNumber: call.callerNumber, ...(did ? { did } : {}) });
      } catch (error) {
        // a resumed call re-asks; the ACD kept (and after its own restart adopted) the queued call
        if (!isHotlineError(error, 'STORE_CONFLICT')) throw error;
      }
    },
    connected(callId) {
      const call = waiting.get(callId);
      if (!call) return;
      waiting.delete(callId);
      call.onOutcome('answered');
    },
    left(callId, outcome) {
      const call = waiting.get(callId);
      if (!call) return;
      waiting.delete(callId);
      call.onOutcome(outcome);
    },
  };
}
