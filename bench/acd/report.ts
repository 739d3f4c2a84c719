/** The printed table of bench/acd.ts: percentiles, the targets next to them, and what each figure includes. */
import type { CallerOutcome } from './callers.ts';
import type { FromClients, FromServer, Summary } from './shared.ts';

export interface Scenario {
  readonly agents: number;
  readonly callers: number;
  readonly supervisors: number;
  readonly watchers: number;
  readonly spreadMs: number;
  readonly talkMs: number;
  readonly ringMs: number;
  readonly wrapMs: number;
  readonly store: 'memory' | 'redis';
}

export interface Results {
  readonly connectMs: number;
  /** Until the last call ended / until its CTI events had arrived. */
  readonly callsMs: number;
  readonly runMs: number;
  readonly callers: CallerOutcome;
  readonly benchCpuMs: number;
  readonly server: Extract<FromServer, { type: 'stopped' }>;
  readonly cti: Extract<FromClients, { type: 'stopped' }>;
}

const ms = (v: number): string => (Number.isFinite(v) ? (v < 10 ? v.toFixed(2) : v.toFixed(1)) : '–').padStart(8);
const row = (label: string, s: Summary, target = ''): string =>
  `${label.padEnd(56)}${String(s.n).padStart(8)}${ms(s.p50)}${ms(s.p95)}${ms(s.p99)}${ms(s.max)}   ${target}`;
const share = (cpuMs: number, wallMs: number): string => `${((cpuMs / wallMs) * 100).toFixed(0)} %`;

export function report(s: Scenario, r: Results): string {
  const { server: m, cti, callers: c } = r;
  return [
    `acd benchmark: ${s.agents} agents ready over the CTI (seat auto-answers after ${s.ringMs} ms), ${s.callers} callers dial 12345 ` +
      `${s.spreadMs > 0 ? `spread over ${s.spreadMs} ms` : 'at once'} (greeting → menu, no key → general queue), talk ${s.talkMs} ms, ` +
      `agents end wrap-up ${s.wrapMs} ms after the call; ${s.agents + s.supervisors + s.watchers} CTI sockets (${s.agents} agents, ` +
      `${s.supervisors} supervisors on 'supervisor'${s.watchers > 0 ? `, ${s.watchers} on 'queue:general'` : ''}); store: ${s.store}`,
    `set-up: CTI sockets connected and agents ready in ${(r.connectMs / 1000).toFixed(1)} s`,
    `run: calls over after ${(r.callsMs / 1000).toFixed(1)} s, their CTI events delivered after ${(r.runMs / 1000).toFixed(1)} s; ` +
      `${c.answered} answered, ${c.lost} gone unanswered, ${c.unfinished} unfinished; at most ${c.peakSimultaneous} callers at once; 'agents busy' prompts (the queue refused or failed the caller, who pressed 1): ${c.refused}; ` +
      `placed → bridged to an agent p50 ${(c.waits.p50 / 1000).toFixed(1)} s, max ${(c.waits.max / 1000).toFixed(1)} s`,
    '',
    `${'ms'.padEnd(56)}${'n'.padStart(8)}${'p50'.padStart(8)}${'p95'.padStart(8)}${'p99'.padStart(8)}${'max'.padStart(8)}   target`,
    row('routing decision: routable → reserve', m.routing.all, 'p99 ≤ 20'),
    row('  … routable when the call was enqueued', m.routing.callEnqueued),
    row('  … routable when an agent became ready', m.routing.agentReady),
    row("reserve → agent's seat dialled (originate sent)", m.routing.reserveToRing),
    ...Object.entries(m.reactions).map(([kind, summary]) => row(`ARI event → next request: ${kind}`, summary, 'p99 ≤ 20')),
    row('CTI call.offer: published → received at agent socket', cti.offerDelivery, 'p99 ≤ 50'),
    row('CTI call.offer: reserve → received (incl. screen pop)', cti.offerFromReserve),
    row('  … published → handed to the socket (server side)', m.ctiWritten.offer),
    row("CTI 'supervisor' events: published → received", cti.supervisorDelivery, 'p99 ≤ 50'),
    row('  … published → handed to the socket (server side)', m.ctiWritten.supervisor),
    row("  … an agent's state in agents.state: change → received (10 consoles)", cti.supervisorFreshness),
    ...(s.watchers > 0 ? [row("CTI 'queue:general' events: published → received", cti.watcherDelivery, 'p99 ≤ 50')] : []),
    row('CTI all events on all sockets', cti.allDelivery),
    row('  … published → handed to the socket (server side)', m.ctiWritten.all),
    row('server event-loop delay', m.loopDelay),
    '',
    `server CPU: ${c.answered > 0 ? (m.cpuMs / c.answered).toFixed(1) : '–'} ms per answered call (${(m.cpuMs / 1000).toFixed(1)} s CPU in ${(m.wallMs / 1000).toFixed(1)} s = ` +
      `${share(m.cpuMs, m.wallMs)} of one core); simulator + callers ${share(r.benchCpuMs, r.runMs)}, CTI clients ${share(cti.clientCpuMs, r.runMs)} of one core`,
    `server counts: ${JSON.stringify(m.counts)}; clients: ${JSON.stringify(cti.counts)}`,
    `server warnings/errors during the run: ${Object.keys(m.logged).length === 0 ? 'none' : JSON.stringify(m.logged)}`,
    '',
    'routing decision: server ms clock, from the acd:events stream: offered − max(call enqueued, agent ready); includes waiting for the',
    '  router\'s next round. ARI event → next request: in the server process, ari-client\'s socket receives the frame → the server\'s next',
    '  REST request naming that call starts (no network, no simulator). CTI: the event\'s `at` (server ms clock at publish) → frame',
    '  received by the socket in the clients\' process, before parsing (same host clock; see clients.ts). CPU: user + system of the server process from the first call placed until the',
    '  last call\'s CTI events arrived (IVR, queue, routing, bridging, call records, CTI fan-out); simulator and clients excluded.',
  ].join('\n');
}
