/**
 * A flow's transfer node on the composed server (Redis): the destination's catalogue endpoint
 * rings, answers, and caller and destination talk in a bridge of their own; whoever hangs up, the
 * other is hung up and nothing is left — also when the server restarted while they talked. The
 * call record shows the IVR's exit, the transfer and who ended the call. Until the server passed
 * its transfer port to the IVR, every transfer node took its `failed` exit at once without ringing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCallRecords } from '../../src/calls/call-records.ts';
import { systemClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config/config.ts';
import { defaultCatalogue } from '../../src/ivr/catalogue.ts';
import { createFlowVersions } from '../../src/ivr/versions/flow-versions.ts';
import { createLogger } from '../../src/log.ts';
import { startHotline, type Hotline } from '../../src/server.ts';
import type { Simulator } from '../../src/sim/simulator.ts';
import type { Store } from '../../src/store/store.ts';
import { until } from '../support/sim-events.ts';
import { redisWorld } from './redis-world.ts';
import { transferFlow } from '../ivr-runtime/transfer-flow.ts';

const logger = createLogger('silent');
const long = 30_000;

describe('an IVR transfer on the running server', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  async function world() {
    const { redisUrl, prefix, sim, store } = await redisWorld('ivr-transfer', logger, cleanups);
    let server: Hotline | undefined;
    cleanups.push(async () => server?.close());
    const start = async () => {
      server = await startHotline(loadConfig({
        ARI_URL: sim.url, ARI_PASSWORD: 'hotline', REDIS_URL: redisUrl, REDIS_PREFIX: prefix, INSTANCE_ID: 'node1',
        PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_GRACE_MS: '0', IVR_DID_FLOWS: '8003=transfer-test',
      }), logger, { simulator: sim });
      await until(() => server!.telephony.port.state().status === 'up', 'ARI is connected', long);
    };
    await start();
    const versions = createFlowVersions({ store, clock: systemClock, catalogue: defaultCatalogue });
    await versions.publish({ flow: transferFlow, author: 'test', message: 'transfer test flow', expectedHash: null });
    await sim.control.setEndpoint('PJSIP', '120@trunk', { behavior: 'manual' });
    return {
      sim, store, start,
      async restart() {
        await server!.close();
        server = undefined;
        await start();
      },
      activeCalls: () => server!.activeCalls(),
    };
  }

  /** Places a call to the flow and answers the destination's ring; resolves once the two talk. */
  async function transferred(sim: Simulator, activeCalls: () => number) {
    const { channelId: callId } = await sim.control.placeCall({ from: '13700137000', did: '8003' });
    const legId = `ivrx-${callId}-1`;
    await until(async () => sim.control.channel(legId).then((c) => !c.hungUp, () => false), 'the destination rings', long);
    expect((await sim.control.channel(legId)).channel['caller']).toMatchObject({ number: '13700137000' }); // 120 can call back
    await sim.control.answer(legId);
    const bridgeId = `ivr-transfer-${callId}`;
    await until(async () => (await sim.control.channel(callId)).bridgeId === bridgeId && (await sim.control.channel(legId)).bridgeId === bridgeId,
      'caller and destination are bridged', long);
    await until(() => activeCalls() === 0, 'the flow ended', long);
    return { callId, legId };
  }

  const recordOf = (store: Store, callId: string) => createCallRecords({ store, clock: systemClock }).get(callId);
  const nothingLeft = (sim: Simulator) => until(async () => {
    const stats = await sim.control.stats();
    return stats.channels === 0 && stats.bridges === 0;
  }, 'no channel or bridge is left', long);

  describe('when the destination answers and then hangs up', () => {
    it('bridges caller and destination, ends the flow `transferred`, and hangs the caller up with the destination', async () => {
      const { sim, store, activeCalls } = await world();
      const { callId, legId } = await transferred(sim, activeCalls);
      const heard = (await sim.control.channel(callId)).heard.filter((h) => h.kind === 'playback').flatMap((h) => h['media'] as string[]);
      expect(heard).toEqual(['sound:test/notice']); // never the failed branch

      await sim.control.hangup(legId);
      await until(async () => (await sim.control.channel(callId)).hungUp, 'the caller is hung up', long);
      await nothingLeft(sim);
      await until(async () => (await recordOf(store, callId))?.endedAt !== undefined, 'the call record is complete', long);
      expect(await recordOf(store, callId)).toMatchObject({
        ivrExit: 'transferred', endedBy: 'agent',
        transfers: [expect.objectContaining({ kind: 'ivr', to: 'destination:120', outcome: 'completed' })],
      });
    }, 90_000);
  });

  describe('when the destination answers and the caller hangs up', () => {
    it('hangs the destination up and ends the record as the caller\'s', async () => {
      const { sim, store, activeCalls } = await world();
      const { callId, legId } = await transferred(sim, activeCalls);
      await sim.control.hangup(callId);
      await until(async () => (await sim.control.channel(legId)).hungUp, 'the destination is hung up', long);
      await nothingLeft(sim);
      await until(async () => (await recordOf(store, callId))?.endedAt !== undefined, 'the call record is complete', long);
      expect(await recordOf(store, callId)).toMatchObject({ ivrExit: 'transferred', endedBy: 'caller', transfers: [expect.objectContaining({ outcome: 'completed' })] });
    }, 90_000);
  });

  describe('when the server restarts while caller and destination talk', () => {
    it('leaves them talking and still hangs the caller up when the destination hangs up', async () => {
      const w = await world();
      const { callId, legId } = await transferred(w.sim, w.activeCalls);
      await w.restart();
      expect((await w.sim.control.channel(callId)).bridgeId).toBe(`ivr-transfer-${callId}`);
      expect((await w.sim.control.channel(legId)).bridgeId).toBe(`ivr-transfer-${callId}`);
      expect(w.activeCalls()).toBe(0); // not taken for a new caller, nor parked in a queue

      await w.sim.control.hangup(legId);
      await until(async () => (await w.sim.control.channel(callId)).hungUp, 'the caller is hung up', long);
      await nothingLeft(w.sim);
      await until(async () => (await recordOf(w.store, callId))?.endedAt !== undefined, 'the call record is complete', long);
      expect(await recordOf(w.store, callId)).toMatchObject({ ivrExit: 'transferred', endedBy: 'agent' });
    }, 90_000);
  });
});
