import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isHotlineError } from '../../src/errors.ts';
import { createTicketService, type TicketService } from '../../src/tickets/ticket-service.ts';
import { transition, type TicketAction, type TicketState } from '../../src/tickets/ticket-states.ts';
import type { ActionInput, TicketActor } from '../../src/tickets/ticket-types.ts';
import { backends, silent, type Backend } from './support.ts';

const agent: TicketActor = { username: 'agent-1', roles: ['agent'] };
const dept: TicketActor = { username: 'unit-1', roles: ['department'] };
const boss: TicketActor = { username: 'super-1', roles: ['supervisor', 'agent'] };

describe.each(backends('tickets-race'))('concurrent ticket moves on the %s store', (_name, makeBackend) => {
  let backend: Backend;
  let a: TicketService;
  let b: TicketService;

  beforeEach(() => {
    backend = makeBackend();
    // two server instances on one store
    a = createTicketService({ store: backend.open(), clock: backend.clock, logger: silent });
    b = createTicketService({ store: backend.open(), clock: backend.clock, logger: silent });
  });
  afterEach(() => backend.dispose());

  async function dispatched(): Promise<string> {
    const { id } = await a.create({ channel: 'web', caller: { phone: '13800138000' }, content: '路灯不亮', category: 'help', urgency: 'general', matterType: '水电气热' }, agent);
    await a.act(id, 'queue_dispatch', {}, agent);
    await a.act(id, 'dispatch', {}, agent);
    return id;
  }

  async function settle(calls: Array<Promise<unknown>>): Promise<{ won: number; codes: string[] }> {
    const results = await Promise.allSettled(calls);
    const codes = results.flatMap((r) => (r.status === 'rejected' ? [isHotlineError(r.reason) ? r.reason.code : String(r.reason)] : []));
    return { won: results.filter((r) => r.status === 'fulfilled').length, codes };
  }

  describe('when 50 moves race to leave replied (25 review, 25 reject the reply)', () => {
    it('lets exactly one win and refuses the other 49 with TICKET_BAD_TRANSITION', async () => {
      const id = await dispatched();
      for (const [action, input] of [['sign', {}], ['start', {}], ['reply', { reply: '已修复' }]] as const) await a.act(id, action, input, dept);
      const calls = Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).act(id, i % 4 < 2 ? 'review' : 'reject_reply', { reason: '答复不完整' }, boss));
      const { won, codes } = await settle(calls);
      expect(won).toBe(1);
      expect(codes).toEqual(Array(49).fill('TICKET_BAD_TRANSITION'));
      const trail = await a.audit(id);
      expect(trail).toHaveLength(7);
      expect(['reviewed', 'in_progress']).toContain((await a.get(id)).state);
      expect(trail.at(-1)!.to).toBe((await b.get(id)).state);
    });
  });

  describe('when 50 urges race on one ticket', () => {
    it('lets all 50 legal moves win and loses no update', async () => {
      const id = await dispatched();
      const { won } = await settle(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).act(id, 'urge', {}, boss)));
      expect(won).toBe(50);
      expect((await b.get(id)).urgeCount).toBe(50);
      expect((await a.audit(id)).filter((e) => e.action === 'urge')).toHaveLength(50);
    });
  });

  describe('when 50 assorted moves race', () => {
    it('records exactly the winners, and the trail replays legally through the table', async () => {
      const id = await dispatched();
      const menu: Array<[TicketAction, TicketActor, ActionInput]> = [
        ['sign', dept, {}], ['start', dept, {}], ['reply', dept, { reply: '已修复' }], ['urge', boss, {}],
        ['request_return', dept, { reason: '非本单位' }], ['approve_return', boss, {}], ['add_unit', boss, { unit: '市公安局' }], ['review', boss, {}],
      ];
      const calls = Array.from({ length: 50 }, (_, i) => {
        const [action, actor, input] = menu[(i * 7) % menu.length]!;
        return (i % 2 ? a : b).act(id, action, input, actor);
      });
      const { won, codes } = await settle(calls);
      expect(codes.every((c) => c.startsWith('TICKET_'))).toBe(true);
      const trail = await a.audit(id);
      expect(trail.length - 3).toBe(won);
      let state: TicketState = 'dispatched';
      for (const entry of trail.slice(3)) {
        expect(entry.from).toBe(state);
        const facts = { returnsApproved: 0, extensionPending: false, dissatisfiedPending: false, handleDueAt: null, now: 0 };
        state = transition({ state, action: entry.action as TicketAction, actors: ['department', 'supervisor', 'agent'], facts, reason: 'x' });
        expect(entry.to).toBe(state);
      }
      expect((await a.get(id)).state).toBe(state);
    });
  });
});
