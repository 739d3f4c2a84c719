/** ARI bridge routes: list, create, get, destroy, add/remove channels, MOH, play, record. */
import { addToBridge, createBridge, destroyBridge, removeFromBridge } from '../bridges.ts';
import type { SimCore } from '../core.ts';
import { bridgeJson } from '../model.ts';
import { startPlayback, stopBridgePlaybacks } from '../playbacks.ts';
import { finishBridgeRecordings, startRecording } from '../recordings.ts';
import { findBridge } from './lookup.ts';
import { recordParams, recordRequest } from './record-params.ts';
import { AriFailure, bodyParam, noContent, pathParam, query, type AriParams, type RouteSpec } from './route-spec.ts';

const R = 'bridges';
const bridgeId = pathParam('bridgeId');
const bridgeTypes = ['mixing', 'holding', 'dtmf_events', 'proxy_media', 'video_sfu', 'video_single', 'sdp_label'];

function create(core: SimCore, params: AriParams, id: string | undefined) {
  const type = params.str('type') ?? 'mixing';
  const bad = type.split(',').some((t) => !bridgeTypes.includes(t));
  const taken = id !== undefined && core.bridges.has(id);
  if (bad || taken) throw new AriFailure(500, `Unable to create bridge. Possible duplicate bridge id '${taken ? id : '(null)'}'`);
  const bridge = createBridge(core, id ?? core.uuid(), type, params.str('name') ?? '');
  return { status: 200, body: bridgeJson(bridge) };
}

const createParams = [query('type'), query('name'), bodyParam('variables')];
const playParams = [
  query('media', 'string', { required: true, multiple: true }), query('announcer_format'), query('lang'),
  query('offsetms', 'int', { defaultValue: 0 }), query('skipms', 'int', { defaultValue: 3000 }),
];

function play(core: SimCore, params: AriParams, playbackId: string | undefined) {
  const bridge = findBridge(core, params.str('bridgeId'));
  const media = params.list('media');
  if (media.length === 0) throw new AriFailure(500, 'Failed to queue media for playback');
  const id = playbackId ?? core.uuid();
  if (core.playbacks.has(id)) throw new AriFailure(409, 'Playback with this ID already exists');
  const target = { uri: `bridge:${bridge.id}`, app: bridge.app, channel: null };
  return { status: 201, body: startPlayback(core, target, media, id, params.str('lang') ?? 'en') };
}

