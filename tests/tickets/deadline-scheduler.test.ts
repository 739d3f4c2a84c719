import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDeadlineScheduler } from '../../src/tickets/deadline-scheduler.ts';
import { createTicketService, type TicketService } from '../../src/tickets/ticket-service.ts';
import type { TicketActor } from '../../src/tickets/ticket-types.ts';
import { backends, silent, type Backend } from './support.ts';

const agent: TicketActor = { username: 'agent-1', roles: ['agent'] };
const dept: TicketActor = { username: 'unit-1', roles: ['department'] };
const HOUR = 3_600_000;

describe.each(backends('tickets-sched'))('deadline scheduler on the %s store', (_name, makeBackend) => {
  let backend: Backend;
  let tickets: TicketService;

  beforeEach(() => {
    backend = makeBackend();
    tickets = createTicketService({ store: backend.open(), clock: backend.clock, logger: silent });
  });
  afterEach(() => backend.dispose());

  /** An emergency (24 natural hours to handle) dispatched and signed now: urge at 19.2 h, supervise at 24 h. */
  async function emergency(sign = true): Promise<string> {
    const { id } = await tickets.create({ channel: 'phone', caller: { phone: '13800138000' }, content: '燃气泄漏', category: 'help', urgency: 'life_safety', matterType: '水电气热' }, agent);
    await tickets.act(id, 'queue_dispatch', {}, agent);
    await tickets.act(id, 'dispatch', {}, agent);
    if (sign) await tickets.act(id, 'sign', {}, dept);
    return id;
  }

  function scheduler(owner: string) {
    return createDeadlineScheduler({ store: backend.open(), clock: backend.clock, logger: silent, owner });
  }

  describe('when two instances tick at the same moments', () => {
    it('urges at the yellow light and supervises when overdue, each exactly once', async () => {
      const ids = await Promise.all(Array.from({ length: 5 }, () => emergency()));
      // same owner name: both hold the lease, so only the commit checks keep it exactly-once
      const [one, two] = [scheduler('node'), scheduler('node')];
      expect(await one.tick() + await two.tick()).toBe(0);
      await backend.clock.advance(20 * HOUR);
      const [firedA, firedB] = await Promise.all([one.tick(), two.tick()]);
      expect(firedA + firedB).toBe(5);
      expect((await tickets.get(ids[0]!)).light).toBe('yellow');
      await backend.clock.advance(5 * HOUR);
      const second = await Promise.all([one.tick(), two.tick(), one.tick(), two.tick()]);
      expect(second.reduce((x, y) => x + y, 0)).toBe(5);
      for (const id of ids) {
        expect(await tickets.get(id)).toMatchObject({ urgeCount: 1, superviseCount: 1, light: 'red' });
        expect((await tickets.audit(id)).filter((e) => e.by === 'system').map((e) => e.action)).toEqual(['urge', 'supervise']);
      }
    });
  });

  describe('when the lease holder is another instance', () => {
    it('leaves the work to it', async () => {
      await emergency();
      const [one, two] = [scheduler('node-a'), scheduler('node-b')];
      await backend.clock.advance(20 * HOUR);
      expect(await one.tick()).toBe(1);
      expect(await two.tick()).toBe(0);
      await one.stop();
      await backend.clock.advance(5 * HOUR);
      expect(await two.tick()).toBe(1);
    });
  });

  describe('when the server restarts between setting and reaching the deadline', () => {
    it('fires from the store on the new instance', async () => {
      const id = await emergency();
      await scheduler('old').stop();
      await backend.clock.advance(25 * HOUR);
      const restarted = createTicketService({ store: backend.open(), clock: backend.clock, logger: silent });
      expect(await scheduler('new').tick()).toBe(2);
      expect(await restarted.get(id)).toMatchObject({ urgeCount: 1, superviseCount: 1 });
    });
  });

  describe('when the ticket is replied to in time or its deadline moves', () => {
    it('drops timers that no longer apply', async () => {
      const replied = await emergency();
      for (const [action, input] of [['start', {}], ['reply', { reply: '已关阀' }]] as const) await tickets.act(replied, action, input, dept);
      const extended = await emergency();
      await tickets.act(extended, 'request_extension', { reason: '需更换管道', extension: { unit: 'hours', amount: 24 } }, dept);
      await tickets.act(extended, 'approve_extension', {}, agent);
      await backend.clock.advance(25 * HOUR);
      const node = scheduler('node');
      expect(await node.tick()).toBe(0);
      expect(await tickets.get(replied)).toMatchObject({ urgeCount: 0, superviseCount: 0 });
      // the extended deadline is 48 h after dispatch: urge at 80 % = 38.4 h
      await backend.clock.advance(14 * HOUR);
      expect(await node.tick()).toBe(1);
      expect(await tickets.get(extended)).toMatchObject({ urgeCount: 1, superviseCount: 0 });
    });
  });

  describe('when a unit does not sign for an emergency within 15 minutes', () => {
    it('urges it once, and leaves a signed one alone', async () => {
      const unsigned = await emergency(false);
      const signed = await emergency(true);
      const node = scheduler('node');
      await backend.clock.advance(14 * 60_000);
      expect(await node.tick()).toBe(0);
      await backend.clock.advance(60_000);
      expect(await node.tick()).toBe(1);
      expect(await node.tick()).toBe(0);
      expect(await tickets.get(unsigned)).toMatchObject({ urgeCount: 1 });
      expect(await tickets.get(signed)).toMatchObject({ urgeCount: 0 });
      expect((await tickets.audit(unsigned)).at(-1)).toMatchObject({ action: 'urge', by: 'system', reason: '超过签收时限，自动催办' });
    });
  });

  describe('when started', () => {
    it('ticks on its own with the clock', async () => {
      const id = await emergency();
      let fired!: (action: string) => void;
      const firstFiring = new Promise<string>((resolve) => (fired = resolve));
      const node = createDeadlineScheduler({ store: backend.open(), clock: backend.clock, logger: silent, owner: 'node', onFired: (_id, action) => fired(action) });
      node.start();
      await backend.clock.advance(20 * HOUR);
      expect(await firstFiring).toBe('urge');
      await node.stop();
      expect((await tickets.get(id)).urgeCount).toBe(1);
    });
  });
});
