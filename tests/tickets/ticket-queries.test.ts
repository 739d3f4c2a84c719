import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTicketQueries, type TicketQueries } from '../../src/tickets/ticket-queries.ts';
import { createTicketService, type TicketService } from '../../src/tickets/ticket-service.ts';
import type { TicketActor } from '../../src/tickets/ticket-types.ts';
import { backends, silent, type Backend } from './support.ts';

const agent: TicketActor = { username: 'agent-1', roles: ['agent'] };

describe.each(backends('tickets-query'))('ticket queries on the %s store', (_name, makeBackend) => {
  let backend: Backend;
  let tickets: TicketService;
  let queries: TicketQueries;

  beforeEach(() => {
    backend = makeBackend();
    const store = backend.open();
    tickets = createTicketService({ store, clock: backend.clock, logger: silent });
    queries = createTicketQueries({ store, clock: backend.clock });
  });
  afterEach(() => backend.dispose());

  async function dispatched(unit: string): Promise<string> {
    const { id } = await tickets.create({ channel: 'sms', caller: { phone: '13800138000' }, content: '噪音扰民', category: 'complaint', urgency: 'general' }, agent);
    await tickets.act(id, 'queue_dispatch', {}, agent);
    await tickets.act(id, 'dispatch', { unit }, agent);
    return id;
  }

  describe('when a unit looks for its overdue work', () => {
    it('lists its red tickets newest first and not other units\'', async () => {
      const early = await dispatched('市公安局');
      await backend.clock.advance(3 * 86_400_000);
      const late = await dispatched('市公安局');
      await dispatched('市税务局');
      await backend.clock.advance(8 * 86_400_000); // Fri 4 Dec: both earlier deadlines (30 Nov, 3 Dec) have passed
      const fresh = await dispatched('市公安局');
      expect((await queries.list({ unit: '市公安局', light: 'red' })).map((t) => t.id)).toEqual([late, early]);
      expect((await queries.list({ unit: '市公安局', states: ['dispatched'] }, 2)).map((t) => t.id)).toEqual([fresh, late]);
    });
  });

  describe('when a supervisor samples', () => {
    it('returns at most the size asked, all matching', async () => {
      for (let i = 0; i < 6; i++) await dispatched(i % 2 ? '市公安局' : '市税务局');
      const sample = await queries.sample({ unit: '市税务局' }, 2);
      expect(sample).toHaveLength(2);
      expect(sample.every((t) => t.leadUnit === '市税务局')).toBe(true);
      expect(await queries.sample({ states: ['archived'] }, 5)).toEqual([]);
    });
  });
});
