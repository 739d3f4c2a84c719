/**
 * The softphone's SIP layer (softphone/src/sip) in headless Chromium against Kamailio over
 * WebSocket. A second page runs a plain SIP.js party standing in for Asterisk's agent leg: it
 * calls the softphone with the correlation header, and observes hold re-INVITEs, RTP
 * telephone-events and the BYE as they arrive.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sipPassword } from '../../src/auth/sip-password.ts';
import { createKamailio, type Kamailio } from './fixtures/sip/kamailio.ts';
import { serveHarnessPage, type HarnessPage } from './fixtures/sip/harness-page.ts';

/** The figures `SipCall.getStats()` returns (softphone/src/sip/phone.ts, CallStats). */
interface CallStats {
  codec: string | undefined;
  packetsSent: number;
  packetsReceived: number;
  inboundLevel: number | undefined;
  inboundEnergy: number;
}

interface FarObservations {
  sessionStates: string[];
  inviteStatus: number | undefined;
  reInviteDirections: string[];
  dtmfDigits: string;
  framesByPayloadType: Record<string, number>;
  tap: string;
  infoReceived: number;
  byeReceived: boolean;
}

interface PhoneEvent {
  event: string;
  correlationId: string | undefined;
  state: string;
  endReason: string | undefined;
}

const domain = 'hotline.test';
// The password GET /api/me/sip hands seat 1001 for this SIP_SECRET; Kamailio's digest check wants it.
const agent = { endpoint: '1001', domain, password: sipPassword('browser-test-sip-secret', '1001') };

/** Calls `window.sipHarness[method](...args)` in the page (softphone/src/sip/testing/harness.ts). */
function harness<T>(page: Page, method: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(
    ({ method, args }) => {
      const h = (globalThis as unknown as { sipHarness: Record<string, (...a: unknown[]) => unknown> }).sipHarness;
      return h[method]!(...args);
    },
    { method, args },
  ) as Promise<T>;
}

/**
 * Polls the page until `check` holds for what `method` returns; gives up after 150 polls (a guard
 * against hanging, not a timing assertion) showing the last value.
 */
