import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.ts';
import { createTicketService, type TicketService } from '../../src/tickets/ticket-service.ts';
import type { TicketAction } from '../../src/tickets/ticket-states.ts';
import type { ActionInput, CreateTicketInput, TicketActor } from '../../src/tickets/ticket-types.ts';
import { backends, silent, type Backend } from './support.ts';

const agent: TicketActor = { username: 'agent-1', roles: ['agent'] };
const dept: TicketActor = { username: 'unit-1', roles: ['department'] };
const boss: TicketActor = { username: 'super-1', roles: ['supervisor'] };
const system: TicketActor = { username: 'system', roles: ['system'] };

const intake = (over: Partial<CreateTicketInput> = {}): CreateTicketInput => ({
  channel: 'phone', caller: { name: '张先生', phone: '13800138000', address: '朝阳区某街道' }, content: '小区停水三天无人处理',
  category: 'complaint', urgency: 'general', matterType: '水电气热', callId: 'call-1', ...over,
});

describe.each(backends('tickets-svc'))('ticket service on the %s store', (_name, makeBackend) => {
  let backend: Backend;
  let store: Store;
  let tickets: TicketService;

  beforeEach(() => {
    backend = makeBackend();
    store = backend.open();
    tickets = createTicketService({ store, clock: backend.clock, logger: silent });
  });
  afterEach(() => backend.dispose());

  async function drive(id: string, steps: Array<[TicketAction, TicketActor, ActionInput?]>): Promise<string> {
    let state = '';
    for (const [action, actor, input] of steps) state = (await tickets.act(id, action, input ?? {}, actor)).state;
    return state;
  }

  const toInProgress: Array<[TicketAction, TicketActor, ActionInput?]> = [
    ['queue_dispatch', agent], ['dispatch', agent], ['sign', dept], ['start', dept],
  ];

  describe('when requests arrive on every channel', () => {
    it('puts them in one pool with human-readable ids of today', async () => {
      const created = await Promise.all((['phone', 'web', 'sms', 'mailbox'] as const).map((channel) => tickets.create(intake({ channel }), agent)));
      expect(created.map((t) => t.channel)).toEqual(['phone', 'web', 'sms', 'mailbox']);
      expect(created.map((t) => t.id).sort()).toEqual(['20261123-000001', '20261123-000002', '20261123-000003', '20261123-000004']);
      expect(created.every((t) => t.state === 'registered')).toBe(true);
    });

    it('refuses unknown categories and bad phone numbers with TICKET_INVALID and writes nothing', async () => {
      await expect(tickets.create(intake({ category: 'gossip' }), agent)).rejects.toMatchObject({ code: 'TICKET_INVALID' });
      await expect(tickets.create(intake({ caller: { phone: 'DROP TABLE' } }), agent)).rejects.toMatchObject({ code: 'TICKET_INVALID' });
      expect(await store.zcard('tickets:all')).toBe(0);
    });
  });

  describe('when a ticket goes through the whole loop', () => {
    it('reaches archived with the dispatch catalogue unit, deadlines and a full audit trail', async () => {
      const { id } = await tickets.create(intake(), agent);
      await drive(id, toInProgress);
      const dispatched = await tickets.get(id);
      expect(dispatched.leadUnit).toBe('市城市管理委员会');
      // Mon 23 Nov 09:00 + 5 working days → end of Mon 30 Nov
      expect(dispatched.deadlines.handleDueAt).toBe(Date.parse('2026-12-01T00:00:00+08:00'));
      expect(dispatched.light).toBe('green');
      await drive(id, [['reply', dept, { reply: '已联系自来水公司恢复供水' }], ['review', boss], ['start_callback', system], ['callback_satisfied', agent, { outcome: 'basically_satisfied' }], ['archive', system]]);
      const final = await tickets.get(id);
      expect(final.state).toBe('archived');
      expect(final.callbackOutcome).toBe('basically_satisfied');
      const trail = await tickets.audit(id);
      expect(trail.map((e) => `${e.from ?? '-'}>${e.to}`)).toEqual([
        '->registered', 'registered>pending_dispatch', 'pending_dispatch>dispatched', 'dispatched>signed', 'signed>in_progress',
        'in_progress>replied', 'replied>reviewed', 'reviewed>callback', 'callback>closed', 'closed>archived',
      ]);
      expect(trail[1]).toMatchObject({ by: 'agent-1', action: 'queue_dispatch' });
      expect(trail.every((e) => e.at >= 0)).toBe(true);
    });

    it('answers directly, closes and archives', async () => {
      const { id } = await tickets.create(intake({ category: 'consultation' }), agent);
      expect(await drive(id, [['direct_answer', agent, { reply: '护照可在出入境大厅办理' }], ['close', agent], ['archive', system]])).toBe('archived');
    });

    it('does not accept an out-of-scope request, with the reason in the trail', async () => {
      const { id } = await tickets.create(intake(), agent);
      await tickets.act(id, 'not_accept', { reason: '属于110警情，已转接' }, agent);
      expect((await tickets.audit(id)).at(-1)).toMatchObject({ to: 'not_accepted', reason: '属于110警情，已转接' });
    });
  });

  describe('when a move is not allowed', () => {
    it('refuses it with a coded error and changes nothing', async () => {
      const { id } = await tickets.create(intake(), agent);
      await expect(tickets.act(id, 'sign', {}, dept)).rejects.toMatchObject({ code: 'TICKET_BAD_TRANSITION', statusCode: 409 });
      await expect(tickets.act(id, 'queue_dispatch', {}, dept)).rejects.toMatchObject({ code: 'TICKET_FORBIDDEN_ACTION' });
      await expect(tickets.act('20261123-999999', 'sign', {}, dept)).rejects.toMatchObject({ code: 'TICKET_NOT_FOUND' });
      expect((await tickets.get(id)).state).toBe('registered');
      expect(await tickets.audit(id)).toHaveLength(1);
    });
  });

  describe('when units return a ticket three times', () => {
    it('lets the hotline assign it for good', async () => {
      const { id } = await tickets.create(intake(), agent);
      await tickets.act(id, 'queue_dispatch', {}, agent);
      for (let i = 0; i < 3; i++) {
        await drive(id, [['dispatch', agent], ['request_return', dept, { reason: '不属于本单位职责' }], ['approve_return', agent]]);
      }
      const assigned = await tickets.act(id, 'dispatch', { unit: '市市场监督管理局' }, agent);
      expect(assigned.returnsApproved).toBe(3);
      await expect(tickets.act(id, 'request_return', { reason: '仍不属于' }, dept)).rejects.toMatchObject({ code: 'TICKET_RETURN_LIMIT' });
    });
  });

  describe('when a unit asks for an extension over the Spring Festival', () => {
    it('moves the deadline by working days after approval', async () => {
      const { id } = await tickets.create(intake(), agent);
      await drive(id, toInProgress);
      const before = (await tickets.get(id)).deadlines.handleDueAt!;
      await tickets.act(id, 'request_extension', { reason: '需现场勘查', extension: { unit: 'working_days', amount: 5 } }, dept);
      await expect(tickets.act(id, 'request_extension', { reason: 'again', extension: { unit: 'working_days', amount: 1 } }, dept)).rejects.toMatchObject({ code: 'TICKET_EXTENSION_REFUSED' });
      const after = await tickets.act(id, 'approve_extension', {}, agent);
      // end of Mon 30 Nov + 5 working days → end of Mon 7 Dec
      expect(before).toBe(Date.parse('2026-12-01T00:00:00+08:00'));
      expect(after.deadlines.handleDueAt).toBe(Date.parse('2026-12-08T00:00:00+08:00'));
      expect(after.extensionsGranted).toHaveLength(1);
    });
  });

  describe('when the callback finds the citizen dissatisfied and it is reasonable', () => {
    it('supervises, sends it back to in_progress and counts it rectified once closed', async () => {
      const { id } = await tickets.create(intake(), agent);
      await drive(id, [...toInProgress, ['reply', dept, { reply: '已处理' }], ['review', boss], ['start_callback', agent]]);
      const listed = await tickets.callbackList();
      expect(listed.map((t) => t.id)).toEqual([id]);
      expect(listed[0]!.deadlines.callbackDueAt).toBe(Date.parse('2026-11-25T00:00:00+08:00')); // the working day after
      await tickets.act(id, 'callback_unreachable', {}, agent);
      expect((await tickets.callbackList()).map((t) => t.id)).toEqual([]);
      await backend.clock.advance(3 * 3_600_000);
      expect((await tickets.callbackList()).map((t) => t.id)).toEqual([id]);
      await tickets.act(id, 'callback_dissatisfied', {}, agent);
      const back = await tickets.act(id, 'verify_reasonable', { reason: '确未恢复供水' }, boss);
      expect(back).toMatchObject({ state: 'in_progress', superviseCount: 1, badRatingReasonable: true });
      await drive(id, [['reply', dept, { reply: '已恢复供水' }], ['review', boss], ['start_callback', agent], ['callback_satisfied', agent, { outcome: 'satisfied' }]]);
      const kpis = await tickets.kpis();
      expect(kpis.badRatingRectification).toEqual({ numerator: 1, denominator: 1, rate: 1 });
      expect(kpis.callbackSatisfaction.rate).toBe(1);
    });
  });

  describe('when a duplicate is merged', () => {
    it('closes the duplicate and joins its calls to the first ticket, in one step', async () => {
      const first = await tickets.create(intake(), agent);
      const dup = await tickets.create(intake({ callId: 'call-2', channel: 'sms' }), agent);
      await tickets.act(dup.id, 'merge_into', { into: first.id }, agent);
      expect((await tickets.get(dup.id))).toMatchObject({ state: 'closed', mergedInto: first.id });
      expect((await tickets.get(first.id))).toMatchObject({ mergedIds: [dup.id], callIds: ['call-1', 'call-2'] });
      expect((await tickets.audit(first.id)).at(-1)).toMatchObject({ action: 'merge' });
    });

    it('refuses merge called directly on the first ticket: only merge_into on the duplicate joins them', async () => {
      const first = await tickets.create(intake(), agent);
      await expect(tickets.act(first.id, 'merge', {}, agent)).rejects.toMatchObject({ code: 'TICKET_INVALID' });
      expect(await tickets.audit(first.id)).toHaveLength(1);
    });
  });

  describe('when the citizen calls again about a ticket', () => {
    it('links the call and its recording to the ticket', async () => {
      const { id } = await tickets.create(intake(), agent);
      await tickets.act(id, 'link_call', { callId: 'call-2', recordingId: 'rec-2' }, agent);
      expect(await tickets.get(id)).toMatchObject({ state: 'registered', callIds: ['call-1', 'call-2'], recordingIds: ['rec-2'] });
      await expect(tickets.act(id, 'link_call', {}, agent)).rejects.toMatchObject({ code: 'TICKET_INVALID' });
    });
  });

  describe('when an agent looks up a caller', () => {
    it('lists the caller\'s tickets newest first and nobody else\'s', async () => {
      const a = await tickets.create(intake(), agent);
      await backend.clock.advance(60_000);
      const b = await tickets.create(intake({ caller: { phone: '138-0013-8000' } }), agent);
      await tickets.create(intake({ caller: { phone: '13900000000' } }), agent);
      expect((await tickets.history('13800138000')).map((t) => t.id)).toEqual([b.id, a.id]);
    });
  });

  describe('when the server restarts mid-life', () => {
    it('finds every ticket, its state and its trail on a new instance', async () => {
      const { id } = await tickets.create(intake(), agent);
      await drive(id, toInProgress);
      const restarted = createTicketService({ store: backend.open(), clock: backend.clock, logger: silent });
      expect((await restarted.get(id)).state).toBe('in_progress');
      expect(await restarted.audit(id)).toHaveLength(5);
      expect((await restarted.act(id, 'reply', { reply: '已处理' }, dept)).state).toBe('replied');
      expect((await restarted.history('13800138000')).map((t) => t.id)).toEqual([id]);
    });
  });

  describe('when computing KPIs per unit', () => {
    it('counts direct answers and filters by unit', async () => {
      const direct = await tickets.create(intake({ category: 'consultation' }), agent);
      await drive(direct.id, [['direct_answer', agent, { reply: '答复' }], ['close', agent]]);
      const other = await tickets.create(intake(), agent);
      await drive(other.id, toInProgress);
      expect((await tickets.kpis()).directAnswer).toEqual({ numerator: 1, denominator: 2, rate: 0.5 });
      expect((await tickets.kpis({ unit: '市城市管理委员会' })).tickets).toBe(1);
    });
  });
});
