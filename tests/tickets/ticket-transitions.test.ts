import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTicketService, type TicketService } from '../../src/tickets/ticket-service.ts';
import { canTransition, ticketActions, ticketStates, transitionTable, type Actor, type TicketAction, type TicketState } from '../../src/tickets/ticket-states.ts';
import type { ActionInput } from '../../src/tickets/ticket-types.ts';
import { backends, silent, type Backend } from './support.ts';

/** How to bring a new ticket into each state. */
const paths: Record<TicketState, TicketAction[]> = {
  registered: [],
  direct_answered: ['direct_answer'],
  not_accepted: ['not_accept'],
  pending_dispatch: ['queue_dispatch'],
  dispatched: ['queue_dispatch', 'dispatch'],
  signed: ['queue_dispatch', 'dispatch', 'sign'],
  return_requested: ['queue_dispatch', 'dispatch', 'request_return'],
  in_progress: ['queue_dispatch', 'dispatch', 'sign', 'start'],
  replied: ['queue_dispatch', 'dispatch', 'sign', 'start', 'reply'],
  reviewed: ['queue_dispatch', 'dispatch', 'sign', 'start', 'reply', 'review'],
  callback: ['queue_dispatch', 'dispatch', 'sign', 'start', 'reply', 'review', 'start_callback'],
  closed: ['direct_answer', 'close'],
  archived: ['direct_answer', 'close', 'archive'],
};

/** Moves whose guard needs an earlier move first. */
const prerequisite: Partial<Record<TicketAction, TicketAction>> = {
  approve_extension: 'request_extension', reject_extension: 'request_extension',
  verify_reasonable: 'callback_dissatisfied', verify_unreasonable: 'callback_dissatisfied',
};

const input: ActionInput = { reason: '测试原因', reply: '答复内容', outcome: 'satisfied', unit: '市公安局', extension: { unit: 'working_days', amount: 2 }, callId: 'call-77' };
const everyone = { username: 'tester', roles: ['agent', 'department', 'supervisor', 'admin', 'system'] as Actor[] };

const legal = ticketStates.flatMap((state) => ticketActions.filter((a) => a !== 'merge' && canTransition(state, a)).map((action) => [state, action] as const));
const illegal = ticketStates.flatMap((state) => ticketActions.filter((a) => !canTransition(state, a)).filter((_, i) => i % 5 === 0).map((action) => [state, action] as const));

describe.each(backends('tickets-moves'))('every transition on the %s store', (_name, makeBackend) => {
  let backend: Backend;
  let tickets: TicketService;

  beforeAll(() => {
    backend = makeBackend();
    tickets = createTicketService({ store: backend.open(), clock: backend.clock, logger: silent });
  });
  afterAll(() => backend.dispose());

  async function ticketIn(state: TicketState): Promise<string> {
    const { id } = await tickets.create({ channel: 'phone', caller: { phone: '13800138000' }, content: '测试', category: 'complaint', urgency: 'general', matterType: '户籍' }, everyone);
    for (const action of paths[state]) await tickets.act(id, action, input, everyone);
    expect((await tickets.get(id)).state).toBe(state);
    return id;
  }

  describe('when each legal move is made', () => {
    it.each(legal)('from %s, %s reaches the state the table names', async (state, action) => {
      const id = await ticketIn(state);
      const before = await tickets.audit(id);
      const pre = prerequisite[action];
      if (pre) await tickets.act(id, pre, input, everyone);
      const extra = action === 'merge_into' ? { into: await ticketIn('in_progress') } : action === 'add_unit' ? { unit: '市税务局' } : {};
      const after = await tickets.act(id, action, { ...input, ...extra }, everyone);
      expect(after.state).toBe(transitionTable[action].to ?? state);
      const trail = await tickets.audit(id);
      expect(trail.at(-1)).toMatchObject({ action, from: state, to: after.state, by: 'tester' });
      expect(trail.length).toBe(before.length + (pre ? 2 : 1));
    });
  });

  describe('when a sample of illegal moves is tried', () => {
    it.each(illegal)('from %s, %s is refused with TICKET_BAD_TRANSITION and nothing changes', async (state, action) => {
      const id = await ticketIn(state);
      const before = JSON.stringify([await tickets.get(id), await tickets.audit(id)]);
      await expect(tickets.act(id, action, { ...input, into: id }, everyone)).rejects.toMatchObject({ code: 'TICKET_BAD_TRANSITION', statusCode: 409 });
      expect(JSON.stringify([await tickets.get(id), await tickets.audit(id)])).toBe(before);
    });
  });
});
