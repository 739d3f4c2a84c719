/**
 * The ARI session's REST path (src/telephony/ari-rest.ts, issue 5): kept-alive connections,
 * originate variables in the JSON body, Asterisk's error text, requests in flight when the session
 * ends — against the simulator; and the requests it builds, against Asterisk's own API description
 * and the golden traces (../shared, read in place).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import { isHotlineError } from '../../src/errors.ts';
import { buildAriRequest, describeResource, openAriRest, resourceNameOf, type AriOperation } from '../../src/telephony/ari-rest.ts';
import { openAriSession } from '../../src/telephony/ari-session.ts';
import { createHarness, credentials, logger, nextEvent, startAdapter, startSimulator, type Harness } from './support/harness.ts';

const harness = createHarness();
afterEach(() => harness.run());

const shared = path.resolve(import.meta.dirname, '../../../shared');

/** A loopback proxy that counts the TCP connections it accepts; `hold()` swallows what clients send from then on. */
async function countingProxy(h: Harness, targetPort: number) {
  const open = new Set<Socket>();
  let accepted = 0;
  let holding = false;
  let onHeld = (_connection: Socket): void => undefined;
  const server = createServer((client) => {
    accepted += 1;
    open.add(client);
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) s.on('error', () => undefined);
    client.on('data', (chunk) => (holding ? onHeld(client) : upstream.write(chunk)));
    upstream.on('data', (chunk) => client.write(chunk));
    client.on('close', () => {
      upstream.destroy();
      open.delete(client);
    });
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  h.cleanups.push(async () => {
    for (const s of open) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    accepted: () => accepted,
    /** From now on nothing reaches the simulator; resolves with the first connection whose data was held. */
    hold: () => new Promise<Socket>((resolve) => ((holding = true), (onHeld = resolve))),
  };
}

function sessionOn(url: string) {
  return openAriSession({
    url, user: credentials.user, password: credentials.password, app: 'hotline', clock: systemClock, logger,
    pingIntervalMs: 5_000, pongTimeoutMs: 15_000, requestTimeoutMs: 10_000, onEvent: () => undefined,
  }, new AbortController().signal);
}

describe('ARI REST over the session', () => {
  describe('when the app makes 100 requests at once, then 100 one after another', () => {
    it('opens at most 32 connections for the burst and keeps using them', async () => {
      const sim = await startSimulator(harness);
      const proxy = await countingProxy(harness, Number(new URL(sim.url).port));
      const adapter = await startAdapter(harness, proxy.url);
      const { port } = adapter.telephony;
      const call = await sim.control.placeCall({ from: '5551001', did: '12345' });
      await nextEvent(adapter, 'call-arrived', call.channelId);
      const before = proxy.accepted();
      await Promise.all(Array.from({ length: 100 }, (_, n) => port.setVariable(call.channelId, `HOTLINE_V${n}`, String(n))));
      const burst = proxy.accepted() - before;
      expect(burst).toBeLessThanOrEqual(32);
      for (let n = 0; n < 100; n++) await port.setVariable(call.channelId, 'HOTLINE_STEP', String(n));
      expect(proxy.accepted() - before - burst).toBeLessThanOrEqual(2);
      await expect(port.getVariable(call.channelId, 'HOTLINE_V77')).resolves.toBe('77');
      await expect(port.getVariable(call.channelId, 'HOTLINE_STEP')).resolves.toBe('99');
    });
  });

  describe('when an originate carries channel variables', () => {
    it('sets them on the new channel, Chinese text intact', async () => {
      const sim = await startSimulator(harness);
      const adapter = await startAdapter(harness, sim.url);
      await sim.control.setEndpoint('PJSIP', 'agent1', { behavior: 'answer', answerAfterMs: 10 });
      await adapter.telephony.port.originate('PJSIP/agent1', {
        channelId: 'agent-1', timeoutSec: 10, timeoutMs: 5_000,
        variables: { HOTLINE_CALL_ID: 'call-7', 'CALLERID(name)': '张三 先生' },
      });
      expect((await sim.control.channel('agent-1')).variables).toMatchObject({ HOTLINE_CALL_ID: 'call-7', 'CALLERID(name)': '张三 先生' });
    });
  });

  describe('when Asterisk answers 404 Channel not found', () => {
    it('is TELEPHONY_CHANNEL_GONE with Asterisk’s text, and the cause carries the status', async () => {
      const sim = await startSimulator(harness);
      const adapter = await startAdapter(harness, sim.url);
      const error = await adapter.telephony.port.answer('no-such-channel').catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'TELEPHONY_CHANNEL_GONE', details: { asterisk: 'Channel not found', kind: 'not-found' } });
      expect(isHotlineError(error) && error.cause).toMatchObject({ status: 404 });
    });
  });

  describe('when the session ends with a request in flight', () => {
    it('fails the request with ARI_UNAVAILABLE and closes its connection', async () => {
      const sim = await startSimulator(harness);
      const proxy = await countingProxy(harness, Number(new URL(sim.url).port));
      const session = await sessionOn(proxy.url);
      harness.cleanups.push(async () => session.close());
      const held = proxy.hold();
      const answer = session.call('channels', 'answer', { channelId: 'c-1' }).catch((e: unknown) => e);
      await held;
      session.close();
      expect(await answer).toMatchObject({ code: 'ARI_UNAVAILABLE', message: 'ARI connection lost: closed' });
      const connection = await held;
      if (!connection.destroyed) await new Promise((resolve) => connection.once('close', resolve));
    });
  });

  describe('when the operation is not in Asterisk’s description', () => {
    it('fails with ARI_REQUEST_FAILED', async () => {
      const sim = await startSimulator(harness);
      const session = await sessionOn(sim.url);
      harness.cleanups.push(async () => session.close());
      await expect(session.call('channels', 'teleport', { channelId: 'c-1' }))
        .rejects.toMatchObject({ code: 'ARI_REQUEST_FAILED', message: 'ARI has no operation channels.teleport' });
    });
  });

  describe('when Asterisk cannot be reached', () => {
    it('fails the request at once with ARI_UNAVAILABLE, naming the cause', async () => {
      const sim = await startSimulator(harness);
      const rest = await openAriRest({ url: sim.url, user: credentials.user, password: credentials.password });
      harness.cleanups.push(async () => rest.destroy());
      await sim.close();
      const answer = rest.operation('channels', 'answer')!;
      await expect(rest.send(answer, { channelId: 'c-1' })).rejects.toMatchObject({ code: 'ARI_UNAVAILABLE', message: expect.stringMatching(/^ARI channels\.answer: no answer from Asterisk \(.*ECONNREFUSED/) });
    });
  });
});

/** The operation table built from Asterisk 22's own API description, as the client builds it from what Asterisk serves. */
function asteriskOperations(): Map<string, Map<string, AriOperation>> {
  const docs = path.join(shared, 'asterisk-ari-api-docs');
  const listing = JSON.parse(readFileSync(path.join(docs, 'resources.json'), 'utf8')) as { apis: Array<{ path: string }> };
  return new Map(listing.apis.map((api) => {
    const resource = resourceNameOf(api.path);
    return [resource, describeResource(resource, JSON.parse(readFileSync(path.join(docs, `${resource}.json`), 'utf8')))];
  }));
}

interface TraceRequest { readonly kind: string; readonly method: string; readonly path: string; readonly query: Record<string, string>; readonly status: number }

/** The operation for a concrete path: parameters match any segment, literal segments win (as in Asterisk). */
function operationFor(operations: Map<string, Map<string, AriOperation>>, method: string, concrete: string): AriOperation | undefined {
  const parts = concrete.split('/');
  const candidates = [...operations.values()].flatMap((ops) => [...ops.values()]).filter((op) => {
    const template = op.path.split('/');
    return op.method === method && template.length === parts.length && template.every((t, i) => t.startsWith('{') || t === parts[i]);
  });
  const literals = (op: AriOperation): number => op.path.split('/').filter((t) => !t.startsWith('{')).length;
  return candidates.sort((a, b) => literals(b) - literals(a))[0];
}

describe('ARI requests as Asterisk expects them', () => {
  const operations = asteriskOperations();
  const op = (resource: string, name: string): AriOperation => operations.get(resource)!.get(name)!;

  describe('when every request of the golden traces is built from Asterisk’s own description', () => {
    it('gives the same method, path and query string, and no body', () => {
      const files = readdirSync(path.join(shared, 'ari-traces')).filter((f) => f.endsWith('.json') && !f.startsWith('_'));
      const steps = files.flatMap((f) => (JSON.parse(readFileSync(path.join(shared, 'ari-traces', f), 'utf8')) as { steps: TraceRequest[] }).steps)
        .filter((s) => s.kind === 'request');
      let built = 0;
      for (const step of steps) {
        const operation = operationFor(operations, step.method, step.path);
        if (!operation) {
          expect([404, 405], `${step.method} ${step.path} has no operation`).toContain(step.status);
          continue;
        }
        const parts = step.path.split('/');
        const params: Record<string, string> = { ...step.query };
        operation.path.split('/').forEach((t, i) => t.startsWith('{') && (params[t.slice(1, -1)] = parts[i]!));
        const request = buildAriRequest(operation, params);
        const [sentPath = '', sentQuery = ''] = request.path.split('?');
        expect(decodeURIComponent(sentPath)).toBe(step.path);
        expect(Object.fromEntries(new URLSearchParams(sentQuery))).toEqual(step.query);
        expect(request.body).toBeUndefined();
        built += 1;
      }
      expect(built).toBeGreaterThan(100);
    });
  });

  describe('when an originate carries variables', () => {
    it('sends them as the JSON body of Asterisk’s documented example, the rest in the query', () => {
      const request = buildAriRequest(op('channels', 'originate'), {
        endpoint: 'SIP/Alice', app: 'hotline', timeout: undefined, variables: { 'CALLERID(name)': 'Alice' },
      });
      expect(request.path).toBe('/channels?endpoint=SIP%2FAlice&app=hotline');
      expect(JSON.parse(request.body!)).toEqual({ variables: { 'CALLERID(name)': 'Alice' } });
    });
  });

  describe('when parameters are lists, booleans, numbers or ids with reserved characters', () => {
    it('joins lists with commas and writes true/false and numbers as text, URI-encoded', () => {
      expect(buildAriRequest(op('bridges', 'addChannel'), { bridgeId: 'call/1', channel: ['a;1', 'b'] }).path)
        .toBe('/bridges/call%2F1/addChannel?channel=a%3B1%2Cb');
      expect(buildAriRequest(op('channels', 'record'), { channelId: 'c-1', name: 'r1', format: 'wav', beep: true, maxDurationSeconds: 30 }).path)
        .toBe('/channels/c-1/record?name=r1&format=wav&maxDurationSeconds=30&beep=true');
    });

    it('refuses a missing path parameter as swagger-client did', () => {
      expect(() => buildAriRequest(op('channels', 'answer'), {})).toThrow('channelId is a required path param.');
    });
  });
});
