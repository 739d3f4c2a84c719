/**
 * Composes the hotline in tiers — store, (simulator), telephony, services, HTTP — and takes it
 * apart again in reverse order. `main.ts` only adds the logger, signals and the banner; tests call
 * `startHotline()` directly with their own configuration.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/config.ts';
import { systemClock, type Clock } from './clock.ts';
import type { Logger } from './log.ts';
import { createStore } from './store/create-store.ts';
import type { Store } from './store/store.ts';
import { createSimulator, type Simulator } from './sim/simulator.ts';
import { createAmiServer } from './sim/ami/ami-server.ts';
import { createTelephony, type Telephony } from './telephony/create-telephony.ts';
import { createUserService } from './auth/user-service.ts';
import { seedUsers } from './auth/seed-users.ts';
import type { User } from './auth/user-service.ts';
import path from 'node:path';
import { defaultCatalogue } from './ivr/catalogue.ts';
import { createFlowVersions } from './ivr/versions/flow-versions.ts';
import { publishDraftsOnce } from './ivr/versions/publish-drafts.ts';
import { createDidFlows, parseDidFlows } from './ivr/versions/did-flows.ts';
import { createIvrCalls } from './ivr/runtime/ivr-calls.ts';
import { createIvrTransfer } from './ivr/runtime/ivr-transfer.ts';
import { createAcdQueueEntry } from './ivr/runtime/acd-queue-entry.ts';
import { createTicketServiceIntake } from './ivr/runtime/ticket-service-intake.ts';
import { createCustomsService } from './stub/customs-service.ts';
import { flowRoutes } from './http/routes/flows.ts';
import { buildApp } from './http/app.ts';
import { statsRoutes } from './http/routes/stats.ts';
import { createAcdState, type AcdState } from './acd/acd-state.ts';
import { createLiveStats } from './acd/live-stats.ts';
import { defaultQueues } from './acd/queue-config.ts';
import { createQueueSettings, type QueueSettingsStore } from './acd/queue-settings.ts';
import { createAgentDesk } from './acd/agent-desk.ts';
import { createSupervision, type Supervision } from './acd/supervision.ts';
import { createSupervisionAudit } from './acd/supervision-audit.ts';
import { supervisionRoutes } from './http/routes/supervision.ts';
import { createDeskRelay } from './acd/desk-relay.ts';
import { createInstanceLiveness } from './acd/instance-liveness.ts';
import { createWallboardFeed } from './acd/wallboard-feed.ts';
import { createStaffing } from './acd/staffing.ts';
import { staffingRoutes } from './http/routes/staffing.ts';
import { createQueueRouter, type QueueRouter } from './acd/queue-router.ts';
import { createQueueService, type QueueService } from './acd/queue-service.ts';
import { createTransferDesk, ticketNotes, type TransferDesk } from './acd/transfer-desk.ts';
import { createEventBus, type EventBus } from './cti/event-bus.ts';
import { createCtiGateway, type CtiGateway } from './cti/gateway.ts';
import { createCallRecords } from './calls/call-records.ts';
import { createCallRecorder } from './calls/call-recorder.ts';
import { createRecordingFeature } from './calls/recording-feature.ts';
import { recordingRoutes } from './http/routes/recordings.ts';
import { qualityRoutes } from './http/routes/quality.ts';
import { createMissedCalls } from './calls/missed-calls.ts';
import { callRoutes } from './http/routes/calls.ts';
import { hostname } from 'node:os';
import { ticketRoutes } from './http/routes/tickets.ts';
import { createCallRatings } from './tickets/call-ratings.ts';
import { createDeadlineScheduler } from './tickets/deadline-scheduler.ts';
import { createKbService } from './tickets/kb-service.ts';
import { createTicketQueries, type TicketView } from './tickets/ticket-queries.ts';
import { createTicketService } from './tickets/ticket-service.ts';
import type { HealthSource } from './http/routes/health.ts';
import { createMetrics } from './ops/metrics.ts';
import { metricsRoutes } from './http/routes/metrics.ts';
import { createAuditLog } from './security/audit-log.ts';
import { blockedPrompt, createBlacklist } from './security/blacklist.ts';
import { auditRoutes } from './http/routes/audit.ts';
import { blacklistRoutes } from './http/routes/blacklist.ts';
import { softphoneRoutes } from './http/routes/softphone.ts';
import { demoPhoneRoutes } from './http/routes/demo-phone.ts';
import { sipRoutes } from './http/routes/sip.ts';
import { adminRoutes } from './http/routes/admin.ts';

export interface Hotline {
  /** Base URL of the HTTP server. */
  readonly url: string;
  /** ARI base URL in use (the simulator's in embedded mode). */
  readonly ariUrl: string;
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly telephony: Telephony;
  /** The in-process simulator in embedded mode. */
  readonly simulator: Simulator | undefined;
  /** Demo users created at this start (embedded mode only). */
  readonly demoUsers: readonly User[];
  /** The CTI WebSocket gateway on /cti. */
  readonly cti: CtiGateway;
  /** CTI events: `bus.publish(topic, name, data)`. */
  readonly bus: EventBus;
  /** Agents and queued calls (for operations and tests). */
  readonly acd: AcdState;
  /** The queues' admin-edited settings (what `PUT /api/admin/queues/{id}/settings` changes). */
  readonly queueSettings: QueueSettingsStore;
  activeCalls(): number;
  /** Graceful stop: no new calls, wait for running ones (up to SHUTDOWN_GRACE_MS), then close. */
  close(): Promise<void>;
}

