/** ARI routes for asterisk info, applications, playbacks, recordings, endpoints. */
import type { SimCore } from '../core.ts';
import { asteriskTime, playbackJson, recordingJson } from '../model.ts';
import { controlPlayback, playbackOperations, stopPlayback } from '../playbacks.ts';
import { finishRecording, storedRecordingFile } from '../recordings.ts';
import { AriFailure, noContent, pathParam, query, type RouteSpec } from './route-spec.ts';

export const simulatorVersion = 'GIT-22-22.0.0-pre1-541-g69535d4837';

function applicationJson(core: SimCore, name: string): Record<string, unknown> {
  const channels = [...core.channels.values()].filter((c) => c.stasisApp === name && !c.hungUp).map((c) => c.id);
  const bridges = [...core.bridges.values()].filter((b) => b.app === name).map((b) => b.id);
  return { name, channel_ids: channels, bridge_ids: bridges, endpoint_ids: [], device_names: [], events_allowed: [], events_disallowed: [] };
}

function findApp(core: SimCore, name: string | undefined): string {
  if (name === undefined || !core.apps.has(name)) throw new AriFailure(404, 'Application not found');
  return name;
}

function subscription(method: 'POST' | 'DELETE'): RouteSpec {
  return {
    resource: 'applications', method, path: '/applications/{applicationName}/subscription',
    nickname: method === 'POST' ? 'subscribe' : 'unsubscribe', summary: 'Event source subscription.', responseClass: 'Application',
    params: [pathParam('applicationName'), query('eventSource', 'string', { required: true, multiple: true })],
    missing: [['eventSource', 400, 'Event source parameter is required']],
    handler: ({ core, params }) => {
      const app = findApp(core, params.str('applicationName'));
      for (const source of params.list('eventSource')) {
        const [scheme, id = ''] = source.split(':');
        if (!['channel', 'bridge', 'endpoint', 'deviceState'].includes(scheme ?? '')) throw new AriFailure(400, 'Invalid event source URI scheme');
        const exists = scheme === 'channel' ? core.channels.has(id) : scheme === 'bridge' ? core.bridges.has(id) : false;
        if (!exists) throw new AriFailure(422, 'Event source does not exist');
      }
      return { status: 200, body: applicationJson(core, app) };
    },
  };
}

const playbackId = pathParam('playbackId');
const recordingName = pathParam('recordingName');

function live(core: SimCore, name: string | undefined) {
  const rec = name === undefined ? undefined : core.liveRecordings.get(name);
  if (!rec) throw new AriFailure(404, 'Recording not found');
  return rec;
}

function stored(core: SimCore, name: string | undefined) {
  const rec = name === undefined ? undefined : core.storedRecordings.get(name);
  if (!rec) throw new AriFailure(404, 'Recording not found');
  return rec;
}

