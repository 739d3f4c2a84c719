/**
 * The world of the transfer tests: the simulator through the real ari-client, the queue service,
 * router, agent desk and transfer desk on one memory store with a manual clock, the real CTI
 * gateway (agents send commands over the WebSocket), call records, and tickets. `restart()` stops
 * the server part (telephony first, as in a crash: nothing is cleaned up) and starts it again on
 * the same store, simulator and CTI gateway.
 */
import { createAcdState, type AcdState } from '../../src/acd/acd-state.ts';
import { createAgentDesk } from '../../src/acd/agent-desk.ts';
import { defaultQueues } from '../../src/acd/queue-config.ts';
import { createQueueRouter, type QueueRouter } from '../../src/acd/queue-router.ts';
import { createQueueService, type QueueService } from '../../src/acd/queue-service.ts';
import { createSupervision, type Supervision } from '../../src/acd/supervision.ts';
import { createSupervisionAudit } from '../../src/acd/supervision-audit.ts';
import { createTransferDesk, ticketNotes, type TransferDesk } from '../../src/acd/transfer-desk.ts';
import { createCallRecorder } from '../../src/calls/call-recorder.ts';
import { createCallRecords, type CallRecords } from '../../src/calls/call-records.ts';
import { createManualClock, systemClock, type ManualClock } from '../../src/clock.ts';
import type { CtiGateway } from '../../src/cti/gateway.ts';
import type { EventMessage } from '../../src/cti/protocol.ts';
import { createLogger } from '../../src/log.ts';
import { createSimulator, type Simulator } from '../../src/sim/simulator.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { createTelephony, type Telephony } from '../../src/telephony/create-telephony.ts';
import { createTicketService, type TicketService } from '../../src/tickets/ticket-service.ts';
import { login } from '../support/app.ts';
import { until } from '../support/sim-events.ts';
import { connect, startInstance, type Client } from '../cti/cti-helpers.ts';

const logger = createLogger('silent');

export type Phone = 'answer' | 'no-answer' | 'manual' | 'busy';

export interface Desk {
  readonly username: string;
  readonly extension: string;
  readonly client: Client;
}

