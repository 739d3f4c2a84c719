/** ARI channel routes: list, originate, create, get, hang-up, continue, answer, dial, snoop. */
import { republishPeers } from '../bridges.ts';
import { appHangup, continueInDialplan, enterStasis, setState } from '../channels.ts';
import type { SimCore } from '../core.ts';
import { channelJson } from '../model.ts';
import { createChannel, dialCreated, originate, parseCallerId, parseEndpoint, type OriginateRequest } from '../originate.ts';
import { assertFreeChannelId, findChannel, stasisChannel } from './lookup.ts';
import { AriFailure, bodyParam, noContent, pathParam, query, type AriParams, type ParamSpec, type RouteSpec } from './route-spec.ts';

const R = 'channels';
const channelId = pathParam('channelId');

const hangupCauses: Record<string, number> = {
  normal: 16, busy: 17, congestion: 34, no_answer: 19, timeout: 18, rejected: 21, unallocated: 1,
  normal_unspecified: 31, number_incomplete: 28, codec_mismatch: 58, interworking: 127, failure: 38,
  answered_elsewhere: 26,
};

function originateParams(withChannelId: boolean): ParamSpec[] {
  return [
    query('endpoint', 'string', { required: true }), query('extension'), query('context'), query('priority', 'long'),
    query('label'), query('app'), query('appArgs'), query('callerId'), query('timeout', 'int', { defaultValue: 30 }),
    bodyParam('variables'), ...(withChannelId ? [query('channelId')] : []), query('otherChannelId'),
    query('originator'), query('formats'),
  ];
}

function variablesOf(params: AriParams): Record<string, string> {
  const raw = params.body.variables;
  const out: Record<string, string> = {};
  if (raw && typeof raw === 'object') for (const [k, v] of Object.entries(raw)) out[k] = String(v);
  return out;
}

/** Builds an originate request, answering 409/500 like Asterisk for taken ids or unknown endpoints. */
function originateRequest(core: SimCore, params: AriParams, id: string | undefined): OriginateRequest {
  const app = params.str('app');
  if (app === undefined) throw new AriFailure(400, 'Application or extension must be specified');
  assertFreeChannelId(core, id);
  assertFreeChannelId(core, params.str('otherChannelId'));
  const endpoint = parseEndpoint(params.str('endpoint') ?? '');
  const behavior = endpoint ? core.endpoints.get(endpoint.key) : undefined;
  if (!endpoint || !behavior) throw new AriFailure(500, 'Allocation failed', { error: 'Allocation failed' });
  return {
    endpoint, behavior, app, appArgs: params.str('appArgs') ?? '', channelId: id,
    otherChannelId: params.str('otherChannelId'), callerId: parseCallerId(params.str('callerId') ?? ''),
    timeoutSec: params.int('timeout') ?? 30, variables: variablesOf(params),
  };
}

const endpointMissing = [['endpoint', 400, 'Endpoint must be specified']] as const;

function direction(value: string | undefined, what: string): string {
  const d = value ?? 'none';
  if (!['in', 'out', 'both', 'none'].includes(d)) throw new AriFailure(400, `Invalid direction specified for ${what}`);
  return d;
}

function snoop(core: SimCore, params: AriParams, snoopId: string | undefined) {
  const spy = direction(params.str('spy'), 'spy');
  const whisper = direction(params.str('whisper'), 'whisper');
  const app = params.str('app');
  if (app === undefined) throw new AriFailure(400, 'Application name is required');
  if (spy === 'none' && whisper === 'none') throw new AriFailure(400, 'Direction must be specified for at least spy or whisper');
  const target = findChannel(core, params.str('channelId'));
  assertFreeChannelId(core, snoopId);
  const args = params.str('appArgs');
  const ch = core.newChannel({
    id: snoopId, name: `Snoop/${target.id}-${core.suffix()}`, kind: 'snoop', state: 'Up', eventApp: app,
    dialplan: { context: 'default', exten: 's', priority: 1, app_name: 'Stasis', app_data: [app, ...(args ? [args] : [])].join(',') },
  });
  ch.spiedId = target.id;
  ch.variables.set('SIM_SNOOP', `spy=${spy},whisper=${whisper}`);
  const body = channelJson(ch);
  const bridge = target.bridgeId ? core.bridges.get(target.bridgeId) : undefined;
  const snoops = [...core.channels.values()].filter((c) => c.spiedId === target.id).length;
  if (bridge) for (let i = 0; i < snoops; i++) republishPeers(core, bridge, false);
  enterStasis(core, ch, app, args ? args.split(',') : []);
  return { status: 200, body };
}

const snoopParams = [
  query('spy', 'string', { defaultValue: 'none', values: ['none', 'both', 'out', 'in'] }),
  query('whisper', 'string', { defaultValue: 'none', values: ['none', 'both', 'out', 'in'] }),
  query('app', 'string', { required: true }), query('appArgs'),
];

