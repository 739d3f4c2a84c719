import { describe, expect, it } from 'vitest';
import { isHotlineError } from '../../src/errors.ts';
import { MAX_KEY_LENGTH, createKeySpace } from '../../src/store/keys.ts';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return isHotlineError(error) ? error.code : 'other error';
  }
  return 'no error';
}

describe('createKeySpace', () => {
  describe('when building physical keys', () => {
    it('wraps the prefix in a hash tag for keys, leases and channels', () => {
      const keys = createKeySpace();
      expect(keys.key('ticket:20261123-000001')).toBe('{hotline}:ticket:20261123-000001');
      expect(keys.lease('scheduler')).toBe('{hotline}:_lease:scheduler');
      expect(keys.channel('agents')).toBe('{hotline}:agents');
      expect(createKeySpace('12345-bj').pattern).toBe('{12345-bj}:*');
    });

    it('accepts Chinese and punctuation in logical keys', () => {
      expect(createKeySpace('h').key('kb:社保:养老金')).toBe('{h}:kb:社保:养老金');
    });
  });

  describe('when a key or prefix is malformed', () => {
    it('throws STORE_BAD_KEY', () => {
      const keys = createKeySpace();
      for (const bad of ['', ' lead', 'tab\there', 'nul\u0000', 'zero\u200bwidth', 'x'.repeat(MAX_KEY_LENGTH + 1), '_reserved']) {
        expect(codeOf(() => keys.key(bad)), JSON.stringify(bad)).toBe('STORE_BAD_KEY');
      }
      expect(codeOf(() => keys.key('x'.repeat(MAX_KEY_LENGTH)))).toBe('no error');
      expect(codeOf(() => keys.channel('two words'))).toBe('STORE_BAD_KEY');
      expect(codeOf(() => createKeySpace('{tag}'))).toBe('STORE_BAD_KEY');
    });
  });
});
