import { describe, expect, it } from 'vitest';
import { compileFlow } from '../../src/ivr/compile.ts';
import { simulateFlow } from '../../src/ivr/flow-simulator.ts';
import { flowVersionHash } from '../../src/ivr/compile.ts';
import type { Flow } from '../../src/ivr/flow-schema.ts';
import { lintFlow } from '../../src/ivr/lint.ts';
import { feedbackChild, library } from './subflow-library.ts';
import { baseFlow, env, lintOptions, say } from './support.ts';

/** The base flow with key 2 leading to the feedback child, then a goodbye prompt. */
function parentFlow(): ReturnType<typeof baseFlow> {
  const f = baseFlow();
  (f.nodes.main_menu!.options as Record<string, unknown>)[2] = { next: 'fb' };
  f.nodes.fb = { type: 'subflow', flow: 'feedback', next: 'after' };
  f.nodes.after = { type: 'play', prompt: say('感谢您的建议，再见'), next: 'bye' };
  return f;
}

const options = { ...lintOptions, flows: library() };

describe('subflow nodes', () => {
  describe('when a caller chooses the option that calls the feedback child', () => {
    it('hears the child, leaves a message that is filed as a ticket, and comes back to the parent', async () => {
      const flow = compileFlow(parentFlow(), options);
      const t = await simulateFlow(flow, { events: [{ at: 6500, dtmf: '2' }] }, env);
      expect(t.heard.map((h) => h.text)).toEqual(['欢迎', '查询请按1，人工请按9', '请在提示音后留言', '已受理，谢谢', '感谢您的建议，再见']);
      expect(t.commands.find((c) => c.command.type === 'fileTicket')?.command).toMatchObject({ category: 'suggestion', content: '热线留言' });
      expect(t.nodes).toEqual(expect.arrayContaining(['fb', 'fb__intro', 'fb__rec', 'fb__file', 'fb__back', 'after']));
      expect(t.exit).toMatchObject({ reason: 'hangup', node: 'bye' });
    });

    it('pins the child it inlined: the compiled version names the child version and changes with it', () => {
      const first = compileFlow(parentFlow(), options);
      expect(first.subflows).toEqual([{ node: 'fb', flowId: 'feedback', version: flowVersionHash(library().feedback!) }]);
      expect(Object.values(first.flow.nodes).some((n) => n.type === 'subflow' || n.type === 'return')).toBe(false);
      const changed = compileFlow(parentFlow(), { ...options, flows: { ...library(), feedback: feedbackChild('感谢留言') as unknown as Flow } });
      expect(changed.version).not.toBe(first.version);
    });
  });

  describe('when a flow with a return node runs on its own', () => {
    it('ends the call at the return like a hangup', async () => {
      const t = await simulateFlow(compileFlow(feedbackChild(), lintOptions), {}, env);
      expect(t.exit).toMatchObject({ reason: 'hangup', node: 'back' });
      expect(t.commands.some((c) => c.command.type === 'hangup')).toBe(true);
    });
  });

  describe('when the parent is linted without the child known', () => {
    it('refuses the subflow node by its JSON path', () => {
      const result = lintFlow(parentFlow(), lintOptions);
      expect(result.errors).toEqual([expect.objectContaining({ rule: 'unknown-subflow', path: '/nodes/fb/flow' })]);
    });
  });
});
