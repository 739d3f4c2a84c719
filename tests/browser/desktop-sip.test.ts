/**
 * The agent desktop with a SIP phone, in headless Chromium: the composed server in embedded mode
 * hands out SIP settings (SIP_WS_URL → a test Kamailio, SIP_SECRET), the desktop registers with
 * them, and a second page running plain SIP.js plays Asterisk's agent leg (the simulator's agent
 * leg is not SIP): it sends the INVITE with X-Hotline-Call-Id before the CTI offer arrives, as
 * Asterisk may; when the softphone answers, the test answers the simulator's agent leg, as Asterisk
 * would. Then hold and unhold (CTI), a reload mid-call (state recovered, the lost audio said), a
 * call from Asterisk's fallback queue (no header, no offer: shown without ticket context, answered
 * on the phone), Kamailio restarting (the status line says why), and the English switch.
 * Screenshots: docs/screenshots/12–16.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { sipPassword } from '../../src/auth/sip-password.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';
import { startHotline, type Hotline } from '../../src/server.ts';
import { agentLegPrefix } from '../../src/acd/queue-reconcile.ts';
import { ensureBuilt, launch, login, openPage, shot, waitText } from './browser-helpers.ts';
import { createKamailio, type Kamailio } from './fixtures/sip/kamailio.ts';
import { serveHarnessPage, type HarnessPage } from './fixtures/sip/harness-page.ts';

const secret = 'desktop-test-sip-secret';
const domain = 'hotline.test';

interface FarObservations { inviteStatus: number | undefined; provisional: number[]; byeReceived: boolean; sessionStates: string[] }

/** Calls `window.sipHarness[method](...args)` in the far party's page (softphone/src/sip/testing/harness.ts). */
function far<T>(page: Page, method: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(({ method, args }) => {
    const h = (globalThis as unknown as { sipHarness: Record<string, (...a: unknown[]) => unknown> }).sipHarness;
    return h[method]!(...args);
  }, { method, args }) as Promise<T>;
}

