/**
 * The whole path in a real browser (headless Chromium), on the composed server in embedded mode:
 * an agent logs in and goes ready, a citizen dials 12345 on the demo phone page, the offer pops
 * with its ticket context, the agent answers (Alt+A, through the CTI), registers and dispatches a
 * classified ticket, consults the customs expert and makes it three-way, hangs up; the citizen
 * hears the survey and rates; the agent wraps up. The supervisor follows each step on the
 * wallboard and monitors the call. The admin breaks a flow, sees the lint error, fixes it,
 * publishes. Every screen is saved to docs/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Hotline } from '../../src/server.ts';
import { ensureBuilt, launch, login, openPage, shot, startDemoServer, waitText } from './browser-helpers.ts';

describe('the browser app', () => {
  let hotline: Hotline;
  let browser: Browser;
  beforeAll(async () => {
    await ensureBuilt();
    hotline = await startDemoServer();
    browser = await launch();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await hotline?.close();
  });

  describe('when a citizen calls 12345 and an agent takes the call', () => {
    it('goes from greeting to agent to ticket to consult to survey, and the supervisor sees each step', async () => {
      const agent = await openPage(browser, hotline.url);
      await shot(agent, '01-login');
      await login(agent, 'agent1001');
      await waitText(agent, 'cti-status', 'CTI 已连接');
      await waitText(agent, 'sip-status', '演示模式：通过CTI接听');
      await agent.getByTestId('ready').click();
      await waitText(agent, 'agent-state', '空闲');

      const supervisor = await openPage(browser, hotline.url);
      await login(supervisor, 'supervisor');
      await waitText(supervisor, 'state-agent1001', '空闲');

      const expert = await openPage(browser, hotline.url);
      await login(expert, 'expert2001');
      await waitText(expert, 'cti-status', 'CTI 已连接');
      await expert.keyboard.press('Alt+R');
      await waitText(expert, 'agent-state', '空闲');

      const citizen = await openPage(browser, `${hotline.url}/#/phone`);
      await citizen.getByTestId('phone-dial').click();
      await waitText(citizen, 'phone-heard', '12345政务服务便民热线');

      // The offer pops with its context; the supervisor sees the agent reserved or on the call.
      await waitText(agent, 'call-phase', '来电振铃');
      await waitText(agent, 'pop-caller', '13800138000');
      expect(await agent.getByTestId('pop-ivr').innerText()).toMatch(/问候语/);
      expect(await agent.getByTestId('ticket-phone').inputValue()).toBe('13800138000');
      await shot(agent, '02-agent-offer');

      await agent.keyboard.press('Alt+A');
      await waitText(agent, 'call-phase', '通话中');
      await waitText(citizen, 'phone-status', '已接通人工坐席');
      await waitText(supervisor, 'state-agent1001', '通话中');

      // Ticket: registered as a classified complaint, then dispatched to the matter's lead unit.
      await agent.getByTestId('ticket-content').fill('小区门口路灯连续三晚不亮，市民希望尽快修复。');
      await agent.getByTestId('ticket-category').selectOption('complaint');
      await agent.getByTestId('ticket-matter').selectOption('水电气热');
      await agent.getByTestId('ticket-create').click();
      await waitText(agent, 'ticket-id', /工单号 \d{8}-\d{6}/);
      await agent.getByTestId('ticket-dispatch').click();
      await waitText(agent, 'ticket-state', '已派单');
      await shot(agent, '03-agent-in-call-ticket');

      // The supervisor monitors the call (the demo supervisor's seat answers at once).
      await supervisor.getByTestId('monitor-agent1001').click();
      await waitText(supervisor, 'supervising', '监听');
      await shot(supervisor, '04-supervisor-wallboard');
      await supervisor.getByRole('button', { name: '退出监控' }).click();
      await supervisor.getByTestId('supervising').waitFor({ state: 'detached' });

      // Consult the customs expert, then three-way.
      await agent.getByTestId('transfer-panel').locator('summary').click();
      await agent.getByTestId('consult-expert-customs').click();
      await waitText(expert, 'call-phase', '来电振铃');
      await shot(expert, '05-expert-consult-offer');
      await expert.keyboard.press('Alt+A');
      await waitText(agent, 'call-phase', '咨询中');
      await agent.getByTestId('conference').click();
      await waitText(agent, 'call-phase', '三方通话');
      await shot(agent, '06-agent-three-way');

      // The agent hangs up: the citizen hears the survey and rates; the agent wraps up.
      await agent.keyboard.press('Alt+E');
      await waitText(agent, 'call-phase', '已结束');
      await waitText(agent, 'agent-state', '话后整理');
      await waitText(supervisor, 'state-agent1001', '话后整理');
      await waitText(expert, 'call-phase', '通话中');
      await expert.keyboard.press('Alt+E');
      await waitText(expert, 'agent-state', '话后整理');
      await waitText(citizen, 'phone-heard', /满意/);
      await waitText(citizen, 'phone-status', '请按键评价');
      await citizen.getByTestId('key-1').click();
      await waitText(citizen, 'phone-heard', '感谢您的评价');
      await shot(citizen, '07-citizen-phone-survey');
      await agent.getByTestId('end-wrap-up').click();
      await waitText(agent, 'agent-state', '空闲');
      await agent.getByTestId('no-call').waitFor();
      await waitText(supervisor, 'wallboard', /今日接听/);
      await shot(supervisor, '08-supervisor-after-call');

      // Keyboard help overlay.
      await agent.keyboard.press('F1');
      await agent.getByTestId('help').waitFor();
      await shot(agent, '09-shortcuts-help');
      await agent.keyboard.press('Escape');
      await Promise.all([agent, supervisor, expert, citizen].map((p: Page) => p.context().close()));
    }, 150_000);
  });

  describe('when an admin edits a flow', () => {
    it('shows the lint error inline, and publishes once fixed', async () => {
      const admin = await openPage(browser, hotline.url);
      await login(admin, 'admin');
      await admin.getByRole('link', { name: '系统管理' }).click();
      await waitText(admin, 'lint-summary', '检查通过');
      const editor = admin.getByTestId('flow-text');
      const good = await editor.inputValue();
      await editor.fill(good.replace('"entry": "greeting"', '"entry": "nowhere"'));
      await waitText(admin, 'lint-summary', /\d+ 个错误/);
      expect(await admin.getByTestId('lint').innerText()).toMatch(/第 \d+/);
      await shot(admin, '10-admin-flow-lint-error');
      await editor.fill(good.replace('"title": "Greeting', '"title": "Greeting (edited)'));
      await waitText(admin, 'lint-summary', '检查通过');
      await admin.getByTestId('sim-digits').fill('9');
      await admin.getByTestId('simulate').click();
      await waitText(admin, 'sim-out', 'feedback');
      await admin.getByTestId('publish-message').fill('问候语标题注明已编辑');
      await admin.getByTestId('publish').click();
      await waitText(admin, 'flow-status', /已发布为 v\d+/);
      await shot(admin, '11-admin-flow-published');
      await admin.context().close();
    }, 60_000);
  });

  describe('when an admin edits a queue and a seat and blocks a number', () => {
    it('edits a queue\'s settings, saves the extension and skills, says to re-render Asterisk, edits the deadline rules and holidays, and adds then lifts a block', async () => {
      const admin = await openPage(browser, hotline.url);
      await login(admin, 'admin');
      await admin.getByRole('link', { name: '系统管理' }).click();
      await admin.getByRole('tab', { name: '队列与技能' }).click();
      await waitText(admin, 'admin-panel', /120 秒后: transport, general/);
      // a queue's settings, from the keyboard: a value out of range is named and not sent; a valid one is saved and listed
      await admin.getByTestId('edit-queue-general').click();
      await admin.getByTestId('qs-max').fill('10001');
      await admin.getByTestId('qs-max').press('Enter');
      await waitText(admin, 'queue-status', '最多排队人数须为 0–10000 的整数');
      await admin.getByTestId('qs-max').fill('500');
      await admin.getByTestId('qs-key').selectOption('2');
      await admin.getByTestId('qs-max').press('Enter');
      await waitText(admin, 'queue-saved', '已保存');
      await waitText(admin, 'queue-settings-general', '最多 500 人排队；按2预约回拨');
      await shot(admin, '19-admin-queues');
      await admin.getByRole('tab', { name: '坐席' }).click();
      await admin.getByTestId('edit-seat-agent1002').click();
      await admin.getByTestId('seat-extension').fill('1012');
      await admin.getByTestId('skill-customs').fill('6');
      await admin.getByTestId('seat-save').click();
      await waitText(admin, 'seat-saved', 'npm run asterisk:render -- --reload');
      await waitText(admin, 'admin-panel', /1012.*customs 6/s);
      await shot(admin, '17-admin-seats');

      // deadline rules and holidays: the ticket configuration, refused whole when malformed, saved when valid
      await admin.getByRole('tab', { name: '节假日与时限' }).click();
      const editor = admin.getByRole('textbox', { name: '节假日与时限' });
      const original = await editor.inputValue();
      await editor.fill('{"rules": "x"}');
      await admin.getByRole('button', { name: '保存' }).click();
      await waitText(admin, 'json-status', 'BAD_REQUEST');
      await editor.fill(original);
      await admin.getByRole('button', { name: '保存' }).click();
      await waitText(admin, 'json-status', '已保存');

      await admin.getByRole('tab', { name: '黑名单' }).click();
      await admin.getByTestId('bl-number').fill('13912345678');
      await admin.getByTestId('bl-reason').fill('多次辱骂坐席');
      await admin.getByTestId('bl-days').fill('7');
      await admin.getByTestId('bl-add').click();
      await admin.getByTestId('unblock-13912345678').waitFor();
      await admin.getByTestId('bl-number').fill('110');
      await admin.getByTestId('bl-reason').fill('测试');
      await admin.getByTestId('bl-add').click();
      await waitText(admin, 'blacklist-status', 'BLACKLIST_NOT_ALLOWED');
      await shot(admin, '18-admin-blacklist');
      await admin.getByTestId('unblock-13912345678').click();
      await admin.getByTestId('blacklist-empty').waitFor();
      await admin.context().close();
    }, 60_000);
  });
});
