/**
 * The protocol floor of bench/hotline-day.ts: a minimal raw-ARI application (plain `node:http` with
 * keep-alive + one `ws` events socket, no ari-client, no store, no CTI, no call records) that makes
 * the same REST operations per call as the hotline server makes for the same callers — as counted
 * from the server's own requests in a run (BENCH_REQUEST_LOG of bench/hotline-day/server.ts):
 *
 * - every caller: answer, play the greeting, play the menu, then
 *   - key 9: stop the menu, play the message prompt, record (beep, # ends), play thanks, hang up;
 *   - no key for 1.5 s: into the queue's holding bridge (music on the bridge); a position
 *     announcement every 30 s while waiting; a free agent is originated (`agent-<call>-1`);
 * - the agent answers: mixing bridge `call-<call>`, caller and agent added, the bridge recorded;
 * - a three-way (the same share as the bench's agents): caller on music, consult bridge, agent
 *   moved there, expert originated (`xfer-<call>-1`) and added, all three moved into the call
 *   bridge, music off, consult bridge gone; the expert leaves after the same time as in the bench;
 * - the caller hangs up: call bridge destroyed, agent leg hung up; the agent's phone hangs up: call
 *   bridge destroyed, survey played, stopped on the key, thanks played, caller hung up;
 * - an agent is free again the bench's wrap-up time after the call.
 *
 * The decisions the server takes from its store and its agents' desktops are taken here from
 * in-memory lists (free agents, waiting callers in order). That is the floor: what any ARI
 * application must do for these calls, with nothing else. Forked by bench/hotline-day.ts (env
 * BENCH_ARI_URL, FLOOR_SHAPE); `npx tsx bench/ari-floor.ts` alone runs the floor phase only.
 */
import { Agent, request } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import WebSocket from 'ws';
import { extensionOf, seeded, type FromApp, type MemorySample, type Shape, type ToApp } from './hotline-day/shared.ts';

const APP = 'hotline';
const sound = (name: string): string => `sound:hotline/zh/${name}`;

interface FloorCall {
  readonly id: string;
  state: 'greeting' | 'menu' | 'menu-wait' | 'message-prompt' | 'recording' | 'thanks' | 'waiting' | 'ringing' | 'connected' | 'survey' | 'survey-thanks' | 'gone';
  plays: number;
  playback?: string;
  menuTimer?: NodeJS.Timeout;
  announceTimer?: NodeJS.Timeout;
  agent?: number;
  agentLeg?: string;
  expert?: number;
  expertLeg?: string;
  consultBridge?: string;
}