export const miscRoutes: RouteSpec[] = [
  {
    resource: 'asterisk', method: 'GET', path: '/asterisk/info', nickname: 'getInfo', summary: 'Gets Asterisk system information.',
    responseClass: 'AsteriskInfo', params: [query('only', 'string', { multiple: true })],
    handler: ({ core }) => ({
      status: 200,
      body: {
        build: { os: 'Linux', kernel: 'simulated', machine: 'x86_64', options: 'OPTIONAL_API', date: asteriskTime(core.startedAt), user: 'hotline-sim' },
        system: { version: simulatorVersion, entity_id: core.asteriskId },
        config: { name: 'hotline-sim', default_language: 'en', setid: { user: '', group: '' } },
        status: { startup_time: asteriskTime(core.startedAt), last_reload_time: asteriskTime(core.startedAt) },
      },
    }),
  },
  {
    resource: 'asterisk', method: 'GET', path: '/asterisk/ping', nickname: 'ping', summary: 'Response pong message.',
    responseClass: 'AsteriskPing', params: [],
    handler: ({ core }) => ({ status: 200, body: { asterisk_id: core.asteriskId, ping: 'pong', timestamp: asteriskTime(core.clock.now()) } }),
  },
  {
    resource: 'applications', method: 'GET', path: '/applications', nickname: 'list', summary: 'List all applications.',
    responseClass: 'List[Application]', params: [],
    handler: ({ core }) => ({ status: 200, body: [...core.apps.keys()].map((name) => applicationJson(core, name)) }),
  },
  {
    resource: 'applications', method: 'GET', path: '/applications/{applicationName}', nickname: 'get', summary: 'Get details of an application.',
    responseClass: 'Application', params: [pathParam('applicationName')],
    handler: ({ core, params }) => ({ status: 200, body: applicationJson(core, findApp(core, params.str('applicationName'))) }),
  },
  subscription('POST'),
  subscription('DELETE'),
  {
    resource: 'playbacks', method: 'GET', path: '/playbacks/{playbackId}', nickname: 'get', summary: "Get a playback's details.",
    responseClass: 'Playback', params: [playbackId],
    handler: ({ core, params }) => {
      const p = core.playbacks.get(params.str('playbackId') ?? '');
      if (!p) throw new AriFailure(404, 'Playback not found');
      return { status: 200, body: playbackJson(p) };
    },
  },
  {
    resource: 'playbacks', method: 'DELETE', path: '/playbacks/{playbackId}', nickname: 'stop', summary: 'Stop a playback.',
    responseClass: 'void', params: [playbackId],
    handler: ({ core, params }) => {
      const p = core.playbacks.get(params.str('playbackId') ?? '');
      if (!p) throw new AriFailure(404, 'Playback not found');
      stopPlayback(core, p);
      return noContent;
    },
  },
  {
    resource: 'playbacks', method: 'POST', path: '/playbacks/{playbackId}/control', nickname: 'control',
    summary: 'Control a playback.', responseClass: 'void',
    params: [playbackId, query('operation', 'string', { required: true, values: playbackOperations })],
    missing: [['operation', 400, 'Missing parameter operation']],
    handler: ({ core, params }) => {
      const operation = params.str('operation') ?? '';
      const op = playbackOperations.find((o) => o === operation);
      if (!op) throw new AriFailure(400, `Invalid operation ${operation}`);
      const p = core.playbacks.get(params.str('playbackId') ?? '');
      if (!p) throw new AriFailure(404, 'Playback not found');
      if (!controlPlayback(core, p, op, 3000)) throw new AriFailure(409, 'Playback not in a valid state');
      return noContent;
    },
  },
  {
    resource: 'recordings', method: 'GET', path: '/recordings/stored', nickname: 'listStored', summary: 'List recordings that are complete.',
    responseClass: 'List[StoredRecording]', params: [],
    handler: ({ core }) => ({ status: 200, body: [...core.storedRecordings.values()].map((r) => ({ ...r })) }),
  },
  {
    resource: 'recordings', method: 'GET', path: '/recordings/stored/{recordingName}', nickname: 'getStored',
    summary: "Get a stored recording's details.", responseClass: 'StoredRecording', params: [recordingName],
    handler: ({ core, params }) => ({ status: 200, body: { ...stored(core, params.str('recordingName')) } }),
  },
  {
    resource: 'recordings', method: 'GET', path: '/recordings/stored/{recordingName}/file', nickname: 'getStoredFile',
    summary: 'Get the file associated with the stored recording.', responseClass: 'binary', params: [recordingName],
    handler: ({ core, params }) => {
      const file = storedRecordingFile(core, stored(core, params.str('recordingName')).name);
      if (!file) throw new AriFailure(404, 'Recording not found');
      return { status: 200, file };
    },
  },
  {
    resource: 'recordings', method: 'DELETE', path: '/recordings/stored/{recordingName}', nickname: 'deleteStored',
    summary: 'Delete a stored recording.', responseClass: 'void', params: [recordingName],
    handler: ({ core, params }) => {
      core.storedRecordings.delete(stored(core, params.str('recordingName')).name);
      return noContent;
    },
  },
  {
    resource: 'recordings', method: 'GET', path: '/recordings/live/{recordingName}', nickname: 'getLive',
    summary: 'List live recordings.', responseClass: 'LiveRecording', params: [recordingName],
    handler: ({ core, params }) => ({ status: 200, body: recordingJson(live(core, params.str('recordingName'))) }),
  },
  {
    resource: 'recordings', method: 'DELETE', path: '/recordings/live/{recordingName}', nickname: 'cancel',
    summary: 'Stop a live recording and discard it.', responseClass: 'void', params: [recordingName],
    handler: ({ core, params }) => {
      finishRecording(core, live(core, params.str('recordingName')), 'canceled', false);
      return noContent;
    },
  },
  {
    resource: 'recordings', method: 'POST', path: '/recordings/live/{recordingName}/stop', nickname: 'stop',
    summary: 'Stop a live recording and store it.', responseClass: 'void', params: [recordingName],
    handler: ({ core, params }) => {
      finishRecording(core, live(core, params.str('recordingName')), 'done', false);
      return noContent;
    },
  },
  {
    resource: 'endpoints', method: 'GET', path: '/endpoints', nickname: 'list', summary: 'List all endpoints.',
    responseClass: 'List[Endpoint]', params: [],
    handler: ({ core }) => ({
      status: 200,
      body: [...core.endpoints.keys()].map((key) => {
        const [technology, resource] = key.split('/');
        return { technology, resource, state: 'online', channel_ids: [] };
      }),
    }),
  },
];
