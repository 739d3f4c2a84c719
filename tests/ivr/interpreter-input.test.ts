import { describe, expect, it } from 'vitest';
import { simulateFlow, type Transcript } from '../../src/ivr/flow-simulator.ts';
import type { Scenario } from '../../src/ivr/flow-scenario.ts';
import { env, flowOf, say } from './support.ts';

const menuFlow = (menu: Record<string, unknown> = {}, before?: Record<string, unknown>, more: Record<string, Record<string, unknown>> = {}) => flowOf({
  ...(before === undefined ? {} : { intro: { type: 'play', prompt: say('请注意'), next: 'menu', ...before } }),
  menu: {
    type: 'menu', prompt: say('主菜单'), shortPrompt: say('请再选'),
    noInputPrompts: [say('没有听到按键'), say('需要帮助请按9')], noMatchPrompts: [say('按键无效')],
    options: { 1: { next: 'one' }, 12: { next: 'twelve' }, 9: { next: 'agent' } },
    firstDigitTimeoutMs: 5000, interDigitTimeoutMs: 2000, maxNoInput: 3, maxNoMatch: 2,
    next: { noInput: 'agent', noMatch: 'bye' }, ...menu,
  },
  one: { type: 'play', prompt: say('选择了一'), next: 'bye' },
  twelve: { type: 'play', prompt: say('选择了十二'), next: 'bye' },
  agent: { type: 'queue', queue: 'general', next: { timeout: 'bye', full: 'bye', noAgents: 'bye' } },
  bye: { type: 'hangup' },
  ...more,
});

const run = (flow: ReturnType<typeof menuFlow>, scenario: Scenario): Promise<Transcript> =>
  simulateFlow(flow, { defaultPromptMs: 4000, ...scenario }, env);
const heard = (t: Transcript): Array<[number, string, boolean]> => t.heard.map((h) => [h.at, h.text, h.interrupted]);

