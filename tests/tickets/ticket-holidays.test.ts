import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTicketService, type TicketService } from '../../src/tickets/ticket-service.ts';
import type { TicketActor } from '../../src/tickets/ticket-types.ts';
import { backends, silent, type Backend } from './support.ts';

const agent: TicketActor = { username: 'agent-1', roles: ['agent'] };
const dept: TicketActor = { username: 'unit-1', roles: ['department'] };
const local = (iso: string): number => Date.parse(`${iso}+08:00`);

/** Wednesday 30 Sep 2026, 16:00 Shanghai: the day before the National Day holiday. */
describe.each(backends('tickets-holiday', local('2026-09-30T16:00:00')))('deadlines over National Day on the %s store', (_name, makeBackend) => {
  let backend: Backend;
  let tickets: TicketService;

  beforeEach(() => {
    backend = makeBackend();
    tickets = createTicketService({ store: backend.open(), clock: backend.clock, logger: silent });
  });
  afterEach(() => backend.dispose());

  describe('when a general complaint is dispatched before the holiday', () => {
    it('skips 1–7 Oct, counts the make-up Saturday 10 Oct, and stays green through the holiday', async () => {
      const { id } = await tickets.create({ channel: 'mailbox', caller: { phone: '13800138000' }, content: '占道经营', category: 'complaint', urgency: 'general', matterType: '水电气热' }, agent);
      await tickets.act(id, 'queue_dispatch', {}, agent);
      const ticket = await tickets.act(id, 'dispatch', {}, agent);
      // working days after 30 Sep: Thu 8, Fri 9, Sat 10 (make-up), Mon 12, Tue 13 → end of 13 Oct
      expect(ticket.deadlines.handleDueAt).toBe(local('2026-10-14T00:00:00'));
      expect(ticket.deadlines.signForDueAt).toBe(local('2026-10-09T00:00:00'));
      await backend.clock.advance(7 * 86_400_000);
      expect((await tickets.get(id)).light).toBe('green');
      await tickets.act(id, 'sign', {}, dept);
      await backend.clock.advance(6 * 86_400_000); // Tue 13 Oct 16:00
      expect((await tickets.get(id)).light).toBe('yellow');
      await backend.clock.advance(86_400_000);
      expect((await tickets.get(id)).light).toBe('red');
    });
  });

  describe('when a unit asks for 2 more working days over a weekend', () => {
    it('moves the deadline from Tue 13 Oct to Thu 15 Oct', async () => {
      const { id } = await tickets.create({ channel: 'web', caller: { phone: '13800138000' }, content: '违章建筑', category: 'report', urgency: 'general', matterType: '水电气热' }, agent);
      await tickets.act(id, 'queue_dispatch', {}, agent);
      await tickets.act(id, 'dispatch', {}, agent);
      await tickets.act(id, 'sign', {}, dept);
      await tickets.act(id, 'request_extension', { reason: '需联合执法', extension: { unit: 'working_days', amount: 2 } }, dept);
      expect((await tickets.act(id, 'approve_extension', {}, agent)).deadlines.handleDueAt).toBe(local('2026-10-16T00:00:00'));
    });
  });
});
