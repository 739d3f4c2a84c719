/** Performs a trace's steps against the simulator: REST requests, external actions, sockets. */
import { WebSocket } from 'ws';
import type { Simulator } from '../../../src/sim/simulator.ts';
import { ari, openEvents, type EventStream } from '../support.ts';
import type { TraceStep } from './trace.ts';
import { Bindings, unify } from './unify.ts';

let counter = 0;
/** A fresh raw value for a client-chosen id the trace names by placeholder (e.g. `{agent}`). */
export function fresh(token: string): string {
  return `${token.replace(/[{}<>]/g, '')}-${(counter++).toString(36)}`;
}

function authHeader(auth: unknown): string | null | undefined {
  if (auth === undefined) return undefined;
  if (auth === 'none') return null;
  const basic = /^Basic (.*)$/.exec(String(auth));
  return basic ? `Basic ${Buffer.from(basic[1]!).toString('base64')}` : undefined;
}

/** Sends a request step; returns a difference ('' when status and body match). */
export async function doRequest(sim: Simulator, step: TraceStep, b: Bindings): Promise<string> {
  const path = b.fill(String(step.path), fresh);
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(step.query as Record<string, string>)) query[k] = b.fill(String(v), fresh);
  const res = await ari(sim.url, String(step.method), path, query, authHeader(step.auth));
  const where = `${String(step.method)} ${String(step.path)}`;
  if (res.status !== step.status) return `${where}: status ${String(step.status)} ≠ ${res.status} ${JSON.stringify(res.body)}`;
  const trial = b.clone();
  const diff = unify(step.response, res.body, trial);
  if (diff) return `${where}: response ${diff}`;
  b.adopt(trial);
  return '';
}

function parseCallerId(text: string): { name: string; number: string } {
  const m = /^(.*?)\s*<(.*)>$/.exec(text);
  return m ? { name: m[1]!, number: m[2]! } : { name: '', number: text };
}

const sipRequests = new Set(['sip-reinvite-hold', 'sip-reinvite-resume', 'sip-bye']);
const pendingSip = new Map<string, string>();

/** Performs an external step through the control API; returns a reason when it cannot. */
export async function doExternal(sim: Simulator, step: TraceStep, b: Bindings): Promise<string> {
  const actor = String(step.actor);
  const id = b.values.get(`{${actor}}`);
  if (step.action === 'dial') {
    const { name, number } = parseCallerId(String(step.caller_id));
    const did = String(step.to);
    const call = await sim.control.placeCall({ from: number, fromName: name, did, args: did === '12345' ? [] : [did] });
    b.values.set(`{${actor}}`, call.channelId);
    if (call.phoneChannelId) b.values.set(`{${actor}_phone}`, call.phoneChannelId);
    return '';
  }
  if (step.action === 'sip-invite') {
    // endpoint 1001 has callerid "Agent 1001" <1001> in the traced pjsip.conf
    const call = await sim.control.placeCall({ tech: 'PJSIP', from: '1001', fromName: 'Agent 1001', did: String(step.to), args: [] });
    b.values.set(`{${actor}}`, call.channelId);
    return '';
  }
  if (id === undefined) return `external ${String(step.action)}: unknown actor ${actor}`;
  const sipDuration = /\((\d+) ms\)/.exec(String(step.via ?? ''))?.[1];
  if (step.action === 'dtmf') await sim.control.sendDtmf(id, { digits: String(step.digit), durationMs: Number(step.duration_ms ?? sipDuration) });
  else if (step.action === 'hangup') await sim.control.hangup(id, Number(step.cause));
  else if (sipRequests.has(String(step.action))) pendingSip.set(id, String(step.action));
  else if (step.action === 'sip-reinvite-answered' || step.action === 'sip-bye-answered') {
    // Asterisk reports the re-INVITE / BYE once its 200 OK went out: act on the answer step
    const pending = pendingSip.get(id);
    pendingSip.delete(id);
    if (pending === 'sip-reinvite-hold') await sim.control.hold(id);
    else if (pending === 'sip-reinvite-resume') await sim.control.unhold(id);
    else if (pending === 'sip-bye') await sim.control.hangup(id, 16);
  } else if (step.action === 'sip-200-ack') return '';
  else return `external ${String(step.action)} is not supported`;
  return '';
}

/** Opens a socket the way a `ws` connect step did; returns its stream or the upgrade failure. */
export async function doConnect(sim: Simulator, step: TraceStep): Promise<{ stream?: EventStream; diff: string }> {
  const query = new URLSearchParams({ ...(step.query as Record<string, string>) });
  const auth = String(step.auth ?? 'api_key=hotline:hotline').replace(/^api_key=/, '');
  if (step.result === 'open' && auth === 'hotline:hotline' && query.get('app')) return { stream: await openEvents(sim.url, query.get('app')!), diff: '' };
  query.set('api_key', auth);
  const ws = new WebSocket(`${sim.url.replace('http', 'ws')}/ari/events?${query.toString()}`);
  const outcome = await new Promise<{ status: number; body: string }>((resolve) => {
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => { body += chunk.toString('utf8'); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.on('open', () => resolve({ status: 101, body: '' }));
    ws.on('error', () => undefined);
  });
  ws.terminate();
  if (outcome.status !== step.status) return { diff: `ws connect: status ${String(step.status)} ≠ ${outcome.status}` };
  const expected = typeof step.response === 'string' ? step.response.replace(/<address>.*<\/address>/, '') : JSON.stringify(step.response);
  const actual = typeof step.response === 'string' ? outcome.body.replace(/<address>.*<\/address>/, '') : JSON.stringify(JSON.parse(outcome.body));
  return { diff: expected === actual ? '' : `ws connect: body ${expected} ≠ ${actual}` };
}
