/**
 * Position announcements ("您前面还有N位用户在等待") on the simulator through the real ari-client.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAcdState } from '../../src/acd/acd-state.ts';
import { createQueueAnnouncer } from '../../src/acd/queue-announcer.ts';
import { createManualClock } from '../../src/clock.ts';
import { HotlineError } from '../../src/errors.ts';
import { createLogger } from '../../src/log.ts';
import { createSimulator, type Simulator } from '../../src/sim/simulator.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import type { Store } from '../../src/store/store.ts';
import { createTelephony, type Telephony } from '../../src/telephony/create-telephony.ts';
import { until } from '../support/sim-events.ts';

const logger = createLogger('silent');

describe('queue announcer', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  describe('when the store cannot be read at an announcement (e.g. Redis fails over)', () => {
    it('skips that one without crashing the server and announces again at the next period', async () => {
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown) => void unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      cleanups.push(async () => void process.off('unhandledRejection', onUnhandled));
      const clock = createManualClock();
      const sim: Simulator = await createSimulator({ logger, clock });
      cleanups.push(() => sim.close());
      const telephony: Telephony = createTelephony({ ARI_URL: sim.url, ARI_USER: 'hotline', ARI_PASSWORD: 'hotline', ARI_APP: 'hotline', AMI_USER: 'x', AMI_SECRET: 'x' }, logger);
      cleanups.push(() => telephony.close());
      await telephony.start();
      await until(() => telephony.port.state().status === 'up', 'ARI is connected');

      const store = createMemoryStore({ clock });
      let failing = false;
      const flaky: Store = {
        ...store,
        get: <T>(key: string) => (failing ? Promise.reject(new HotlineError('STORE_UNAVAILABLE', 'the store is away')) : store.get<T>(key)),
      };
      const acd = createAcdState({ store: flaky, clock });
      const { channelId } = await sim.control.placeCall({ from: '13800000001', did: '12345' });
      await telephony.port.answer(channelId);
      await acd.enqueue({ callId: channelId, channelId, queueId: 'general', priority: 0, arrivedAt: clock.now(), enqueuedAt: clock.now(), instanceId: 'i1', callerNumber: '13800000001' });
      const announcer = createQueueAnnouncer({ telephony: telephony.port, acd, clock, everyMs: 30_000 });
      const positions = async () => (await sim.control.channel(channelId)).heard.filter((h) => h.kind === 'playback').map((h) => (h['media'] as string[])[1]);

      announcer.schedule({ callId: channelId, channelId, log: logger });
      failing = true;
      await clock.advance(30_000);
      await new Promise((resolve) => setImmediate(resolve));
      failing = false;
      expect(unhandled).toEqual([]);
      expect(await positions()).toEqual([]);
      await clock.advance(30_000);
      await until(async () => (await positions()).length === 1, 'the next announcement was played');
      expect(await positions()).toEqual(['number:0']);
      announcer.cancel(channelId);
      await sim.control.hangup(channelId);
    });
  });
});
