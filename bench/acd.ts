/**
 * ACD benchmark: AGENTS agents logged in and ready over the CTI WebSocket, SUPERVISORS consoles
 * on the `supervisor` topic (and WATCHERS on `queue:general`), and CALLERS citizens dialling 12345
 * at the same moment on the simulator. Each call runs the real 12345 flow (greeting, menu, no key
 * → general queue: about 3.5 s), is routed, rings the agent's seat (the simulator answers it),
 * talks TALK_MS, and the caller hangs up; the agent ends wrap-up over the CTI WRAP_MS later and
 * takes the next caller. A caller the queue refuses (`full`) presses 1 to wait on.
 *
 * Two shapes (`SHAPE`, default both, one after the other):
 * - `burst`: all CALLERS dial at the same moment (talk 3 s): the worst case, 1,000 arrivals in one
 *   second — every IVR, enqueue and reservation of the hour's peak at once;
 * - `sustained`: CALLERS arrive over 20 s and talk 20 s, so that at the plateau every agent talks
 *   and as many callers wait: 1,000 simultaneous callers at 50 arrivals a second (Beijing's 12345
 *   peaks near 3,000 calls an hour, under one a second).
 * SPREAD_MS and TALK_MS override either shape. The general queue admits CALLERS waiting (raised in
 * its stored settings, as an admin would; the shipped 200 would refuse the rest).
 *
 * Three processes: this one (simulator + callers, bench/acd/callers.ts), the hotline server
 * (bench/acd/server.ts: the composed `startHotline`, so its CPU is its own) and the CTI clients
 * (bench/acd/clients.ts). Prints routing decision, ARI reaction and CTI delivery percentiles and
 * the server's CPU per call, with the targets next to them. Asserts nothing.
 *
 *   npx tsx bench/acd.ts                               # 500 agents, 500 supervisors, 1,000 callers: both shapes
 *   SHAPE=sustained npx tsx bench/acd.ts               # one shape
 *   AGENTS=50 CALLERS=100 npx tsx bench/acd.ts         # smaller (SUPERVISORS defaults to AGENTS)
 *   SUPERVISORS=50 WATCHERS=450 npx tsx bench/acd.ts   # 50 consoles on 'supervisor', 450 on 'queue:general'
 *   SPREAD_MS=5000 TALK_MS=5000 RING_MS=500 WRAP_MS=200 REDIS_URL=redis://127.0.0.1:6379 npx tsx bench/acd.ts
 *   SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' npx tsx bench/acd.ts   # profile the server
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { createLogger } from '../src/log.ts';
import { createSimulator } from '../src/sim/simulator.ts';
import { createCallers } from './acd/callers.ts';
import { report, type Scenario } from './acd/report.ts';
import { epochNow, extensionOf, inbox, type FromClients, type FromServer, type ToClients, type ToServer } from './acd/shared.ts';

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const agents = env('AGENTS', 500);
const shapes = { burst: { spreadMs: 0, talkMs: 3000 }, sustained: { spreadMs: 20_000, talkMs: 20_000 } };
const scenarioOf = (shape: keyof typeof shapes): Scenario => ({
  agents,
  callers: env('CALLERS', agents * 2),
  supervisors: env('SUPERVISORS', agents),
  watchers: env('WATCHERS', 0),
  spreadMs: env('SPREAD_MS', shapes[shape].spreadMs),
  talkMs: env('TALK_MS', shapes[shape].talkMs),
  ringMs: env('RING_MS', 0),
  wrapMs: env('WRAP_MS', 0),
  store: process.env['REDIS_URL'] ? 'redis' : 'memory',
});
const timeoutSec = env('TIMEOUT_S', 150);
const here = import.meta.dirname;

async function main(scenario: Scenario): Promise<void> {
  const { supervisors, watchers } = scenario;
  const sim = await createSimulator({ port: 0, logger: createLogger('warn') });
  for (let n = 0; n < agents; n++) await sim.control.setEndpoint('PJSIP', extensionOf(n), { behavior: 'answer', answerAfterMs: scenario.ringMs });
  const server = fork(path.join(here, 'acd', 'server.ts'), [], {
    execArgv: ['--import', 'tsx', ...(process.env['SERVER_NODE_ARGS']?.split(' ').filter(Boolean) ?? [])],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'], // the server's log goes to its own counter; ari-client chats on stdout
    env: {
      ...process.env, BENCH_ARI_URL: sim.url, BENCH_AGENTS: String(agents), BENCH_SUPERVISORS: String(supervisors), BENCH_WATCHERS: String(watchers),
      BENCH_MAX_WAITING: String(scenario.callers),
    },
  });
  const clients = fork(path.join(here, 'acd', 'clients.ts'), [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const fromServer = inbox<FromServer>(server);
  const fromClients = inbox<FromClients>(clients);
  const toServer = (message: ToServer): void => void (server.connected && server.send(message));
  const toClients = (message: ToClients): void => void (clients.connected && clients.send(message));
  try {
    const { url } = await fromServer('ready');
    toClients({ type: 'connect', url, agents, supervisors, watchers, wrapMs: scenario.wrapMs });
    const { connectMs } = await fromClients('connected');

    const callers = createCallers(sim, scenario.talkMs);
    toServer({ type: 'start' });
    await fromServer('started');
    toClients({ type: 'start' });
    const benchCpu = process.cpuUsage();
    const started = epochNow();
    await callers.place(scenario.callers, scenario.spreadMs);
    await callers.finished(started + timeoutSec * 1000);
    const callsMs = epochNow() - started;
    toClients({ type: 'drain' });
    await fromClients('drained');
    const runMs = epochNow() - started;
    const bench = process.cpuUsage(benchCpu);

    toServer({ type: 'stop' });
    const measured = await fromServer('stopped');
    toClients({ type: 'stop' });
    const cti = await fromClients('stopped');
    console.log(report(scenario, {
      connectMs, callsMs, runMs, callers: callers.outcome(), benchCpuMs: (bench.user + bench.system) / 1000, server: measured, cti,
    }));
  } catch (error) {
    process.exitCode = 1;
    console.log(`bench aborted: ${error instanceof Error ? error.message : String(error)}` +
      (server.exitCode !== null ? ` (the server process exited with code ${server.exitCode}: its error is above)` : ''));
  } finally {
    toServer({ type: 'close' });
    await new Promise((resolve) => (server.exitCode !== null ? resolve(null) : server.once('exit', resolve)));
    if (clients.exitCode === null) clients.kill();
    await sim.close();
  }
}

const wanted = process.env['SHAPE'];
for (const shape of ['burst', 'sustained'] as const) {
  if (wanted !== undefined && wanted !== shape) continue;
  console.log(`\n-- shape: ${shape}`);
  await main(scenarioOf(shape));
}
