/**
 * Helpers for the IVR tests: a small valid flow to mutate, prompt builders, and compiling.
 */
import { defaultCatalogue } from '../../src/ivr/catalogue.ts';
import { compileFlow } from '../../src/ivr/compile.ts';
import type { CompiledFlow, InterpreterEnv } from '../../src/ivr/interpreter-types.ts';

export const lintOptions = { catalogue: defaultCatalogue };
export const env: InterpreterEnv = { catalogue: defaultCatalogue };

/** A prompt in Chinese and English (TTS text). */
export function say(zh: string, en = `(en) ${zh}`): Record<string, { text: string }> {
  return { 'zh-CN': { text: zh }, en: { text: en } };
}

type Json = Record<string, unknown>;

/** A valid flow: welcome → menu (1 collect a code, 9 agent) → condition → queue / hangup. */
export function baseFlow(): Json & { nodes: Record<string, Json> } {
  return {
    id: 'test', title: 'Test flow', languages: ['zh-CN', 'en'], entry: 'welcome',
    nodes: {
      welcome: { type: 'play', prompt: say('欢迎'), next: 'main_menu' },
      main_menu: {
        type: 'menu', prompt: say('查询请按1，人工请按9'), options: { 1: { next: 'ask' }, 9: { next: 'agent' } },
        next: { noInput: 'agent', noMatch: 'agent' },
      },
      ask: {
        type: 'collect', prompt: say('请输入编号'), minDigits: 4, maxDigits: 8, terminator: '#', into: 'code',
        next: { ok: 'check', noInput: 'agent', noMatch: 'agent' },
      },
      check: { type: 'condition', cases: [{ when: { var: 'code', op: 'eq', value: '1234' }, next: 'bye' }], default: 'agent' },
      agent: { type: 'queue', queue: 'general', next: { timeout: 'bye', full: 'bye', noAgents: 'bye' } },
      bye: { type: 'hangup' },
    },
  };
}

/** Compiles a flow document (throws FLOW_INVALID if it does not lint). */
export function compile(doc: unknown): CompiledFlow {
  return compileFlow(doc, lintOptions);
}

/** A flow with the given nodes (entry = the first), in Chinese only. */
export function flowOf(nodes: Record<string, Json>, extra: Json = {}): CompiledFlow {
  const zhOnly = JSON.parse(JSON.stringify(nodes, (key, value: unknown) => (key === 'en' ? undefined : value))) as Record<string, Json>;
  return compile({ id: 'unit', title: 'unit', languages: ['zh-CN'], entry: Object.keys(nodes)[0], nodes: zhOnly, ...extra });
}
