/**
 * The simulator's shared state ("the Asterisk"): every live object, the registered Stasis
 * applications, id generators, and `emit()`, which delivers an event to the application that
 * owns it — or drops it, like Asterisk, when that application has no WebSocket connected.
 */
import type { EventChaos } from './chaos.ts';
import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../clock.ts';
import type { Logger } from '../log.ts';
import {
  asteriskTime, channelJson, type CallerId, type ChannelKind, type ChannelState, type Dialplan,
  type SimBridge, type SimChannel, type SimPlayback, type SimRecording,
} from './model.ts';

/** How an originated endpoint behaves (set through the control API). */
export interface EndpointBehavior {
  behavior: 'answer' | 'busy' | 'no-answer' | 'answer-then-hangup' | 'reject' | 'manual';
  answerAfterMs: number;
  hangupAfterMs: number;
}

/** A sound's duration and whether it exists (unknown sounds exist and last `defaultMediaMs`). */
export interface MediaInfo { durationMs: number; exists: boolean }

/** A Stasis application as the simulator tracks it. */
export interface SimApp {
  readonly name: string;
  /** Delivers one serialised event to the app's current WebSocket; null while none is connected. */
  sink: ((event: Record<string, unknown>) => void) | null;
}

/** Observes an emitted event; `delivered` says whether a WebSocket of the app received it. */
export type EventListener = (app: string, event: Record<string, unknown>, delivered: boolean) => void;

export const defaultMediaMs = 1000;

/** Events whose own fields Asterisk serialises before `type` (key order as in the traces). */
const fieldsBeforeType = new Set(['ChannelHangupRequest', 'ChannelVarset']);

export interface SimCore {
  readonly clock: Clock;
  readonly log: Logger;
  readonly asteriskId: string;
  readonly startedAt: number;
  readonly channels: Map<string, SimChannel>;
  readonly bridges: Map<string, SimBridge>;
  readonly playbacks: Map<string, SimPlayback>;
  readonly liveRecordings: Map<string, SimRecording>;
  readonly storedRecordings: Map<string, { name: string; format: string }>;
  readonly endpoints: Map<string, EndpointBehavior>;
  readonly media: Map<string, MediaInfo>;
  readonly apps: Map<string, SimApp>;
  /** Channels kept after hang-up so the control API can report what they heard. */
  readonly ended: Map<string, SimChannel>;
  readonly listeners: Set<EventListener>;
  /** Event chaos for fault tests (src/sim/chaos.ts); null: events as Asterisk sends them. */
  chaos: EventChaos | null;
  /** Sends `type` with `fields` (and the channel snapshot, if given) to `app`. */
  emit(app: string | null, type: string, fields?: Record<string, unknown>, channel?: SimChannel): void;
  /** Emits to the channel's event app (no-op when it has none). */
  emitChannel(ch: SimChannel, type: string, fields?: Record<string, unknown>): void;
  uniqueId(): string;
  /** Next 8-hex-digit channel name suffix. */
  suffix(): string;
  uuid(): string;
  newChannel(init: NewChannel): SimChannel;
  after(ch: SimChannel | null, ms: number, fn: () => void): TimerHandle;
}

export interface NewChannel {
  id?: string | undefined;
  name: string;
  kind: ChannelKind;
  state: ChannelState;
  caller?: CallerId;
  connected?: CallerId;
  dialplan: Dialplan;
  eventApp?: string | null;
  protocolId?: string;
}

export function createCore(clock: Clock, log: Logger): SimCore {
  let seq = 0;
  let nameSeq = 0x100;
  const startedAt = clock.now();
  const channels = new Map<string, SimChannel>();
  const apps = new Map<string, SimApp>();
  const listeners = new Set<EventListener>();

  function emit(app: string | null, type: string, fields: Record<string, unknown> = {}, channel?: SimChannel): void {
    if (app === null) return;
    const fieldsFirst = fieldsBeforeType.has(type);
    const event: Record<string, unknown> = {
      ...(fieldsFirst ? fields : {}), type, timestamp: asteriskTime(clock.now()),
      ...(fieldsFirst ? {} : fields),
      ...(channel ? { channel: channelJson(channel) } : {}),
      asterisk_id: core.asteriskId, application: app,
    };
    const sink = apps.get(app)?.sink;
    for (const listener of listeners) listener(app, event, sink !== undefined && sink !== null);
    sink?.(event);
  }

  const core: SimCore = {
    clock, log, asteriskId: '02:fc:00:00:00:01', startedAt, channels,
    bridges: new Map(), playbacks: new Map(), liveRecordings: new Map(), storedRecordings: new Map(),
    endpoints: new Map(), media: new Map(), apps, ended: new Map(), listeners, chaos: null,
    emit,
    emitChannel: (ch, type, fields) => emit(ch.eventApp, type, fields, ch),
    uniqueId: () => `${Math.floor(startedAt / 1000)}.${seq++}`,
    suffix: () => (nameSeq++).toString(16).padStart(8, '0'),
    uuid: () => randomUUID(),
    newChannel(init) {
      const ch: SimChannel = {
        id: init.id ?? core.uniqueId(), name: init.name, kind: init.kind, state: init.state,
        protocolId: init.protocolId ?? '', caller: init.caller ?? { name: '', number: '' },
        connected: init.connected ?? { name: '', number: '' }, dialplan: init.dialplan,
        creationtime: clock.now(), stasisApp: null, eventApp: init.eventApp ?? null, bridgeId: null,
        variables: new Map(), hungUp: false, hangupCause: 16, peer: null, endpoint: null, dialstring: '',
        timers: new Set(), heard: [], moh: false, spiedId: null, answer: null,
      };
      channels.set(ch.id, ch);
      return ch;
    },
    after(ch, ms, fn) {
      const handle = clock.setTimeout(() => {
        if (ch) ch.timers.delete(handle);
        fn();
      }, ms);
      if (ch) ch.timers.add(handle);
      return handle;
    },
  };
  return core;
}
