import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/clock.ts';
import { createDidFlows, parseDidFlows } from '../../src/ivr/versions/did-flows.ts';
import { createFlowVersions } from '../../src/ivr/versions/flow-versions.ts';
import { publishDraftsOnce } from '../../src/ivr/versions/publish-drafts.ts';
import { createLogger } from '../../src/log.ts';
import { createMemoryData } from '../../src/store/memory-data.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { testFlow } from './test-flows.ts';

const logger = createLogger('silent');

describe('publishDraftsOnce', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });
  async function draftsDir(files: Record<string, unknown>): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'flows-'));
    dirs.push(dir);
    for (const [name, doc] of Object.entries(files)) await writeFile(path.join(dir, name), typeof doc === 'string' ? doc : JSON.stringify(doc));
    return dir;
  }

  describe('when a flow has no published version', () => {
    it('publishes the file once as "system" with a message naming the file', async () => {
      const versions = createFlowVersions({ store: createMemoryStore(), clock: createManualClock() });
      const dir = await draftsDir({ 'test-flow.json': testFlow() });
      expect(await publishDraftsOnce(versions, dir, logger)).toEqual({ published: ['test-flow'], kept: [], failed: [] });
      const live = await versions.resolve('test-flow', 'live');
      expect([live.author, live.message]).toEqual(['system', 'initial version from ivr-flows/test-flow.json']);
    });
  });

  describe('when the file is edited after the first publish', () => {
    it('keeps the published version live: a file edit alone never changes what callers hear', async () => {
      const versions = createFlowVersions({ store: createMemoryStore(), clock: createManualClock() });
      const dir = await draftsDir({ 'test-flow.json': testFlow() });
      await publishDraftsOnce(versions, dir, logger);
      await writeFile(path.join(dir, 'test-flow.json'), JSON.stringify(testFlow('test-flow', 'sound:hotline/edited')));
      expect(await publishDraftsOnce(versions, dir, logger)).toMatchObject({ published: [], kept: ['test-flow'] });
      const live = await versions.resolve('test-flow', 'live');
      expect(JSON.stringify(live.flow)).not.toContain('edited');
      expect(await versions.listVersions('test-flow')).toHaveLength(1);
    });
  });

  describe('when two instances boot together on one store', () => {
    it('publishes each flow exactly once', async () => {
      const data = createMemoryData();
      const clock = createManualClock();
      const a = createFlowVersions({ store: createMemoryStore({ data }), clock });
      const b = createFlowVersions({ store: createMemoryStore({ data }), clock });
      const dir = await draftsDir({ 'test-flow.json': testFlow(), 'other.json': testFlow('other') });
      const [ra, rb] = await Promise.all([publishDraftsOnce(a, dir, logger), publishDraftsOnce(b, dir, logger)]);
      expect([...ra.published, ...rb.published].sort()).toEqual(['other', 'test-flow']);
      expect(await a.audit()).toHaveLength(2);
    });
  });

  describe('when a file is broken', () => {
    it('reports it and still publishes the others', async () => {
      const versions = createFlowVersions({ store: createMemoryStore(), clock: createManualClock() });
      const dir = await draftsDir({ 'bad.json': '{ nope', 'worse.json': { ...testFlow('worse'), entry: 'missing' }, 'test-flow.json': testFlow() });
      const result = await publishDraftsOnce(versions, dir, logger);
      expect(result.published).toEqual(['test-flow']);
      expect(result.failed.map((f) => f.file)).toEqual(['bad.json', 'worse.json']);
      expect(result.failed[1]?.reason).toContain('/entry');
    });
  });
});

describe('did flows', () => {
  describe('when a DID is dialled', () => {
    it('maps 12345, 12328 and 12360 to their flows and anything else to 12345', () => {
      const dids = createDidFlows();
      expect(['12345', '12328', '12360', '99999', undefined].map((d) => dids.flowFor(d))).toEqual(['12345', '12328', '12360', '12345', '12345']);
    });

    it('follows a configured map and test callers', () => {
      const { map, rejected } = parseDidFlows('12345=citizen, 8001=test-flow, bad entry');
      const dids = createDidFlows({ didFlows: map, testCallers: ['13800000000'] });
      expect([dids.flowFor('8001'), dids.flowFor('12360'), rejected]).toEqual(['test-flow', '12345', ['bad entry']]);
      expect([dids.isTestCaller('13800000000'), dids.isTestCaller('13900000000')]).toEqual([true, false]);
    });
  });
});
