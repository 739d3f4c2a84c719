/**
 * The CTI clients of bench/acd.ts, in their own process: agents (own topic, `agent.login`,
 * `agent.ready`, and `agent.endWrapUp` once a call ends), supervisors (`supervisor` topic) and
 * queue watchers (supervisor users following only `queue:general`, as a wallboard does).
 * Each socket timestamps what it receives before parsing it; latency is measured against the
 * event's `at` (the server's publish time, ms) and, for offers, against the reserve (`since` of the
 * agent's `reserved` state); on `supervisor`, each agent's state in an `agents.state` batch also
 * against its change (`since`), the batching wait included.
 *
 * Only the first `PARSED_CONSOLES` consoles parse their events; the others read the name and `at`
 * from the frame's bytes. In a hall each console parses its own frames on its own machine; here
 * one process holds all of them, and 500 parses of each agents.state batch (tens of KB in a burst)
 * one after another delayed every socket behind them, agents' offers included, by up to ~100 ms.
 */
import WebSocket from 'ws';
import { agentName, epochNow, summarize, supervisorName, tokenOf, watcherName, type FromClients, type ToClients } from './shared.ts';

interface CtiMessage {
  type: string;
  id?: string;
  ok?: boolean;
  name?: string;
  topic?: string;
  at?: number;
  data?: { callId?: string; state?: string; since?: number; agents?: Array<{ since: number }> };
  error?: { code: string };
}

/** Consoles that parse every event (and give the agents.state freshness figure). */
const PARSED_CONSOLES = 10;
let measuring = false;
const offerDelivery: number[] = [];
const offerFromReserve: number[] = [];
const supervisorDelivery: number[] = [];
const supervisorFreshness: number[] = [];
const watcherDelivery: number[] = [];
const allDelivery: number[] = [];
const counts: Record<string, number> = { offers: 0, endWrapUps: 0 };
const sockets: WebSocket[] = [];
let wrapMs = 0;
/** When the last `agent.state` arrived on any socket (the calls' own events). */
let lastStateAt = 0;

// an event frame is {"type":"event",…,"name":"<name>",…,"at":<ms>} (src/cti/gateway.ts)
const EVENT = Buffer.from('{"type":"event"');
const AT = Buffer.from('"at":');
const STATES = Buffer.from('"name":"agents.state"');

