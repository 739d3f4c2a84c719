import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/clock.ts';
import type { ReconcileSnapshot } from '../../src/telephony/port.ts';
import { createHarness, nextEvent, startAdapter, startSimulator } from './support/harness.ts';
import { createTcpProxy } from './support/tcp-proxy.ts';
import { createRecorder } from './support/wait-for.ts';
import { until } from '../support/sim-events.ts';

const harness = createHarness();
afterEach(() => harness.run());

async function proxied() {
  const sim = await startSimulator(harness);
  const proxy = await createTcpProxy(Number(new URL(sim.url).port));
  harness.cleanups.push(() => proxy.close());
  const snapshots = createRecorder<ReconcileSnapshot>();
  const adapter = await startAdapter(harness, proxy.url, { reconcile: (s) => snapshots.push(s) });
  const call = await sim.control.placeCall({ from: '13800138000', fromName: 'Alice', did: '12345' });
  await nextEvent(adapter, 'call-arrived');
  await adapter.telephony.port.answer(call.channelId);
  return { sim, proxy, adapter, snapshots, channelId: call.channelId };
}

describe('ARI supervision', () => {
  describe('when Asterisk is unreachable for more than ten attempts', () => {
    it('keeps trying, reconnects by itself and hands the live call to the reconcile hook', async () => {
      const { sim, proxy, adapter, snapshots, channelId } = await proxied();
      expect(snapshots.values).toHaveLength(1);
      expect(snapshots.values[0]!.firstConnect).toBe(true);

      const down = nextEvent(adapter, 'connection-down');
      await proxy.stop();
      await down;
      const failing = await adapter.until((s) => s.attempts > 12);
      expect(failing.status).toBe('down');
      expect(failing.lastError).toBeTruthy();

      const reconciled = snapshots.next(() => true);
      await proxy.start();
      const snapshot = await reconciled;
      expect(snapshot.firstConnect).toBe(false);
      expect(snapshot.channels.find((c) => c.id === channelId)).toMatchObject({
        state: 'Up', inApp: true, caller: { number: '13800138000', name: 'Alice' },
      });
      expect(adapter.telephony.port.state()).toMatchObject({ status: 'up', attempts: 0 });

      const digit = nextEvent(adapter, 'dtmf', channelId);
      await sim.control.sendDtmf(channelId, { digits: '7' });
      expect((await digit).digit).toBe('7');

      // ari-client's own reconnect timers of the dropped sessions fire ~100 ms later; a zombie
      // socket would take the app over (ApplicationReplaced) and drop the connection again
      await sim.control.setMedia('sound:settle', { durationMs: 400 });
      const playback = await adapter.telephony.port.play({ kind: 'channel', id: channelId }, ['sound:settle'], { playbackId: 'settle', timeoutMs: 5_000 });
      await expect(playback.done).resolves.toEqual({ outcome: 'finished' });
      expect(adapter.events.values.filter((e) => e.type === 'connection-down')).toHaveLength(1);
      expect(adapter.telephony.port.state().status).toBe('up');
    });
  });

  describe('when the simulator itself stops and starts again on the same port', () => {
    it('reconnects to the new instance, whose snapshot has no calls, and takes new calls', async () => {
      const sim = await startSimulator(harness);
      const port = Number(new URL(sim.url).port);
      const snapshots = createRecorder<ReconcileSnapshot>();
      const adapter = await startAdapter(harness, sim.url, { reconcile: (s) => snapshots.push(s) });
      const down = nextEvent(adapter, 'connection-down');
      await sim.close();
      await down;
      await adapter.until((s) => s.attempts > 10);
      const reconciled = snapshots.next(() => true);
      const again = await startSimulator(harness, port);
      expect((await reconciled).channels).toEqual([]);
      const call = await again.control.placeCall({ from: '5551001', did: '12345' });
      expect((await nextEvent(adapter, 'call-arrived')).channelId).toBe(call.channelId);
    });
  });

  describe('when the connection hangs without closing', () => {
    it('notices the missing pongs, declares it dead and reconnects', async () => {
      const sim = await startSimulator(harness);
      const proxy = await createTcpProxy(Number(new URL(sim.url).port));
      harness.cleanups.push(() => proxy.close());
      const adapter = await startAdapter(harness, proxy.url, {
        tuning: { pingIntervalMs: 20, pongTimeoutMs: 150, connectTimeoutMs: 300, requestTimeoutMs: 300 },
      });
      proxy.blackHole(true);
      const down = await adapter.until((s) => s.status === 'down');
      expect(down.lastError).toContain('no pong');
      const up = nextEvent(adapter, 'connection-up');
      proxy.blackHole(false);
      expect((await up).firstConnect).toBe(false);
    });
  });

  describe('when another connection takes the Stasis app over', () => {
    it('reports the connection down as replaced, and takes the app back once the other one is gone', async () => {
      const sim = await startSimulator(harness);
      const first = await startAdapter(harness, sim.url);
      const down = nextEvent(first, 'connection-down');
      const second = await startAdapter(harness, sim.url);
      expect((await down).reason).toContain('replaced');
      await second.telephony.close();
      await first.until((s) => s.status === 'up');
      const call = await sim.control.placeCall({ from: '5551001', did: '12345' });
      expect((await nextEvent(first, 'call-arrived')).channelId).toBe(call.channelId);
    });
  });

  describe('when REST fails while the connection is down', () => {
    it('fails fast with ARI_UNAVAILABLE', async () => {
      const { proxy, adapter, channelId } = await proxied();
      const down = nextEvent(adapter, 'connection-down');
      await proxy.stop();
      await down;
      await expect(adapter.telephony.port.hangup(channelId)).rejects.toMatchObject({ code: 'ARI_UNAVAILABLE' });
    });
  });
});

