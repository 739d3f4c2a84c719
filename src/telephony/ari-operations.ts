/**
 * The port's one-shot operations (no waits): channel control, variables, bridges, listings.
 * Each validates its arguments, calls one ARI operation and maps failures to coded errors.
 */
import { isHotlineError } from '../errors.ts';
import { isRecord, str, toBridgeInfo, toChannelInfo } from './ari-json.ts';
import type { BridgeInfo, ChannelInfo, TelephonyPort } from './port.ts';
import { checked } from './validate.ts';

/** Calls ARI `resource.operation(params)`; failures are already coded (see ari-errors.ts). */
export type AriInvoke = (resource: string, operation: string, params: Record<string, unknown>, subject: string) => Promise<unknown>;

export type OperationsPort = Omit<
  TelephonyPort,
  'play' | 'record' | 'originate' | 'snoop' | 'onEvent' | 'onReconcile' | 'state' | 'storedRecordingFile'
>;

export function createAriOperations(invoke: AriInvoke, app: string): OperationsPort {
  const onChannel = (operation: string, channelId: string, params: Record<string, unknown> = {}): Promise<void> =>
    invoke('channels', operation, { channelId: checked('id', channelId, 'channel id'), ...params }, channelId).then(() => undefined);
  const onBridge = (operation: string, bridgeId: string, params: Record<string, unknown> = {}): Promise<void> =>
    invoke('bridges', operation, { bridgeId: checked('id', bridgeId, 'bridge id'), ...params }, bridgeId).then(() => undefined);
  const channelList = (ids: readonly string[]): string => ids.map((id) => checked('id', id, 'channel id')).join(',');

  return {
    answer: (channelId) => onChannel('answer', channelId),
    hangup: (channelId, reason) => onChannel('hangup', channelId, reason ? { reason } : {}),
    continueInDialplan: (channelId, options = {}) =>
      onChannel('continueInDialplan', channelId, {
        ...(options.context !== undefined && { context: checked('word', options.context, 'context') }),
        ...(options.extension !== undefined && { extension: checked('word', options.extension, 'extension') }),
        ...(options.priority !== undefined && { priority: options.priority }),
        ...(options.label !== undefined && { label: checked('word', options.label, 'label') }),
      }),
    ring: (channelId) => onChannel('ring', channelId),
    ringStop: (channelId) => onChannel('ringStop', channelId),
    hold: (channelId) => onChannel('hold', channelId),
    unhold: (channelId) => onChannel('unhold', channelId),
    mute: (channelId, direction = 'both') => onChannel('mute', channelId, { direction }),
    unmute: (channelId, direction = 'both') => onChannel('unmute', channelId, { direction }),
    startMoh: (channelId, mohClass) =>
      onChannel('startMoh', channelId, mohClass ? { mohClass: checked('word', mohClass, 'MOH class') } : {}),
    stopMoh: (channelId) => onChannel('stopMoh', channelId),
    sendDtmf: (channelId, digits, options = {}) =>
      onChannel('sendDTMF', channelId, {
        dtmf: checked('dtmf', digits, 'DTMF digits'),
        ...(options.betweenMs !== undefined && { between: options.betweenMs }),
        ...(options.durationMs !== undefined && { duration: options.durationMs }),
      }),
    setVariable: (channelId, name, value) =>
      onChannel('setChannelVar', channelId, { variable: checked('variable', name, 'variable name'), value }),
    async getVariable(channelId, name) {
      try {
        const body = await invoke('channels', 'getChannelVar', {
          channelId: checked('id', channelId, 'channel id'), variable: checked('variable', name, 'variable name'),
        }, channelId);
        return str(body, 'value');
      } catch (error) {
        // 404 "Provided variable was not found": the variable is simply not set
        const text = isHotlineError(error) ? error.details?.['asterisk'] : undefined;
        if (typeof text === 'string' && /variable was not found/i.test(text)) return undefined;
        throw error;
      }
    },
    deleteStoredRecording: (name) =>
      invoke('recordings', 'deleteStored', { recordingName: checked('recording', name, 'recording name') }, name).then(() => undefined),
    createBridge: (type, bridgeId, name) =>
      invoke('bridges', 'create', {
        type, bridgeId: checked('id', bridgeId, 'bridge id'), ...(name !== undefined && { name: checked('word', name, 'bridge name') }),
      }, bridgeId).then(() => undefined),
    addToBridge: (bridgeId, channelIds) => onBridge('addChannel', bridgeId, { channel: channelList(channelIds) }),
    removeFromBridge: (bridgeId, channelIds) => onBridge('removeChannel', bridgeId, { channel: channelList(channelIds) }),
    destroyBridge: (bridgeId) => onBridge('destroy', bridgeId),
    startBridgeMoh: (bridgeId, mohClass) =>
      onBridge('startMoh', bridgeId, mohClass ? { mohClass: checked('word', mohClass, 'MOH class') } : {}),
    stopBridgeMoh: (bridgeId) => onBridge('stopMoh', bridgeId),
    listChannels: () => listChannels(invoke, app),
    listBridges: () => listBridges(invoke),
  };
}

/** GET /channels, each marked with whether it is in the app (GET /applications/{app}). */
export async function listChannels(invoke: AriInvoke, app: string): Promise<ChannelInfo[]> {
  const [channels, application] = await Promise.all([
    invoke('channels', 'list', {}, 'channels'),
    invoke('applications', 'get', { applicationName: app }, app),
  ]);
  const inApp = new Set(isRecord(application) && Array.isArray(application['channel_ids'])
    ? application['channel_ids'].filter((id): id is string => typeof id === 'string')
    : []);
  return (Array.isArray(channels) ? channels : []).map((raw: unknown) => toChannelInfo(raw, inApp.has(str(raw, 'id'))));
}

export async function listBridges(invoke: AriInvoke): Promise<BridgeInfo[]> {
  const bridges = await invoke('bridges', 'list', {}, 'bridges');
  return (Array.isArray(bridges) ? bridges : []).map((raw: unknown) => toBridgeInfo(raw));
}
