import { createRequire } from 'node:module';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/simulator.ts';
import { startSim } from './support.ts';

/** The slice of ari-client 2.2.0 this test drives (the package ships no types; it is CommonJS). */
interface AriChannel { id: string; answer(): Promise<void>; play(opts: { media: string }, playback: AriPlayback): Promise<unknown>; hangup(): Promise<void> }
interface AriPlayback { id: string; once(event: string, cb: (event: { playback: { state: string } }) => void): void }
interface AriClient {
  on(event: string, cb: (event: Record<string, unknown>, resource: unknown) => void): void;
  start(app: string): Promise<void>;
  stop(): void;
  Playback(): AriPlayback;
  channels: {
    list(): Promise<AriChannel[]>;
    originate(opts: Record<string, unknown>): Promise<AriChannel & { state: string }>;
    getChannelVar(opts: { channelId: string; variable: string }): Promise<{ value: string }>;
  };
  bridges: {
    create(opts: Record<string, unknown>): Promise<{ id: string; technology: string }>;
    addChannel(opts: { bridgeId: string; channel: string[] }): Promise<void>;
    get(opts: { bridgeId: string }): Promise<{ channels: string[] }>;
    destroy(opts: { bridgeId: string }): Promise<void>;
  };
}
const ariClient = createRequire(import.meta.url)('ari-client') as { connect(url: string, user: string, pass: string): Promise<AriClient> };

describe('ari-client against the simulator', () => {
  let sim: Simulator;
  let client: AriClient | undefined;
  beforeEach(async () => { sim = await startSim(); });
  const waitFor = (c: AriClient, type: string, id: string) => new Promise<Record<string, unknown>>((resolve) => {
    c.on(type, (event) => {
      if ((event.channel as { id?: string } | undefined)?.id === id) resolve(event);
    });
  });
  afterEach(async () => {
    client?.stop();
    await sim.close();
  });

  describe('when a citizen calls 12345, presses a key and the app hangs up', () => {
    it('delivers StasisStart, plays to the end, gets the digit and leaves nothing behind', async () => {
      const connected = await ariClient.connect(sim.url, 'hotline', 'hotline');
      client = connected;
      const started = new Promise<{ event: Record<string, unknown>; channel: AriChannel }>((resolve) => {
        connected.on('StasisStart', (event, channel) => resolve({ event, channel: channel as AriChannel }));
      });
      const digit = new Promise<string>((resolve) => connected.on('ChannelDtmfReceived', (event) => resolve(String(event.digit))));
      const ended = new Promise<void>((resolve) => connected.on('StasisEnd', () => resolve()));
      await connected.start('hotline');

      const call = await sim.control.placeCall({ from: '13800138000', fromName: 'Citizen', did: '12345' });
      const { event, channel } = await started;
      expect(event.args).toEqual(['12345']);
      expect(channel.id).toBe(call.channelId);

      await channel.answer();
      const playback = connected.Playback();
      const finished = new Promise<string>((resolve) => playback.once('PlaybackFinished', (e) => resolve(e.playback.state)));
      await channel.play({ media: 'sound:hello-world' }, playback);
      expect(await finished).toBe('done');

      await sim.control.sendDtmf(call.channelId, { digits: '5' });
      expect(await digit).toBe('5');

      await channel.hangup();
      await ended;
      expect(await sim.control.stats()).toEqual({ channels: 0, bridges: 0, playbacks: 0, recordings: 0 });
      const heard = (await sim.control.channel(call.channelId)).heard;
      expect(heard).toEqual([expect.objectContaining({ kind: 'playback', media: ['sound:hello-world'], state: 'done' })]);
    });
  });

  describe('when the app originates an agent with variables and bridges the call', () => {
    it('gets the agent into Stasis and both channels into one mixing bridge', async () => {
      await sim.control.setEndpoint('PJSIP', '1001', { behavior: 'answer', answerAfterMs: 0 });
      const connected = await ariClient.connect(sim.url, 'hotline', 'hotline');
      client = connected;
      await connected.start('hotline');
      const call = await sim.control.placeCall({ from: '13800138000', did: '12345' });
      const agentStarted = waitFor(connected, 'StasisStart', 'agent-1');

      const agent = await connected.channels.originate({
        endpoint: 'PJSIP/1001', app: 'hotline', appArgs: 'agent', channelId: 'agent-1', callerId: 'Hotline <12345>',
        variables: { SEAT: '7' },
      });
      expect(agent).toMatchObject({ id: 'agent-1', state: 'Down' });
      expect((await agentStarted).args).toEqual(['agent']);
      expect(await connected.channels.getChannelVar({ channelId: 'agent-1', variable: 'SEAT' })).toEqual({ value: '7' });

      const bridge = await connected.bridges.create({ type: 'mixing', bridgeId: 'b-1' });
      expect(bridge).toMatchObject({ id: 'b-1', technology: 'simple_bridge' });
      await connected.bridges.addChannel({ bridgeId: 'b-1', channel: [call.channelId, 'agent-1'] });
      expect((await connected.bridges.get({ bridgeId: 'b-1' })).channels).toEqual([call.channelId, 'agent-1']);
      expect((await sim.control.channel(call.channelId)).variables.BRIDGEPEER).toMatch(/^PJSIP\/1001-[0-9a-f]{8}$/);
    });
  });
});