describe('an originate given up while the connection is down', () => {
  it('is hung up after the reconnect: a phone answered meanwhile is not left on a silent call', async () => {
    const { sim, proxy, adapter, snapshots } = await proxied();
    await sim.control.setEndpoint('PJSIP', 'agent7', { behavior: 'manual' });
    const ring = new AbortController();
    const rang = adapter.telephony.port.originate('PJSIP/agent7', { channelId: 'agent-7', timeoutSec: 30, timeoutMs: 30_000, signal: ring.signal, appArgs: 'agent' })
      .catch((error: unknown) => error);
    await until(() => sim.control.channel('agent-7').then(() => true, () => false), 'the phone rings');
    const down = nextEvent(adapter, 'connection-down');
    await proxy.stop();
    await down;
    await sim.control.answer('agent-7'); // the agent picks up; the server does not hear it
    ring.abort(); // and gives up on the ring meanwhile (the caller hung up): its hang-up cannot reach Asterisk
    expect(await rang).toMatchObject({ code: 'TELEPHONY_ABORTED' });
    expect((await sim.control.channel('agent-7')).hungUp).toBe(false);

    const reconciled = snapshots.next((s) => !s.firstConnect);
    await proxy.start();
    await reconciled;
    await until(async () => (await sim.control.channel('agent-7')).hungUp, 'the given-up leg is hung up');
  });
});

describe('adapter restart', () => {
  describe('when the adapter is closed and a new one starts while a call lives', () => {
    it('hands the live call to the new adapter’s reconcile hook on its first connect', async () => {
      const sim = await startSimulator(harness);
      const first = await startAdapter(harness, sim.url);
      const call = await sim.control.placeCall({ from: '5551001', did: '12328' });
      await nextEvent(first, 'call-arrived');
      await first.telephony.port.answer(call.channelId);
      await first.telephony.close();
      expect(first.telephony.port.state().status).toBe('closed');

      const snapshots = createRecorder<ReconcileSnapshot>();
      const second = await startAdapter(harness, sim.url, { reconcile: (s) => snapshots.push(s) });
      expect(snapshots.values).toHaveLength(1);
      expect(snapshots.values[0]!.firstConnect).toBe(true);
      expect(snapshots.values[0]!.channels.find((c) => c.id === call.channelId)).toMatchObject({ state: 'Up', inApp: true });
      const digit = nextEvent(second, 'dtmf', call.channelId);
      await sim.control.sendDtmf(call.channelId, { digits: '9' });
      expect((await digit).digit).toBe('9');
    });
  });

  describe('when closed', () => {
    it('leaves no timer behind and does not reconnect', async () => {
      const sim = await startSimulator(harness);
      const proxy = await createTcpProxy(Number(new URL(sim.url).port));
      harness.cleanups.push(() => proxy.close());
      const clock = createManualClock();
      const adapter = await startAdapter(harness, proxy.url, { tuning: { clock } });
      expect(clock.pending()).toBeGreaterThan(0);
      await adapter.telephony.close();
      expect(adapter.telephony.port.state().status).toBe('closed');
      expect(clock.pending()).toBe(0);
      await clock.advance(120_000);
      expect(adapter.telephony.port.state().status).toBe('closed');
    });
  });
});
