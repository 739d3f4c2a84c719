/**
 * The behaviour of flow versions, run on both store adapters (memory and Redis).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock, type ManualClock } from '../../src/clock.ts';
import { isHotlineError } from '../../src/errors.ts';
import { createFlowVersions, type FlowVersions } from '../../src/ivr/versions/flow-versions.ts';
import type { Store } from '../../src/store/store.ts';
import { flowWithWarning, testFlow } from './test-flows.ts';

export interface StoreFixture {
  /** A store; stores opened by one fixture share data (two server instances). */
  open(): Store;
  dispose(): Promise<void>;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return isHotlineError(error) ? error.code : String(error);
  }
}

export function flowVersionsContract(name: string, fixture: () => Promise<StoreFixture>): void {
  describe(name, () => {
    let current: StoreFixture | undefined;
    let clock: ManualClock;
    afterEach(async () => {
      await current?.dispose();
      current = undefined;
    });
    async function service(): Promise<FlowVersions> {
      current ??= await fixture();
      clock = createManualClock();
      return createFlowVersions({ store: current.open(), clock });
    }

    describe('when a flow is published for the first time', () => {
      it('stores an immutable version with hash, author, message and time, and points live at it', async () => {
        const versions = await service();
        const { version, changed } = await versions.publish({ flow: testFlow(), author: 'alice', message: 'first', expectedHash: null });
        expect(changed).toBe(true);
        expect(version).toMatchObject({ flowId: 'test-flow', seq: 1, author: 'alice', message: 'first', publishedAt: clock.now() });
        expect(version.hash).toMatch(/^[0-9a-f]{64}$/);
        expect((await versions.aliases('test-flow')).live).toBe(version.hash);
        expect((await versions.resolve('test-flow', 'live')).flow).toEqual(testFlow());
      });

      it('gives the same hash whatever the key order of the draft', async () => {
        const versions = await service();
        const flow = testFlow();
        const reordered = Object.fromEntries(Object.entries(flow).reverse());
        const a = await versions.publish({ flow, author: 'a', message: 'm', expectedHash: null, alias: 'staging' });
        const b = await versions.publish({ flow: reordered, author: 'a', message: 'm', expectedHash: null });
        expect(b.version.hash).toBe(a.version.hash);
      });
    });

    describe('when the draft has linter errors or warnings', () => {
      it('refuses to publish with FLOW_INVALID naming each finding, and changes nothing', async () => {
        const versions = await service();
        const broken = { ...testFlow(), entry: 'nowhere' };
        const error = await versions.publish({ flow: broken, author: 'a', message: 'm', expectedHash: null }).catch((e: unknown) => e);
        expect(isHotlineError(error, 'FLOW_INVALID')).toBe(true);
        expect(JSON.stringify(isHotlineError(error) && error.details)).toContain('/entry');
        expect(await codeOf(versions.publish({ flow: flowWithWarning(), author: 'a', message: 'm', expectedHash: null }))).toBe('FLOW_INVALID');
        expect(await versions.listFlows()).toEqual([]);
      });
    });

    describe('when an admin publishes with a stale expected hash', () => {
      it('answers FLOW_VERSION_CONFLICT and keeps the other admin\'s version live', async () => {
        const versions = await service();
        const first = await versions.publish({ flow: testFlow(), author: 'a', message: 'v1', expectedHash: null });
        const second = await versions.publish({ flow: testFlow('test-flow', 'sound:hotline/v2'), author: 'b', message: 'v2', expectedHash: first.version.hash });
        const stale = versions.publish({ flow: testFlow('test-flow', 'sound:hotline/v3'), author: 'c', message: 'v3', expectedHash: first.version.hash });
        expect(await codeOf(stale)).toBe('FLOW_VERSION_CONFLICT');
        expect((await versions.aliases('test-flow')).live).toBe(second.version.hash);
      });
    });

    describe('when two instances race to publish different versions', () => {
      it('exactly one wins; the other gets FLOW_VERSION_CONFLICT', async () => {
        const a = await service();
        const b = createFlowVersions({ store: current!.open(), clock });
        const base = await a.publish({ flow: testFlow(), author: 'a', message: 'v1', expectedHash: null });
        for (let round = 0; round < 5; round++) {
          const live = (await a.aliases('test-flow')).live;
          const outcomes = await Promise.all([
            codeOf(a.publish({ flow: testFlow('test-flow', `sound:hotline/a${round}`), author: 'a', message: 'a', expectedHash: live })),
            codeOf(b.publish({ flow: testFlow('test-flow', `sound:hotline/b${round}`), author: 'b', message: 'b', expectedHash: live })),
          ]);
          expect(outcomes.sort()).toEqual(['FLOW_VERSION_CONFLICT', 'resolved']);
        }
        expect((await a.listVersions('test-flow')).map((v) => v.seq)).toEqual([6, 5, 4, 3, 2, 1]);
        expect(base.version.seq).toBe(1);
      });
    });

    describe('when live is rolled back', () => {
      it('points live at the earlier version in one step, audited, and the later version stays stored', async () => {
        const versions = await service();
        const v1 = await versions.publish({ flow: testFlow(), author: 'alice', message: 'v1', expectedHash: null });
        await clock.advance(1000);
        const v2 = await versions.publish({ flow: testFlow('test-flow', 'sound:hotline/v2'), author: 'bob', message: 'v2', expectedHash: v1.version.hash });
        await clock.advance(1000);
        const back = await versions.rollback({ flowId: 'test-flow', hash: v1.version.hash, author: 'carol', message: 'v2 greeting is wrong' });
        expect(back.version.hash).toBe(v1.version.hash);
        expect((await versions.aliases('test-flow')).live).toBe(v1.version.hash);
        expect((await versions.getVersion('test-flow', v2.version.hash))?.author).toBe('bob');
        const audit = await versions.audit({ flowId: 'test-flow' });
        expect(audit.map((e) => [e.action, e.author, e.message, e.previousHash, e.hash])).toEqual([
          ['publish', 'alice', 'v1', null, v1.version.hash],
          ['publish', 'bob', 'v2', v1.version.hash, v2.version.hash],
          ['rollback', 'carol', 'v2 greeting is wrong', v2.version.hash, v1.version.hash],
        ]);
        expect(audit[2]!.changes).toBe(1);
        expect(audit[2]!.at).toBe(clock.now());
      });

      it('refuses a version that does not exist with FLOW_NOT_FOUND', async () => {
        const versions = await service();
        await versions.publish({ flow: testFlow(), author: 'a', message: 'v1', expectedHash: null });
        expect(await codeOf(versions.rollback({ flowId: 'test-flow', hash: 'f'.repeat(64), author: 'a', message: 'm' }))).toBe('FLOW_NOT_FOUND');
      });
    });

    describe('when two versions are compared', () => {
      it('lists the JSON paths that changed, were added or removed', async () => {
        const versions = await service();
        const v1 = await versions.publish({ flow: testFlow(), author: 'a', message: 'v1', expectedHash: null });
        const changed = testFlow('test-flow', 'sound:hotline/v2');
        const { to_queue: _dropped, ...rest } = changed.nodes;
        const v2flow = { ...changed, description: 'now with a description', nodes: { ...rest, to_queue: { ...changed.nodes['to_queue']!, title: 'queue' } } };
        const v2 = await versions.publish({ flow: v2flow, author: 'a', message: 'v2', expectedHash: v1.version.hash });
        const { changes } = await versions.diff('test-flow', v1.version.hash, v2.version.hash);
        expect(changes).toEqual([
          { op: 'changed', path: '/nodes/greeting/prompt/zh-CN/sound', before: 'sound:hotline/greeting-12345', after: 'sound:hotline/v2' },
          { op: 'added', path: '/nodes/to_queue/title', after: 'queue' },
          { op: 'added', path: '/description', after: 'now with a description' },
        ]);
      });
    });

    describe('when a version is staged', () => {
      it('moves only the staging alias; live stays', async () => {
        const versions = await service();
        const live = await versions.publish({ flow: testFlow(), author: 'a', message: 'v1', expectedHash: null });
        const staged = await versions.publish({ flow: testFlow('test-flow', 'sound:hotline/try'), author: 'a', message: 'try', expectedHash: null, alias: 'staging' });
        const [flow] = await versions.listFlows();
        expect(flow).toMatchObject({ flowId: 'test-flow', live: live.version.hash, staging: staged.version.hash });
        expect(flow?.liveVersion?.message).toBe('v1');
        expect(flow?.stagingVersion?.message).toBe('try');
      });
    });
  });
}
