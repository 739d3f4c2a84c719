import { afterEach, describe, expect, it } from 'vitest';
import { defaultTicketConfig } from '../../src/tickets/ticket-config.ts';
import { createTicketService } from '../../src/tickets/ticket-service.ts';
import { backends, silent, type Backend } from './support.ts';

const admin = { username: 'admin-1', roles: ['admin'] } as const;

describe.each(backends('ticket-config'))('ticket configuration on the %s store', (_name, make) => {
  let backend: Backend;
  afterEach(() => backend.dispose());

  describe('when no configuration is stored (the default is built once and shared)', () => {
    it('gives every reader the same default, which no reader can change for the others', async () => {
      backend = make();
      const tickets = createTicketService({ store: backend.open(), clock: backend.clock, logger: silent });
      const first = await tickets.config();
      expect(first).toEqual(defaultTicketConfig());
      expect(() => (first.categories as string[]).push('mine')).toThrow(TypeError);
      expect(() => Object.assign(first, { yellowShare: 0.5 })).toThrow(TypeError);
      expect(await tickets.config()).toEqual(defaultTicketConfig());
    });
  });

  describe('when an admin stores a configuration', () => {
    it('is what every instance reads from then on', async () => {
      backend = make();
      const one = createTicketService({ store: backend.open(), clock: backend.clock, logger: silent });
      const other = createTicketService({ store: backend.open(), clock: backend.clock, logger: silent });
      await other.config();
      await one.setConfig({ ...defaultTicketConfig(), yellowShare: 0.5 }, { ...admin, roles: [...admin.roles] });
      expect((await other.config()).yellowShare).toBe(0.5);
      expect((await one.config()).yellowShare).toBe(0.5);
    });
  });
});
