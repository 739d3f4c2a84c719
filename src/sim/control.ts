/**
 * The simulator's control API as async functions: play the citizen and the phones (dial a DID,
 * press keys, hang up, hold), register how endpoints answer, set media durations, read what a
 * channel heard, count live objects, and advance a manual clock. HTTP mirror: control-routes.ts.
 */
import type { Clock, ManualClock } from '../clock.ts';
import { HotlineError } from '../errors.ts';
import { placeCall, type PlaceCall, type PlacedCall } from './calls.ts';
import { failOriginate, farEndHangup, receiveDtmf } from './channels.ts';
import type { EndpointBehavior, SimCore } from './core.ts';
import { channelJson, type SimChannel } from './model.ts';

export interface DtmfOptions { digits: string; durationMs?: number; gapMs?: number }

export interface ChannelReport {
  channel: Record<string, unknown>;
  state: string;
  hungUp: boolean;
  bridgeId: string | null;
  inStasis: boolean;
  variables: Record<string, string>;
  /** What the channel heard or did, in order (playbacks with media and final state, MOH, beeps, recordings). */
  heard: { kind: string; at: number; [key: string]: unknown }[];
}

export interface SimStats { channels: number; bridges: number; playbacks: number; recordings: number }

export interface SimControl {
  placeCall(call: PlaceCall): Promise<PlacedCall>;
  sendDtmf(channelId: string, options: DtmfOptions): Promise<void>;
  hangup(channelId: string, cause?: number): Promise<void>;
  hold(channelId: string): Promise<void>;
  unhold(channelId: string): Promise<void>;
  answer(channelId: string): Promise<void>;
  setEndpoint(tech: string, resource: string, behavior: Partial<EndpointBehavior>): Promise<void>;
  deleteEndpoint(tech: string, resource: string): Promise<void>;
  setMedia(uri: string, media: { durationMs?: number; exists?: boolean }): Promise<void>;
  channel(channelId: string): Promise<ChannelReport>;
  stats(): Promise<SimStats>;
  advanceClock(ms: number): Promise<void>;
}

const behaviors: EndpointBehavior['behavior'][] = ['answer', 'busy', 'no-answer', 'answer-then-hangup', 'reject', 'manual'];

function isManual(clock: Clock): clock is ManualClock {
  return typeof (clock as Partial<ManualClock>).advance === 'function';
}

export function createControl(core: SimCore, app: string): SimControl {
  function live(id: string): SimChannel {
    const ch = core.channels.get(id);
    if (!ch || ch.hungUp) throw new HotlineError('SIM_NOT_FOUND', `no live simulated channel ${id}`);
    return ch;
  }
  /** Far-end actions address the caller (or agent) channel; its phone half means the same call. */
  function farEnd(id: string): SimChannel {
    const ch = live(id);
    return ch.kind === 'phone' && ch.peer ? ch.peer : ch.kind === 'half2' && ch.peer ? ch.peer : ch;
  }
  function count(n: unknown, name: string, min: number): number {
    if (n === undefined) return min;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min) throw new HotlineError('SIM_BAD_REQUEST', `${name} must be an integer >= ${min}`);
    return n;
  }

  return {
    placeCall: async (call) => placeCall(core, app, call),
    async sendDtmf(channelId, { digits, durationMs, gapMs }) {
      const ch = farEnd(channelId);
      if (!/^[0-9A-D*#]+$/.test(digits)) throw new HotlineError('SIM_BAD_REQUEST', 'digits must be 0-9, A-D, * or #');
      const duration = durationMs === undefined ? 100 : count(durationMs, 'durationMs', 1);
      const gap = count(gapMs, 'gapMs', 0);
      [...digits].forEach((digit, i) => {
        if (i === 0 || gap === 0) receiveDtmf(core, ch, digit, duration);
        else core.after(ch, i * gap, () => receiveDtmf(core, ch, digit, duration));
      });
    },
    async hangup(channelId, cause = 16) {
      const ch = farEnd(channelId);
      if (ch.kind === 'originated' && ch.state !== 'Up') failOriginate(core, ch, cause);
      else farEndHangup(core, ch, cause);
    },
    async hold(channelId) {
      const ch = farEnd(channelId);
      ch.heard.push({ kind: 'hold', at: core.clock.now(), detail: { on: true, by: 'far-end' } });
      core.emitChannel(ch, 'ChannelHold', { musicclass: 'default' });
    },
    async unhold(channelId) {
      const ch = farEnd(channelId);
      ch.heard.push({ kind: 'hold', at: core.clock.now(), detail: { on: false, by: 'far-end' } });
      core.emitChannel(ch, 'ChannelUnhold');
    },
    async answer(channelId) {
      const ch = farEnd(channelId);
      if (!ch.answer || ch.state === 'Up' || ch.state === 'Down') {
        throw new HotlineError('SIM_CONFLICT', `channel ${channelId} is not an outgoing leg that is ringing`);
      }
      ch.answer?.();
    },
    async setEndpoint(tech, resource, behavior) {
      if (!/^[A-Za-z0-9_]+$/.test(tech) || resource === '' || resource.includes('/')) {
        throw new HotlineError('SIM_BAD_REQUEST', 'an endpoint is Tech/resource, e.g. PJSIP/1001 or Local/agent@hotline-test');
      }
      const b = behavior.behavior ?? 'answer';
      if (!behaviors.includes(b)) throw new HotlineError('SIM_BAD_REQUEST', `behavior must be one of ${behaviors.join(', ')}`);
      core.endpoints.set(`${tech}/${resource}`, {
        behavior: b, answerAfterMs: count(behavior.answerAfterMs, 'answerAfterMs', 0), hangupAfterMs: count(behavior.hangupAfterMs, 'hangupAfterMs', 0),
      });
    },
    async deleteEndpoint(tech, resource) {
      if (!core.endpoints.delete(`${tech}/${resource}`)) throw new HotlineError('SIM_NOT_FOUND', `no endpoint ${tech}/${resource}`);
    },
    async setMedia(uri, media) {
      if (!/^[a-z]+:.+/.test(uri)) throw new HotlineError('SIM_BAD_REQUEST', 'uri must look like sound:name');
      core.media.set(uri, { durationMs: count(media.durationMs, 'durationMs', 0) || 1000, exists: media.exists ?? true });
    },
    async channel(channelId) {
      const ch = core.channels.get(channelId) ?? core.ended.get(channelId);
      if (!ch) throw new HotlineError('SIM_NOT_FOUND', `no simulated channel ${channelId}`);
      return {
        channel: channelJson(ch), state: ch.state, hungUp: ch.hungUp, bridgeId: ch.bridgeId, inStasis: ch.stasisApp !== null,
        variables: Object.fromEntries(ch.variables), heard: ch.heard.map((h) => ({ kind: h.kind, at: h.at, ...h.detail })),
      };
    },
    async stats() {
      return { channels: core.channels.size, bridges: core.bridges.size, playbacks: core.playbacks.size, recordings: core.liveRecordings.size };
    },
    async advanceClock(ms) {
      if (!isManual(core.clock)) throw new HotlineError('SIM_CONFLICT', 'the simulator runs on the system clock; only a manual clock can be advanced');
      await core.clock.advance(count(ms, 'ms', 0));
    },
  };
}

