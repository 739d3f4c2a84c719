/**
 * Micro-benchmark of the ARI REST layer alone (issue 5, ADR 0017): the same REST calls through
 * ari-client 2.2.0 (swagger-client, shred, Node's global agent) and through
 * src/telephony/ari-rest.ts (node:http, one keep-alive agent of 32 sockets), against the simulator
 * running in a child process, so this process's CPU is the client's. Each side: create then destroy
 * `BENCH_BRIDGES` bridges (2 calls each, a POST answered with JSON and a DELETE answered 204),
 * `BENCH_CONCURRENCY` in flight at a time, after a warm-up. Prints CPU (user + system) per call,
 * wall time and the TCP connections opened. Asserts nothing.
 *
 *   npx tsx bench/ari-rest.ts                        # 1,000 bridges = 2,000 calls, 50 in flight
 *   BENCH_BRIDGES=2000 BENCH_CONCURRENCY=1 npx tsx bench/ari-rest.ts
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { Socket } from 'node:net';
import path from 'node:path';
import { openAriRest } from '../src/telephony/ari-rest.ts';

const bridges = Number(process.env['BENCH_BRIDGES'] ?? 1_000);
const concurrency = Number(process.env['BENCH_CONCURRENCY'] ?? 50);
const warmup = 100;
const root = path.resolve(import.meta.dirname, '..');
const user = 'hotline';
const password = 'hotline';

type Call = (resource: string, operation: string, params: Record<string, unknown>) => Promise<unknown>;

/** TCP connections this process opened (every client socket connects through Socket#connect). */
let connections = 0;
const connect = Socket.prototype.connect as (this: Socket, ...args: unknown[]) => Socket;
(Socket.prototype as unknown as { connect: typeof connect }).connect = function (this: Socket, ...args: unknown[]): Socket {
  connections += 1;
  return connect.apply(this, args);
};

async function startSimulator(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/sim/main.ts'], {
    cwd: root, env: { ...process.env, SIM_PORT: '0', LOG_LEVEL: 'info', ARI_USER: user, ARI_PASSWORD: password },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const found = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (found) resolve(found[1]!);
    });
    child.once('exit', (code) => reject(new Error(`simulator exited (${code})`)));
  });
  return { url, stop: () => void child.kill('SIGTERM') };
}

/** Runs `count` bridge create + destroy pairs with `concurrency` pairs in flight. */
async function pairs(call: Call, prefix: string, count: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const bridgeId = `${prefix}-${next++}`;
      await call('bridges', 'create', { type: 'mixing', bridgeId, name: 'bench' });
      await call('bridges', 'destroy', { bridgeId });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

async function measure(name: string, call: Call): Promise<void> {
  const before = connections;
  await pairs(call, `${name}-warm`, warmup);
  const opened = connections;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await pairs(call, name, bridges);
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  const calls = bridges * 2;
  process.stdout.write(`${name.padEnd(10)} ${calls} calls: CPU ${cpuMs.toFixed(0)} ms (${((cpuMs * 1000) / calls).toFixed(0)} µs/call), `
    + `wall ${wallMs.toFixed(0)} ms; TCP connections opened: ${opened - before} in the warm-up, ${connections - opened} during\n`);
}

const sim = await startSimulator();
try {
  const ariClient = createRequire(import.meta.url)('ari-client') as {
    connect(url: string, user: string, password: string): Promise<Record<string, Record<string, (p: Record<string, unknown>) => Promise<unknown>>>>;
  };
  const client = await ariClient.connect(sim.url, user, password);
  const rest = await openAriRest({ url: sim.url, user, password });
  const viaAriClient: Call = (resource, operation, params) => client[resource]![operation]!(params);
  const viaAriRest: Call = (resource, operation, params) => rest.send(rest.operation(resource, operation)!, params);
  process.stdout.write(`ARI REST, ${bridges} bridges created and destroyed, ${concurrency} in flight, simulator in a child process\n`);
  await measure('ari-client', viaAriClient);
  await measure('ari-rest', viaAriRest);
  rest.destroy();
} finally {
  sim.stop();
}
process.exit(0);