export interface TransferWorld {
  clock: ManualClock;
  sim: Simulator;
  telephony: Telephony;
  acd: AcdState;
  queues: QueueService;
  router: QueueRouter;
  transfers: TransferDesk;
  records: CallRecords;
  tickets: TicketService;
  agent: Desk;
  expert: Desk;
  /** A supervisor (seat 3001, answers at once): not an ACD agent. */
  supervisor: Desk;
  supervision: Supervision;
  /** A citizen calls 12345 and is connected to the agent; returns the call id (the caller's channel). */
  connectCaller(from?: string): Promise<string>;
  state(desk: Desk): Promise<string | undefined>;
  /** The next event `name` on a desk (after the ones already received). */
  next(desk: Desk, name: string, match?: (data: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** No channel left, no bridge but the queues' holding bridges, no call tracked. */
  clean(): Promise<void>;
  /** Stops the server part as in a crash and starts it again; resolves once the new one reconciled. */
  restart(): Promise<void>;
  /** The two halves of `restart()`, to change things while no server runs. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export const RING_SEC = 10;

/** An agent (seat 1001, general) and an expert (seat 2001, expert-customs), both ready; phones behave as told. */
export async function transferWorld(phones: { agent?: Phone; expert?: Phone } = {}): Promise<TransferWorld> {
  const closers: Array<() => Promise<void> | void> = [];
  const clock = createManualClock();
  const store = createMemoryStore({ clock });
  const cti = await startInstance({ clock: systemClock });
  closers.push(() => cti.close());
  const sim = await createSimulator({ logger, clock });
  closers.push(() => sim.close());
  // the desks of each start register their commands here; the gateway takes each command once
  const commands = new Map<string, (...args: never[]) => unknown>();
  const gateway: CtiGateway = {
    ...cti.gateway,
    onCommand: ((type: string, handler: (...args: never[]) => unknown) => {
      if (!commands.has(type)) cti.gateway.onCommand(type as never, ((...args: never[]) => commands.get(type)!(...args)) as never);
      commands.set(type, handler);
    }) as CtiGateway['onCommand'],
  };
  const acd = createAcdState({ store, clock });
  const records = createCallRecords({ store, clock });
  const tickets = createTicketService({ store, clock, logger });

  /** The server part: telephony, recorder, desks, queues, router, transfers. */
  async function startServer() {
    const parts: Array<() => Promise<void> | void> = [];
    const telephony = createTelephony({ ARI_URL: sim.url, ARI_USER: 'hotline', ARI_PASSWORD: 'hotline', ARI_APP: 'hotline', AMI_USER: 'x', AMI_SECRET: 'x' }, logger);
    parts.push(() => telephony.close());
    const recorder = createCallRecorder({ records, telephony: telephony.port, clock, logger });
    parts.push(() => recorder.close());
    const late: { queues?: QueueService; router?: QueueRouter; transfers?: TransferDesk; supervision?: Supervision } = {};
    const desk = createAgentDesk({
      cti: gateway, bus: cti.bus, acd, records, telephony: telephony.port, clock, logger,
      getUser: (name) => cti.test.users.getUser(name),
      connection: (callId) => late.transfers?.connection(callId) ?? late.queues?.connection(callId),
      kick: () => late.router?.kick(),
      answerAgentLeg: (channelId) => sim.control.answer(channelId),
    });
    parts.push(() => desk.close());
    const queues = (late.queues = createQueueService({
      telephony: telephony.port, acd, store, clock, logger, queues: defaultQueues, instanceId: 'i1', ringTimeoutSec: RING_SEC, wrapUpSec: 30,
      onOffer: desk.offered, onConnected: desk.connected,
      onEnqueued: () => late.router?.kick(),
      onAnswered: (callId, agentId) => recorder.record(callId, { type: 'answered', at: clock.now(), agentId }),
      onEnded: (ended) => {
        if (ended.cause === 'agent_hangup') recorder.agentHungUp(ended.callId);
        desk.ended(ended);
        late.supervision?.callEnded(ended);
      },
      onPartyLeft: (connection, party) => late.transfers?.partyLeft(connection, party) ?? Promise.resolve(false),
    }));
    parts.push(() => queues.close());
    const router = (late.router = createQueueRouter({ acd, store, clock, logger, instanceId: 'i1', queues: defaultQueues, deliver: queues.deliver, intervalMs: 1_000 }));
    parts.push(() => router.close());
    const transfers = (late.transfers = createTransferDesk({
      cti: gateway, bus: cti.bus, acd, queues, telephony: telephony.port, clock, logger, instanceId: 'i1',
      allow: new Set(['110', '119', '120', '122', '12315']), routingQueues: defaultQueues, ringTimeoutSec: RING_SEC,
      record: (callId, event) => recorder.record(callId, event),
      noteTickets: ticketNotes(records, tickets, logger),
      onOffer: desk.offered,
    }));
    parts.push(() => transfers.close());
    const supervision = (late.supervision = createSupervision({
      cti: gateway, bus: cti.bus, telephony: telephony.port, audit: createSupervisionAudit({ store, clock }), clock, logger, instanceId: 'i1',
      getUser: (name) => cti.test.users.getUser(name),
      connection: (callId) => queues.connection(callId),
      handOver: (callId, to) => queues.handOver(callId, to),
    }));
    parts.push(() => supervision.close());
    let reconciled = false;
    telephony.port.onReconcile(() => void (reconciled = true));
    await telephony.start();
    await until(() => reconciled && telephony.port.state().status === 'up', 'ARI is connected and reconciled');
    await telephony.idle();
    return { telephony, queues, router, transfers, supervision, close: async () => { for (const close of parts.splice(0).reverse()) await close(); } };
  }
  let server = await startServer();
  closers.push(() => server.close());

  async function seat(extension: string, skills: Record<string, number>, phone: Phone): Promise<Desk> {
    const { authorization, username } = await login(cti.test, ['agent'], { extension });
    await sim.control.setEndpoint('PJSIP', extension, { behavior: phone });
    await acd.upsertAgent(username, { extension, skills });
    await acd.applyAgent(username, { type: 'login', ready: true });
    await clock.advance(1);
    const client = await connect(cti.url, authorization.replace(/^Bearer /, ''));
    closers.push(() => client.close());
    if (!(await client.request('subscribe', { topics: [`agent:${username}`] })).ok) throw new Error('subscribe failed');
    return { username, extension, client };
  }
  const agent = await seat('1001', { general: 5 }, phones.agent ?? 'answer');
  const expert = await seat('2001', { 'expert-customs': 8 }, phones.expert ?? 'answer');
  const supervisor = await (async (): Promise<Desk> => {
    const { authorization, username } = await login(cti.test, ['supervisor'], { extension: '3001' });
    await sim.control.setEndpoint('PJSIP', '3001', { behavior: 'answer' });
    const client = await connect(cti.url, authorization.replace(/^Bearer /, ''));
    closers.push(() => client.close());
    if (!(await client.request('subscribe', { topics: [`agent:${username}`] })).ok) throw new Error('subscribe failed');
    return { username, extension: '3001', client };
  })();

  const world: TransferWorld = {
    clock, sim, telephony: server.telephony, acd, queues: server.queues, router: server.router, transfers: server.transfers, supervision: server.supervision, records, tickets, agent, expert, supervisor,
    async connectCaller(from = '13800000001') {
      await acd.applyAgent(expert.username, { type: 'not_ready', reason: 'expert' }); // the caller goes to the agent
      const { channelId } = await sim.control.placeCall({ from, did: '12345' });
      await world.telephony.port.answer(channelId);
      await world.queues.enqueue({ callId: channelId, channelId, queueId: 'general', priority: 0, arrivedAt: clock.now(), callerNumber: from, did: '12345' });
      world.router.kick();
      await until(async () => world.queues.connection(channelId)?.phase === 'connected', 'the caller is connected to the agent');
      await acd.applyAgent(expert.username, { type: 'ready' });
      return channelId;
    },
    state: async (d) => (await acd.agent(d.username))?.status.state,
    next(d, name, match = () => true) {
      const after = d.client.received.length;
      return d.client
        .waitFor((m) => m.type === 'event' && m.name === name && d.client.received.indexOf(m) >= after && match((m as EventMessage).data as Record<string, unknown>))
        .then((m) => (m as EventMessage).data as Record<string, unknown>);
    },
    async clean() {
      await until(async () => (await sim.control.stats()).channels === 0, 'no channel is left');
      await until(async () => (await world.telephony.port.listBridges()).every((b) => b.id.startsWith('hold-')), 'no bridge but the queues\' holding bridges is left');
      await until(() => world.transfers.running() === 0 && world.queues.liveCalls() === 0, 'no call is tracked');
    },
    async stop() {
      await server.telephony.close(); // first: the old server can no longer clean anything up
      await server.close();
    },
    async start() {
      server = await startServer();
      Object.assign(world, { telephony: server.telephony, queues: server.queues, router: server.router, transfers: server.transfers, supervision: server.supervision });
    },
    async restart() {
      await world.stop();
      await world.start();
    },
    async close() {
      for (const close of closers.splice(0).reverse()) await close();
    },
  };
  return world;
}
