import { describe, expect, it } from 'vitest';
import { defaultFlowDir, readJsonFiles } from '../../src/ivr/flow-files.ts';
import type { Flow } from '../../src/ivr/flow-schema.ts';
import { createInterpreter } from '../../src/ivr/interpreter.ts';
import { listPrompts } from '../../src/ivr/prompt-list.ts';
import { renderTemplate, templateRefs } from '../../src/ivr/prompt-template.ts';
import { env, flowOf, say } from './support.ts';

describe('listPrompts', () => {
  describe('when given the shipped flows', () => {
    const flows = readJsonFiles(defaultFlowDir).map((f) => JSON.parse(f.text) as Flow);
    const prompts = listPrompts(flows);

    it('lists every prompt in both languages, once per sound file', () => {
      const names = prompts.map((p) => p.soundName);
      expect(new Set(names).size).toBe(names.length);
      expect(prompts.filter((p) => p.lang === 'zh-CN').length).toBe(prompts.filter((p) => p.lang === 'en').length);
      expect(names).toContain('hotline/zh/greeting-12345');
    });

    it('marks the prompts with variables as synthesised during the call', () => {
      expect(prompts.filter((p) => p.dynamic).map((p) => p.path)).toEqual([
        '/nodes/parcel_result/prompt/zh-CN', '/nodes/parcel_result/prompt/en',
      ]);
    });
  });

  describe('when a prompt has only text', () => {
    it('names the same file the interpreter plays', () => {
      const flow = flowOf({ hello: { type: 'play', prompt: say('您好'), next: 'bye' }, bye: { type: 'hangup' } });
      const [entry] = listPrompts([flow.flow]);
      const { commands } = createInterpreter(flow, env).start({ type: 'started', callId: 'c', at: 0 });
      expect(commands[0]).toMatchObject({ type: 'play', media: [`sound:${entry!.soundName}`], dynamic: false });
    });
  });
});

describe('renderTemplate', () => {
  describe('when variables are set, unset or defaulted', () => {
    it('fills values, defaults and blanks, and encodes only the values', () => {
      expect(renderTemplate('a {{x}} b {{y|默认}} c {{z}}', { x: '1/2' }, encodeURIComponent)).toBe('a 1%2F2 b %E9%BB%98%E8%AE%A4 c ');
      expect(templateRefs('{{x}} {{ y | d }}')).toEqual([{ name: 'x', defaulted: false }, { name: 'y', defaulted: true }]);
    });
  });
});
