/**
 * Subflows are inlined at publish: a parent's published version pins the child version it copied,
 * so publishing the child changes nothing for callers until the parent is published again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Flow } from '../../src/ivr/flow-schema.ts';
import { until } from '../support/sim-events.ts';
import { nothingLeft, startRig, type IvrRig } from './ivr-harness.ts';

/** The shared child: two prompts, then back to the caller. */
function child(version: string): Flow {
  return {
    id: 'greet', title: 'Shared greeting', languages: ['zh-CN'], entry: 'first',
    nodes: {
      first: { type: 'play', prompt: { 'zh-CN': { sound: `sound:hotline/greet-${version}` } }, next: 'second' },
      second: { type: 'play', prompt: { 'zh-CN': { sound: `sound:hotline/privacy-${version}` } }, next: 'back' },
      back: { type: 'return' },
    },
  };
}

/** The 12345 flow: the shared greeting, then a goodbye of its own. */
const parent: Flow = {
  id: '12345', title: 'Hotline', languages: ['zh-CN'], entry: 'hello',
  nodes: {
    hello: { type: 'subflow', flow: 'greet', next: 'goodbye' },
    goodbye: { type: 'play', prompt: { 'zh-CN': { sound: 'sound:hotline/goodbye' } }, next: 'bye' },
    bye: { type: 'hangup' },
  },
};

describe('subflows and flow versions', () => {
  let rig: IvrRig | undefined;
  afterEach(async () => {
    if (rig) await nothingLeft(rig.sim);
    await rig?.close();
    rig = undefined;
  });

  async function dial(r: IvrRig, from: string): Promise<string> {
    const id = (await r.sim.control.placeCall({ from, did: '12345' })).channelId;
    await until(async () => (await r.played(id)).length === 1, `the first prompt of ${from}`);
    return id;
  }

  async function nextPrompt(r: IvrRig, id: string): Promise<string[]> {
    const before = (await r.played(id)).length;
    await r.clock.advance(1000);
    await until(async () => (await r.played(id)).length === before + 1, 'the next prompt started');
    return r.played(id);
  }

  describe('when the child is published again after the parent', () => {
    it('calls on the parent keep hearing the child version the parent was published with, until the parent is published again', async () => {
      rig = await startRig({ publishShipped: false });
      const r = rig;
      const childV1 = await r.versions.publish({ flow: child('v1'), author: 'admin', message: 'greeting v1', expectedHash: null });
      const parentV1 = await r.versions.publish({ flow: parent, author: 'admin', message: 'uses the greeting', expectedHash: null });
      expect((await r.versions.getVersion('12345', parentV1.version.hash))?.subflows).toEqual([{ node: 'hello', flowId: 'greet', version: childV1.version.hash }]);

      const during = await dial(r, '13800000001');
      expect(await r.played(during)).toEqual(['sound:hotline/greet-v1']);
      await r.versions.publish({ flow: child('v2'), author: 'admin', message: 'greeting v2', expectedHash: childV1.version.hash });

      // the call in progress finishes the child as it was, and comes back to the parent
      expect(await nextPrompt(r, during)).toEqual(['sound:hotline/greet-v1', 'sound:hotline/privacy-v1']);
      expect(await nextPrompt(r, during)).toEqual(['sound:hotline/greet-v1', 'sound:hotline/privacy-v1', 'sound:hotline/goodbye']);
      // a new call on the unchanged parent still hears child v1
      const after = await dial(r, '13800000002');
      expect(await r.played(after)).toEqual(['sound:hotline/greet-v1']);

      const parentV2 = await r.versions.publish({ flow: parent, author: 'admin', message: 'pick up greeting v2', expectedHash: parentV1.version.hash });
      expect(parentV2.changed).toBe(true);
      const republished = await dial(r, '13800000003');
      expect(await r.played(republished)).toEqual(['sound:hotline/greet-v2']);

      for (const id of [during, after, republished]) if (!(await r.sim.control.channel(id)).hungUp) await r.sim.control.hangup(id);
      await until(() => r.calls.activeCalls() === 0, 'every call ended');
    });
  });
});