async function until<T>(page: Page, method: string, check: (value: T) => boolean, ...args: unknown[]): Promise<T> {
  let value: T | undefined;
  for (let polls = 0; polls < 150; polls += 1) {
    value = await harness<T>(page, method, ...args);
    if (check(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${method} never matched; last: ${JSON.stringify(value)}`);
}

/** A 440 Hz tone, 2 s, 48 kHz mono 16-bit: the fake microphone of both parties. */
function toneWav(file: string) {
  const rate = 48_000;
  const samples = rate * 2;
  const buffer = Buffer.alloc(44 + samples * 2);
  buffer.write('RIFF', 0);
  buffer.writeUInt32LE(36 + samples * 2, 4);
  buffer.write('WAVEfmt ', 8);
  buffer.writeUInt32LE(16, 16);
  buffer.writeUInt16LE(1, 20);
  buffer.writeUInt16LE(1, 22);
  buffer.writeUInt32LE(rate, 24);
  buffer.writeUInt32LE(rate * 2, 28);
  buffer.writeUInt16LE(2, 32);
  buffer.writeUInt16LE(16, 34);
  buffer.write('data', 36);
  buffer.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i += 1) {
    buffer.writeInt16LE(Math.round(12_000 * Math.sin((2 * Math.PI * 440 * i) / rate)), 44 + i * 2);
  }
  writeFileSync(file, buffer);
}

describe('softphone SIP layer against Kamailio over WebSocket', () => {
  let kamailio: Kamailio;
  let site: HarnessPage;
  let browser: Browser;
  let phone: Page;
  let far: Page;
  let scratch: string;

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'hotline-sip-test-'));
    toneWav(path.join(scratch, 'tone.wav'));
    kamailio = await createKamailio(agent.password);
    await kamailio.start();
    site = await serveHarnessPage();
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-audio-capture=${path.join(scratch, 'tone.wav')}`,
        '--autoplay-policy=no-user-gesture-required',
      ],
    });
    phone = await (await browser.newContext()).newPage();
    far = await (await browser.newContext()).newPage();
    await phone.goto(site.url);
    await far.goto(site.url);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await kamailio?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('reports failed with the 401 when the registrar refuses the password', async () => {
    const wrong = await (await browser.newContext()).newPage();
    await wrong.goto(site.url);
    const state = await harness<string>(wrong, 'startPhone', { ...agent, password: 'wrong-password', wsUrl: kamailio.wsUrl, iceServers: [] });
    expect(state).toBe('failed');
    const statuses = await harness<Array<{ state: string; reason?: string }>>(wrong, 'registration');
    expect(statuses.map((s) => s.state)).toEqual(['connecting', 'failed']);
    expect(statuses[1]?.reason).toMatch(/^401/);
    await harness(wrong, 'stopPhone');
    await wrong.context().close();
  });

  it('registers with the settings the server hands out', async () => {
    const state = await harness<string>(phone, 'startPhone', { ...agent, wsUrl: kamailio.wsUrl, iceServers: [] });
    expect(state, kamailio.output()).toBe('registered');
    expect(await harness<string[]>(phone, 'registrationStates')).toEqual(['connecting', 'registered']);
    await harness(far, 'startFar', { endpoint: 'asterisk', domain, wsUrl: kamailio.wsUrl });
  });

  it('ties the INVITE to the CTI offer by X-Hotline-Call-Id, answers, and audio flows both ways', async () => {
    await harness(far, 'farCall', `sip:1001@${domain}`, { 'X-Hotline-Call-Id': 'call-7f3a' });
    const events = await until<PhoneEvent[]>(phone, 'events', (e) => e.some((x) => x.event === 'incoming'));
    expect(events[0]).toMatchObject({ event: 'incoming', correlationId: 'call-7f3a', state: 'ringing' });

    await harness(phone, 'answer', 'call-7f3a');
    await until<string>(phone, 'callState', (s) => s === 'connected', 'call-7f3a');
    const farSeen = await until<FarObservations>(far, 'farObserved', (o) => o.inviteStatus !== undefined);
    expect(farSeen.inviteStatus).toBe(200);

    const mine = await until<CallStats>(
      phone,
      'stats',
      (s) => s.packetsSent > 50 && s.packetsReceived > 50 && (s.inboundLevel ?? 0) > 0,
      'call-7f3a',
    );
    expect(mine.inboundEnergy).toBeGreaterThan(0);
    expect(mine.codec).toMatch(/^audio\//);
    const theirs = await until<CallStats>(far, 'farStats', (s) => (s?.packetsReceived ?? 0) > 50 && (s?.inboundLevel ?? 0) > 0);
    expect(theirs.inboundEnergy).toBeGreaterThan(0);
  });

  it('holds with a sendonly re-INVITE and resumes with a sendrecv one', async () => {
    await harness(phone, 'hold', 'call-7f3a');
    expect(await harness<string>(phone, 'callState', 'call-7f3a')).toBe('held');
    await harness(phone, 'unhold', 'call-7f3a');
    expect(await harness<string>(phone, 'callState', 'call-7f3a')).toBe('connected');
    const seen = await harness<FarObservations>(far, 'farObserved');
    expect(seen.reInviteDirections).toEqual(['sendonly', 'sendrecv']);
  });

  it('sends DTMF as RTP telephone-events (RFC 4733) that the far end decodes', async () => {
    await harness(phone, 'dtmf', 'call-7f3a', '12#');
    const seen = await until<FarObservations>(far, 'farObserved', (o) => o.dtmfDigits.length >= 3);
    expect(seen.tap).toBe('encoded-streams');
    expect(seen.dtmfDigits).toBe('12#');
    expect(seen.infoReceived).toBe(0);
  });

  it('mutes: the far end hears silence until the agent unmutes', async () => {
    await harness(phone, 'mute', 'call-7f3a', true);
    await until<CallStats>(far, 'farStats', (s) => s?.inboundLevel === 0);
    await harness(phone, 'mute', 'call-7f3a', false);
    await until<CallStats>(far, 'farStats', (s) => (s?.inboundLevel ?? 0) > 0);
  });

  it('hangs up: the far end receives the BYE and the call ends', async () => {
    await harness(phone, 'hangup', 'call-7f3a');
    await until<FarObservations>(far, 'farObserved', (o) => o.byeReceived);
    const events = await harness<PhoneEvent[]>(phone, 'events');
    expect(events.at(-1)).toMatchObject({ state: 'ended', endReason: 'local-hangup', correlationId: 'call-7f3a' });
    expect(await harness<string>(phone, 'callState', 'call-7f3a')).toBe('none');
  });

  it('shows reconnecting when Kamailio restarts, registers again and takes the next call', async () => {
    await kamailio.stop();
    await until<string[]>(phone, 'registrationStates', (s) => s.at(-1) === 'reconnecting');
    await kamailio.start();
    const states = await until<string[]>(phone, 'registrationStates', (s) => s.at(-1) === 'registered');
    expect(states.slice(0, 3)).toEqual(['connecting', 'registered', 'reconnecting']);

    // Kamailio forgot every registration: a call reaching the softphone proves it registered again.
    await harness(far, 'startFar', { endpoint: 'asterisk', domain, wsUrl: kamailio.wsUrl });
    await harness(far, 'farCall', `sip:1001@${domain}`, { 'X-Hotline-Call-Id': 'call-after-restart' });
    await until<PhoneEvent[]>(phone, 'events', (e) => e.some((x) => x.correlationId === 'call-after-restart'));
    await harness(phone, 'decline', 'call-after-restart');
    const farSeen = await until<FarObservations>(far, 'farObserved', (o) => o.inviteStatus !== undefined);
    expect(farSeen.inviteStatus).toBe(486);
  });
});