export interface StartOptions {
  readonly clock?: Clock;
  /** Use this simulator instead of starting one (tests that restart the server around a call). */
  readonly simulator?: Simulator;
}

export async function startHotline(config: Config, logger: Logger, options: StartOptions = {}): Promise<Hotline> {
  const clock = options.clock ?? systemClock;
  const closers: Array<() => Promise<void> | void> = [];
  try {
    const store = createStore(config, logger);
    closers.push(() => store.close());

    let simulator = options.simulator;
    if (!simulator && config.embeddedAsterisk) {
      simulator = await createSimulator({
        host: '127.0.0.1',
        port: config.SIM_PORT,
        user: config.ARI_USER,
        password: config.ARI_PASSWORD,
        controlToken: config.SIM_CONTROL_TOKEN,
        logger,
      });
      const started = simulator;
      closers.push(() => started.close());
      logger.warn({ ariUrl: simulator.url }, 'embedded mode: running on the built-in Asterisk simulator');
    }
    const ariUrl = config.ARI_URL ?? simulator!.url;
    let amiUrl = config.AMI_URL;
    if (amiUrl === undefined && config.embeddedAsterisk) {
      const ami = await createAmiServer({ port: 0, host: '127.0.0.1', user: config.AMI_USER, secret: config.AMI_SECRET, logger });
      closers.push(() => ami.close());
      amiUrl = ami.url;
    }

    const telephony = createTelephony({ ...config, ARI_URL: ariUrl, AMI_URL: amiUrl }, logger);
    closers.push(() => telephony.close());

    const users = createUserService({ store, clock });
    const demoUsers = await seedUsers({
      users,
      logger,
      demo: config.embeddedStore && isLoopback(config.HOST),
      adminPassword: config.ADMIN_PASSWORD,
    });

    const instanceId = config.INSTANCE_ID ?? hostname().replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64);
    const acd = createAcdState({ store, clock });
    const callRecords = createCallRecords({ store, clock });
    const queueSettings = createQueueSettings({ store, clock, queues: defaultQueues });
    if (simulator && demoUsers.length > 0) await seedDemoAgents(acd, simulator);
    const liveStats = createLiveStats({ acd, records: callRecords, clock, queueIds: [...defaultQueues.keys()] });

    const tickets = createTicketService({ store, clock, logger });
    const ticketQueries = createTicketQueries({ store, clock });
    const kb = createKbService({ store, clock });
    const ratings = createCallRatings({ store, clock });
    const deadlines = createDeadlineScheduler({ store, clock, logger, owner: instanceId });
    closers.push(() => deadlines.stop());

    const late: { queues?: QueueService; router?: QueueRouter; supervision?: Supervision; transfers?: TransferDesk } = {};
    let catalogue = defaultCatalogue;
    if (config.embeddedAsterisk) {
      const customs = await createCustomsService({ port: 0 });
      closers.push(() => customs.close());
      const parcel = defaultCatalogue.services['customs-parcel']!;
      catalogue = { ...defaultCatalogue, services: { ...defaultCatalogue.services, 'customs-parcel': { ...parcel, baseUrl: `${customs.url}/customs-parcel` } } };
    }
    const versions = createFlowVersions({ store, clock, catalogue });
    await publishDraftsOnce(versions, path.resolve(import.meta.dirname, '../ivr-flows'), logger.child({ component: 'flows' }));
    const recorder = createCallRecorder({ records: callRecords, telephony: telephony.port, clock, logger, holder: instanceId });
    closers.push(() => recorder.close());
    const recording = createRecordingFeature({
      store, clock, logger, telephony: telephony.port, records: callRecords, tickets, queueSettings: queueSettings.records, config, owner: instanceId,
      recordCallEvent: (callId, event) => recorder.record(callId, event),
    });
    closers.push(() => recording.close());
    const blacklist = createBlacklist({ store, clock });
    const audit = createAuditLog({ store, clock });
    const ivrQueue = createAcdQueueEntry({ enqueue: (request) => late.queues!.enqueue(request) });
    // before the IVR: its reconcile clears rings the restart cut off before the resumed flows ring again
    const ivrTransfer = createIvrTransfer({
      telephony: telephony.port, destinations: catalogue.transferDestinations, clock, logger,
      record: (callId, event) => recorder.record(callId, event),
      onDestinationHungUp: (callId) => recorder.agentHungUp(callId),
    });
    closers.push(() => ivrTransfer.close());
    const calls = createIvrCalls({
      telephony: telephony.port, versions, didFlows: didFlowsFrom(config), store, clock, logger: logger.child({ component: 'ivr' }),
      node: instanceId, tickets: createTicketServiceIntake({ tickets, store }), queue: ivrQueue, transfer: ivrTransfer,
      onCallEvent: (callId, event) => recorder.record(callId, event),
      blocked: { refuses: (number) => blacklist.refuses(number), prompt: blockedPrompt },
      onRating: ({ callId, rating, label }) => {
        recorder.record(callId, { type: 'rating', at: clock.now(), rating: label });
        void rateCall(callId, rating);
      },
    });
    /** 一次一评: the survey's rating is stored with the call and the agent who served it. */
    async function rateCall(callId: string, digit: 1 | 2 | 3): Promise<void> {
      const record = await callRecords.get(callId);
      const agent = record?.agentIds.at(-1);
      if (!record || !agent) return;
      await ratings.rate({ callId, agent, digit, ...(record.callerNumber !== 'unknown' ? { phone: record.callerNumber } : {}) })
        .catch((error: unknown) => logger.warn({ err: error, callId }, 'rating not stored'));
    }
    closers.push(() => calls.close());

    const health: HealthSource[] = [
      { name: 'ari', health: () => fromConnection(telephony.port.state()) },
      { name: 'store', health: () => store.health() },
      ...(amiUrl ? [{ name: 'ami', health: () => fromConnection(telephony.amiState()) }] : []),
    ];
    const supervisionAudit = createSupervisionAudit({ store, clock });
    const metrics = createMetrics({
      clock, liveStats, waitingCalls: () => acd.waitingCalls(), allAgents: () => acd.allAgents(),
      ivrCalls: () => calls.activeCalls(), ivrHolds: (callId) => calls.session(callId) !== undefined,
      components: () => health.map((source) => ({ name: source.name, up: source.health().up })),
      ctiConnections: () => cti.stats().connections,
      tickets: () => ticketQueries.list({}, Infinity),
    });
    const app = await buildApp({
      logger,
      users,
      health,
      metricsToken: config.METRICS_TOKEN,
      corsOrigins: config.CORS_ORIGINS?.split(','),
      trustProxy: config.TRUST_PROXY,
      audit,
      mode: { asterisk: config.embeddedAsterisk ? 'simulator' : 'asterisk', store: store.kind },
      routes: [
        metricsRoutes(metrics),
        blacklistRoutes(blacklist), auditRoutes(audit),
        statsRoutes(liveStats),
        supervisionRoutes({ audit: supervisionAudit }),
        staffingRoutes({ staffing: createStaffing({ store, clock, records: callRecords }), queueIds: [...defaultQueues.keys()] }),
        ticketRoutes({ tickets, kb, ratings, queries: ticketQueries, calls: callRecords }), flowRoutes({ versions }),
        recordingRoutes(recording), qualityRoutes(recording.quality),
        callRoutes({ records: callRecords, missed: createMissedCalls({ records: callRecords, store, clock, callbackPending: async (callId) => (await acd.call(callId)) !== null }), now: () => clock.now() }),
        ...browserAppRoutes({ config, simulator, demo: demoUsers.length > 0, acd, callRecords, clock }),
        sipRoutes({ config, users }),
        adminRoutes({ users, acd, queues: defaultQueues, settings: queueSettings }),
      ],
    });
    closers.push(() => app.close());

    const bus = createEventBus({ store, clock, logger });
    await bus.start();
    closers.push(() => bus.close());
    const cti = createCtiGateway({ server: app.server, users, bus, clock, logger });
    closers.push(() => cti.close());
    const relay = createDeskRelay({ store, instanceId, logger, holds: (callId) => late.queues?.connection(callId) !== undefined || late.transfers?.connection(callId) !== undefined });
    await relay.start();
    closers.push(() => relay.close());
    const desk = createAgentDesk({
      cti, bus, acd, records: callRecords, telephony: telephony.port, clock, logger,
      getUser: (username) => users.getUser(username),
      connection: (callId) => late.transfers?.connection(callId) ?? late.queues?.connection(callId), // a consult id: the expert's leg
      onHold: (callId, held) => recorder.record(callId, { type: held ? 'hold' : 'unhold', at: clock.now() }),
      kick: () => late.router?.kick(),
      ...(simulator ? { answerAgentLeg: (channelId: string) => simulator.control.answer(channelId) } : {}),
      openTickets: async (phone) => (await tickets.history(phone, 20)).filter((t) => !closedStates.has(t.state)).map(ticketSummary),
      relay,
    });
    closers.push(() => desk.close());
    const queues = (late.queues = createQueueService({
      telephony: telephony.port, acd, store, clock, logger, instanceId, queues: defaultQueues, limits: queueSettings.limits,
      onLeft: (callId, outcome) => {
        recorder.record(callId, { type: 'overflow', at: clock.now(), queueId: '', to: outcome });
        ivrQueue.left(callId, outcome);
      },
      onEnqueued: ({ callId, queueId }) => {
        recorder.record(callId, { type: 'enqueued', at: clock.now(), queueId });
        late.router?.kick(); // an agent may be free: route now, not at the next round
      },
      onOffer: (offer) => {
        recorder.record(offer.request.callId, { type: 'offered', at: clock.now(), agentId: offer.agentId });
        desk.offered(offer);
      },
      onAnswered: (callId, agentId) => recorder.record(callId, { type: 'answered', at: clock.now(), agentId }),
      onConnected: (connection) => {
        desk.connected(connection);
        ivrQueue.connected(connection.callId);
        recording.connected(connection);
      },
      onAgentHungUp: async ({ callId, callerChannelId }) => {
        const record = await callRecords.get(callId);
        await calls.startFlow(callerChannelId, 'survey', { callerNumber: record?.callerNumber ?? '', ...(record?.did ? { did: record.did } : {}) });
        return true;
      },
      onPartyLeft: (connection, party) => late.transfers?.partyLeft(connection, party) ?? Promise.resolve(false),
      onCallback: (event) => {
        if (event.type === 'registered') recorder.record(event.callId, { type: 'callback_booked', at: clock.now() });
        if (event.type === 'dialling') recorder.callbackDialled({ callId: event.attemptId, did: event.did, callerNumber: event.number, callbackOf: event.callId });
        if (event.type === 'unreached') recorder.ended(event.attemptId, 'system');
      },
      onEnded: (ended) => {
        if (ended.cause === 'no_answer') recorder.record(ended.callId, { type: 'rona', at: clock.now(), agentId: ended.agentId });
        if (ended.cause === 'agent_hangup') recorder.agentHungUp(ended.callId);
        if (ended.cause === 'dropped') recorder.record(ended.callId, { type: 'dropped', at: clock.now(), agentId: ended.agentId });
        desk.ended(ended);
        late.supervision?.callEnded(ended);
      },
    }));
    closers.push(() => queues.close());
    const liveness = createInstanceLiveness({ store, acd, clock, logger, instanceId });
    closers.push(() => liveness.close());
    const router = (late.router = createQueueRouter({ acd, store, clock, logger, instanceId, queues: defaultQueues, deliver: queues.deliver, alive: liveness.alive }));
    closers.push(() => router.close());
    const supervision = (late.supervision = createSupervision({
      relay,
      cti, bus, telephony: telephony.port, audit: supervisionAudit, clock, logger, instanceId,
      getUser: (username) => users.getUser(username),
      connection: (callId) => queues.connection(callId),
      handOver: (callId, to) => queues.handOver(callId, to),
      onNote: (callId, note) => recorder.record(callId, { type: 'supervision', ...note }),
    }));
    closers.push(() => supervision.close());
    const transfers = (late.transfers = createTransferDesk({
      relay,
      cti, bus, acd, queues, telephony: telephony.port, clock, logger, instanceId,
      allow: new Set(config.TRANSFER_ALLOW.split(',')), routingQueues: defaultQueues,
      record: (callId, event) => recorder.record(callId, event),
      noteTickets: ticketNotes(callRecords, tickets, logger),
      onOffer: (offer) => desk.offered(offer),
    }));
    closers.push(() => transfers.close());
    const wallboard = createWallboardFeed({ bus, store, clock, logger, instanceId, snapshot: liveStats });
    closers.push(() => wallboard.close());

    await telephony.start();
    await liveness.start();
    router.start();
    wallboard.start();
    deadlines.start();
    recording.start();
    await app.listen({ host: config.HOST, port: config.PORT });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    const url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${port}`;

    let closing: Promise<void> | undefined;
    return {
      url, ariUrl, app, store, telephony, simulator, demoUsers, cti, bus, acd, queueSettings,
      activeCalls: () => calls.activeCalls(),
      close() {
        closing ??= (async () => {
          logger.info({ activeCalls: calls.activeCalls() }, 'shutting down: no new calls');
          await calls.drain(config.SHUTDOWN_GRACE_MS);
          await closeAll(closers, logger);
          logger.info('stopped');
        })();
        return closing;
      },
    };
  } catch (error) {
    await closeAll(closers, logger);
    throw error;
  }
}

async function closeAll(closers: Array<() => Promise<void> | void>, logger: Logger): Promise<void> {
  for (const close of closers.reverse()) {
    try {
      await close();
    } catch (error) {
      logger.warn({ err: error }, 'error while closing');
    }
  }
  closers.length = 0;
}

function fromConnection(state: { status: string; since: number; lastError: string | undefined }) {
  return { up: state.status === 'up', since: state.since, ...(state.status !== 'up' ? { detail: state.lastError ?? state.status } : {}) };
}

/** The DID → flow map and the test callers from the configuration (validated at boot). */
function didFlowsFrom(config: Config) {
  return createDidFlows({
    ...(config.IVR_DID_FLOWS ? { didFlows: parseDidFlows(config.IVR_DID_FLOWS).map } : {}),
    ...(config.IVR_TEST_CALLERS ? { testCallers: config.IVR_TEST_CALLERS.split(',') } : {}),
  });
}

const closedStates = new Set(['direct_answered', 'not_accepted', 'closed', 'archived']);

/** A ticket as the screen pop shows it. */
function ticketSummary(ticket: TicketView) {
  return { ticketId: ticket.id, status: ticket.state, category: ticket.category, summary: ticket.content.slice(0, 80), createdAt: ticket.createdAt };
}

/**
 * Embedded demo: the demo agents' seats exist on the simulator; with no SIP phone, an agent answers
 * through the CTI (`call.answer`). Agents are logged out until they log in from the desktop.
 */
async function seedDemoAgents(acd: AcdState, simulator: Simulator): Promise<void> {
  const seats: Array<[string, string, Record<string, number>]> = [
    ['agent1001', '1001', { general: 5, 'expert-social-security': 3 }],
    ['agent1002', '1002', { general: 5, transport: 5 }],
    ['expert2001', '2001', { customs: 8, 'expert-customs': 8 }],
  ];
  for (const [agentId, extension, skills] of seats) {
    await acd.upsertAgent(agentId, { extension, skills });
    await simulator.control.setEndpoint('PJSIP', extension, { behavior: 'manual' });
  }
  await simulator.control.setEndpoint('PJSIP', '3001', { behavior: 'answer' }); // the demo supervisor's seat: no SIP phone, answers at once
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** The browser app at `/` and its views; in the embedded demo also the citizen phone (docs/softphone.md). */
function browserAppRoutes({ config, simulator, demo, acd, callRecords, clock }: {
  config: Config; simulator: Simulator | undefined; demo: boolean; acd: AcdState; callRecords: ReturnType<typeof createCallRecords>; clock: Clock;
}) {
  const root = path.resolve(import.meta.dirname, '..');
  return [
    softphoneRoutes({
      distDir: path.join(root, 'softphone/dist'), demo: simulator !== undefined && demo, queues: defaultQueues,
      transferNumbers: config.TRANSFER_ALLOW.split(','), agents: () => acd.allAgents(), callsBetween: (from, to) => callRecords.between(from, to), now: () => clock.now(),
    }),
    ...(simulator && demo ? [demoPhoneRoutes({ control: simulator.control, flowsDir: path.join(root, 'ivr-flows') })] : []),
  ];
}
