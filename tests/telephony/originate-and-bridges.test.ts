import { afterEach, describe, expect, it } from 'vitest';
import { isHotlineError } from '../../src/errors.ts';
import { createHarness, nextEvent, startAdapter, startSimulator } from './support/harness.ts';

const harness = createHarness();
afterEach(() => harness.run());

async function setup() {
  const sim = await startSimulator(harness);
  const adapter = await startAdapter(harness, sim.url);
  return { sim, adapter, port: adapter.telephony.port };
}

const reasonOf = (error: unknown): unknown =>
  isHotlineError(error, 'TELEPHONY_ORIGINATE_FAILED') ? error.details?.['reason'] : `not an originate failure: ${String(error)}`;

describe('originate', () => {
  describe('when the agent answers', () => {
    it('resolves with the channel, which started in the app as originated', async () => {
      const { sim, adapter, port } = await setup();
      await sim.control.setEndpoint('PJSIP', 'agent1', { behavior: 'answer', answerAfterMs: 20 });
      const started = nextEvent(adapter, 'channel-started', 'agent-1');
      await expect(port.originate('PJSIP/agent1', { channelId: 'agent-1', timeoutSec: 10, timeoutMs: 5_000, appArgs: 'agent', callerId: '12345' }))
        .resolves.toEqual({ channelId: 'agent-1' });
      expect(await started).toMatchObject({ origin: 'originate', args: ['agent'] });
      expect(adapter.events.values.some((e) => e.type === 'call-arrived')).toBe(false);
      expect((await sim.control.channel('agent-1')).state).toBe('Up');
    });
  });

  describe('when nobody answers within the ring timeout', () => {
    it('rejects with reason no-answer', async () => {
      const { sim, port } = await setup();
      await sim.control.setEndpoint('PJSIP', 'agent2', { behavior: 'no-answer' });
      const error = await port.originate('PJSIP/agent2', { channelId: 'agent-2', timeoutSec: 1, timeoutMs: 10_000 }).catch((e: unknown) => e);
      expect(reasonOf(error)).toBe('no-answer');
    });
  });

  describe('when the endpoint is busy', () => {
    it('rejects with reason busy', async () => {
      const { sim, port } = await setup();
      await sim.control.setEndpoint('PJSIP', 'agent3', { behavior: 'busy' });
      const error = await port.originate('PJSIP/agent3', { channelId: 'agent-3', timeoutSec: 10, timeoutMs: 5_000 }).catch((e: unknown) => e);
      expect(reasonOf(error)).toBe('busy');
    });
  });

  describe('when the endpoint does not exist', () => {
    it('rejects with reason failed (Allocation failed)', async () => {
      const { port } = await setup();
      const error = await port.originate('PJSIP/9999', { channelId: 'agent-4', timeoutSec: 10, timeoutMs: 5_000 }).catch((e: unknown) => e);
      expect(reasonOf(error)).toBe('failed');
    });
  });

  describe('when the far end hangs up while ringing', () => {
    it('rejects with reason hung-up', async () => {
      const { sim, adapter, port } = await setup();
      await sim.control.setEndpoint('PJSIP', 'agent5', { behavior: 'manual' });
      const ringing = adapter.events.next((e) => e.type === 'channel-state-changed' && e.channelId === 'agent-5' && e.state === 'Ringing');
      const pending = port.originate('PJSIP/agent5', { channelId: 'agent-5', timeoutSec: 30, timeoutMs: 10_000 }).catch((e: unknown) => e);
      await ringing;
      await sim.control.hangup('agent-5', 16);
      expect(reasonOf(await pending)).toBe('hung-up');
    });
  });

  describe('when the wait for the answer times out', () => {
    it('fails with TELEPHONY_TIMEOUT and hangs the ringing channel up', async () => {
      const { sim, adapter, port } = await setup();
      await sim.control.setEndpoint('PJSIP', 'agent6', { behavior: 'manual' });
      const destroyed = nextEvent(adapter, 'channel-destroyed', 'agent-6');
      const error = await port.originate('PJSIP/agent6', { channelId: 'agent-6', timeoutSec: 30, timeoutMs: 50 }).catch((e: unknown) => e);
      expect(isHotlineError(error, 'TELEPHONY_TIMEOUT')).toBe(true);
      await destroyed;
      expect((await sim.control.channel('agent-6')).hungUp).toBe(true);
    });
  });
});

describe('bridges and snoop', () => {
  describe('when a caller and an agent are bridged', () => {
    it('reports both entering, and both leaving when the bridge is destroyed', async () => {
      const { sim, adapter, port } = await setup();
      await sim.control.setEndpoint('PJSIP', 'agent7', { behavior: 'answer' });
      const call = await sim.control.placeCall({ from: '5551001', did: '12345' });
      await nextEvent(adapter, 'call-arrived');
      await port.answer(call.channelId);
      await port.originate('PJSIP/agent7', { channelId: 'agent-7', timeoutSec: 10, timeoutMs: 5_000 });
      await port.createBridge('mixing', 'br-1');
      const agentIn = nextEvent(adapter, 'entered-bridge', 'agent-7');
      await port.addToBridge('br-1', [call.channelId, 'agent-7']);
      await agentIn;
      expect((await port.listBridges()).find((b) => b.id === 'br-1')).toMatchObject({ type: 'mixing', channelIds: [call.channelId, 'agent-7'] });
      const agentOut = nextEvent(adapter, 'left-bridge', 'agent-7');
      await port.destroyBridge('br-1');
      expect(await agentOut).toMatchObject({ bridgeId: 'br-1' });
    });
  });

  describe('when a supervisor snoops on a call', () => {
    it('reports the snoop channel as started by a snoop', async () => {
      const { sim, adapter, port } = await setup();
      const call = await sim.control.placeCall({ from: '5551001', did: '12345' });
      await nextEvent(adapter, 'call-arrived');
      await port.answer(call.channelId);
      const started = nextEvent(adapter, 'channel-started', 'snoop-1');
      await expect(port.snoop(call.channelId, { snoopId: 'snoop-1', spy: 'both', whisper: 'none', appArgs: 'monitor' })).resolves.toEqual({ snoopId: 'snoop-1' });
      expect(await started).toMatchObject({ origin: 'snoop', args: ['monitor'] });
    });
  });

  describe('when variables are set and read', () => {
    it('reads back the value, and undefined for a variable never set', async () => {
      const { sim, adapter, port } = await setup();
      const call = await sim.control.placeCall({ from: '5551001', did: '12345' });
      await nextEvent(adapter, 'call-arrived');
      await port.setVariable(call.channelId, 'HOTLINE_TICKET', 'T-1');
      await expect(port.getVariable(call.channelId, 'HOTLINE_TICKET')).resolves.toBe('T-1');
      await expect(port.getVariable(call.channelId, 'NEVER_SET')).resolves.toBeUndefined();
    });
  });
});
