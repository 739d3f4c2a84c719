/**
 * Builds the telephony adapter from the configuration: the ARI port (ARI_URL, ARI_USER,
 * ARI_PASSWORD, ARI_APP) and the optional AMI client (AMI_URL, AMI_USER, AMI_SECRET).
 * `close()` ends both for good: no reconnect afterwards, every timer cleared.
 */
import { systemClock, type Clock } from '../clock.ts';
import type { Config } from '../config/config.ts';
import { HotlineError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { createAmiClient, type AmiClient } from './ami.ts';
import { createAriTelephony, type AriTelephonyOptions, type TelephonyStats } from './ari-telephony.ts';
import type { ConnectionState, TelephonyPort } from './port.ts';

export type TelephonyConfig = Pick<Config, 'ARI_URL' | 'ARI_USER' | 'ARI_PASSWORD' | 'ARI_APP' | 'AMI_URL' | 'AMI_USER' | 'AMI_SECRET'>;

/** Tuning knobs, mostly for tests (short backoffs, a manual clock). */
export interface TelephonyTuning extends Partial<Omit<AriTelephonyOptions, 'url' | 'user' | 'password' | 'app' | 'logger' | 'clock'>> {
  readonly clock?: Clock;
}

export interface Telephony {
  /** The port the call layer uses. */
  readonly port: TelephonyPort;
  /** The AMI client (reports `not-configured` without AMI_URL). */
  readonly ami: AmiClient;
  /** Starts connecting; resolves at once (health shows the connection state meanwhile). */
  start(): Promise<void>;
  /** AMI connection state, for health checks. */
  amiState(): ConnectionState;
  /** Called after every change of the ARI connection state (each failed attempt too). */
  onStateChange(listener: (state: ConnectionState) => void): () => void;
  /** Resolves when every queued event handler has run (for orderly shutdown and tests). */
  idle(): Promise<void>;
  /** Bookkeeping sizes of the ARI adapter (queues, waits, tracked ids), for metrics. */
  stats(): TelephonyStats;
  close(): Promise<void>;
}

export function createTelephony(config: TelephonyConfig, logger: Logger, tuning: TelephonyTuning = {}): Telephony {
  if (config.ARI_URL === undefined) {
    throw new HotlineError('CONFIG_INVALID', 'ARI_URL is required by the telephony adapter (the server passes the simulator URL in embedded mode)');
  }
  const clock = tuning.clock ?? systemClock;
  const ari = createAriTelephony({
    ...tuning,
    url: config.ARI_URL, user: config.ARI_USER, password: config.ARI_PASSWORD, app: config.ARI_APP, logger, clock,
  });
  const ami = createAmiClient({
    url: config.AMI_URL, user: config.AMI_USER, secret: config.AMI_SECRET, clock, logger,
    ...(tuning.random && { random: tuning.random }),
    ...(tuning.backoffBaseMs !== undefined && { backoffBaseMs: tuning.backoffBaseMs }),
    ...(tuning.backoffMaxMs !== undefined && { backoffMaxMs: tuning.backoffMaxMs }),
  });
  let closed = false;

  return {
    port: ari,
    ami,
    async start() {
      if (closed) throw new HotlineError('ARI_UNAVAILABLE', 'the telephony adapter is closed');
      ari.start();
      ami.start();
    },
    amiState: () => ami.state(),
    onStateChange: (listener) => ari.onStateChange(listener),
    idle: () => ari.idle(),
    stats: () => ari.stats(),
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([ari.close(), ami.close()]);
    },
  };
}