describe('the interpreter on a menu', () => {
  describe('when the caller presses nothing', () => {
    it('starts the first-digit timeout when the prompt ends, not when it starts', async () => {
      const t = await run(menuFlow(), {});
      // prompt 0–4000 ms, then 5000 ms of silence → the first no-input retry at 9000 ms
      expect(heard(t)[1]).toEqual([9000, '没有听到按键 请再选', false]);
    });

    it('escalates the no-input prompt per attempt, then takes the no-input exit', async () => {
      const t = await run(menuFlow(), {});
      expect(heard(t).map(([at, text]) => [at, text])).toEqual([
        [0, '主菜单'], [9000, '没有听到按键 请再选'], [18000, '需要帮助请按9 请再选'],
      ]);
      expect(t.exit?.reason).toBe('agent');
      expect(t.nodes).toEqual(['menu', 'agent']);
    });

    it('waits longer when the prompt is longer', async () => {
      const t = await run(menuFlow(), { promptMs: { menu: 10000 } });
      expect(heard(t)[1]![0]).toBe(15000);
    });
  });

  describe('when the caller presses a wrong key', () => {
    it('counts no-match apart from no-input', async () => {
      const t = await run(menuFlow(), { events: [{ at: 5000, dtmf: '5' }] });
      // one no-match, then three no-inputs: the no-match count does not shorten the no-input attempts
      expect(t.heard.map((h) => h.text)).toEqual(['主菜单', '按键无效 请再选', '没有听到按键 请再选', '需要帮助请按9 请再选']);
      expect(t.exit?.reason).toBe('agent');
    });

    it('takes the no-match exit after the allowed wrong keys', async () => {
      const t = await run(menuFlow(), { events: [{ at: 5000, dtmf: '5' }, { at: 10000, dtmf: '7' }] });
      expect(t.exit).toMatchObject({ reason: 'hangup', node: 'bye' });
      expect(t.nodes).toEqual(['menu', 'bye']);
    });

    it('resets the counters when the menu is entered again from elsewhere', async () => {
      const again = menuFlow({ next: { noInput: 'agent', noMatch: 'sorry' } }, undefined, {
        sorry: { type: 'play', prompt: say('请重新选择'), next: 'menu' },
      });
      const t = await run(again, { events: [{ at: 5000, dtmf: '5' }, { at: 10000, dtmf: '7' }, { at: 19000, dtmf: '5' }] });
      // after "sorry" the menu starts over with its long prompt and a fresh no-match count
      expect(t.heard.map((h) => h.text)).toEqual(['主菜单', '按键无效 请再选', '请重新选择', '主菜单', '按键无效 请再选', '没有听到按键 请再选', '需要帮助请按9 请再选']);
    });
  });

  describe('when options share a prefix', () => {
    it('waits the inter-digit timeout before taking the shorter option', async () => {
      const t = await run(menuFlow(), { events: [{ at: 5000, dtmf: '1' }] });
      expect(heard(t)[1]).toEqual([7000, '选择了一', false]);
    });

    it('takes the longer option at once when its last key comes in time', async () => {
      const t = await run(menuFlow(), { events: [{ at: 5000, dtmf: '12', gapMs: 1500 }] });
      expect(heard(t)[1]).toEqual([6500, '选择了十二', false]);
    });

    it('forgets the first key when the second comes after the inter-digit timeout', async () => {
      const t = await run(menuFlow(), { events: [{ at: 5000, dtmf: '12', gapMs: 2500 }] });
      expect(t.heard[1]?.text).toBe('选择了一');
      expect(t.nodes).not.toContain('twelve');
    });
  });

  describe('with barge-in', () => {
    it('stops the prompt at the first key and acts on it', async () => {
      const t = await run(menuFlow(), { events: [{ at: 1000, dtmf: '9' }] });
      expect(heard(t)[0]).toEqual([0, '主菜单', true]);
      expect(t.commands.find((c) => c.command.type === 'stopPrompt')?.at).toBe(1000);
      expect(t.commands.find((c) => c.command.type === 'enqueue')?.at).toBe(1000);
    });
  });

  describe('without barge-in', () => {
    it('lets the prompt finish and acts on the key typed during it', async () => {
      const t = await run(menuFlow({ bargeIn: false }), { events: [{ at: 1000, dtmf: '9' }] });
      expect(heard(t)[0]).toEqual([0, '主菜单', false]);
      expect(t.commands.find((c) => c.command.type === 'enqueue')?.at).toBe(4000);
    });
  });

  describe('with type-ahead', () => {
    it('uses keys pressed during an earlier prompt and skips the menu prompt', async () => {
      const t = await run(menuFlow({}, { bargeIn: false }), { events: [{ at: 1000, dtmf: '9' }] });
      expect(t.heard.map((h) => h.text)).toEqual(['请注意']);
      expect(t.commands.find((c) => c.command.type === 'enqueue')?.at).toBe(4000);
    });

    it('discards them when the menu sets flushTypeAhead', async () => {
      const t = await run(menuFlow({ flushTypeAhead: true }, { bargeIn: false }), { events: [{ at: 1000, dtmf: '9' }] });
      expect(t.heard.map((h) => h.text).slice(0, 2)).toEqual(['请注意', '主菜单']);
    });

    it('moves on at the first key of a barge-in prompt and keeps the key for the menu', async () => {
      const t = await run(menuFlow({}, { bargeIn: true }), { events: [{ at: 1000, dtmf: '1' }, { at: 1500, dtmf: '2' }] });
      expect(heard(t)).toEqual([[0, '请注意', true], [1500, '选择了十二', false]]);
    });

    it('does not carry keys through a queue: the menu after an overflow plays its prompt', async () => {
      const flow = flowOf({
        hold: { type: 'play', prompt: say('请稍候'), bargeIn: false, next: 'wait' },
        wait: { type: 'queue', queue: 'general', next: { timeout: 'menu', full: 'bye', noAgents: 'bye' } },
        menu: { type: 'menu', prompt: say('主菜单'), options: { 1: { next: 'one' } }, next: { noInput: 'bye', noMatch: 'bye' } },
        one: { type: 'play', prompt: say('选择了一'), next: 'bye' },
        bye: { type: 'hangup' },
      });
      // a key during the notice before the queue, and one while waiting in it
      const t = await run(flow, { queue: [{ outcome: 'timeout', afterMs: 60_000 }], events: [{ at: 1000, dtmf: '1' }, { at: 30_000, dtmf: '1' }] });
      expect(heard(t).slice(0, 2)).toEqual([[0, '请稍候', false], [64_000, '主菜单', false]]);
      expect(t.nodes.slice(0, 3)).toEqual(['hold', 'wait', 'menu']);
    });

    it('does not carry keys through a transfer: the menu after a failed transfer plays its prompt', async () => {
      const flow = flowOf({
        hold: { type: 'play', prompt: say('请稍候'), bargeIn: false, next: 'out' },
        out: { type: 'transfer', destination: '120', next: { failed: 'menu' } },
        menu: { type: 'menu', prompt: say('主菜单'), options: { 1: { next: 'one' } }, next: { noInput: 'bye', noMatch: 'bye' } },
        one: { type: 'play', prompt: say('选择了一'), next: 'bye' },
        bye: { type: 'hangup' },
      });
      // a key during the notice before the transfer, and one while the destination rings (4000–5000 ms)
      const t = await run(flow, { transferOk: false, events: [{ at: 1000, dtmf: '1' }, { at: 4500, dtmf: '1' }] });
      expect(heard(t).slice(0, 2)).toEqual([[0, '请稍候', false], [5000, '主菜单', false]]);
      expect(t.nodes.slice(0, 3)).toEqual(['hold', 'out', 'menu']);
    });

    it('carries keys pressed while a ticket is filed to the next menu', async () => {
      const flow = flowOf({
        file: { type: 'ticket', category: 'consultation', content: '来电', next: { ok: 'menu', error: 'menu' } },
        menu: { type: 'menu', prompt: say('主菜单'), options: { 1: { next: 'one' } }, next: { noInput: 'bye', noMatch: 'bye' } },
        one: { type: 'play', prompt: say('选择了一'), next: 'bye' },
        bye: { type: 'hangup' },
      });
      // filing takes 100 ms: a key pressed meanwhile is typed ahead, the menu skips its prompt
      const t = await run(flow, { events: [{ at: 50, dtmf: '1' }] });
      expect(heard(t)).toEqual([[100, '选择了一', false]]);
    });

    it('keeps at most 30 keys and logs the overflow', async () => {
      const flow = flowOf({
        intro: { type: 'play', prompt: say('请注意'), bargeIn: false, next: 'code' },
        code: { type: 'collect', prompt: say('请输入'), minDigits: 1, maxDigits: 32, into: 'code', next: { ok: 'bye', noInput: 'bye', noMatch: 'bye' } },
        bye: { type: 'hangup' },
      });
      const t = await simulateFlow(flow, { defaultPromptMs: 20000, events: [{ at: 100, dtmf: '1234567890'.repeat(4), gapMs: 100 }] }, env);
      expect(t.vars.code).toBe('1234567890'.repeat(3));
      expect(t.commands.filter((c) => c.command.type === 'log' && c.command.event === 'type-ahead-full')).toHaveLength(10);
    });
  });
});

