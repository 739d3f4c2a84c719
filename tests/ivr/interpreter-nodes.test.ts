import { describe, expect, it } from 'vitest';
import { simulateFlow } from '../../src/ivr/flow-simulator.ts';
import { env, flowOf, say } from './support.ts';

const router = (when: Record<string, unknown>) => flowOf({
  start: { type: 'set', vars: { n: '{{caller_number|}}' }, next: 'jump' },
  jump: { type: 'goto', next: 'route' },
  route: { type: 'condition', cases: [{ when, next: 'yes' }], default: 'no' },
  yes: { type: 'play', prompt: say('是'), next: 'bye' },
  no: { type: 'play', prompt: say('否'), next: 'bye' },
  bye: { type: 'hangup' },
});

const answer = async (when: Record<string, unknown>, caller?: string): Promise<string> => {
  const t = await simulateFlow(router(when), caller === undefined ? {} : { vars: { caller_number: caller } }, env);
  return t.heard.map((h) => h.text).join();
};

describe('the interpreter on condition, set and goto nodes', () => {
  describe('when a case compares a variable', () => {
    it('applies eq, ne, in, matches, lt, gt, set and unset as documented', async () => {
      expect(await answer({ var: 'n', op: 'eq', value: '110' }, '110')).toBe('是');
      expect(await answer({ var: 'n', op: 'ne', value: '110' }, '110')).toBe('否');
      expect(await answer({ var: 'n', op: 'in', value: ['120', '119'] }, '119')).toBe('是');
      expect(await answer({ var: 'n', op: 'matches', value: '^1[3-9][0-9]{9}$' }, '13800138000')).toBe('是');
      expect(await answer({ var: 'n', op: 'matches', value: '^1[3-9][0-9]{9}$' }, '010-12345')).toBe('否');
      expect(await answer({ var: 'n', op: 'lt', value: '100' }, '99')).toBe('是');
      expect(await answer({ var: 'n', op: 'gt', value: '100' }, 'abc')).toBe('否');
      expect(await answer({ var: 'n', op: 'set' }, '1')).toBe('是');
      expect(await answer({ var: 'n', op: 'unset' })).toBe('是');
    });
  });
});

describe('the interpreter on a transfer node', () => {
  const flow = flowOf({
    out: { type: 'transfer', destination: '120', next: { failed: 'agent' } },
    agent: { type: 'queue', queue: 'general', next: { timeout: 'bye', full: 'bye', noAgents: 'bye' } },
    bye: { type: 'hangup' },
  });

  describe('when the destination answers', () => {
    it('asks the shell to transfer to the allow-listed id and leaves the flow', async () => {
      const t = await simulateFlow(flow, {}, env);
      expect(t.commands[0]?.command).toMatchObject({ type: 'transfer', destination: '120' });
      expect(t.exit).toMatchObject({ reason: 'transferred', node: 'out' });
    });
  });

  describe('when the transfer fails', () => {
    it('takes the failed exit', async () => {
      const t = await simulateFlow(flow, { transferOk: false }, env);
      expect(t.nodes).toEqual(['out', 'agent']);
      expect(t.exit?.reason).toBe('agent');
    });
  });
});
