/**
 * Small flows that pass the linter, for version, API and runtime tests: a greeting menu with the
 * feedback key 9 (record → suggestion ticket) and everything else to the general queue.
 */
import type { Flow } from '../../src/ivr/flow-schema.ts';

/** The test flow; `greeting` changes the greeting's sound, so two versions differ in one path. */
export function testFlow(id = 'test-flow', greeting = 'sound:hotline/greeting-12345'): Flow {
  return {
    id, title: 'Test flow', languages: ['zh-CN'], entry: 'greeting',
    nodes: {
      greeting: {
        type: 'menu', prompt: { 'zh-CN': { sound: greeting } }, options: { 9: { next: 'feedback' } },
        next: { noInput: 'to_queue', noMatch: 'to_queue' },
      },
      feedback: {
        type: 'record', prompt: { 'zh-CN': { sound: 'sound:hotline/feedback-intro' } }, beep: true, maxSeconds: 120,
        terminateKey: '#', into: 'message', next: 'file_ticket', onHangup: 'file_ticket',
      },
      file_ticket: { type: 'ticket', category: 'suggestion', content: 'IVR feedback', recording: 'message', next: { ok: 'thanks', error: 'thanks' } },
      thanks: { type: 'play', prompt: { 'zh-CN': { sound: 'sound:hotline/thanks' } }, next: 'bye' },
      bye: { type: 'hangup' },
      to_queue: { type: 'queue', queue: 'general', next: { timeout: 'bye', full: 'bye', noAgents: 'bye' } },
    },
  };
}

/** A flow with an unreachable node: a warning, which blocks publishing. */
export function flowWithWarning(id = 'test-flow'): Flow {
  const flow = testFlow(id);
  return { ...flow, nodes: { ...flow.nodes, orphan: { type: 'hangup' } } };
}
