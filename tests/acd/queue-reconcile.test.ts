/**
 * The reconcile's reading of a talking call's bridge after a restart (src/acd/queue-reconcile.ts):
 * which member is the caller and which the agent, also with a supervisor barging in.
 */
import { describe, expect, it } from 'vitest';
import { createAcdState } from '../../src/acd/acd-state.ts';
import { reconcileQueues, type ReconcileContext } from '../../src/acd/queue-reconcile.ts';
import { createManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/log.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import type { ChannelInfo, TelephonyPort } from '../../src/telephony/port.ts';

const channel = (id: string): ChannelInfo => ({
  id, name: `PJSIP/${id}`, state: 'Up', caller: { number: '', name: '' }, connected: { number: '', name: '' },
  dialplan: { context: 'default', exten: 's', priority: 1, appName: 'Stasis', appData: 'hotline' }, inApp: true,
});

describe('reconcile of a talking call', () => {
  it('takes the call id as the caller and the agent- leg as the agent, whatever the bridge order, with a supervisor barging in', async () => {
    const clock = createManualClock();
    const acd = createAcdState({ store: createMemoryStore({ clock }), clock });
    await acd.upsertAgent('li', { extension: '1001', skills: { general: 1 } });
    await acd.applyAgent('li', { type: 'login', ready: true });
    await acd.enqueue({ callId: 'c1', queueId: 'general', arrivedAt: 0, enqueuedAt: 0, priority: 0, instanceId: 'node1', channelId: 'c1', callerNumber: '13800000001' });
    await acd.reserve('c1', 'li');
    await acd.answered('c1', 'li');

    const adopted: unknown[] = [];
    const hungUp: string[] = [];
    const ctx: ReconcileContext = {
      acd, instanceId: 'node1', logger: createLogger('silent'),
      telephony: { hangup: async (id: string) => void hungUp.push(id), destroyBridge: async () => undefined } as unknown as TelephonyPort,
      known: () => false, adoptHoldingBridge: () => undefined, adoptWaiting: async () => undefined,
      adoptConnected: (call) => void adopted.push(call), wrapUp: async () => undefined,
    };
    const members = ['sv-sup-1', 'agent-c1-1', 'c1'];
    await reconcileQueues({ channels: members.map(channel), bridges: [{ id: 'call-c1', type: 'mixing', channelIds: members }], firstConnect: true }, ctx);
    expect(adopted).toEqual([{ callId: 'c1', callerChannelId: 'c1', agentChannelId: 'agent-c1-1', agentId: 'li', bridgeId: 'call-c1' }]);
    expect(hungUp).toEqual([]);
  });
});
