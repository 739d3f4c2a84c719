import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/clock.ts';
import { isHotlineError } from '../../src/errors.ts';
import type { Flow } from '../../src/ivr/flow-schema.ts';
import { createFlowVersions } from '../../src/ivr/versions/flow-versions.ts';
import { publishDraftsOnce } from '../../src/ivr/versions/publish-drafts.ts';
import { createLogger } from '../../src/log.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';

const hello = (id: string, sound: string): Flow['nodes'][string] => ({ type: 'play', prompt: { 'zh-CN': { sound: `sound:hotline/${sound}` } }, next: id });

/** A flow that plays a sound, optionally calls another flow, then returns. */
function flow(id: string, calls?: string): Flow {
  return {
    id, title: id, languages: ['zh-CN'], entry: 'say',
    nodes: {
      say: hello(calls === undefined ? 'back' : 'inner', id),
      ...(calls === undefined ? {} : { inner: { type: 'subflow', flow: calls, next: 'back' } }),
      back: { type: 'return' },
    },
  };
}

async function publishError(promise: Promise<unknown>): Promise<unknown> {
  try { await promise; } catch (error) { return error; }
  throw new Error('published, but should have been refused');
}

describe('publishing flows with subflows', () => {
  describe('when the parent names a flow that has no live version', () => {
    it('is refused with the subflow node\'s path', async () => {
      const versions = createFlowVersions({ store: createMemoryStore(), clock: createManualClock() });
      const error = await publishError(versions.publish({ flow: flow('parent', 'feedback'), author: 'admin', message: 'x', expectedHash: null }));
      expect(isHotlineError(error) && error.code).toBe('FLOW_INVALID');
      expect(isHotlineError(error) && error.details).toMatchObject({ errors: [expect.objectContaining({ rule: 'unknown-subflow', path: '/nodes/inner/flow' })] });
    });
  });

  describe('when a child would include the flow being published again', () => {
    it('refuses the loop and leaves the live version as it was', async () => {
      const versions = createFlowVersions({ store: createMemoryStore(), clock: createManualClock() });
      const b1 = await versions.publish({ flow: flow('b'), author: 'admin', message: 'b', expectedHash: null });
      await versions.publish({ flow: flow('a', 'b'), author: 'admin', message: 'a calls b', expectedHash: null });
      const error = await publishError(versions.publish({ flow: flow('b', 'a'), author: 'admin', message: 'b calls a', expectedHash: b1.version.hash }));
      expect(isHotlineError(error) && error.details).toMatchObject({
        errors: [expect.objectContaining({ rule: 'subflow-recursion', path: '/nodes/inner/flow', message: expect.stringMatching(/b → a → b/) })],
      });
      expect((await versions.aliases('b')).live).toBe(b1.version.hash);
    });
  });

  describe('when the flow folder holds a parent whose file sorts before its child\'s', () => {
    it('publishes the child first, so both go live and the parent plays the child', async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'subflow-drafts-'));
      try {
        const parent: Flow = { ...flow('a-parent', 'z-child'), nodes: { ...flow('a-parent', 'z-child').nodes, back: { type: 'hangup' } } };
        await writeFile(path.join(dir, 'a-parent.json'), JSON.stringify(parent));
        await writeFile(path.join(dir, 'z-child.json'), JSON.stringify(flow('z-child')));
        const versions = createFlowVersions({ store: createMemoryStore(), clock: createManualClock() });
        const result = await publishDraftsOnce(versions, dir, createLogger('silent'));
        expect(result).toEqual({ published: ['z-child', 'a-parent'], kept: [], failed: [] });
        const live = await versions.aliasVersion('a-parent', 'live');
        expect(live?.flow.nodes['inner__say']).toMatchObject({ type: 'play', prompt: { 'zh-CN': { sound: 'sound:hotline/z-child' } } });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});
