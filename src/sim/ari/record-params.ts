/** The parameters of channels.record and bridges.record, validated as Asterisk does. */
import type { SimCore } from '../core.ts';
import type { SimChannel } from '../model.ts';
import type { RecordRequest } from '../recordings.ts';
import { AriFailure, query, type AriParams, type ParamSpec } from './route-spec.ts';

const formats = ['wav', 'WAV', 'wav16', 'gsm', 'ulaw', 'alaw', 'sln', 'g722', 'g729', 'wav49', 'ogg', 'mp3'];

export function recordParams(bridge: boolean): ParamSpec[] {
  return [
    query('name', 'string', { required: true }), query('format', 'string', { required: true }),
    ...(bridge ? [query('recorder_format')] : []),
    query('maxDurationSeconds', 'int', { defaultValue: 0 }), query('maxSilenceSeconds', 'int', { defaultValue: 0 }),
    query('ifExists', 'string', { defaultValue: 'fail', values: ['fail', 'overwrite', 'append'] }),
    query('beep', 'boolean', { defaultValue: false }), query('terminateOn', 'string', { defaultValue: 'none' }),
  ];
}

/** Validates a record request; 409 when the name is taken and ifExists=fail (or it is live). */
export function recordRequest(core: SimCore, params: AriParams, targetUri: string, app: string | null, channel: SimChannel | null): RecordRequest {
  const name = params.str('name') ?? '';
  const format = params.str('format') ?? '';
  const maxDuration = params.int('maxDurationSeconds') ?? 0;
  if (maxDuration < 0) throw new AriFailure(400, 'maxDurationSeconds cannot be negative');
  if ((params.int('maxSilenceSeconds') ?? 0) < 0) throw new AriFailure(400, 'maxSilenceSeconds cannot be negative');
  const ifExists = params.str('ifExists') ?? 'fail';
  if (!['fail', 'overwrite', 'append'].includes(ifExists)) throw new AriFailure(400, 'ifExists invalid');
  const terminateOn = params.str('terminateOn') ?? 'none';
  if (!/^(none|any|[0-9A-D*#]+)$/.test(terminateOn)) throw new AriFailure(400, 'terminateOn invalid');
  if (!formats.includes(format)) throw new AriFailure(422, 'specified format is unknown on this system');
  if (core.liveRecordings.has(name) || (ifExists === 'fail' && core.storedRecordings.has(name))) {
    throw new AriFailure(409, `Recording '${name}' already exists and can not be overwritten`);
  }
  return { name, format, maxDurationSeconds: maxDuration, terminateOn, beep: params.bool('beep') ?? false, targetUri, app, channel };
}
