/**
 * What every fault test checks at the end: no channel left on "Asterisk", no call left in the ACD,
 * every agent ready again, every call record ended — each waited for (the server may still be
 * finishing), naming what is left when it times out.
 */
import type { AcdState } from '../../../src/acd/acd-state.ts';
import { createCallRecords } from '../../../src/calls/call-records.ts';
import { systemClock } from '../../../src/clock.ts';
import type { Simulator } from '../../../src/sim/simulator.ts';
import type { Store } from '../../../src/store/store.ts';
import { until } from '../../support/sim-events.ts';

const long = 60_000;

/** Waits until `check` returns an empty list; fails naming what it still lists. */
export async function untilNone(list: () => Promise<readonly string[]>, what: string, timeoutMs = long): Promise<void> {
  try {
    await until(async () => (await list()).length === 0, what, timeoutMs);
  } catch (error) {
    throw new Error(`${(error as Error).message}; left: ${(await list()).join(', ')}`);
  }
}

export async function nothingLeft({ sim, acd, store, callIds }: { sim: Simulator; acd: AcdState; store: Store; callIds: readonly string[] }): Promise<void> {
  await untilNone(async () => (await sim.control.stats()).channels > 0 ? [`${(await sim.control.stats()).channels} channels`] : [], 'no channel is left');
  await untilNone(async () => (await acd.waitingCalls()).map((c) => c.callId), 'no call waits in the ACD');
  await untilNone(async () => (await acd.allAgents()).filter((a) => a.status.state !== 'ready').map((a) => `${a.agentId} ${a.status.state}`), 'every agent is ready');
  const records = createCallRecords({ store, clock: systemClock });
  await untilNone(async () => (await Promise.all(callIds.map(async (id) => ((await records.get(id))?.endedAt === undefined ? [id] : [])))).flat(), 'every call record ended');
}

/** For failure messages: where each of `callIds` stands on the simulator and in the ACD, and every agent's state. */
export async function describeCalls(sim: Simulator, acd: AcdState, callIds: readonly string[]): Promise<string> {
  const calls = await Promise.all(callIds.map(async (id) => {
    const channel = await sim.control.channel(id).catch(() => undefined);
    const queued = await acd.call(id);
    const heard = channel?.heard.slice(-3).map((h) => `${h.kind}${'media' in h ? `:${String(h.media)}` : ''}${'state' in h ? `:${String(h.state)}` : ''}`).join(',');
    return `${id}: ${channel ? `${channel.hungUp ? 'hung up' : 'live'} bridge=${channel.bridgeId ?? '-'} heard=${heard}` : 'no channel'} acd=${queued ? `${queued.state}${queued.agentId ? `:${queued.agentId}` : ''}` : '-'}`;
  }));
  const agents = (await acd.allAgents()).map((a) => `${a.agentId}:${a.status.state}${a.status.callId ? `:${a.status.callId}` : ''}`);
  return `calls: ${calls.join('; ')} | agents: ${agents.join(' ')}`;
}
