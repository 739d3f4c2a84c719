/**
 * A queue service on the simulator through the real ari-client, with a memory store, a manual
 * clock and agents whose phones behave as told — the world of the queue tests.
 */
import { createAcdState, type AcdState } from '../../src/acd/acd-state.ts';
import { createQueueRouter, type QueueRouter } from '../../src/acd/queue-router.ts';
import { createQueueService, type QueueService, type QueueServiceOptions } from '../../src/acd/queue-service.ts';
import type { RoutingQueue } from '../../src/acd/routing.ts';
import { createManualClock, type ManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/log.ts';
import { createSimulator, type Simulator } from '../../src/sim/simulator.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import type { Store } from '../../src/store/store.ts';
import { createTelephony, type Telephony } from '../../src/telephony/create-telephony.ts';
import type { TelephonyPort } from '../../src/telephony/port.ts';
import { until } from '../support/sim-events.ts';

const logger = createLogger('silent');
export const generalQueue = new Map<string, RoutingQueue>([['general', { id: 'general', priority: 0, steps: [{ afterSec: 0, skills: ['general'] }] }]]);

export interface QueueWorld {
  clock: ManualClock;
  sim: Simulator;
  telephony: Telephony;
  store: Store;
  acd: AcdState;
  queue: QueueService;
  router: QueueRouter;
  close(): Promise<void>;
}

export type AgentPhone = { behavior: 'answer' | 'no-answer' | 'manual'; answerAfterMs?: number };

/** Agents `agent<ext>` logged in and ready, the first the longest idle. */
export async function queueWorld(
  agents: Record<string, AgentPhone>,
  ringTimeoutSec = 15,
  extra: Partial<QueueServiceOptions> = {},
  /** Wraps the telephony port the queue service sees (to step in between its requests). */
  wrap: (port: TelephonyPort, sim: Simulator) => TelephonyPort = (port) => port,
): Promise<QueueWorld> {
  const clock = createManualClock();
  const sim = await createSimulator({ logger, clock });
  const telephony = createTelephony({ ARI_URL: sim.url, ARI_USER: 'hotline', ARI_PASSWORD: 'hotline', ARI_APP: 'hotline', AMI_USER: 'x', AMI_SECRET: 'x' }, logger);
  await telephony.start();
  await until(() => telephony.port.state().status === 'up', 'ARI is connected');
  const store = createMemoryStore({ clock });
  const acd = createAcdState({ store, clock });
  let n = 0;
  for (const [ext, endpoint] of Object.entries(agents)) {
    await sim.control.setEndpoint('PJSIP', ext, { behavior: endpoint.behavior, answerAfterMs: endpoint.answerAfterMs ?? 0 });
    await acd.upsertAgent(`agent${ext}`, { extension: ext, skills: { general: 1 } });
    await acd.applyAgent(`agent${ext}`, { type: 'login', ready: true });
    await clock.advance(++n); // distinct ready times: the first agent is the longest idle
  }
  const queues = extra.queues ?? generalQueue;
  const queue = createQueueService({ telephony: wrap(telephony.port, sim), acd, store, clock, logger, queues, instanceId: 'i1', ringTimeoutSec, wrapUpSec: 30, ...extra });
  const router = createQueueRouter({ acd, store, clock, logger, instanceId: 'i1', queues, deliver: queue.deliver, intervalMs: 1_000 });
  return {
    clock, sim, telephony, store, acd, queue, router,
    async close() {
      await router.close();
      await queue.close();
      await telephony.close();
      await sim.close();
    },
  };
}

/** A caller of 12345 answered and put in the general queue; returns the caller's channel id. */
export async function queueCaller(w: QueueWorld, from: string): Promise<string> {
  const { channelId } = await w.sim.control.placeCall({ from, did: '12345' });
  await w.telephony.port.answer(channelId);
  await w.queue.enqueue({ callId: channelId, channelId, queueId: 'general', priority: 0, arrivedAt: w.clock.now(), callerNumber: from, did: '12345' });
  return channelId;
}