export function startFloor(ariUrl: string, shape: Shape) {
  const url = new URL(ariUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const auth = `Basic ${Buffer.from('hotline:hotline').toString('base64')}`;
  const templates: Record<string, number> = {};
  let requests = 0;
  let failures = 0;
  const random = seeded(shape.seed + 1);

  /** One ARI request; resolves with the status (the body is read and dropped). */
  function ari(method: string, pathname: string, query: Record<string, string> = {}): Promise<number> {
    requests++;
    const names = Object.keys(query).sort().join(',');
    const key = `${method} ${pathname.replace(/\/(?=[^/]*\d|agent-|call-|xfer-|consult-|hold-)[^/]+/g, '/{id}')}${names ? `?${names}` : ''}`;
    templates[key] = (templates[key] ?? 0) + 1;
    const search = new URLSearchParams(query).toString();
    return new Promise((resolve) => {
      const req = request({ host: url.hostname, port: url.port, agent, method, path: `/ari${pathname}${search ? `?${search}` : ''}`, headers: { authorization: auth } }, (res) => {
        res.resume();
        res.on('end', () => {
          if ((res.statusCode ?? 500) >= 300) failures++;
          resolve(res.statusCode ?? 500);
        });
      });
      req.on('error', () => {
        failures++;
        resolve(0);
      });
      req.end();
    });
  }

  const calls = new Map<string, FloorCall>();
  const freeAgents: number[] = [];
  const freeExperts: number[] = [];
  for (let n = 0; n < shape.agents - shape.experts; n++) freeAgents.push(n);
  for (let n = shape.agents - shape.experts; n < shape.agents; n++) freeExperts.push(n);
  const waiting: FloorCall[] = [];
  const holdingBridge = 'hold-floor-general';

  const play = (call: FloorCall, media: string): Promise<number> => {
    call.playback = `${call.id}-play-${++call.plays}`;
    return ari('POST', `/channels/${call.id}/play`, { media, playbackId: call.playback });
  };
  const stopPlayback = (call: FloorCall): void => {
    if (call.playback) void ari('DELETE', `/playbacks/${call.playback}`);
    call.playback = undefined;
  };

  function announce(call: FloorCall): void {
    call.announceTimer = setTimeout(() => {
      if (call.state !== 'waiting') return;
      call.playback = `${call.id}-pos${++call.plays}`;
      const media = [sound('queue-ahead'), `number:${waiting.indexOf(call)}`, sound('queue-waiting'), sound('callback-offer')].join(',');
      void ari('POST', `/channels/${call.id}/play`, { media, playbackId: call.playback });
      announce(call);
    }, 30_000);
  }

  /** A free agent takes the first waiting caller. */
  function route(): void {
    while (freeAgents.length > 0 && waiting.length > 0) {
      const call = waiting.shift()!;
      const n = freeAgents.shift()!;
      clearTimeout(call.announceTimer);
      call.state = 'ringing';
      call.agent = n;
      call.agentLeg = `agent-${call.id}-1`;
      legs.set(call.agentLeg, call);
      void ari('POST', '/channels', { endpoint: `PJSIP/${extensionOf(n)}`, app: APP, appArgs: 'agent', callerId: '13900000000', timeout: '20', channelId: call.agentLeg });
    }
  }
  const freeAgent = (n: number): void => void setTimeout(() => {
    freeAgents.push(n);
    route();
  }, shape.wrapMs);
  const freeExpert = (n: number): void => void setTimeout(() => freeExperts.push(n), shape.wrapMs);

  async function connected(call: FloorCall): Promise<void> {
    call.state = 'connected';
    const bridge = `call-${call.id}`;
    if (call.playback) stopPlayback(call);
    await ari('POST', '/bridges', { type: 'mixing', bridgeId: bridge, name: `call ${call.id}` });
    await ari('POST', `/bridges/${bridge}/addChannel`, { channel: `${call.id},${call.agentLeg!}` });
    await ari('POST', `/bridges/${bridge}/record`, { name: `call-${call.id.replace('.', '_')}-1`, format: 'wav', maxDurationSeconds: '14400', ifExists: 'fail' });
    if (random() < shape.threeWayShare) setTimeout(() => void consult(call), shape.consultAfterMs);
  }

  async function consult(call: FloorCall): Promise<void> {
    if (call.state !== 'connected' || freeExperts.length === 0) return;
    const n = freeExperts.shift()!;
    call.expert = n;
    call.expertLeg = `xfer-${call.id}-1`;
    legs.set(call.expertLeg, call);
    call.consultBridge = `consult-${call.id}-1`;
    await ari('POST', `/channels/${call.id}/moh`);
    await ari('POST', '/bridges', { type: 'mixing', bridgeId: call.consultBridge, name: `consult ${call.id}-cs1` });
    await ari('POST', `/bridges/${call.consultBridge}/addChannel`, { channel: call.agentLeg! });
    await ari('POST', '/channels', { endpoint: `PJSIP/${extensionOf(n)}`, app: APP, appArgs: 'transfer', callerId: '13900000000', timeout: '20', channelId: call.expertLeg });
  }

  async function conference(call: FloorCall): Promise<void> {
    await ari('POST', `/bridges/${call.consultBridge!}/addChannel`, { channel: call.expertLeg! });
    await ari('POST', `/bridges/call-${call.id}/addChannel`, { channel: `${call.agentLeg!},${call.expertLeg!}` });
    await ari('DELETE', `/channels/${call.id}/moh`);
    await ari('DELETE', `/bridges/${call.consultBridge!}`);
    call.consultBridge = undefined;
    const leg = call.expertLeg;
    setTimeout(() => void (call.expertLeg === leg && leg && ari('DELETE', `/channels/${leg}`)), shape.conferenceMs);
  }

  /** Agent and expert legs → their call (also after the caller has gone). */
  const legs = new Map<string, FloorCall>();
  const callOfLeg = (id: string): FloorCall | undefined => legs.get(id);

  function onEvent(event: Record<string, unknown>): void {
    const type = event['type'] as string;
    const channel = event['channel'] as { id: string; name: string } | undefined;
    if (type === 'StasisStart' && channel) {
      if (channel.id.startsWith('agent-')) {
        const call = callOfLeg(channel.id);
        if (call?.state === 'ringing') void connected(call);
      } else if (channel.id.startsWith('xfer-')) {
        const call = callOfLeg(channel.id);
        if (call?.state === 'connected' && call.consultBridge) void conference(call);
      } else {
        const call: FloorCall = { id: channel.id, state: 'greeting', plays: 0 };
        calls.set(call.id, call);
        void ari('POST', `/channels/${call.id}/answer`).then(() => play(call, sound('greeting-12345')));
      }
      return;
    }
    if (type === 'PlaybackFinished') {
      const playback = event['playback'] as { id: string; target_uri: string };
      const call = calls.get(playback.target_uri.replace(/^channel:/, ''));
      if (!call || call.playback !== playback.id) return;
      call.playback = undefined;
      if (call.state === 'greeting') {
        call.state = 'menu';
        void play(call, sound('feedback-or-hold'));
      } else if (call.state === 'menu') {
        call.state = 'menu-wait';
        call.menuTimer = setTimeout(() => {
          if (call.state !== 'menu-wait') return;
          call.state = 'waiting';
          waiting.push(call);
          void ari('POST', `/bridges/${holdingBridge}/addChannel`, { channel: call.id }).then(route);
          announce(call);
        }, 1500);
      } else if (call.state === 'message-prompt') {
        call.state = 'recording';
        void ari('POST', `/channels/${call.id}/record`, {
          name: `ivr/${call.id.replace('.', '_')}/feedback`, format: 'wav', maxDurationSeconds: '120', maxSilenceSeconds: '10', ifExists: 'overwrite', beep: 'true', terminateOn: '#',
        });
      } else if (call.state === 'thanks' || call.state === 'survey-thanks') {
        void ari('DELETE', `/channels/${call.id}`, { reason: 'normal' });
      }
      return;
    }
    if (type === 'ChannelDtmfReceived' && channel) {
      const call = calls.get(channel.id);
      if (!call) return;
      if (event['digit'] === '9' && (call.state === 'menu' || call.state === 'menu-wait')) {
        clearTimeout(call.menuTimer);
        if (call.state === 'menu') stopPlayback(call);
        call.state = 'message-prompt';
        void play(call, sound('feedback-record'));
      } else if (call.state === 'survey') {
        stopPlayback(call);
        call.state = 'survey-thanks';
        void play(call, sound('survey-thanks'));
      }
      return;
    }
    if (type === 'RecordingFinished') {
      const recording = event['recording'] as { target_uri: string };
      const call = calls.get(recording.target_uri.replace(/^channel:/, ''));
      if (call?.state !== 'recording') return;
      call.state = 'thanks';
      void play(call, sound('feedback-thanks'));
      return;
    }
    if (type === 'ChannelDestroyed' && channel && /^(agent|xfer)-/.test(channel.id)) {
      // an agent's or expert's leg is gone (hung up, or never answered): free the seat
      const call = legs.get(channel.id);
      legs.delete(channel.id);
      if (!call) return;
      if (channel.id === call.expertLeg) {
        call.expertLeg = undefined;
        freeExpert(call.expert!);
      } else if (channel.id === call.agentLeg) {
        call.agentLeg = undefined;
        freeAgent(call.agent!);
        if (call.state === 'connected') {
          call.state = 'survey';
          void ari('DELETE', `/bridges/call-${call.id}`).then(() => play(call, sound('survey')));
        }
      }
      return;
    }
    if (type === 'StasisEnd' && channel) {
      const call = calls.get(channel.id);
      if (!call) return;
      calls.delete(channel.id);
      clearTimeout(call.menuTimer);
      clearTimeout(call.announceTimer);
      const was = call.state;
      call.state = 'gone';
      if (was === 'waiting') waiting.splice(waiting.indexOf(call), 1);
      if (was === 'connected') void ari('DELETE', `/bridges/call-${call.id}`);
      if (call.agentLeg) void ari('DELETE', `/channels/${call.agentLeg}`); // ringing or connected: the seat is freed when the leg is destroyed
      if (call.expertLeg) void ari('DELETE', `/channels/${call.expertLeg}`);
    }
  }

  const ws = new WebSocket(`${ariUrl.replace(/^http/, 'ws')}/ari/events?app=${APP}&api_key=hotline:hotline`);
  ws.on('message', (data) => onEvent(JSON.parse(String(data)) as Record<string, unknown>));
  return {
    async ready(): Promise<void> {
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      await ari('POST', '/bridges', { type: 'holding', bridgeId: holdingBridge, name: 'queue general' });
      await ari('POST', `/bridges/${holdingBridge}/moh`);
    },
    stats: () => ({ templates, requests, failures }),
    resetCounts(): void {
      for (const key of Object.keys(templates)) delete templates[key];
      requests = 0;
      failures = 0;
    },
    close(): void {
      ws.close();
      agent.destroy();
    },
  };
}

/** The floor as the bench's child process: the same IPC as bench/hotline-day/server.ts. */
async function child(): Promise<void> {
  const shape = JSON.parse(process.env['FLOOR_SHAPE']!) as Shape;
  const floor = startFloor(process.env['BENCH_ARI_URL']!, shape);
  await floor.ready();
  const send = (message: FromApp): void => void process.send!(message);
  send({ type: 'ready' });
  let cpu = process.cpuUsage();
  let wallStart = 0;
  let gcCpuMs = 0;
  const loop = monitorEventLoopDelay({ resolution: 1 });
  const gc = (globalThis as { gc?: () => void }).gc;
  const cpuSince = (from: NodeJS.CpuUsage): number => {
    const used = process.cpuUsage(from);
    return (used.user + used.system) / 1000;
  };
  process.on('message', (message: ToApp) => {
    if (message.type === 'start') {
      floor.resetCounts();
      loop.enable();
      wallStart = performance.now();
      cpu = process.cpuUsage();
      send({ type: 'started' });
    } else if (message.type === 'sample') {
      const before = process.cpuUsage();
      gc?.();
      const used = process.cpuUsage(before);
      gcCpuMs += (used.user + used.system) / 1000;
      const memory = process.memoryUsage();
      const mb = (bytes: number): number => Math.round((bytes / 1048576) * 10) / 10;
      const sample: MemorySample = { callsEnded: message.callsEnded, at: Date.now(), rssMb: mb(memory.rss), heapUsedMb: mb(memory.heapUsed), externalMb: mb(memory.external + memory.arrayBuffers), cpuMs: cpuSince(cpu) - gcCpuMs };
      send({ type: 'sampled', sample, gcCpuMs: (used.user + used.system) / 1000 });
    } else if (message.type === 'stop') {
      const used = process.cpuUsage(cpu);
      loop.disable();
      const { templates, requests, failures } = floor.stats();
      const ns = (p: number): number => Math.max(0, loop.percentile(p) / 1e6 - 1);
      send({
        type: 'stopped', cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - wallStart, gcCpuMs,
        loopDelay: { n: loop.count, p50: ns(50), p95: ns(95), p99: ns(99), max: Math.max(0, loop.max / 1e6 - 1) },
        requests: { ...templates }, counts: { ariRequests: requests, ariFailures: failures }, logged: {},
      });
    } else if (message.type === 'close') {
      floor.close();
      process.exit(0);
    }
  });
}

/** `npx tsx bench/ari-floor.ts`: the floor phase alone, with bench/hotline-day.ts's knobs. */
async function alone(): Promise<void> {
  const { runPhase } = await import('./hotline-day/phase.ts');
  const { phaseReport } = await import('./hotline-day/report.ts');
  const { dayShape } = await import('./hotline-day/day-shape.ts');
  const shape = dayShape();
  const result = await runPhase({
    label: 'ARI floor', script: path.join(import.meta.dirname, 'ari-floor.ts'), shape, sampleS: Number(process.env['SAMPLE_S'] ?? 10),
    env: { FLOOR_SHAPE: JSON.stringify(shape) }, nodeArgs: process.env['FLOOR_NODE_ARGS']?.split(' ').filter(Boolean) ?? [], drainTimeoutS: Number(process.env['DRAIN_S'] ?? 120),
  });
  console.log(phaseReport(result));
}

if (process.env['BENCH_ARI_URL'] && process.send) await child();
else await alone();

