/**
 * The demo citizen phone (embedded mode only): the browser page places a call on the built-in
 * simulator, presses keys, reads what the caller heard (prompts as text) and hangs up. Public:
 * it is registered only when the server runs on the simulator with the demo users on loopback.
 * The simulator's control token stays on the server; only calls placed here can be driven here.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import { HotlineError } from '../../errors.ts';
import type { SimControl } from '../../sim/control.ts';
import { ErrorBody } from '../schemas.ts';

export interface DemoPhoneOptions {
  readonly control: Pick<SimControl, 'placeCall' | 'sendDtmf' | 'hangup' | 'channel'>;
  /** Folder of the flow files whose prompt texts turn what was played into words (ivr-flows/). */
  readonly flowsDir: string;
}

const MAX_CALLS = 50;
const Params = Type.Object({ channelId: Type.String({ pattern: '^[0-9A-Za-z._-]{1,64}$' }) });
const Heard = Type.Object({
  kind: Type.String(), at: Type.Integer(), media: Type.Optional(Type.Array(Type.String())),
  text: Type.Optional(Type.Object({ zh: Type.Optional(Type.String()), en: Type.Optional(Type.String()) })),
  state: Type.Optional(Type.String()),
});
const CallBody = Type.Object({ channelId: Type.String(), state: Type.String(), hungUp: Type.Boolean(), bridged: Type.Boolean(), heard: Type.Array(Heard) });

/** sound URI → its text per language, from every prompt `{ sound, text }` in the flow files. */
async function promptTexts(dir: string): Promise<Map<string, { zh?: string; en?: string }>> {
  const texts = new Map<string, { zh?: string; en?: string }>();
  const visit = (node: unknown, lang: string | undefined): void => {
    if (Array.isArray(node)) return node.forEach((item) => visit(item, lang));
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (typeof record.sound === 'string' && typeof record.text === 'string' && lang) {
      const entry = texts.get(record.sound) ?? {};
      entry[lang.startsWith('zh') ? 'zh' : 'en'] = record.text;
      texts.set(record.sound, entry);
    }
    for (const [key, value] of Object.entries(record)) visit(value, /^(zh|en)/.test(key) ? key : lang);
  };
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.json'))) {
    try {
      visit(JSON.parse(await readFile(path.join(dir, file), 'utf8')), undefined);
    } catch {
      // a broken flow file is the flow loader's to report
    }
  }
  return texts;
}

export function demoPhoneRoutes({ control, flowsDir }: DemoPhoneOptions) {
  const placed = new Set<string>();
  const mine = (channelId: string): string => {
    if (!placed.has(channelId)) throw new HotlineError('NOT_FOUND', 'no demo call with this id');
    return channelId;
  };

  return async function register(app: FastifyInstance): Promise<void> {
    const texts = await promptTexts(flowsDir);

    app.post('/api/demo/calls', {
      config: { auth: 'public' },
      schema: {
        tags: ['demo'], summary: 'Demo only: a citizen dials a hotline number on the built-in simulator',
        body: Type.Object({ did: Type.String({ pattern: '^[0-9]{3,8}$' }), from: Type.String({ pattern: '^[0-9]{3,20}$' }) }, { additionalProperties: false }),
        response: { 201: Type.Object({ channelId: Type.String() }), 400: ErrorBody, 409: ErrorBody },
      },
    }, async (request, reply) => {
      const { did, from } = request.body as { did: string; from: string };
      if (placed.size >= MAX_CALLS) placed.delete(placed.values().next().value!);
      const call = await control.placeCall({ did, from });
      placed.add(call.channelId);
      return reply.status(201).send({ channelId: call.channelId });
    });

    app.get('/api/demo/calls/:channelId', {
      config: { auth: 'public' },
      schema: { tags: ['demo'], summary: 'Demo only: what the citizen heard so far (prompts as text)', params: Params, response: { 200: CallBody, 400: ErrorBody, 404: ErrorBody } },
    }, async (request) => {
      const report = await control.channel(mine((request.params as { channelId: string }).channelId));
      return {
        channelId: report.channel.id as string, state: report.state, hungUp: report.hungUp, bridged: report.bridgeId !== null,
        heard: report.heard.map((h) => {
          const media = Array.isArray(h.media) ? h.media.map(String) : undefined;
          const text = media?.map((m) => texts.get(m)).find((t) => t !== undefined);
          return { kind: h.kind, at: h.at, ...(media ? { media } : {}), ...(text ? { text } : {}), ...(typeof h.state === 'string' ? { state: h.state } : {}) };
        }),
      };
    });

    app.post('/api/demo/calls/:channelId/dtmf', {
      config: { auth: 'public' },
      schema: {
        tags: ['demo'], summary: 'Demo only: the citizen presses keys', params: Params,
        body: Type.Object({ digits: Type.String({ pattern: '^[0-9*#]{1,20}$' }) }, { additionalProperties: false }),
        response: { 204: Type.Null(), 400: ErrorBody, 404: ErrorBody },
      },
    }, async (request, reply) => {
      await control.sendDtmf(mine((request.params as { channelId: string }).channelId), { digits: (request.body as { digits: string }).digits });
      return reply.status(204).send();
    });

    app.post('/api/demo/calls/:channelId/hangup', {
      config: { auth: 'public' },
      schema: { tags: ['demo'], summary: 'Demo only: the citizen hangs up', params: Params, response: { 204: Type.Null(), 400: ErrorBody, 404: ErrorBody, 409: ErrorBody } },
    }, async (request, reply) => {
      await control.hangup(mine((request.params as { channelId: string }).channelId));
      return reply.status(204).send();
    });
  };
}
