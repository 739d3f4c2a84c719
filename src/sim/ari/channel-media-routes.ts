/**
 * ARI channel routes that change what a channel hears or carries: ring, hold, mute, MOH,
 * silence, DTMF, play, record, variables. On the Local channels of the traces none of the
 * first five produce events; the simulator notes them in the channel's history instead.
 */
import { setVariable } from '../channels.ts';
import type { SimCore } from '../core.ts';
import type { HeardItem, SimChannel } from '../model.ts';
import { startPlayback } from '../playbacks.ts';
import { startRecording } from '../recordings.ts';
import { stasisChannel } from './lookup.ts';
import { recordParams, recordRequest } from './record-params.ts';
import { AriFailure, noContent, pathParam, query, type AriContext, type AriParams, type RouteSpec } from './route-spec.ts';

const R = 'channels';
const channelId = pathParam('channelId');

function note(core: SimCore, ch: SimChannel, kind: HeardItem['kind'], detail: Record<string, unknown>): void {
  ch.heard.push({ kind, at: core.clock.now(), detail });
}

/** A POST/DELETE pair that only records itself in the channel's history. */
function toggle(path: string, on: string, off: string, kind: HeardItem['kind'], extra: ReturnType<typeof query>[] = []): RouteSpec[] {
  const run = (state: boolean) => ({ core, params }: AriContext) => {
    const ch = stasisChannel(core, params.str('channelId'));
    const detail: Record<string, unknown> = { on: state };
    for (const p of extra) if (params.str(p.name) !== undefined) detail[p.name] = params.str(p.name);
    if (kind === 'moh') ch.moh = state;
    note(core, ch, kind, detail);
    return noContent;
  };
  return [
    { resource: R, method: 'POST', path, nickname: on, summary: `${on}.`, responseClass: 'void', params: [channelId, ...extra], handler: run(true) },
    { resource: R, method: 'DELETE', path, nickname: off, summary: `${off}.`, responseClass: 'void', params: [channelId, ...(kind === 'moh' ? [] : extra)], handler: run(false) },
  ];
}

function play(core: SimCore, params: AriParams, playbackId: string | undefined) {
  const ch = stasisChannel(core, params.str('channelId'));
  const media = params.list('media');
  if (media.length === 0) throw new AriFailure(500, 'Failed to queue media for playback');
  const id = playbackId ?? core.uuid();
  if (core.playbacks.has(id)) throw new AriFailure(409, 'Playback with this ID already exists');
  const target = { uri: `channel:${ch.id}`, app: ch.eventApp, channel: ch };
  return { status: 201, body: startPlayback(core, target, media, id, params.str('lang') ?? 'en') };
}

const playParams = [
  query('media', 'string', { required: true, multiple: true }), query('lang'), query('offsetms', 'int'),
  query('skipms', 'int', { defaultValue: 3000 }),
];

const directions = ['both', 'in', 'out'];
const muteDirection = query('direction', 'string', { defaultValue: 'both', values: directions });

function getVariable(ch: SimChannel, name: string): string | undefined {
  const fn = /^CALLERID\((\w+)\)$/i.exec(name);
  if (fn) {
    const what = fn[1]!.toLowerCase();
    if (what === 'num' || what === 'number') return ch.caller.number;
    if (what === 'name') return ch.caller.name;
    if (what === 'all') return `"${ch.caller.name}" <${ch.caller.number}>`;
  }
  if (/^CHANNEL\(name\)$/i.test(name)) return ch.name;
  return ch.variables.get(name);
}

