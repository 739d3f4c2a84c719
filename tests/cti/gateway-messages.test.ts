import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HotlineError } from '../../src/errors.ts';
import { connect, startInstance, type Client, type Instance } from './cti-helpers.ts';

describe('CTI gateway messages', () => {
  let server: Instance;
  let client: Client;
  let username: string;
  beforeEach(async () => {
    server = await startInstance({ gateway: { maxPayload: 4096 } });
    const agent = await server.user(['agent']);
    username = agent.username;
    client = await connect(server.url, agent.token);
  });
  afterEach(async () => {
    client.ws.terminate();
    await server.close();
  });

  describe('when a message is valid JSON but not a good command', () => {
    it('answers an unknown type with CTI_UNKNOWN_COMMAND and keeps the connection', async () => {
      expect(await client.request('agent.fly')).toMatchObject({ ok: false, error: { code: 'CTI_UNKNOWN_COMMAND' } });
      expect((await client.request('ping')).result).toBe('pong');
    });

    it('answers a bad payload with CTI_BAD_MESSAGE naming the field', async () => {
      const reply = await client.request('agent.notReady', { reason: 42 });
      expect(reply).toMatchObject({ ok: false, error: { code: 'CTI_BAD_MESSAGE', details: { path: '/reason' } } });
      expect(reply.error?.message).toContain('/reason');
      expect((await client.request('ping')).ok).toBe(true);
    });

    it('answers an unexpected field with CTI_BAD_MESSAGE', async () => {
      const reply = await client.request('call.answer', { callId: 'c1', extra: true });
      expect(reply).toMatchObject({ ok: false, error: { code: 'CTI_BAD_MESSAGE', message: 'unexpected field(s) extra' } });
    });

    it('answers a message without id with a reply whose id is null', async () => {
      client.send({ type: 'ping' });
      const reply = await client.waitFor((m) => m.type === 'reply');
      expect(reply).toMatchObject({ id: null, ok: false, error: { code: 'CTI_BAD_MESSAGE' } });
      client.send([1, 2, 3]);
      await client.waitFor((m) => m.type === 'reply' && m !== reply);
      expect((await client.request('ping')).ok).toBe(true);
      expect(server.gateway.stats().badMessages).toBe(2);
    });
  });

  describe('when a frame cannot be a message', () => {
    it('closes with 1003 on text that is not JSON', async () => {
      client.send('{not json');
      expect((await client.closed).code).toBe(1003);
    });

    it('closes with 1003 on a binary frame', async () => {
      client.ws.send(Buffer.from('{"id":"1","type":"ping"}'), { binary: true });
      expect((await client.closed).code).toBe(1003);
    });

    it('closes with 1009 on a frame over the size limit', async () => {
      client.send({ id: '1', type: 'agent.notReady', reason: 'x'.repeat(5000) });
      expect((await client.closed).code).toBe(1009);
    });
  });

  describe('when a command has a handler', () => {
    it('passes the session and payload and replies with the result', async () => {
      const seen: unknown[] = [];
      server.gateway.onCommand('agent.notReady', async (session, payload) => {
        seen.push({ username: session.username, reason: payload.reason });
        return { state: 'not_ready' };
      });
      const reply = await client.request('agent.notReady', { reason: 'lunch' });
      expect(reply).toEqual({ type: 'reply', id: reply.id, ok: true, result: { state: 'not_ready' } });
      expect(seen).toEqual([{ username, reason: 'lunch' }]);
    });

    it('replies with the coded error the handler throws', async () => {
      server.gateway.onCommand('agent.ready', async () => {
        throw new HotlineError('AGENT_BAD_TRANSITION', 'end wrap-up first');
      });
      expect(await client.request('agent.ready')).toMatchObject({
        ok: false, error: { code: 'AGENT_BAD_TRANSITION', message: 'end wrap-up first' },
      });
    });

    it('hides the message of an unexpected error behind INTERNAL', async () => {
      server.gateway.onCommand('call.hangup', async () => {
        throw new Error('secret detail');
      });
      const reply = await client.request('call.hangup', { callId: 'c1' });
      expect(reply).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
      expect(JSON.stringify(reply)).not.toContain('secret detail');
    });

    it('runs commands in the order sent', async () => {
      const order: string[] = [];
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      server.gateway.onCommand('call.hold', async (_s, { callId }) => {
        await gate;
        order.push(`hold ${callId}`);
      });
      server.gateway.onCommand('call.unhold', async (_s, { callId }) => void order.push(`unhold ${callId}`));
      const hold = client.request('call.hold', { callId: 'c1' });
      const unhold = client.request('call.unhold', { callId: 'c1' });
      release();
      await Promise.all([hold, unhold]);
      expect(order).toEqual(['hold c1', 'unhold c1']);
    });
  });

  describe('when a connection passes its limits', () => {
    it('refuses topics past maxTopics with CTI_LIMIT', async () => {
      const limited = await startInstance({ gateway: { maxTopics: 2 } });
      const { token } = await limited.user(['supervisor']);
      const supervisor = await connect(limited.url, token);
      expect((await supervisor.request('subscribe', { topics: ['supervisor', 'queue:a'] })).ok).toBe(true);
      expect(await supervisor.request('subscribe', { topics: ['queue:b'] })).toMatchObject({ ok: false, error: { code: 'CTI_LIMIT' } });
      expect(await supervisor.request('subscribe', { topics: ['queue:a', 'queue:b', 'queue:c'] })).toMatchObject({ ok: false, error: { code: 'CTI_LIMIT' } });
      expect(await supervisor.request('unsubscribe', { topics: ['queue:a'] })).toMatchObject({ ok: true, result: { topics: ['supervisor'] } });
      expect((await supervisor.request('subscribe', { topics: ['queue:b'] })).ok).toBe(true);
      await supervisor.close();
      await limited.close();
    });
  });

  describe('when a command has no handler', () => {
    it('replies CTI_UNKNOWN_COMMAND', async () => {
      expect(await client.request('call.answer', { callId: 'c1' })).toMatchObject({ ok: false, error: { code: 'CTI_UNKNOWN_COMMAND' } });
    });
  });
});
