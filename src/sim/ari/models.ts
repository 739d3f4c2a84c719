/**
 * The data models the simulator serves in its api-docs: the resource models its routes return and
 * one model per event type it emits. Written as `property: 'type'` with a trailing `!` for
 * required. ari-client looks up `apis.events.models[event.type].properties` for every message, so
 * every event the simulator emits must be listed in `eventModels` (a test checks this).
 */

export type ModelTable = Readonly<Record<string, Readonly<Record<string, string>>>>;

const channel = 'Channel!';

/** Resource models, by the api-docs resource that declares them. */
export const resourceModels: Readonly<Record<string, ModelTable>> = {
  channels: {
    Channel: {
      id: 'string!', protocol_id: 'string!', name: 'string!', state: 'string!', caller: 'CallerID!', connected: 'CallerID!',
      accountcode: 'string!', dialplan: 'DialplanCEP!', creationtime: 'Date!', language: 'string!', channelvars: 'object',
    },
    CallerID: { name: 'string!', number: 'string!' },
    DialplanCEP: { context: 'string!', exten: 'string!', priority: 'long!', app_name: 'string!', app_data: 'string!' },
  },
  bridges: {
    Bridge: {
      id: 'string!', technology: 'string!', bridge_type: 'string!', bridge_class: 'string!', creator: 'string!', name: 'string!',
      channels: 'List[string]!', video_mode: 'string', video_source_id: 'string', creationtime: 'Date!',
    },
  },
  playbacks: {
    Playback: { id: 'string!', media_uri: 'string!', next_media_uri: 'string', target_uri: 'string!', language: 'string', state: 'string!' },
  },
  recordings: {
    StoredRecording: { name: 'string!', format: 'string!' },
    LiveRecording: {
      name: 'string!', format: 'string!', target_uri: 'string!', state: 'string!', duration: 'int', talking_duration: 'int',
      silence_duration: 'int', cause: 'string',
    },
  },
  applications: {
    Application: {
      name: 'string!', channel_ids: 'List[string]!', bridge_ids: 'List[string]!', endpoint_ids: 'List[string]!',
      device_names: 'List[string]!', events_allowed: 'List[object]!', events_disallowed: 'List[object]!',
    },
  },
  asterisk: {
    AsteriskInfo: { build: 'BuildInfo', system: 'SystemInfo', config: 'ConfigInfo', status: 'StatusInfo' },
    AsteriskPing: { asterisk_id: 'string!', ping: 'string!', timestamp: 'string!' },
    BuildInfo: { os: 'string!', kernel: 'string!', options: 'string!', machine: 'string!', date: 'string!', user: 'string!' },
    SystemInfo: { version: 'string!', entity_id: 'string!' },
    ConfigInfo: { name: 'string!', default_language: 'string!', max_channels: 'int', max_open_files: 'int', max_load: 'double', setid: 'SetId!' },
    SetId: { user: 'string!', group: 'string!' },
    StatusInfo: { startup_time: 'Date!', last_reload_time: 'Date!' },
    Variable: { value: 'string!' },
  },
  endpoints: {
    Endpoint: { technology: 'string!', resource: 'string!', state: 'string', channel_ids: 'List[string]!' },
  },
};

/** Base models of every event (Asterisk declares them with `subTypes`). */
export const eventBaseModels: ModelTable = {
  Message: { type: 'string!', asterisk_id: 'string' },
  Event: { application: 'string!', timestamp: 'Date!' },
};

/** Every event type the simulator emits, with its own properties. */
export const eventModels: ModelTable = {
  ApplicationReplaced: {},
  BridgeDestroyed: { bridge: 'Bridge!' },
  ChannelCallerId: { caller_presentation: 'int!', caller_presentation_txt: 'string!', channel },
  ChannelConnectedLine: { channel },
  ChannelDestroyed: { cause: 'int!', cause_txt: 'string!', tech_cause: 'int', channel },
  ChannelDialplan: { channel, dialplan_app: 'string!', dialplan_app_data: 'string!' },
  ChannelDtmfReceived: { digit: 'string!', duration_ms: 'int!', channel },
  ChannelEnteredBridge: { bridge: 'Bridge!', channel: 'Channel' },
  ChannelHangupRequest: { cause: 'int', tech_cause: 'int', soft: 'boolean', channel },
  ChannelHold: { channel, musicclass: 'string' },
  ChannelLeftBridge: { bridge: 'Bridge!', channel },
  ChannelStateChange: { channel },
  ChannelUnhold: { channel },
  ChannelVarset: { variable: 'string!', value: 'string!', channel: 'Channel' },
  Dial: { caller: 'Channel', peer: 'Channel!', forward: 'string', forwarded: 'Channel', dialstring: 'string', dialstatus: 'string!' },
  PlaybackFinished: { playback: 'Playback!' },
  PlaybackStarted: { playback: 'Playback!' },
  RecordingFailed: { recording: 'LiveRecording!' },
  RecordingFinished: { recording: 'LiveRecording!' },
  RecordingStarted: { recording: 'LiveRecording!' },
  StasisEnd: { channel },
  StasisStart: { args: 'List[string]!', channel, replace_channel: 'Channel' },
};

/** Renders a model table as Swagger 1.1 models (`{id, properties: {p: {type, required}}}`). */
export function swaggerModels(table: ModelTable, subTypes: Readonly<Record<string, string[]>> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [id, props] of Object.entries(table)) {
    const properties: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(props)) {
      const required = spec.endsWith('!');
      properties[name] = { required, type: required ? spec.slice(0, -1) : spec };
    }
    out[id] = { id, description: `${id} (as modelled by the hotline simulator)`, properties, ...(subTypes[id] ? { subTypes: subTypes[id] } : {}) };
  }
  return out;
}
