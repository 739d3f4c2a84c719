/**
 * Child flows for the subflow tests: a shared "feedback" child (beep, record, ticket, return) and
 * children that are broken in one way each.
 */
import type { Flow } from '../../src/ivr/flow-schema.ts';
import { say } from './support.ts';

type Json = Record<string, unknown>;

/** The shared feedback child: a prompt, a recording, a ticket, then back to the caller. */
export function feedbackChild(thanks = '已受理，谢谢'): Json & { nodes: Record<string, Json> } {
  return {
    id: 'feedback', title: 'Leave a message', languages: ['zh-CN', 'en'], entry: 'intro',
    nodes: {
      intro: { type: 'play', prompt: say('请在提示音后留言'), next: 'rec' },
      rec: { type: 'record', beep: true, maxSeconds: 5, into: 'message', next: 'file' },
      file: { type: 'ticket', category: 'suggestion', content: '热线留言', recording: 'message', next: { ok: 'thanks', error: 'back' } },
      thanks: { type: 'play', prompt: say(thanks), next: 'back' },
      back: { type: 'return' },
    },
  };
}

const asFlow = (doc: Json): Flow => doc as unknown as Flow;

/** Known flows by id: the feedback child and broken children. */
export function library(): Record<string, Flow> {
  return {
    feedback: asFlow(feedbackChild()),
    'no-return': asFlow({
      id: 'no-return', title: 'Ends the call', languages: ['zh-CN', 'en'], entry: 'bye_now',
      nodes: { bye_now: { type: 'hangup' } },
    }),
    'loop-a': asFlow({
      id: 'loop-a', title: 'Calls the test flow back', languages: ['zh-CN', 'en'], entry: 'again',
      nodes: { again: { type: 'subflow', flow: 'test', next: 'back' }, back: { type: 'return' } },
    }),
    'zh-only': asFlow({
      id: 'zh-only', title: 'Chinese only', languages: ['zh-CN'], entry: 'hello',
      nodes: { hello: { type: 'play', prompt: { 'zh-CN': { text: '您好' } }, next: 'back' }, back: { type: 'return' } },
    }),
  };
}
