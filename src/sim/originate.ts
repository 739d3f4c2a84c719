/**
 * Outbound legs: POST /channels (originate), /channels/create + /dial, and how a registered
 * endpoint answers, rings out, is busy or rejects. A `Local/exten@context` endpoint also gets the
 * `;2` half whose dialplan events the traces show (Ringing / Wait / Answer / Wait(3600)).
 */
import type { EndpointBehavior, SimCore } from './core.ts';
import { channelJson, type CallerId, type SimChannel } from './model.ts';
import { enterStasis, failOriginate, farEndHangup, setState, setVariable } from './channels.ts';

/** A parsed `Tech/resource[/options]` endpoint. */
export interface ParsedEndpoint {
  readonly tech: string;
  readonly resource: string;
  /** `tech/resource`, the key under which the control API registers behaviours. */
  readonly key: string;
  /** Dial string as Asterisk reports it (everything after `Tech/`). */
  readonly dialstring: string;
  readonly context: string;
  readonly exten: string;
}

export function parseEndpoint(endpoint: string): ParsedEndpoint | null {
  const match = /^([A-Za-z0-9_]+)\/([^/]+)(\/.*)?$/.exec(endpoint);
  if (!match) return null;
  const tech = match[1]!;
  const resource = match[2]!;
  const [exten, context] = tech === 'Local' ? resource.split('@') : ['s', 'default'];
  return {
    tech, resource, key: `${tech}/${resource}`, dialstring: endpoint.slice(tech.length + 1),
    context: context ?? 'default', exten: exten ?? 's',
  };
}

export interface OriginateRequest {
  endpoint: ParsedEndpoint;
  behavior: EndpointBehavior;
  app: string;
  appArgs: string;
  channelId: string | undefined;
  otherChannelId: string | undefined;
  callerId: CallerId;
  timeoutSec: number;
  variables: Record<string, string>;
}

/** Parses `"Name" <number>` / `Name <number>` / `number`. */
export function parseCallerId(text: string): CallerId {
  const match = /^\s*"?([^"<]*?)"?\s*<([^>]*)>\s*$/.exec(text);
  return match ? { name: match[1] ?? '', number: match[2] ?? '' } : { name: '', number: text.trim() };
}

function outgoingChannel(core: SimCore, req: OriginateRequest, kind: 'originated' | 'created', appName: string, appData: string): SimChannel {
  const { endpoint } = req;
  const suffix = core.suffix();
  const local = endpoint.tech === 'Local';
  const ch = core.newChannel({
    id: req.channelId, name: local ? `Local/${endpoint.resource}-${suffix};1` : `${endpoint.tech}/${endpoint.resource}-${suffix}`,
    kind, state: 'Down', caller: req.callerId, eventApp: req.app,
    protocolId: endpoint.tech === 'PJSIP' ? `${core.uuid()}@127.0.0.1` : '',
    dialplan: { context: endpoint.context, exten: endpoint.exten, priority: 1, app_name: appName, app_data: appData },
  });
  ch.endpoint = endpoint.key;
  ch.dialstring = endpoint.dialstring;
  for (const [k, v] of Object.entries(req.variables)) ch.variables.set(k, v);
  if (local && kind === 'originated') {
    const half = core.newChannel({
      id: req.otherChannelId ?? (req.channelId ? `${req.channelId};2` : undefined),
      name: `Local/${endpoint.resource}-${suffix};2`, kind: 'half2', state: 'Ring', eventApp: req.app,
      dialplan: { context: endpoint.context, exten: endpoint.exten, priority: 1, app_name: '', app_data: '' },
    });
    ch.peer = half;
    half.peer = ch;
  }
  return ch;
}

function halfDialplan(core: SimCore, ch: SimChannel, app: string, data: string): void {
  const half = ch.peer;
  if (!half || half.hungUp || half.eventApp === null) return;
  half.dialplan = { ...half.dialplan, priority: half.dialplan.app_name === '' ? 1 : half.dialplan.priority + 1, app_name: app, app_data: data };
  core.emitChannel(half, 'ChannelDialplan', { dialplan_app: app, dialplan_app_data: data });
}

function dialEvent(core: SimCore, ch: SimChannel, status: string, dialstring: string): void {
  core.emit(ch.eventApp, 'Dial', { dialstatus: status, forward: '', dialstring, peer: channelJson(ch) });
}

/** The far end starts ringing. */
function ring(core: SimCore, ch: SimChannel, ringSeconds: number, dialstring: string): void {
  halfDialplan(core, ch, 'Ringing', '');
  setState(core, ch, 'Ringing');
  halfDialplan(core, ch, 'Wait', String(ringSeconds));
  dialEvent(core, ch, 'RINGING', dialstring);
}

