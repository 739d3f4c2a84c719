/**
 * Random and malformed CTI commands against the composed server (every handler registered): each
 * gets a reply with its id, an error is one of the documented codes and never INTERNAL, and the
 * connection stays usable (issue 9, bad input).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPassword } from '../../src/auth/seed-users.ts';
import { loadConfig } from '../../src/config/config.ts';
import { commandSchemas } from '../../src/cti/protocol.ts';
import { errorCodes } from '../../src/errors.ts';
import { createLogger } from '../../src/log.ts';
import { startHotline, type Hotline } from '../../src/server.ts';
import { connect, type Client } from '../cti/cti-helpers.ts';

const types = Object.keys(commandSchemas);
const plausible = {
  callId: fc.oneof(fc.constantFrom('c1', 'agent-x-1', '../etc', ''), fc.string({ maxLength: 80 })),
  target: fc.oneof(fc.record({ skill: fc.string() }), fc.record({ number: fc.constantFrom('110', '12315', '00861234', '1;Dial(x)') }), fc.record({ queue: fc.string() }), fc.jsonValue()),
  service: fc.oneof(fc.constantFrom('110', '119', '999'), fc.jsonValue()),
  reason: fc.oneof(fc.constantFrom('break', 'meal', ''), fc.string({ maxLength: 100 })),
  topics: fc.oneof(fc.array(fc.constantFrom('supervisor', 'agent:agent1001', 'agent:agent1002', 'queue:general', 'queue:*', 'agent:'), { maxLength: 5 }), fc.jsonValue()),
  topic: fc.oneof(fc.constantFrom('supervisor', 'agent:agent1002'), fc.jsonValue()),
  lastEventId: fc.oneof(fc.constantFrom('0-0', '99999999999999-0', '1-x'), fc.jsonValue()),
  extension: fc.oneof(fc.constantFrom('1001', '1002', 'x'), fc.jsonValue()),
  skills: fc.jsonValue(),
};
const payload = fc.record(plausible, { requiredKeys: [] });
const message = fc.record({
  id: fc.string({ minLength: 1, maxLength: 20 }),
  type: fc.oneof(fc.constantFrom(...types), fc.string({ maxLength: 30 })),
  payload,
  extra: fc.option(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue(), { maxKeys: 2 }), { nil: undefined }),
});

describe('CTI commands, random and malformed', () => {
  let hotline: Hotline;
  const clients: Client[] = [];
  beforeAll(async () => {
    hotline = await startHotline(loadConfig({ PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_GRACE_MS: '0' }), createLogger('silent'));
  });
  afterAll(async () => {
    for (const client of clients) client.ws.terminate();
    await hotline.close();
  });

  async function session(username: string): Promise<Client> {
    const response = await fetch(`${hotline.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: demoPassword }) });
    const client = await connect(`${hotline.url.replace('http', 'ws')}/cti`, ((await response.json()) as { token: string }).token);
    clients.push(client);
    return client;
  }

  it.each(['agent1001', 'supervisor'])('as %s: every command gets its reply, a coded error is never INTERNAL, the socket stays open', async (username) => {
    const client = await session(username);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 4 }), async (batch) => {
        for (const m of batch) {
          const id = `f${++n}-${m.id}`.slice(0, 64);
          client.send({ ...m.extra, ...m.payload, id, type: m.type });
          const reply = await client.waitFor((r) => r.type === 'reply' && r.id === id);
          if (reply.type !== 'reply') throw new Error('not a reply');
          if (!reply.ok) {
            expect(Object.keys(errorCodes)).toContain(reply.error?.code);
            expect(reply.error?.code).not.toBe('INTERNAL');
          }
        }
      }),
      { numRuns: 120 },
    );
    expect((await client.request('ping')).result).toBe('pong');
    expect(client.ws.readyState).toBe(client.ws.OPEN);
  }, 120_000);
});
