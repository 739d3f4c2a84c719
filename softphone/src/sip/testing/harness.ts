/**
 * Test hook of the browser test (tests/browser/sip-phone.test.ts), not part of the app: the page
 * plays either the softphone (`createPhone`, as the desktop uses it) or the far party, and
 * exposes `window.sipHarness` for Playwright to drive and read.
 */
import { createPhone } from '../create-phone.ts';
import type { CallStats, Phone, RegistrationStatus, SipCall, SipSettings } from '../phone.ts';
import { startFarParty, type FarObservations, type FarParty, type FarPartySettings } from './far-party.ts';

/** One line of what the softphone told the UI. */
interface PhoneEvent {
  event: 'incoming' | 'callState';
  id: string;
  correlationId: string | undefined;
  state: string;
  endReason: string | undefined;
}

let phone: Phone | undefined;
let far: FarParty | undefined;
const registration: RegistrationStatus[] = [];
const events: PhoneEvent[] = [];
const log: string[] = [];

function call(correlationId: string): SipCall {
  const found = phone?.callByCorrelationId(correlationId);
  if (!found) throw new Error(`no live call for ${correlationId}`);
  return found;
}

function note(event: PhoneEvent['event'], c: SipCall) {
  events.push({ event, id: c.id, correlationId: c.correlationId, state: c.state, endReason: c.endReason });
}

const harness = {
  async startPhone(settings: SipSettings): Promise<string> {
    phone = createPhone(settings, {
      reconnectDelayMs: { initial: 300, max: 2000 },
      log: (level, message) => log.push(`${level} ${message}`),
    });
    phone.on('registration', (status) => registration.push(status));
    phone.on('incoming', (c) => note('incoming', c));
    phone.on('callState', (c) => note('callState', c));
    await phone.start();
    return phone.status.state;
  },
  registrationStates: (): string[] => registration.map((s) => s.state),
  registration: (): RegistrationStatus[] => registration,
  events: (): PhoneEvent[] => events,
  log: (): string[] => log,
  answer: (id: string) => call(id).answer(),
  decline: (id: string) => call(id).decline(),
  hold: (id: string) => call(id).hold(),
  unhold: (id: string) => call(id).unhold(),
  dtmf: (id: string, digits: string) => call(id).sendDtmf(digits),
  hangup: (id: string) => call(id).hangup(),
  mute: (id: string, muted: boolean) => call(id).setMuted(muted),
  stats: (id: string): Promise<CallStats> => call(id).getStats(),
  callState: (id: string): string => phone?.callByCorrelationId(id)?.state ?? 'none',
  async stopPhone(): Promise<void> {
    await phone?.stop();
  },

  async startFar(settings: FarPartySettings): Promise<void> {
    await far?.stop();
    far = await startFarParty(settings);
  },
  farCall: (target: string, headers: Record<string, string>) => far?.call(target, headers),
  farObserved: (): FarObservations | undefined => far?.observed,
  farStats: (): Promise<CallStats | undefined> => far?.stats() ?? Promise.resolve(undefined),
  farHangup: () => far?.hangup(),
};

export type SipHarness = typeof harness;
(window as unknown as { sipHarness: SipHarness }).sipHarness = harness;