export const channelRoutes: RouteSpec[] = [
  {
    resource: R, method: 'GET', path: '/channels', nickname: 'list', summary: 'List all active channels in Asterisk.',
    responseClass: 'List[Channel]', params: [],
    handler: ({ core }) => ({ status: 200, body: [...core.channels.values()].filter((c) => !c.hungUp).map(channelJson) }),
  },
  {
    resource: R, method: 'POST', path: '/channels', nickname: 'originate', summary: 'Create a new channel (originate).',
    responseClass: 'Channel', params: originateParams(true), missing: endpointMissing,
    handler: ({ core, params }) => ({ status: 200, body: originate(core, originateRequest(core, params, params.str('channelId'))) }),
  },
  {
    resource: R, method: 'POST', path: '/channels/create', nickname: 'create', summary: 'Create channel.',
    responseClass: 'Channel',
    params: [query('endpoint', 'string', { required: true }), query('app', 'string', { required: true }), query('appArgs'),
      query('channelId'), query('otherChannelId'), query('originator'), query('formats'), bodyParam('variables')],
    missing: endpointMissing,
    handler: ({ core, params }) => ({ status: 200, body: createChannel(core, originateRequest(core, params, params.str('channelId'))) }),
  },
  {
    resource: R, method: 'GET', path: '/channels/{channelId}', nickname: 'get', summary: 'Channel details.',
    responseClass: 'Channel', params: [channelId],
    handler: ({ core, params }) => ({ status: 200, body: channelJson(findChannel(core, params.str('channelId'))) }),
  },
  {
    resource: R, method: 'POST', path: '/channels/{channelId}', nickname: 'originateWithId',
    summary: 'Create a new channel (originate with id).', responseClass: 'Channel',
    params: [channelId, ...originateParams(false)], missing: endpointMissing,
    handler: ({ core, params }) => ({ status: 200, body: originate(core, originateRequest(core, params, params.str('channelId'))) }),
  },
  {
    resource: R, method: 'DELETE', path: '/channels/{channelId}', nickname: 'hangup', summary: 'Delete (i.e. hangup) a channel.',
    responseClass: 'void', params: [channelId, query('reason_code'), query('reason')],
    handler: ({ core, params }) => {
      const code = params.str('reason_code');
      const reason = params.str('reason');
      if (code !== undefined && reason !== undefined) throw new AriFailure(400, "The reason and reason_code can't both be specified");
      const cause = code !== undefined ? Number(code) : reason !== undefined ? hangupCauses[reason] : 16;
      if (cause === undefined || Number.isNaN(cause)) throw new AriFailure(400, `Invalid reason ${reason ?? ''}`);
      appHangup(core, findChannel(core, params.str('channelId')), cause);
      return noContent;
    },
  },
  {
    resource: R, method: 'POST', path: '/channels/{channelId}/continue', nickname: 'continueInDialplan',
    summary: 'Exit application; continue execution in the dialplan.', responseClass: 'void',
    params: [channelId, query('context'), query('extension'), query('priority', 'int'), query('label')],
    handler: ({ core, params }) => {
      const ch = stasisChannel(core, params.str('channelId'));
      const target = { context: params.str('context'), exten: params.str('extension'), priority: params.int('priority') };
      setImmediate(() => continueInDialplan(core, ch, target));
      return noContent;
    },
  },
  {
    resource: R, method: 'POST', path: '/channels/{channelId}/answer', nickname: 'answer', summary: 'Answer a channel.',
    responseClass: 'void', params: [channelId],
    handler: ({ core, params }) => {
      const ch = stasisChannel(core, params.str('channelId'));
      setState(core, ch, 'Up');
      const phone = ch.peer?.kind === 'phone' ? ch.peer : null;
      if (phone) Object.assign(phone, { state: 'Up', dialplan: { ...phone.dialplan, priority: 2, app_name: 'Wait', app_data: '3600' } });
      return noContent;
    },
  },
  {
    resource: R, method: 'POST', path: '/channels/{channelId}/dial', nickname: 'dial', summary: 'Dial a created channel.',
    responseClass: 'void', params: [channelId, query('caller'), query('timeout', 'int', { defaultValue: 0 })],
    handler: ({ core, params }) => {
      const ch = stasisChannel(core, params.str('channelId'));
      const callerId = params.str('caller');
      const caller = callerId === undefined ? undefined : findChannel(core, callerId);
      if (ch.state !== 'Down') throw new AriFailure(409, "Channel is not in the 'Down' state");
      dialCreated(core, ch, caller, params.int('timeout') ?? 0);
      return noContent;
    },
  },
  {
    resource: R, method: 'POST', path: '/channels/{channelId}/snoop', nickname: 'snoopChannel',
    summary: 'Start snooping.', responseClass: 'Channel', params: [channelId, ...snoopParams, query('snoopId')],
    handler: ({ core, params }) => snoop(core, params, params.str('snoopId')),
  },
  {
    resource: R, method: 'POST', path: '/channels/{channelId}/snoop/{snoopId}', nickname: 'snoopChannelWithId',
    summary: 'Start snooping (with id).', responseClass: 'Channel', params: [channelId, pathParam('snoopId'), ...snoopParams],
    handler: ({ core, params }) => snoop(core, params, params.str('snoopId')),
  },
];