/** Opens one socket and sends `commands` in order; resolves when the last is answered. */
async function open(url: string, username: string, commands: Array<Record<string, unknown>>, role: 'agent' | 'supervisor' | 'watcher', parses = true): Promise<void> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/cti`, ['hotline.cti.v1', `bearer.${tokenOf(username)}`]);
  sockets.push(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.on('close', (code) => void (counts[`close ${code}`] = (counts[`close ${code}`] ?? 0) + 1));
  const reserved = new Map<string, number>();
  let sent = 0;
  let lastReply: (ok: boolean) => void = () => undefined;
  const send = (command: Record<string, unknown>): void => ws.send(JSON.stringify({ id: String(++sent), ...command }));
  ws.on('message', (raw: Buffer) => {
    const received = epochNow();
    if (!parses && measuring && raw.subarray(0, EVENT.length).equals(EVENT)) {
      const latency = received - Number(raw.toString('latin1', raw.lastIndexOf(AT) + AT.length, raw.length - 1));
      allDelivery.push(latency);
      (role === 'supervisor' ? supervisorDelivery : watcherDelivery).push(latency);
      if (raw.subarray(0, 160).includes(STATES)) lastStateAt = received;
      return;
    }
    const message = JSON.parse(raw.toString()) as CtiMessage;
    if (message.type === 'reply') {
      if (!message.ok) {
        const key = `refused: ${message.error?.code ?? '?'}`;
        counts[key] = (counts[key] ?? 0) + 1;
      }
      if (message.id === String(commands.length)) lastReply(message.ok === true);
      return;
    }
    if (message.type !== 'event' || !measuring || message.at === undefined) return;
    if (message.name === 'agent.state' || message.name === 'agents.state') lastStateAt = received;
    const latency = received - message.at;
    allDelivery.push(latency);
    if (role !== 'agent') {
      (role === 'supervisor' ? supervisorDelivery : watcherDelivery).push(latency);
      for (const agent of message.name === 'agents.state' ? (message.data?.agents ?? []) : []) supervisorFreshness.push(received - agent.since);
      return;
    }
    const { callId, state, since } = message.data ?? {};
    if (message.name === 'agent.state' && state === 'reserved' && callId && since !== undefined) reserved.set(callId, since);
    if (message.name === 'agent.state' && state === 'wrap_up') {
      setTimeout(() => {
        counts['endWrapUps']!++;
        send({ type: 'agent.endWrapUp' });
      }, wrapMs);
    }
    if (message.name === 'call.offer' && callId) {
      counts['offers']!++;
      offerDelivery.push(latency);
      const at = reserved.get(callId);
      if (at !== undefined) offerFromReserve.push(received - at);
      reserved.delete(callId);
    }
  });
  const answered = new Promise<boolean>((resolve) => (lastReply = resolve));
  for (const command of commands) send(command);
  if (!(await answered)) throw new Error(`${username}: ${JSON.stringify(commands.at(-1))} was refused`);
}

async function connect(url: string, agents: number, supervisors: number, watchers: number): Promise<void> {
  // agents first (their logins are not what is measured), then the supervisors and the queue watchers
  for (let n = 0; n < agents; n += 50) {
    const batch: Promise<void>[] = [];
    for (let i = n; i < Math.min(agents, n + 50); i++) {
      const username = agentName(i);
      batch.push(open(url, username, [{ type: 'subscribe', topics: [`agent:${username}`] }, { type: 'agent.login' }, { type: 'agent.ready' }], 'agent'));
    }
    await Promise.all(batch);
  }
  for (let n = 0; n < supervisors; n += 50) {
    const batch: Promise<void>[] = [];
    for (let i = n; i < Math.min(supervisors, n + 50); i++) batch.push(open(url, supervisorName(i), [{ type: 'subscribe', topics: ['supervisor'] }], 'supervisor', i < PARSED_CONSOLES));
    await Promise.all(batch);
  }
  for (let n = 0; n < watchers; n += 50) {
    const batch: Promise<void>[] = [];
    for (let i = n; i < Math.min(watchers, n + 50); i++) batch.push(open(url, watcherName(i), [{ type: 'subscribe', topics: ['queue:general'] }], 'watcher', i < PARSED_CONSOLES));
    await Promise.all(batch);
  }
}

let cpu = process.cpuUsage();
process.on('message', async (message: ToClients) => {
  const send = (reply: FromClients): void => void process.send!(reply);
  if (message.type === 'connect') {
    wrapMs = message.wrapMs;
    const started = performance.now();
    await connect(message.url, message.agents, message.supervisors, message.watchers);
    send({ type: 'connected', connectMs: performance.now() - started });
  } else if (message.type === 'start') {
    measuring = true;
    cpu = process.cpuUsage();
  } else if (message.type === 'drain') {
    // the calls are over: wait until their last events have reached every socket
    const deadline = epochNow() + 30_000;
    while (epochNow() - lastStateAt < 1000 && epochNow() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    send({ type: 'drained' });
  } else if (message.type === 'stop') {
    measuring = false;
    const used = process.cpuUsage(cpu);
    send({
      type: 'stopped',
      offerDelivery: summarize(offerDelivery), offerFromReserve: summarize(offerFromReserve),
      supervisorDelivery: summarize(supervisorDelivery), supervisorFreshness: summarize(supervisorFreshness), watcherDelivery: summarize(watcherDelivery), allDelivery: summarize(allDelivery),
      clientCpuMs: (used.user + used.system) / 1000, counts,
    });
    for (const ws of sockets) ws.terminate();
    setTimeout(() => process.exit(0), 100);
  }
});
