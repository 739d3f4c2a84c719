/**
 * Issue 2's end-to-end path: the hotline server on the built-in simulator, through the real
 * ari-client: a citizen dials 12345, hears the greeting, presses 1 and hears it read back, hangs up;
 * nothing is left behind. And a server restart that keeps the call.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';
import { startHotline, type Hotline } from '../../src/server.ts';
import { createSimulator, type Simulator } from '../../src/sim/simulator.ts';
import { playbackStarted, until } from '../support/sim-events.ts';

const logger = createLogger('silent');

/** Every sound the caller was played, in order. */
async function playedMedia(sim: Simulator, channelId: string): Promise<string[]> {
  const { heard } = await sim.control.channel(channelId);
  return heard.filter((h) => h.kind === 'playback').flatMap((h) => h['media'] as string[]);
}
const config = loadConfig({ PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_GRACE_MS: '0' });

describe('the hotline on the simulator', () => {
  const running: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const r of running.splice(0).reverse()) await r.close();
  });

  async function start(simulator?: Simulator): Promise<Hotline> {
    const hotline = await startHotline(config, logger, simulator ? { simulator } : {});
    running.push(hotline);
    await until(() => hotline.telephony.port.state().status === 'up', 'ARI is connected');
    return hotline;
  }

  describe('when the server starts with no configuration', () => {
    it('reports ARI and AMI up on the simulator and the store up', async () => {
      const hotline = await start();
      const response = await fetch(`${hotline.url}/health`);
      const body = (await response.json()) as { mode: unknown; components: Record<string, { up: boolean }> };
      expect(body.mode).toEqual({ asterisk: 'simulator', store: 'memory' });
      expect(body.components['ari']?.up).toBe(true);
      expect(body.components['store']?.up).toBe(true);
      await until(async () => ((await (await fetch(`${hotline.url}/health`)).json()) as typeof body).components['ami']?.up === true, 'AMI is up');
    });
  });

  describe('when a citizen dials 12345, presses 1 and hangs up', () => {
    it('answers with the greeting, reads the key back, and leaves no channel or bridge', async () => {
      const hotline = await start();
      const sim = hotline.simulator!;
      const { channelId } = await sim.control.placeCall({ from: '13800138000', did: '12345' });
      await playbackStarted(sim, channelId, 'sound:hotline/greeting-12345');
      expect((await sim.control.channel(channelId)).state).toBe('Up');

      const readBack = playbackStarted(sim, channelId, 'sound:digits/1');
      await sim.control.sendDtmf(channelId, { digits: '1' });
      await readBack;

      await sim.control.hangup(channelId);
      await until(async () => {
        const stats = await sim.control.stats();
        return stats.channels === 0 && stats.bridges === 0;
      }, 'no channel or bridge is left');
      await until(() => hotline.activeCalls() === 0, 'the server forgot the call');
      expect(await playedMedia(sim, channelId)).toEqual(['sound:hotline/greeting-12345', 'sound:digits/1']);
    });
  });

  describe('when the server restarts during a call', () => {
    it('the call stays up and the restarted server carries it on', async () => {
      const sim = await createSimulator({ logger, password: config.ARI_PASSWORD, user: config.ARI_USER });
      running.push(sim);
      const first = await start(sim);
      const { channelId } = await sim.control.placeCall({ from: '13900139000', did: '12328' });
      await playbackStarted(sim, channelId, 'sound:hotline/greeting-12328');
      await first.close();
      running.splice(running.indexOf(first), 1);
      expect((await sim.control.channel(channelId)).hungUp).toBe(false);

      const second = await start(sim);
      await until(() => second.activeCalls() === 1, 'the restarted server adopted the live call');
      const readBack = playbackStarted(sim, channelId, 'sound:digits/2');
      await sim.control.sendDtmf(channelId, { digits: '2' });
      await readBack;
      expect(await playedMedia(sim, channelId)).toEqual(['sound:hotline/greeting-12328', 'sound:digits/2']);
      await sim.control.hangup(channelId);
      await until(() => second.activeCalls() === 0, 'the call ended');
    });
  });
});