describe('the interpreter on a collect node', () => {
  const collectFlow = flowOf({
    code: {
      type: 'collect', prompt: say('请输入编号'), noMatchPrompts: [say('编号有误')], minDigits: 4, maxDigits: 6, terminator: '#',
      pattern: '[1-9][0-9]*', into: 'code', firstDigitTimeoutMs: 5000, interDigitTimeoutMs: 3000, maxNoMatch: 2,
      next: { ok: 'done', noInput: 'bye', noMatch: 'bye' },
    },
    done: { type: 'play', prompt: say('编号{{code}}'), next: 'bye' },
    bye: { type: 'hangup' },
  });

  describe('when the caller ends with the terminator', () => {
    it('stores the digits without the terminator', async () => {
      const t = await simulateFlow(collectFlow, { events: [{ at: 4000, dtmf: '1234#' }] }, env);
      expect(t.vars.code).toBe('1234');
      expect(t.heard.map((h) => h.text)).toContain('编号1234');
    });
  });

  describe('when the caller stops typing', () => {
    it('ends the input at the inter-digit timeout', async () => {
      const t = await simulateFlow(collectFlow, { events: [{ at: 4000, dtmf: '98765' }] }, env);
      expect(t.vars.code).toBe('98765');
      // last key at 4800 ms + 3000 ms inter-digit timeout
      expect(t.heard.find((h) => h.text === '编号98765')?.at).toBe(7800);
    });
  });

  describe('when the input breaks the rules', () => {
    it('rejects too few digits and a failed pattern as no-match with the hint', async () => {
      const t = await simulateFlow(collectFlow, { events: [{ at: 4000, dtmf: '12#' }, { at: 9000, dtmf: '0123#' }] }, env);
      expect(t.vars.code).toBeUndefined();
      expect(t.heard.map((h) => h.text)).toEqual(['请输入编号', '编号有误 请输入编号']);
      expect(t.exit?.node).toBe('bye');
    });

    it('stops at maxDigits without waiting', async () => {
      const t = await simulateFlow(collectFlow, { events: [{ at: 4000, dtmf: '123456', gapMs: 100 }] }, env);
      expect(t.heard.find((h) => h.text === '编号123456')?.at).toBe(4500);
    });
  });
});
