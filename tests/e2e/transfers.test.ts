/**
 * A three-way call on the composed server in embedded mode (issue 6): the caller comes through the
 * 12345 greeting to an agent, who consults the customs expert, joins all three and leaves; caller
 * and expert talk, the expert hangs up first, the caller rates the call — and the rating goes to
 * the expert, who served last. The call record shows the consult.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { demoPassword } from '../../src/auth/seed-users.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';
import { startHotline, type Hotline } from '../../src/server.ts';
import { connect, type Client, type ServerMessage } from '../cti/cti-helpers.ts';
import { until } from '../support/sim-events.ts';

const long = 30_000;
const event = (name: string, match: (data: Record<string, unknown>) => boolean = () => true) =>
  (m: ServerMessage) => m.type === 'event' && m.name === name && match(m.data as Record<string, unknown>);

describe('a consult that becomes the call, on the running server', () => {
  let hotline: Hotline | undefined;
  const clients: Client[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.ws.terminate();
    await hotline?.close();
  });

  it('goes caller → agent → three-way with the expert → agent leaves → expert hangs up → the rating is the expert\'s', async () => {
    hotline = await startHotline(loadConfig({ PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_GRACE_MS: '0' }), createLogger('silent'));
    const sim = hotline.simulator!;
    const token = async (username: string) => {
      const response = await fetch(`${hotline!.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: demoPassword }) });
      return ((await response.json()) as { token: string }).token;
    };
    const desk = async (username: string) => {
      const client = await connect(`${hotline!.url.replace('http', 'ws')}/cti`, await token(username));
      clients.push(client);
      await client.request('subscribe', { topics: [`agent:${username}`] });
      await client.request('agent.login');
      await client.request('agent.ready');
      return client;
    };
    const agent = await desk('agent1001');
    const expert = await desk('expert2001');

    const { channelId: callId } = await sim.control.placeCall({ from: '13700137000', did: '12345' });
    await agent.waitFor(event('call.offer'));
    expect((await agent.request('call.answer', { callId })).ok).toBe(true);
    await agent.waitFor(event('call.progress', (d) => d['status'] === 'answered'));

    const consulted = await agent.request('call.consult', { callId, target: { skill: 'expert-customs' } });
    expect(consulted).toMatchObject({ ok: true, result: { callId, consultId: `${callId}-cs1` } });
    const consultId = `${callId}-cs1`;
    await expert.waitFor(event('call.offer', (d) => d['callId'] === consultId));
    expect((await expert.request('call.answer', { callId: consultId })).ok).toBe(true);
    await agent.waitFor(event('call.progress', (d) => d['status'] === 'consulting'));
    expect((await agent.request('call.conference', { callId })).ok).toBe(true);
    expect((await agent.request('call.hangup', { callId })).ok).toBe(true); // the agent leaves the three-way
    await agent.waitFor(event('call.ended', (d) => d['cause'] === 'transferred'));
    await expert.waitFor(event('call.progress', (d) => d['status'] === 'transferred'));

    const survey = until(async () => (await sim.control.channel(callId)).heard.some((h) => String(h['media'] ?? '').includes('survey')), 'the caller hears the survey', long);
    expect((await expert.request('call.hangup', { callId })).ok).toBe(true);
    await survey;
    await sim.control.sendDtmf(callId, { digits: '1' }); // 满意
    await until(async () => (await sim.control.channel(callId)).hungUp, 'the survey thanked the caller and hung up', long);

    const headers = { authorization: `Bearer ${await token('supervisor')}` };
    const history = async () => (await (await fetch(`${hotline!.url}/api/callers/13700137000/history`, { headers })).json()) as {
      calls: Array<{ callId: string; endedBy?: string; agentIds: string[]; transfers?: Array<Record<string, unknown>> }>;
      ratedCalls: Array<{ callId: string; agent: string; rating: string }>;
    };
    await until(async () => (await history()).ratedCalls.length === 1, 'the rating is stored', long);
    expect((await history()).ratedCalls).toEqual([expect.objectContaining({ callId, agent: 'expert2001', rating: 'satisfied' })]);
    const [call] = (await history()).calls;
    expect(call).toMatchObject({ callId, agentIds: ['agent1001', 'expert2001'] });
    expect(call!.transfers).toEqual([expect.objectContaining({ kind: 'consult', to: 'skill:expert-customs', by: 'agent1001', agentId: 'expert2001' })]);
    await until(async () => (await sim.control.stats()).channels === 0, 'no channel is left', long);
  }, 90_000);
});
