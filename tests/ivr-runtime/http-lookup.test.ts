import { describe, expect, it } from 'vitest';
import { defaultCatalogue } from '../../src/ivr/catalogue.ts';
import { createHttpLookup, lookupUrl } from '../../src/ivr/runtime/http-lookup.ts';
import { isHotlineError } from '../../src/errors.ts';

function refusal(fn: () => unknown): string {
  try {
    fn();
    return 'allowed';
  } catch (error) {
    return isHotlineError(error) ? error.code : String(error);
  }
}

describe('IVR HTTP lookups', () => {
  describe('when a flow names a catalogue service', () => {
    it('builds the URL under the service base', () => {
      expect(lookupUrl(defaultCatalogue, 'customs-parcel', 'GET', '/parcels/123%2F..?lang=zh-CN').href)
        .toBe('http://127.0.0.1:8090/customs-parcel/parcels/123%2F..?lang=zh-CN');
    });
  });

  describe('when a lookup would leave the catalogue', () => {
    it('refuses unknown services, other methods and paths that climb out of the base', () => {
      expect([
        refusal(() => lookupUrl(defaultCatalogue, 'nope', 'GET', '/x')),
        refusal(() => lookupUrl(defaultCatalogue, '__proto__', 'GET', '/x')),
        refusal(() => lookupUrl(defaultCatalogue, 'customs-parcel', 'POST', '/x')),
        refusal(() => lookupUrl(defaultCatalogue, 'customs-parcel', 'GET', '/../admin')),
        refusal(() => lookupUrl(defaultCatalogue, 'customs-parcel', 'GET', '@evil.example/x')),
      ]).toEqual(Array(5).fill('IVR_SERVICE_NOT_ALLOWED'));
    });
  });

  describe('when the service answers badly', () => {
    it('maps non-2xx, non-JSON and oversized answers to error', async () => {
      const answers = [new Response('{}', { status: 503 }), new Response('<html>'), new Response('x'.repeat(100_000))];
      const lookup = createHttpLookup(defaultCatalogue, async () => answers.shift()!);
      const ask = () => lookup({ service: 'customs-parcel', method: 'GET', path: '/parcels/1', body: undefined, timeoutMs: 1000, signal: new AbortController().signal });
      expect([(await ask()).outcome, (await ask()).outcome, (await ask()).outcome]).toEqual(['error', 'error', 'error']);
    });
  });
});
