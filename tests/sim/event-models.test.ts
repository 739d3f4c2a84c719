import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventModels } from '../../src/sim/ari/models.ts';
import { createManualClock } from '../../src/clock.ts';
import type { AriEvent } from './support.ts';
import { openEvents, startSim } from './support.ts';
import { replayTrace } from './replay/replay.ts';
import { apiDocsDir, replayed } from './replay/trace.ts';

interface Property { type: string; required?: boolean }
interface Model { properties: Record<string, Property>; subTypes?: string[] }

const models: Record<string, Model> = {};
for (const file of ['events', 'channels', 'bridges', 'playbacks', 'recordings']) {
  const doc = JSON.parse(readFileSync(path.join(apiDocsDir, `${file}.json`), 'utf8')) as { models: Record<string, Model> };
  Object.assign(models, doc.models);
}

/** Properties of a model including those of the models that list it in `subTypes`. */
function allProperties(name: string): Record<string, Property> {
  const parent = Object.entries(models).find(([, m]) => m.subTypes?.includes(name))?.[0];
  return { ...(parent ? allProperties(parent) : {}), ...(models[name]?.properties ?? {}) };
}

const timestamp = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}$/;

/** Problems of `value` as an instance of `type` (empty when it conforms). */
function check(type: string, value: unknown, where: string): string[] {
  const list = /^List\[(.+)\]$/.exec(type);
  if (list) return Array.isArray(value) ? value.flatMap((v, i) => check(list[1]!, v, `${where}[${i}]`)) : [`${where}: not a list`];
  switch (type) {
    case 'string': return typeof value === 'string' ? [] : [`${where}: not a string`];
    case 'int': case 'long': return Number.isInteger(value) ? [] : [`${where}: not an integer`];
    case 'boolean': return typeof value === 'boolean' ? [] : [`${where}: not a boolean`];
    case 'Date': return typeof value === 'string' && timestamp.test(value) ? [] : [`${where}: not an Asterisk timestamp`];
    case 'object': return value !== null && typeof value === 'object' ? [] : [`${where}: not an object`];
    default: break;
  }
  if (!models[type]) return [`${where}: unknown model ${type}`];
  if (value === null || typeof value !== 'object') return [`${where}: not a ${type}`];
  const props = allProperties(type);
  const record = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const [name, prop] of Object.entries(props)) {
    if (record[name] === undefined) {
      if (prop.required) problems.push(`${where}.${name}: required but missing`);
    } else problems.push(...check(prop.type, record[name], `${where}.${name}`));
  }
  for (const key of Object.keys(record)) if (!(key in props)) problems.push(`${where}.${key}: not in the ${type} model`);
  return problems;
}

/** Events from the control API paths the traces do not exercise (far-end hold, busy, timeouts). */
async function extraEvents(): Promise<AriEvent[]> {
  const clock = createManualClock();
  const sim = await startSim(clock);
  const events: AriEvent[] = [];
  sim.onEvent((_app, event) => events.push(event as AriEvent));
  const stream = await openEvents(sim.url);
  try {
    const call = await sim.control.placeCall({ from: '5551001', did: '12345' });
    await sim.control.hold(call.channelId);
    await sim.control.unhold(call.channelId);
    await sim.control.setEndpoint('PJSIP', '1001', { behavior: 'busy', answerAfterMs: 500 });
    await sim.control.setEndpoint('PJSIP', '1002', { behavior: 'answer-then-hangup', answerAfterMs: 100, hangupAfterMs: 100 });
    const auth = { authorization: `Basic ${Buffer.from('hotline:hotline').toString('base64')}` };
    for (const endpoint of ['PJSIP/1001', 'PJSIP/1002']) {
      await fetch(`${sim.url}/ari/channels?endpoint=${encodeURIComponent(endpoint)}&app=hotline`, { method: 'POST', headers: auth });
    }
    await clock.advance(1000);
    await sim.control.hangup(call.channelId);
  } finally {
    await stream.close();
    await sim.close();
  }
  return events;
}

describe('emitted events', () => {
  describe('when every replayed trace and the extra control paths run', () => {
    it('validate against their models in the official events.json', async () => {
      const events: AriEvent[] = [];
      for (const name of replayed) events.push(...(await replayTrace(name)).emitted);
      events.push(...await extraEvents());
      const types = new Set(events.map((e) => e.type));
      expect(types.size).toBeGreaterThan(15);
      const problems = events.flatMap((e) => check(e.type, e, e.type));
      expect([...new Set(problems)]).toEqual([]);
    }, 120_000);

    it('are all declared in the generated api-docs (ari-client needs every type)', async () => {
      const events: AriEvent[] = [...await extraEvents()];
      for (const name of ['errors', 'snoop-spy-whisper', 'bridge-record', 'app-replaced'] as const) events.push(...(await replayTrace(name)).emitted);
      const undeclared = [...new Set(events.map((e) => e.type))].filter((t) => !(t in eventModels));
      expect(undeclared).toEqual([]);
    }, 60_000);
  });
});