/** Polls the far party until `check` holds (150 polls: a guard against hanging, not a timing assertion). */
async function farUntil(page: Page, check: (o: FarObservations) => boolean): Promise<FarObservations> {
  let seen: FarObservations | undefined;
  for (let polls = 0; polls < 150; polls += 1) {
    seen = await far<FarObservations>(page, 'farObserved');
    if (seen && check(seen)) return seen;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the far party never got there; last: ${JSON.stringify(seen)}`);
}

describe('the agent desktop with a SIP phone', () => {
  let kamailio: Kamailio;
  let hotline: Hotline;
  let site: HarnessPage;
  let browser: Browser;

  beforeAll(async () => {
    kamailio = await createKamailio(sipPassword(secret, '1001'));
    await kamailio.start();
    [site] = await Promise.all([serveHarnessPage(), ensureBuilt()]);
    hotline = await startHotline(loadConfig({
      PORT: '0', SIM_PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_GRACE_MS: '0', SIP_WS_URL: kamailio.wsUrl, SIP_SECRET: secret, SIP_DOMAIN: domain,
    }), createLogger('silent'));
    browser = await launch();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await hotline?.close();
    await site?.close();
    await kamailio?.close();
  });

  it('registers, ties an early INVITE to the offer, holds, survives a reload, takes a fallback call, and says why it reconnects', async () => {
    const agent = await openPage(browser, hotline.url);
    agent.on('dialog', (dialog) => void dialog.accept()); // "leave the page?" while a SIP call is up
    await login(agent, 'agent1001');
    await waitText(agent, 'sip-status', '话机已注册');
    await waitText(agent, 'cti-status', 'CTI 已连接');

    const asterisk = await (await browser.newContext()).newPage();
    await asterisk.goto(site.url);
    await far(asterisk, 'startFar', { endpoint: 'asterisk', domain, wsUrl: kamailio.wsUrl });

    // A citizen dials 12345 and Asterisk's INVITE for the call reaches the phone before the CTI offer
    // (the call id is the citizen's channel): the phone rings (180), the desktop shows nothing yet.
    // Only then does the agent go ready, so the offer surely comes second.
    const placed = await fetch(`${hotline.url}/api/demo/calls`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ did: '12345', from: '13800138000' }),
    });
    const { channelId: callId } = (await placed.json()) as { channelId: string };
    await far(asterisk, 'farCall', `sip:1001@${domain}`, { 'X-Hotline-Call-Id': callId });
    await farUntil(asterisk, (o) => o.provisional.includes(180));
    await agent.getByTestId('no-call').waitFor();
    await agent.getByTestId('ready').click();
    await waitText(agent, 'call-phase', '来电振铃');
    await agent.getByTestId('sip-linked').waitFor();
    expect(await agent.getByTestId('screen-pop').getAttribute('data-call-id')).toBe(callId);
    await waitText(agent, 'pop-caller', '13800138000');
    await shot(agent, '12-agent-sip-offer');

    // Answer on the phone: the INVITE gets its 200; Asterisk would then answer the agent leg.
    await agent.keyboard.press('Alt+A');
    expect((await farUntil(asterisk, (o) => o.inviteStatus !== undefined)).inviteStatus).toBe(200);
    await hotline.simulator!.control.answer(`${agentLegPrefix(callId)}1`);
    await waitText(agent, 'call-phase', '通话中');
    await waitText(agent, 'agent-state', '通话中');

    await agent.keyboard.press('Alt+H');
    await waitText(agent, 'call-phase', '保持中');
    await agent.keyboard.press('Alt+H');
    await waitText(agent, 'call-phase', '通话中');

    // A reload mid-call: the session, the call and its screen pop come back; the phone's audio
    // ended with the page, which the desktop says.
    await agent.reload();
    await waitText(agent, 'cti-status', 'CTI 已连接');
    await waitText(agent, 'sip-status', '话机已注册');
    await waitText(agent, 'call-phase', '通话中');
    await waitText(agent, 'pop-caller', '13800138000');
    await waitText(agent, 'agent-state', '通话中');
    await agent.getByTestId('phone-lost').waitFor();
    await shot(agent, '13-agent-sip-after-reload');
    await agent.keyboard.press('Alt+E');
    await waitText(agent, 'call-phase', '已结束');
    await waitText(agent, 'agent-state', '话后整理');

    // The server is away: Asterisk's fallback queue rings the seat with no header and no offer.
    // (Its INVITE's From is the caller, as the queue's agent leg presents it.)
    await far(asterisk, 'startFar', { endpoint: '13900139000', domain, wsUrl: kamailio.wsUrl });
    await far(asterisk, 'farCall', `sip:1001@${domain}`, {});
    await waitText(agent, 'no-context', '无工单上下文（服务器不可用）');
    await waitText(agent, 'call-phase', '来电振铃');
    await waitText(agent, 'pop-caller', '13900139000');
    expect(await agent.getByTestId('ticket-create').count()).toBe(0);
    await shot(agent, '14-agent-fallback-call');
    await agent.getByTestId('answer').click();
    expect((await farUntil(asterisk, (o) => o.inviteStatus !== undefined)).inviteStatus).toBe(200);
    await waitText(agent, 'call-phase', '通话中');
    await far(asterisk, 'farHangup');
    await waitText(agent, 'call-phase', /已结束 · 对方挂机/);

    // Kamailio restarts: the status line says reconnecting and why, then registered again.
    await kamailio.stop();
    await waitText(agent, 'sip-status', /话机重新连接中…：.+ · 第 \d+ 次重试/);
    await shot(agent, '15-agent-sip-reconnecting');
    await kamailio.start();
    await waitText(agent, 'sip-status', '话机已注册', 45_000);

    // The English switch.
    await agent.getByRole('button', { name: 'English' }).click();
    await waitText(agent, 'sip-status', 'Phone registered');
    await waitText(agent, 'agent-state', 'Wrap-up');
    await waitText(agent, 'call-phase', 'Ended');
    expect(await agent.getByTestId('no-context').innerText()).toMatch(/No ticket context \(server unavailable\)/);
    await shot(agent, '16-agent-sip-english');
    await agent.getByRole('button', { name: '中文' }).waitFor();
    await Promise.all([agent, asterisk].map((page) => page.context().close()));
  }, 120_000);

  it('says why the phone failed when the registrar refuses the seat', async () => {
    // The test registrar knows only seat 1001's password; seat 1002's derived one is refused.
    const other = await openPage(browser, hotline.url);
    await login(other, 'agent1002');
    await waitText(other, 'sip-status', /^话机注册失败：401/);
    expect(await other.getByTestId('sip-status').getAttribute('class')).toMatch(/\bbad\b/);
    await other.context().close();
  });
});

