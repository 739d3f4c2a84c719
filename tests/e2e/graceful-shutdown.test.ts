/**
 * SIGTERM's path: the server stops taking calls (new ones go back to the dialplan, whose fallback
 * routes them elsewhere), lets running calls finish, and only then closes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';
import { startHotline } from '../../src/server.ts';
import { createSimulator, type Simulator } from '../../src/sim/simulator.ts';
import { nextEvent, playbackStarted, until } from '../support/sim-events.ts';

const logger = createLogger('silent');

describe('graceful shutdown', () => {
  let sim: Simulator | undefined;
  afterEach(async () => sim?.close());

  describe('when the server is asked to stop during a call', () => {
    it('hands new calls back to the dialplan and closes only after the running call ended', async () => {
      sim = await createSimulator({ logger });
      const hotline = await startHotline(loadConfig({ PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_GRACE_MS: '60000' }), logger, { simulator: sim });
      await until(() => hotline.telephony.port.state().status === 'up', 'ARI is connected');
      const running = await sim.control.placeCall({ from: '13800000001', did: '12345' });
      await playbackStarted(sim, running.channelId, 'sound:hotline/zh/greeting-12345');

      let closed = false;
      const closing = hotline.close().then(() => (closed = true));

      const late = await sim.control.placeCall({ from: '13800000002', did: '12345' });
      await nextEvent(sim, (e) => e['type'] === 'StasisEnd' && (e['channel'] as { id: string }).id === late.channelId, 'the late call left Stasis');
      expect((await sim.control.channel(late.channelId)).heard.filter((h) => h.kind === 'playback')).toEqual([]);
      expect(closed).toBe(false);

      await sim.control.hangup(running.channelId);
      await closing;
      expect(closed).toBe(true);
    });
  });
});
