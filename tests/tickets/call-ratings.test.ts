import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCallRatings, type CallRatings } from '../../src/tickets/call-ratings.ts';
import { backends, type Backend } from './support.ts';

describe.each(backends('tickets-rating'))('per-call ratings on the %s store', (_name, makeBackend) => {
  let backend: Backend;
  let ratings: CallRatings;

  beforeEach(() => {
    backend = makeBackend();
    ratings = createCallRatings({ store: backend.open(), clock: backend.clock });
  });
  afterEach(() => backend.dispose());

  describe('when the survey records a rating', () => {
    it('stores it with the call and the agent, newest first', async () => {
      await ratings.rate({ callId: 'call-1', agent: '1001', digit: 1, phone: '13800138000' });
      await backend.clock.advance(1000);
      await ratings.rate({ callId: 'call-2', agent: '1001', digit: 3 });
      expect(await ratings.get('call-1')).toMatchObject({ agent: '1001', rating: 'satisfied', phone: '13800138000' });
      expect((await ratings.byAgent('1001')).map((r) => [r.callId, r.rating])).toEqual([['call-2', 'dissatisfied'], ['call-1', 'satisfied']]);
      expect((await ratings.byPhone('13800138000')).map((r) => r.callId)).toEqual(['call-1']);
    });
  });

  describe('when the same call is rated twice (一次一评)', () => {
    it('keeps the first rating and refuses the second', async () => {
      await ratings.rate({ callId: 'call-1', agent: '1001', digit: 2 });
      const again = createCallRatings({ store: backend.open(), clock: backend.clock });
      await expect(again.rate({ callId: 'call-1', agent: '1001', digit: 3 })).rejects.toMatchObject({ code: 'RATING_EXISTS' });
      expect((await ratings.get('call-1'))!.rating).toBe('basically_satisfied');
    });
  });

  describe('when the input is bad', () => {
    it('refuses other digits and malformed ids', async () => {
      await expect(ratings.rate({ callId: 'call-1', agent: '1001', digit: 4 as 1 })).rejects.toMatchObject({ code: 'TICKET_INVALID' });
      await expect(ratings.rate({ callId: 'a b', agent: '1001', digit: 1 })).rejects.toMatchObject({ code: 'TICKET_INVALID' });
      expect(await ratings.byAgent('1001')).toEqual([]);
    });
  });
});
