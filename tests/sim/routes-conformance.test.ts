import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ariRoutes, type Simulator } from '../../src/sim/simulator.ts';
import { apiDocsDir } from './replay/trace.ts';
import { ari, openEvents, startSim, type EventStream } from './support.ts';

interface OfficialParam { name: string; paramType: string; required?: boolean; allowMultiple?: boolean; dataType: string }
interface OfficialOperation { httpMethod: string; nickname: string; parameters?: OfficialParam[] }
interface OfficialDoc { apis: { path: string; operations: OfficialOperation[] }[] }

function official(resource: string): OfficialDoc {
  return JSON.parse(readFileSync(path.join(apiDocsDir, `${resource}.json`), 'utf8')) as OfficialDoc;
}

describe('simulated ARI routes', () => {
  describe('when compared with the official Asterisk 22 api-docs', () => {
    it.each(ariRoutes.map((r) => [`${r.method} ${r.path}`, r]))('%s exists with the same nickname and parameters', (_name, route) => {
      const api = official(route.resource).apis.find((a) => a.path === route.path);
      expect(api, `path ${route.path}`).toBeDefined();
      const op = api!.operations.find((o) => o.httpMethod === route.method);
      expect(op, `${route.method} ${route.path}`).toBeDefined();
      expect(op!.nickname).toBe(route.nickname);
      for (const p of route.params) {
        const theirs = op!.parameters?.find((o) => o.name === p.name);
        expect(theirs, `parameter ${p.name}`).toBeDefined();
        expect({ in: theirs!.paramType, type: theirs!.dataType, required: theirs!.required ?? false, multiple: theirs!.allowMultiple ?? false })
          .toEqual({ in: p.in, type: p.type, required: p.required, multiple: p.multiple });
      }
    });
  });

  describe('when a required parameter is missing', () => {
    let sim: Simulator;
    let events: EventStream;
    beforeEach(async () => {
      sim = await startSim();
      events = await openEvents(sim.url);
    });
    afterEach(async () => {
      await events.close();
      await sim.close();
    });

    it.each([
      ['GET', '/channels/{caller}/variable', {}, 400, 'Variable name is required'],
      ['POST', '/channels/{caller}/variable', {}, 400, 'Variable name is required'],
      ['POST', '/channels', { app: 'hotline' }, 400, 'Endpoint must be specified'],
      ['POST', '/channels/{caller}/dtmf', {}, 400, 'DTMF is required'],
      ['POST', '/channels/{caller}/snoop', { spy: 'both' }, 400, 'Application name is required'],
      ['POST', '/channels/{caller}/play', {}, 500, 'Failed to queue media for playback'],
    ] as const)('%s %s answers like Asterisk', async (method, route, query, status, message) => {
      const call = await sim.control.placeCall({ from: '5551001', did: '12345' });
      await events.next('StasisStart');
      const res = await ari(sim.url, method, route.replace('{caller}', call.channelId), query);
      expect(res).toEqual({ status, body: { message } });
    });

    it('never succeeds for any route with a required query parameter', async () => {
      const call = await sim.control.placeCall({ from: '5551001', did: '12345' });
      await ari(sim.url, 'POST', '/bridges/b1', { type: 'mixing' });
      const ids: Record<string, string> = {
        channelId: call.channelId, bridgeId: 'b1', applicationName: 'hotline', snoopId: 'snoop-x', playbackId: 'pb-x',
      };
      const succeeded: string[] = [];
      for (const route of ariRoutes) {
        for (const missing of route.params.filter((p) => p.required && p.in === 'query')) {
          const filled = route.path.replace(/\{(\w+)\}/g, (_m, name: string) => ids[name] ?? name);
          const query: Record<string, string> = {};
          for (const p of route.params) if (p.in === 'query' && p.required && p !== missing) query[p.name] = p.name === 'app' ? 'hotline' : 'x';
          const res = await ari(sim.url, route.method, filled, query);
          if (res.status < 400) succeeded.push(`${route.method} ${route.path} without ${missing.name}: ${res.status}`);
        }
      }
      expect(succeeded).toEqual([]);
    });
  });

  describe('when ari-client downloads the api-docs', () => {
    it('finds every route under its resource, with basePath from the Host header', async () => {
      const sim = await startSim();
      try {
        const listing = await (await fetch(`${sim.url}/ari/api-docs/resources.json`)).json() as { basePath: string; apis: { path: string }[] };
        expect(listing.basePath).toBe(`${sim.url}/ari`);
        const names = listing.apis.map((a) => a.path.replace('/api-docs/', '').replace('.{format}', ''));
        expect(names).toEqual(expect.arrayContaining(['channels', 'bridges', 'playbacks', 'recordings', 'applications', 'asterisk', 'events']));
        for (const name of names.filter((n) => n !== 'events')) {
          const doc = await (await fetch(`${sim.url}/ari/api-docs/${name}.json`)).json() as OfficialDoc;
          const served = doc.apis.flatMap((a) => a.operations.map((o) => `${o.httpMethod} ${a.path} ${o.nickname}`)).sort();
          const declared = ariRoutes.filter((r) => r.resource === name).map((r) => `${r.method} ${r.path} ${r.nickname}`).sort();
          expect(served).toEqual(declared);
        }
      } finally {
        await sim.close();
      }
    });
  });
});