export const channelMediaRoutes: RouteSpec[] = [
  ...toggle('/channels/{channelId}/ring', 'ring', 'ringStop', 'ring'),
  ...toggle('/channels/{channelId}/hold', 'hold', 'unhold', 'hold'),
  ...toggle('/channels/{channelId}/moh', 'startMoh', 'stopMoh', 'moh', [query('mohClass')]),
  ...toggle('/channels/{channelId}/silence', 'startSilence', 'stopSilence', 'silence'),
  {
    resource: R, method: 'POST', path: '/channels/{channelId}/mute', nickname: 'mute', summary: 'Mute a channel.',
    responseClass: 'void', params: [channelId, muteDirection],
    handler: ({ core, params }) => {
      const ch = stasisChannel(core, params.str('channelId'));
      if (!directions.includes(params.str('direction') ?? 'both')) throw new AriFailure(400, 'Invalid direction specified');
      ch.variables.set('SIM_MUTED', params.str('direction') ?? 'both');
      return noContent;
    },
  },
  {
    resource: R, method: 'DELETE', path: '/channels/{channelId}/mute', nickname: 'unmute', summary: 'Unmute a channel.',
    responseClass: 'void', params: [channelId, muteDirection],
    handler: ({ core, params }) => {
      const ch = stasisChannel(core, params.str('channelId'));
      if (!directions.includes(params.str('direction') ?? 'both')) throw new AriFailure(400, 'Invalid direction specified');
      ch.variables.delete('SIM_MUTED');
      return noContent;
    },
  },
  {
    resource: R, method: 'POST', path: '/channels/{channelId}/dtmf', nickname: 'sendDTMF', summary: 'Send provided DTMF to a given channel.',
    responseClass: 'void',
    params: [channelId, query('dtmf'), query('before', 'int', { defaultValue: 0 }), query('between', 'int', { defaultValue: 100 }),
      query('duration', 'int', { defaultValue: 100 }), query('after', 'int', { defaultValue: 0 })],
    missing: [['dtmf', 400, 'DTMF is required']],
    handler: ({ core, params }) => {
      const ch = stasisChannel(core, params.str('channelId'));
      note(core, ch, 'dtmf-sent', { digits: params.str('dtmf') });
      return noContent;
    },
  },
  {
    resource: R, method: 'POST', path: '/channels/{channelId}/play', nickname: 'play', summary: 'Start playback of media.',
    responseClass: 'Playback', params: [channelId, ...playParams, query('playbackId')],
    handler: ({ core, params }) => play(core, params, params.str('playbackId')),
  },
  {
    resource: R, method: 'POST', path: '/channels/{channelId}/play/{playbackId}', nickname: 'playWithId',
    summary: 'Start playback of media and specify the playbackId.', responseClass: 'Playback',
    params: [channelId, pathParam('playbackId'), ...playParams],
    handler: ({ core, params }) => play(core, params, params.str('playbackId')),
  },
  {
    resource: R, method: 'POST', path: '/channels/{channelId}/record', nickname: 'record', summary: 'Start a recording.',
    responseClass: 'LiveRecording', params: [channelId, ...recordParams(false)],
    missing: [['name', 400, 'Recording name is required'], ['format', 400, 'Recording format is required']],
    handler: ({ core, params }) => {
      const ch = stasisChannel(core, params.str('channelId'));
      const req = recordRequest(core, params, `channel:${ch.id}`, ch.eventApp, ch);
      return { status: 201, body: startRecording(core, req) };
    },
  },
  {
    resource: R, method: 'GET', path: '/channels/{channelId}/variable', nickname: 'getChannelVar',
    summary: 'Get the value of a channel variable or function.', responseClass: 'Variable',
    params: [channelId, query('variable', 'string', { required: true })],
    missing: [['variable', 400, 'Variable name is required']],
    handler: ({ core, params }) => {
      const value = getVariable(stasisChannel(core, params.str('channelId')), params.str('variable') ?? '');
      if (value === undefined) throw new AriFailure(404, 'Provided variable was not found');
      return { status: 200, body: { value } };
    },
  },
  {
    resource: R, method: 'POST', path: '/channels/{channelId}/variable', nickname: 'setChannelVar',
    summary: 'Set the value of a channel variable or function.', responseClass: 'void',
    params: [channelId, query('variable', 'string', { required: true }), query('value')],
    missing: [['variable', 400, 'Variable name is required']],
    handler: ({ core, params }) => {
      setVariable(core, stasisChannel(core, params.str('channelId')), params.str('variable') ?? '', params.str('value') ?? '');
      return noContent;
    },
  },
];
