/**
 * Flows change while calls run: a call keeps the version it started with through publish and
 * rollback; new calls get whatever is live when they arrive; test callers hear the staging alias.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Flow } from '../../src/ivr/flow-schema.ts';
import { until } from '../support/sim-events.ts';
import { flowsDir, nothingLeft, sounds12345 as s, startRig, type IvrRig } from './ivr-harness.ts';

const v2 = { greeting: 'sound:hotline/zh/greeting-12345-v2', main: 'sound:hotline/zh/feedback-or-hold-v2' };

async function shipped12345(): Promise<Flow> {
  return JSON.parse(await readFile(path.join(flowsDir, '12345.json'), 'utf8')) as Flow;
}

/** The 12345 flow with other greeting and menu sounds. */
function withSounds(flow: Flow, sounds: { greeting: string; main: string }): Flow {
  const copy = structuredClone(flow) as Flow & { nodes: Record<string, { prompt?: Record<string, { sound?: string }> }> };
  copy.nodes['greeting']!.prompt!['zh-CN']!.sound = sounds.greeting;
  copy.nodes['main']!.prompt!['zh-CN']!.sound = sounds.main;
  return copy;
}

describe('IVR runtime and flow versions', () => {
  let rig: IvrRig | undefined;
  afterEach(async () => {
    if (rig) await nothingLeft(rig.sim);
    await rig?.close();
    rig = undefined;
  });

  async function dial(r: IvrRig, count: number, from = '1380000'): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push((await r.sim.control.placeCall({ from: `${from}${String(i).padStart(4, '0')}`, did: '12345' })).channelId);
    await until(async () => (await Promise.all(ids.map((id) => r.played(id)))).every((m) => m.length === 1), `${count} greetings started`);
    return ids;
  }

  /** Lets every prompt playing now end (1 s), and waits until each call started its next one. */
  async function nextPrompt(r: IvrRig, ids: readonly string[]): Promise<void> {
    const before = await Promise.all(ids.map((id) => r.played(id)));
    await r.clock.advance(1000);
    await until(async () => (await Promise.all(ids.map((id) => r.played(id)))).every((m, i) => m.length === before[i]!.length + 1), 'every call started its next prompt');
  }

  async function hangUpAll(r: IvrRig, ids: readonly string[]): Promise<void> {
    for (const id of ids) if (!(await r.sim.control.channel(id)).hungUp) await r.sim.control.hangup(id);
    await until(() => r.calls.activeCalls() === 0, 'every call ended');
  }

  describe('when a new version is published while 20 calls are in the flow', () => {
    it('the 20 calls finish on the old version and new calls get the new one; rollback likewise', async () => {
      rig = await startRig();
      const r = rig;
      const v1Hash = (await r.versions.aliases('12345')).live!;
      const old = await dial(r, 20);

      const published = await r.versions.publish({ flow: withSounds(await shipped12345(), v2), author: 'admin', message: 'new greeting', expectedHash: v1Hash });
      const [fresh] = await dial(r, 1, '1390000');
      expect(await r.played(fresh!)).toEqual([v2.greeting]);

      await nextPrompt(r, [...old, fresh!]);
      for (const id of old) expect(await r.played(id)).toEqual([s.greeting, s.main]);
      expect(await r.played(fresh!)).toEqual([v2.greeting, v2.main]);
      expect(r.calls.session(old[0]!)?.version).toBe(v1Hash);
      expect(r.calls.session(fresh!)?.version).toBe(published.version.hash);

      await r.versions.rollback({ flowId: '12345', hash: v1Hash, author: 'admin', message: 'back', expectedHash: published.version.hash });
      const [afterRollback] = await dial(r, 1, '1370000');
      expect(await r.played(afterRollback!)).toEqual([s.greeting]);
      expect(r.calls.session(fresh!)?.version).toBe(published.version.hash);
      await hangUpAll(r, [...old, fresh!, afterRollback!]);
    });
  });

  describe('when a configured test caller dials', () => {
    it('hears the staging version while everyone else hears live', async () => {
      rig = await startRig({ didFlows: { testCallers: ['13700000000'] } });
      const r = rig;
      await r.versions.publish({ flow: withSounds(await shipped12345(), v2), author: 'admin', message: 'try', expectedHash: null, alias: 'staging' });
      const tester = (await r.sim.control.placeCall({ from: '13700000000', did: '12345' })).channelId;
      const citizen = (await r.sim.control.placeCall({ from: '13800000000', did: '12345' })).channelId;
      await until(async () => (await r.played(tester)).length === 1 && (await r.played(citizen)).length === 1, 'both greetings started');
      expect([await r.played(tester), await r.played(citizen)]).toEqual([[v2.greeting], [s.greeting]]);
      await hangUpAll(r, [tester, citizen]);
    });
  });

  describe('when the DID\'s flow has no published version', () => {
    it('sends the caller straight to the fallback queue and cleans up on hang-up', async () => {
      rig = await startRig({ publishShipped: false });
      const r = rig;
      const { channelId } = await r.sim.control.placeCall({ from: '13800000000', did: '12345' });
      await until(() => r.queue.parked().get(channelId) === 'general', 'parked in the general queue');
      expect((await r.sim.control.channel(channelId)).state).toBe('Up');
      expect(await r.played(channelId)).toEqual([]);
      await hangUpAll(r, [channelId]);
    });
  });

  describe('when a DID has no flow of its own', () => {
    it('answers with the 12345 flow', async () => {
      rig = await startRig();
      const r = rig;
      const { channelId } = await r.sim.control.placeCall({ from: '13800000000', did: '99999' });
      await until(async () => (await r.played(channelId)).length === 1, 'the greeting started');
      expect(await r.played(channelId)).toEqual([s.greeting]);
      await hangUpAll(r, [channelId]);
    });
  });
});