/** The far end answers; an originated channel then enters Stasis. */
export function answerOutgoing(core: SimCore, ch: SimChannel, app: string, args: string[], dialstring: string): void {
  if (ch.hungUp || ch.state === 'Up') return;
  const rang = ch.state === 'Ringing';
  halfDialplan(core, ch, 'Answer', '');
  const half = ch.peer;
  if (rang) setState(core, ch, 'Up');
  if (half && !half.hungUp) setState(core, half, 'Up');
  if (!rang) setState(core, ch, 'Up');
  dialEvent(core, ch, 'ANSWER', dialstring);
  if (ch.kind === 'originated') {
    ch.dialplan = { ...ch.dialplan, app_name: 'Stasis', app_data: [app, ...args].join(',') };
    setVariable(core, ch, 'STASISSTATUS', '');
    enterStasis(core, ch, app, args);
    halfDialplan(core, ch, 'Wait', '3600');
  }
  const behavior = ch.endpoint ? core.endpoints.get(ch.endpoint) : undefined;
  if (behavior?.behavior === 'answer-then-hangup') {
    core.after(ch, behavior.hangupAfterMs, () => farEndHangup(core, ch, 16));
  }
}

/** Runs the endpoint's behaviour after Dial "" (shared by originate and /dial). */
function runBehavior(
  core: SimCore, ch: SimChannel, b: EndpointBehavior, timeoutMs: number, onAnswer: () => void,
  onFail: (cause: number) => void, ringDialstring: string,
): void {
  const soon = (ms: number, fn: () => void): void => {
    if (ms > 0) core.after(ch, ms, fn);
    else setImmediate(() => { if (!ch.hungUp) fn(); });
  };
  const ringsFirst = b.behavior === 'no-answer' || b.behavior === 'manual' || b.answerAfterMs > 0;
  if (ringsFirst) ring(core, ch, b.behavior === 'no-answer' ? 30 : Math.ceil(b.answerAfterMs / 1000), ringDialstring);
  if (timeoutMs > 0) core.after(ch, timeoutMs, () => { if (ch.state !== 'Up') onFail(19); });
  if (b.behavior === 'busy') soon(b.answerAfterMs, () => onFail(17));
  else if (b.behavior === 'reject') soon(b.answerAfterMs, () => onFail(21));
  else if (b.behavior === 'answer' || b.behavior === 'answer-then-hangup') soon(b.answerAfterMs, onAnswer);
}

/** POST /channels with app: starts the call and returns the 200 body (the channel in state Down). */
export function originate(core: SimCore, req: OriginateRequest): Record<string, unknown> {
  const ch = outgoingChannel(core, req, 'originated', 'AppDial2', '(Outgoing Line)');
  const snapshot = channelJson(ch);
  const args = req.appArgs === '' ? [] : req.appArgs.split(',');
  dialEvent(core, ch, '', ch.dialstring);
  const answer = (): void => answerOutgoing(core, ch, req.app, args, ch.dialstring);
  ch.answer = answer;
  runBehavior(core, ch, req.behavior, req.timeoutSec * 1000, answer, (cause) => failOriginate(core, ch, cause), ch.dialstring);
  return snapshot;
}

/** POST /channels/create: the channel enters Stasis at once, in state Down, undialled; returns the 200 body. */
export function createChannel(core: SimCore, req: OriginateRequest): Record<string, unknown> {
  const created = outgoingChannel(core, req, 'created', '', '');
  const snapshot = channelJson(created);
  const args = req.appArgs === '' ? [] : req.appArgs.split(',');
  const data = [req.app, ...args].join(',');
  created.dialplan = { ...created.dialplan, app_name: 'Stasis', app_data: data };
  core.emitChannel(created, 'ChannelDialplan', { dialplan_app: 'Stasis', dialplan_app_data: data });
  setVariable(core, created, 'STASISSTATUS', '');
  enterStasis(core, created, req.app, args);
  return snapshot;
}

/** POST /channels/{id}/dial on a created channel (the caller's id becomes its connected line). */
export function dialCreated(core: SimCore, ch: SimChannel, caller: SimChannel | undefined, timeoutSec: number): void {
  if (caller) ch.connected = { ...caller.caller };
  const behavior = ch.endpoint ? core.endpoints.get(ch.endpoint) : undefined;
  dialEvent(core, ch, '', ch.dialstring);
  if (!behavior) {
    setImmediate(() => farEndHangup(core, ch, 1));
    return;
  }
  const app = ch.stasisApp ?? '';
  const answer = (): void => answerOutgoing(core, ch, app, [], '');
  ch.answer = answer;
  runBehavior(core, ch, behavior, timeoutSec * 1000, answer, (cause) => farEndHangup(core, ch, cause), '');
}
