import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, refusedStatus, startInstance, type Instance } from './cti-helpers.ts';

describe('CTI gateway', () => {
  let server: Instance;
  beforeEach(async () => {
    server = await startInstance();
  });
  afterEach(() => server.close());

  describe('when a client connects without a valid token', () => {
    it('refuses the upgrade with 401 when no token is given', async () => {
      expect(await refusedStatus(server.url, ['hotline.cti.v1'])).toBe(401);
    });

    it('refuses the upgrade with 401 for an unknown token', async () => {
      expect(await refusedStatus(server.url, ['hotline.cti.v1', `bearer.${'x'.repeat(43)}`])).toBe(401);
      expect(server.gateway.stats().upgradesRejected).toBe(1);
    });

    it('answers 404 on another path', async () => {
      const { token } = await server.user(['agent']);
      expect(await refusedStatus(server.url.replace('/cti', '/other'), ['hotline.cti.v1', `bearer.${token}`])).toBe(404);
    });
  });

  describe('when a client connects with a valid token', () => {
    it('accepts it from the subprotocol and answers with hotline.cti.v1, never the token', async () => {
      const { token } = await server.user(['agent']);
      const client = await connect(server.url, token);
      expect(client.ws.protocol).toBe('hotline.cti.v1');
      expect((await client.request('ping')).result).toBe('pong');
      await client.close();
    });

    it('accepts it from the token query parameter', async () => {
      const { token } = await server.user(['supervisor']);
      const client = await connect(server.url, undefined, { query: `token=${token}` });
      expect((await client.request('ping')).ok).toBe(true);
      expect(server.gateway.stats().connections).toMatchObject({ total: 1, supervisor: 1, agent: 0 });
      await client.close();
    });
  });

  describe('when a session is revoked while its socket is open', () => {
    it('closes that socket with 4001 at the next session check, and leaves the others open', async () => {
      await server.close();
      server = await startInstance({ gateway: { heartbeatMs: 50, sessionCheckBeats: 2 } });
      const stolen = await server.user(['agent']);
      const other = await server.user(['agent']);
      const thief = await connect(server.url, stolen.token);
      const colleague = await connect(server.url, other.token);
      expect(await server.test.users.revokeSessions(stolen.username)).toBe(1);
      expect(await thief.closed).toEqual({ code: 4001, reason: 'session ended' });
      expect((await colleague.request('ping')).result).toBe('pong');
      await colleague.close();
    });
  });

  describe('when an agent asks for more than an agent may', () => {
    it('refuses the supervisor topic and another agent\'s topic with FORBIDDEN', async () => {
      const { token } = await server.user(['agent']);
      const other = await server.user(['agent']);
      const client = await connect(server.url, token);
      for (const topic of ['supervisor', 'queue:12345', `agent:${other.username}`]) {
        const reply = await client.request('subscribe', { topics: [topic] });
        expect(reply).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      }
      await server.bus.publish('supervisor', 'wallboard', { waiting: 1, answeredToday: 0, abandonedToday: 0, agentsLoggedIn: 1, serviceLevel15s: 1 });
      await server.bus.publish(`agent:${other.username}`, 'call.ended', { callId: 'c1', cause: 'caller_hangup' });
      expect((await client.request('ping')).ok).toBe(true);
      expect(client.events()).toEqual([]);
      await client.close();
    });

    it('refuses supervisor commands with FORBIDDEN, even when a handler exists', async () => {
      let calls = 0;
      server.gateway.onCommand('supervisor.barge', async () => ++calls);
      const { token } = await server.user(['agent']);
      const client = await connect(server.url, token);
      const reply = await client.request('supervisor.barge', { callId: 'c1' });
      expect(reply).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(calls).toBe(0);
      await client.close();
    });

    it('refuses agent commands to a supervisor who is not an agent', async () => {
      server.gateway.onCommand('agent.ready', async () => 'ready');
      const { token } = await server.user(['supervisor']);
      const client = await connect(server.url, token);
      expect(await client.request('agent.ready')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      await client.close();
    });
  });

  describe('when a supervisor subscribes', () => {
    it('receives events of the supervisor and queue topics, and of any agent topic', async () => {
      const agent = await server.user(['agent']);
      const { token } = await server.user(['supervisor']);
      const client = await connect(server.url, token);
      const topics = ['supervisor', 'queue:12345', `agent:${agent.username}`];
      const reply = await client.request('subscribe', { topics });
      expect(reply.ok).toBe(true);
      await server.bus.publish('queue:12345', 'queue.stats', { queueId: '12345', waiting: 3, longestWaitMs: 9000, agentsReady: 1, agentsBusy: 2, serviceLevel15s: 0.9 });
      await server.bus.publish(`agent:${agent.username}`, 'agent.state', { username: agent.username, state: 'ready', since: 1 });
      await server.bus.publish('supervisor', 'agent.state', { username: agent.username, state: 'ready', since: 1 });
      await client.waitFor((m) => m.type === 'event' && m.topic === 'supervisor');
      // each topic in order; across topics, agents' own topics go first (docs/cti-protocol.md)
      expect(client.events().map((e) => `${e.topic} ${e.name}`).sort()).toEqual([
        `agent:${agent.username} agent.state`, 'queue:12345 queue.stats', 'supervisor agents.state',
      ]);
      await client.close();
    });
  });

  describe('when an agent connects', () => {
    it('follows its own topic once subscribed, and gets the screen pop of an offer', async () => {
      const { token, username } = await server.user(['agent']);
      const client = await connect(server.url, token);
      const reply = await client.request('subscribe', { topics: [`agent:${username}`] });
      expect(reply).toMatchObject({ ok: true, result: { topics: { [`agent:${username}`]: '0' } } });
      const offer = {
        callId: 'c-1', caller: '13800000000', did: '12345', queueId: 'general', waitingMs: 4200,
        ivr: [{ node: 'greeting' }, { node: 'menu', input: '1' }], history: [], openTickets: [], ringTimeoutMs: 15000,
      };
      const published = await server.bus.publish(`agent:${username}`, 'call.offer', offer);
      const event = await client.waitFor((m) => m.type === 'event');
      expect(event).toEqual({ type: 'event', eventId: published.id, topic: `agent:${username}`, name: 'call.offer', data: offer, at: published.at });
      await client.close();
    });
  });
});
