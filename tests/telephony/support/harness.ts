/**
 * Test harness: an in-process simulator and a telephony adapter connected to it, with the event
 * stream recorded and every resource closed after the test.
 */
import { systemClock, type Clock } from '../../../src/clock.ts';
import { createLogger } from '../../../src/log.ts';
import { createSimulator, type Simulator } from '../../../src/sim/simulator.ts';
import { createTelephony, type Telephony, type TelephonyTuning } from '../../../src/telephony/create-telephony.ts';
import type { ConnectionState, ReconcileHook, TelephonyEvent } from '../../../src/telephony/port.ts';
import { createRecorder, waitFor, type Recorder } from './wait-for.ts';

export const logger = createLogger(process.env['TEST_LOG_LEVEL'] ?? 'silent');
export const credentials = { user: 'hotline', password: 'secret-pw', controlToken: 'tok' } as const;

export interface Harness {
  readonly cleanups: Array<() => Promise<void>>;
  run(): Promise<void>;
}

export function createHarness(): Harness {
  const cleanups: Array<() => Promise<void>> = [];
  return {
    cleanups,
    async run() {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    },
  };
}

export async function startSimulator(harness: Harness, port = 0, clock: Clock = systemClock): Promise<Simulator> {
  const sim = await createSimulator({ port, ...credentials, logger, clock });
  harness.cleanups.push(() => sim.close());
  return sim;
}

export interface Adapter {
  readonly telephony: Telephony;
  readonly events: Recorder<TelephonyEvent>;
  /** Resolves when the ARI connection state matches. */
  until(matches: (state: ConnectionState) => boolean): Promise<ConnectionState>;
}

export interface AdapterOptions {
  readonly tuning?: TelephonyTuning;
  /** Registered before start, so it sees the first connect too. */
  readonly reconcile?: ReconcileHook;
  /** Wait for the first connection-up (default true). */
  readonly waitUp?: boolean;
}

/** Creates and starts an adapter on `url`; resolves once it is up. */
export async function startAdapter(harness: Harness, url: string, options: AdapterOptions = {}): Promise<Adapter> {
  const { tuning = {}, waitUp = true } = options;
  const telephony = createTelephony({
    ARI_URL: url, ARI_USER: credentials.user, ARI_PASSWORD: credentials.password, ARI_APP: 'hotline',
    AMI_URL: undefined, AMI_USER: 'hotline', AMI_SECRET: 'x',
  }, logger, { backoffBaseMs: 10, backoffMaxMs: 40, ...tuning });
  harness.cleanups.push(() => telephony.close());
  const events = createRecorder<TelephonyEvent>();
  telephony.port.onEvent((event) => events.push(event));
  if (options.reconcile) telephony.port.onReconcile(options.reconcile);
  const until = (matches: (state: ConnectionState) => boolean): Promise<ConnectionState> =>
    waitFor(() => telephony.port.state(), (listener) => telephony.onStateChange(listener), matches);
  const up = events.next((e) => e.type === 'connection-up');
  await telephony.start();
  if (waitUp) await up;
  return { telephony, events, until };
}

/** The next event of `type` (for `channelId`, if given). */
export function nextEvent<T extends TelephonyEvent['type']>(
  adapter: Adapter, type: T, channelId?: string,
): Promise<Extract<TelephonyEvent, { type: T }>> {
  return adapter.events.next((e) => e.type === type && (channelId === undefined || !('channelId' in e) || e.channelId === channelId)) as Promise<
    Extract<TelephonyEvent, { type: T }>
  >;
}
