/** The Range header of recording playback (RFC 9110 byte ranges, one range at a time). */
import { describe, expect, it } from 'vitest';
import { byteRange } from '../../src/http/routes/recordings.ts';

describe('byteRange', () => {
  describe('when the header asks for part of a 1,000-byte file', () => {
    it('answers first-last, first-, and suffix ranges, cutting the end at the file', () => {
      expect(byteRange('bytes=0-99', 1000)).toEqual({ start: 0, end: 99 });
      expect(byteRange('bytes=900-', 1000)).toEqual({ start: 900, end: 999 });
      expect(byteRange('bytes=-10', 1000)).toEqual({ start: 990, end: 999 });
      expect(byteRange('bytes=-5000', 1000)).toEqual({ start: 0, end: 999 });
      expect(byteRange('bytes=990-5000', 1000)).toEqual({ start: 990, end: 999 });
    });
  });

  describe('when the range lies outside the file or is malformed', () => {
    it('is unsatisfiable (416)', () => {
      for (const header of ['bytes=1000-', 'bytes=1000-1001', 'bytes=5-2', 'bytes=-0', 'bytes=-', 'bytes=a-b']) {
        expect(byteRange(header, 1000), header).toBe('unsatisfiable');
      }
      expect(byteRange('bytes=0-', 0)).toBe('unsatisfiable');
    });
  });

  describe('when there is no byte range to honour', () => {
    it('serves the whole file (no header, another unit, several ranges)', () => {
      expect(byteRange(undefined, 1000)).toBeNull();
      expect(byteRange('items=0-1', 1000)).toBeNull();
      expect(byteRange('bytes=0-1,5-6', 1000)).toBeNull();
    });
  });
});
