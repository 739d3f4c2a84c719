/**
 * The IVR runtime on the ARI simulator through the real ari-client: a manual clock for the
 * simulator (prompt lengths, recordings) and the runtime (IVR timers), the shipped flows published
 * as at boot, the real intake stream and holding queue on a memory store. Helpers wait on what the
 * simulator emits; `settle()` waits until the runtime has stepped everything it was fed.
 */
import path from 'node:path';
import { createManualClock, type ManualClock } from '../../src/clock.ts';
import { defaultCatalogue, type Catalogue } from '../../src/ivr/catalogue.ts';
import { createHoldingQueue, type HoldingQueue } from '../../src/ivr/runtime/holding-queue.ts';
import { createIntakeStream } from '../../src/ivr/runtime/intake-stream.ts';
import { createIvrCalls, type CallRating, type IvrCalls } from '../../src/ivr/runtime/ivr-calls.ts';
import type { QueueEntry, TicketIntake, TransferPort } from '../../src/ivr/runtime/runtime-ports.ts';
import { createDidFlows, type DidFlowsOptions } from '../../src/ivr/versions/did-flows.ts';
import { createFlowVersions, type FlowVersions } from '../../src/ivr/versions/flow-versions.ts';
import { publishDraftsOnce } from '../../src/ivr/versions/publish-drafts.ts';
import { createLogger } from '../../src/log.ts';
import { createSimulator, type Simulator } from '../../src/sim/simulator.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import type { Store } from '../../src/store/store.ts';
import { createTelephony, type Telephony } from '../../src/telephony/create-telephony.ts';
import { nextEvent, until } from '../support/sim-events.ts';

export const logger = createLogger(process.env['TEST_LOG_LEVEL'] ?? 'silent');
const credentials = { user: 'hotline', password: 'ivr-test-pw', controlToken: 'tok' } as const;
export const flowsDir = path.resolve(import.meta.dirname, '../../ivr-flows');

export interface IvrRig {
  readonly clock: ManualClock;
  readonly sim: Simulator;
  readonly telephony: Telephony;
  readonly store: Store;
  readonly versions: FlowVersions;
  readonly calls: IvrCalls;
  readonly queue: HoldingQueue;
  readonly intake: ReturnType<typeof createIntakeStream>;
  /** Waits until the runtime stepped every input of `channelId` it has been fed so far. */
  settle(channelId: string): Promise<void>;
  /** Media URIs played to a channel, in order. */
  played(channelId: string): Promise<string[]>;
  /** Advances the clock and lets the runtime step what that fired. */
  advance(channelId: string, ms: number): Promise<void>;
  /** Resolves when the simulator starts playing `media` on `channelId`. */
  hears(channelId: string, media: string): Promise<unknown>;
  close(): Promise<void>;
}

export interface RigOptions {
  readonly didFlows?: DidFlowsOptions;
  readonly catalogue?: Catalogue;
  /** Publish the shipped drafts of ivr-flows/ (default true). */
  readonly publishShipped?: boolean;
  readonly store?: Store;
  readonly clock?: ManualClock;
  readonly sim?: Simulator;
  /** Another queue entry than the holding queue (e.g. the ACD's), built on the rig's parts. */
  readonly queueEntry?: (parts: { telephony: Telephony; store: Store; clock: ManualClock }) => QueueEntry;
  readonly onRating?: (rating: CallRating) => void;
  /** Another ticket intake than the intake stream (e.g. the ticket service), on the rig's store and clock. */
  readonly ticketIntake?: (parts: { store: Store; clock: ManualClock }) => TicketIntake;
  /** The transfer service behind transfer nodes (default none: a transfer takes its failed exit at once). */
  readonly transfer?: TransferPort;
}

/** Starts simulator, telephony and runtime; resolves once ARI is connected. */
export async function startRig(options: RigOptions = {}): Promise<IvrRig> {
  const clock = options.clock ?? createManualClock();
  const sim = options.sim ?? await createSimulator({ port: 0, ...credentials, logger, clock });
  const store = options.store ?? createMemoryStore({ clock });
  const versions = createFlowVersions({ store, clock, catalogue: options.catalogue ?? defaultCatalogue });
  if (options.publishShipped !== false) await publishDraftsOnce(versions, flowsDir, logger);
  const telephony = createTelephony({
    ARI_URL: sim.url, ARI_USER: credentials.user, ARI_PASSWORD: credentials.password, ARI_APP: 'hotline',
    AMI_URL: undefined, AMI_USER: 'hotline', AMI_SECRET: 'x',
  }, logger, { backoffBaseMs: 10, backoffMaxMs: 40 });
  const queue = createHoldingQueue({ telephony: telephony.port, logger });
  const intake = createIntakeStream(store, () => clock.now());
  const calls = createIvrCalls({
    telephony: telephony.port, versions, didFlows: createDidFlows(options.didFlows), store, clock, logger,
    tickets: options.ticketIntake?.({ store, clock }) ?? intake,
    queue: options.queueEntry?.({ telephony, store, clock }) ?? queue,
    ...(options.onRating && { onRating: options.onRating }),
    ...(options.transfer && { transfer: options.transfer }),
  });
  await telephony.start();
  await until(() => telephony.port.state().status === 'up', 'ARI is connected');

  async function settle(channelId: string): Promise<void> {
    await telephony.idle();
    await calls.session(channelId)?.idle();
    await telephony.idle();
  }
  return {
    clock, sim, telephony, store, versions, calls, queue, intake, settle,
    async played(channelId) {
      const { heard } = await sim.control.channel(channelId);
      return heard.filter((h) => h.kind === 'playback').flatMap((h) => h['media'] as string[]);
    },
    async advance(channelId, ms) {
      // Start from the check phase: then the turn the manual clock yields after each fired timer
      // includes a poll, and an ARI event the simulator sent at that time (a prompt's end) reaches
      // the runtime before the clock moves on. Resumed from a socket callback instead (a REST
      // answer), the clock could fire a timer and finish without one.
      await new Promise((resolve) => setImmediate(resolve));
      await clock.advance(ms);
      await settle(channelId);
    },
    hears(channelId, media) {
      return nextEvent(sim, (e) => {
        const playback = e['playback'] as { target_uri?: string; media_uri?: string } | undefined;
        return e['type'] === 'PlaybackStarted' && playback?.target_uri === `channel:${channelId}` && playback.media_uri === media;
      }, `${media} on ${channelId}`);
    },
    async close() {
      calls.close();
      await telephony.close();
      if (!options.sim) await sim.close();
      if (!options.store) await store.close();
    },
  };
}

/** Resolves when the simulator has no channel and no bridge left. */
export async function nothingLeft(sim: Simulator): Promise<void> {
  await until(async () => {
    const stats = await sim.control.stats();
    return stats.channels === 0 && stats.bridges === 0;
  }, 'no channel or bridge is left');
}

/** Every sound of the 12345 flow, by node. */
export const sounds12345 = {
  greeting: 'sound:hotline/zh/greeting-12345',
  main: 'sound:hotline/zh/feedback-or-hold',
  record: 'sound:hotline/zh/feedback-record',
  thanks: 'sound:hotline/zh/feedback-thanks',
} as const;
