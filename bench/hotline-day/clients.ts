/**
 * The CTI clients of bench/hotline-day.ts, in their own process: the agents (own topic,
 * `agent.login`, `agent.ready`, `agent.endWrapUp` `wrapMs` after each call), the experts (agents
 * with the expert skill only: they answer consults and hang up their side `conferenceMs` after the
 * three-way starts, with `call.hangup` on the consult id — or, when the agent hung up during the
 * consult and the caller was handed to them, `conferenceMs` after that, on the call's id) and the supervisors (`supervisor` topic).
 *
 * A share `threeWayShare` of the general agents' connected calls becomes a three-way:
 * `consultAfterMs` after `call.progress answered` the agent sends `call.consult` to the expert
 * skill, and `call.conference` once the expert answered (`consulting`).
 *
 * Each socket timestamps a frame before parsing it. Measured: every event's `at` (server clock at
 * publish) → parsed; an agent's `ready` (`since`) → its next `call.offer` parsed (agent free →
 * offer); the consult and conference commands → their progress events.
 */
import WebSocket from 'ws';
import { agentName, epochNow, EXPERT_SKILL, seeded, summarize, supervisorName, tokenOf, type FromClients, type Shape, type ToClients } from './shared.ts';

interface CtiMessage {
  type: string;
  id?: string;
  ok?: boolean;
  name?: string;
  at?: number;
  data?: { callId?: string; state?: string; since?: number; status?: string; reason?: string; consultId?: string };
  error?: { code: string };
  result?: { consultId?: string };
}

let measuring = false;
const allDelivery: number[] = [];
const offerDelivery: number[] = [];
const supervisorDelivery: number[] = [];
const freeToOffer: number[] = [];
const consultToConsulting: number[] = [];
const conferenceToJoined: number[] = [];
const counts: Record<string, number> = {};
const count = (key: string): void => void (counts[key] = (counts[key] ?? 0) + 1);
const sockets: WebSocket[] = [];
/** The expert desk holding a consult, by consult id: the agent's side tells it when to leave. */
const expertDesks = new Map<string, (command: Record<string, unknown>) => void>();
let shape: Shape;
let random: () => number = Math.random;
let lastEventAt = 0;

type Role = 'agent' | 'expert' | 'supervisor';