export const bridgeRoutes: RouteSpec[] = [
  {
    resource: R, method: 'GET', path: '/bridges', nickname: 'list', summary: 'List all active bridges in Asterisk.',
    responseClass: 'List[Bridge]', params: [],
    handler: ({ core }) => ({ status: 200, body: [...core.bridges.values()].map(bridgeJson) }),
  },
  {
    resource: R, method: 'POST', path: '/bridges', nickname: 'create', summary: 'Create a new bridge.',
    responseClass: 'Bridge', params: [createParams[0]!, query('bridgeId'), ...createParams.slice(1)],
    handler: ({ core, params }) => create(core, params, params.str('bridgeId')),
  },
  {
    resource: R, method: 'POST', path: '/bridges/{bridgeId}', nickname: 'createWithId', summary: 'Create a new bridge with id.',
    responseClass: 'Bridge', params: [createParams[0]!, bridgeId, ...createParams.slice(1)],
    handler: ({ core, params }) => create(core, params, params.str('bridgeId')),
  },
  {
    resource: R, method: 'GET', path: '/bridges/{bridgeId}', nickname: 'get', summary: 'Get bridge details.',
    responseClass: 'Bridge', params: [bridgeId],
    handler: ({ core, params }) => ({ status: 200, body: bridgeJson(findBridge(core, params.str('bridgeId'))) }),
  },
  {
    resource: R, method: 'DELETE', path: '/bridges/{bridgeId}', nickname: 'destroy', summary: 'Shut down a bridge.',
    responseClass: 'void', params: [bridgeId],
    handler: ({ core, params }) => {
      const bridge = findBridge(core, params.str('bridgeId'));
      stopBridgePlaybacks(core, bridge.id);
      finishBridgeRecordings(core, bridge.id);
      destroyBridge(core, bridge);
      return noContent;
    },
  },
  {
    resource: R, method: 'POST', path: '/bridges/{bridgeId}/addChannel', nickname: 'addChannel', summary: 'Add a channel to a bridge.',
    responseClass: 'void',
    params: [bridgeId, query('channel', 'string', { required: true, multiple: true }), query('role'),
      query('absorbDTMF', 'boolean', { defaultValue: false }), query('mute', 'boolean', { defaultValue: false }),
      query('inhibitConnectedLineUpdates', 'boolean', { defaultValue: false })],
    missing: [['channel', 400, 'Channel not found']],
    handler: ({ core, params }) => {
      const bridge = findBridge(core, params.str('bridgeId'));
      const chans = params.list('channel').map((id) => {
        const ch = core.channels.get(id);
        if (!ch || ch.hungUp) throw new AriFailure(400, 'Channel not found');
        if (ch.stasisApp === null) throw new AriFailure(422, 'Channel not in Stasis application');
        return ch;
      });
      addToBridge(core, bridge, chans);
      return noContent;
    },
  },
  {
    resource: R, method: 'POST', path: '/bridges/{bridgeId}/removeChannel', nickname: 'removeChannel',
    summary: 'Remove a channel from a bridge.', responseClass: 'void',
    params: [bridgeId, query('channel', 'string', { required: true, multiple: true })],
    missing: [['channel', 400, 'Channel not found']],
    handler: ({ core, params }) => {
      const bridge = findBridge(core, params.str('bridgeId'));
      const chans = params.list('channel').map((id) => {
        const ch = core.channels.get(id);
        if (!ch || ch.hungUp) throw new AriFailure(400, 'Channel not found');
        if (ch.bridgeId !== bridge.id) throw new AriFailure(422, 'Channel not in this bridge');
        return ch;
      });
      for (const ch of chans) removeFromBridge(core, bridge, ch, false);
      return noContent;
    },
  },
  {
    resource: R, method: 'POST', path: '/bridges/{bridgeId}/moh', nickname: 'startMoh', summary: 'Play music on hold to a bridge.',
    responseClass: 'void', params: [bridgeId, query('mohClass')],
    handler: ({ core, params }) => {
      const bridge = findBridge(core, params.str('bridgeId'));
      bridge.moh = params.str('mohClass') ?? 'default';
      for (const id of bridge.channels) core.channels.get(id)?.heard.push({ kind: 'moh', at: core.clock.now(), detail: { on: true, bridgeId: bridge.id } });
      return noContent;
    },
  },
  {
    resource: R, method: 'DELETE', path: '/bridges/{bridgeId}/moh', nickname: 'stopMoh', summary: 'Stop playing music on hold to a bridge.',
    responseClass: 'void', params: [bridgeId],
    handler: ({ core, params }) => {
      const bridge = findBridge(core, params.str('bridgeId'));
      if (bridge.moh === null) throw new AriFailure(409, "Bridge isn't playing music");
      bridge.moh = null;
      for (const id of bridge.channels) core.channels.get(id)?.heard.push({ kind: 'moh', at: core.clock.now(), detail: { on: false, bridgeId: bridge.id } });
      return noContent;
    },
  },
  {
    resource: R, method: 'POST', path: '/bridges/{bridgeId}/play', nickname: 'play', summary: 'Start playback of media on a bridge.',
    responseClass: 'Playback', params: [bridgeId, ...playParams, query('playbackId')],
    handler: ({ core, params }) => play(core, params, params.str('playbackId')),
  },
  {
    resource: R, method: 'POST', path: '/bridges/{bridgeId}/play/{playbackId}', nickname: 'playWithId',
    summary: 'Start playback of media on a bridge (with id).', responseClass: 'Playback',
    params: [bridgeId, pathParam('playbackId'), ...playParams],
    handler: ({ core, params }) => play(core, params, params.str('playbackId')),
  },
  {
    resource: R, method: 'POST', path: '/bridges/{bridgeId}/record', nickname: 'record', summary: 'Start a recording.',
    responseClass: 'LiveRecording', params: [bridgeId, ...recordParams(true)],
    missing: [['name', 400, 'Recording name is required'], ['format', 400, 'Recording format is required']],
    handler: ({ core, params }) => {
      const bridge = findBridge(core, params.str('bridgeId'));
      const req = recordRequest(core, params, `bridge:${bridge.id}`, bridge.app, null);
      return { status: 201, body: startRecording(core, req) };
    },
  },
];