async function open(url: string, username: string, commands: Array<Record<string, unknown>>, role: Role): Promise<void> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/cti`, ['hotline.cti.v1', `bearer.${tokenOf(username)}`]);
  sockets.push(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.on('close', (code) => count(`close ${code}`));
  let sent = 0;
  const pending = new Map<string, (message: CtiMessage) => void>();
  const send = (command: Record<string, unknown>, onReply?: (message: CtiMessage) => void): void => {
    const id = String(++sent);
    if (onReply) pending.set(id, onReply);
    ws.send(JSON.stringify({ id, ...command }));
  };
  let readySince: number | undefined;
  let lastState: string | undefined;
  /** Calls of this agent: consult sent at, conference sent at. */
  const consults = new Map<string, { consultAt: number; conferenceAt?: number; consultId?: string }>();
  ws.on('message', (raw) => {
    const received = epochNow();
    const message = JSON.parse(raw.toString()) as CtiMessage;
    if (message.type === 'reply') {
      if (!message.ok && measuring) count(`refused: ${message.error?.code ?? '?'}`);
      const reply = pending.get(message.id ?? '');
      pending.delete(message.id ?? '');
      reply?.(message);
      return;
    }
    if (message.type !== 'event' || message.at === undefined) return;
    const { name, data = {} } = message;
    if (measuring) {
      lastEventAt = received;
      allDelivery.push(received - message.at);
      if (role === 'supervisor') supervisorDelivery.push(received - message.at);
    }
    if (role === 'supervisor') return;
    if (name === 'agent.state') {
      if (data.state === 'wrap_up') setTimeout(() => send({ type: 'agent.endWrapUp' }), shape.wrapMs);
      // agent free: ready again after a call's wrap-up (not the first ready of the day)
      if (data.state === 'ready') readySince = measuring && lastState === 'wrap_up' ? data.since : undefined;
      lastState = data.state;
      return;
    }
    if (name === 'call.offer' && data.callId) {
      if (!measuring) return;
      count(role === 'expert' ? 'consult offers' : 'offers');
      offerDelivery.push(received - message.at);
      if (role === 'agent' && readySince !== undefined) freeToOffer.push(received - readySince);
      readySince = undefined;
      if (role === 'expert') expertDesks.set(data.callId, send);
      return;
    }
    if (name === 'call.progress' && role === 'expert' && data.status === 'transferred' && data.consultId) {
      // the agent left during the consult: the caller is this expert's now (docs/transfers.md), who ends
      // the call in turn, on the call's own id
      expertDesks.delete(data.consultId);
      const callId = data.callId;
      if (callId) setTimeout(() => send({ type: 'call.hangup', callId }), shape.conferenceMs);
      return;
    }
    if (name !== 'call.progress' || !data.callId || role !== 'agent') return;
    const callId = data.callId;
    if (data.status === 'answered' && measuring && random() < shape.threeWayShare) {
      setTimeout(() => {
        const consult = { consultAt: epochNow() } as { consultAt: number; conferenceAt?: number; consultId?: string };
        consults.set(callId, consult);
        count('consults sent');
        send({ type: 'call.consult', callId, target: { skill: EXPERT_SKILL } }, (reply) => {
          if (reply.ok) consult.consultId = reply.result?.consultId;
          else consults.delete(callId);
        });
      }, shape.consultAfterMs);
    } else if (data.status === 'consulting') {
      const consult = consults.get(callId);
      if (!consult) return;
      consultToConsulting.push(received - consult.consultAt);
      consult.conferenceAt = epochNow();
      send({ type: 'call.conference', callId });
    } else if (data.status === 'conference') {
      const consult = consults.get(callId);
      if (!consult?.conferenceAt) return;
      conferenceToJoined.push(received - consult.conferenceAt);
      count('three-way calls');
      setTimeout(() => {
        const consultId = consult.consultId;
        const expert = consultId ? expertDesks.get(consultId) : undefined;
        if (expert && consultId) {
          expertDesks.delete(consultId);
          expert({ type: 'call.hangup', callId: consultId });
        }
      }, shape.conferenceMs);
    } else if (data.status === 'consult-failed') {
      count(`consult failed: ${data.reason ?? '?'}`);
      consults.delete(callId);
    }
  });
  for (const command of commands.slice(0, -1)) send(command);
  const last = await new Promise<CtiMessage>((resolve) => send(commands.at(-1)!, resolve));
  if (!last.ok) throw new Error(`${username}: ${JSON.stringify(commands.at(-1))} was refused (${last.error?.code ?? '?'})`);
}

async function connect(url: string): Promise<void> {
  const { agents, experts, supervisors } = shape;
  const users: Array<{ name: string; role: Role }> = [
    ...Array.from({ length: agents }, (_, n) => ({ name: agentName(n), role: (n >= agents - experts ? 'expert' : 'agent') as Role })),
    ...Array.from({ length: supervisors }, (_, n) => ({ name: supervisorName(n), role: 'supervisor' as Role })),
  ];
  for (let n = 0; n < users.length; n += 50) {
    await Promise.all(users.slice(n, n + 50).map(({ name, role }) => open(url, name,
      role === 'supervisor'
        ? [{ type: 'subscribe', topics: ['supervisor'] }]
        : [{ type: 'subscribe', topics: [`agent:${name}`] }, { type: 'agent.login' }, { type: 'agent.ready' }],
      role)));
  }
}

let cpu = process.cpuUsage();
process.on('message', async (message: ToClients) => {
  const send = (reply: FromClients): void => void process.send!(reply);
  if (message.type === 'connect') {
    shape = message.shape;
    random = seeded(shape.seed + 1);
    const started = performance.now();
    await connect(message.url);
    send({ type: 'connected', connectMs: performance.now() - started });
  } else if (message.type === 'start') {
    measuring = true;
    cpu = process.cpuUsage();
  } else if (message.type === 'drain') {
    // the calls are over: wait until their last events have reached every socket
    const deadline = epochNow() + 30_000;
    while (epochNow() - lastEventAt < 1000 && epochNow() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    send({ type: 'drained' });
  } else if (message.type === 'stop') {
    measuring = false;
    const used = process.cpuUsage(cpu);
    send({
      type: 'stopped', allDelivery: summarize(allDelivery), offerDelivery: summarize(offerDelivery), supervisorDelivery: summarize(supervisorDelivery),
      freeToOffer: summarize(freeToOffer), consultToConsulting: summarize(consultToConsulting), conferenceToJoined: summarize(conferenceToJoined),
      sockets: sockets.length, clientCpuMs: (used.user + used.system) / 1000, counts,
    });
    for (const ws of sockets) ws.terminate();
    setTimeout(() => process.exit(0), 100);
  }
});
