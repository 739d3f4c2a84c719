/**
 * The event mapping checked against golden traces recorded from a real Asterisk 22
 * (../shared/ari-traces, read in place, never copied).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isRecord, type Json } from '../../src/telephony/ari-json.ts';
import { mapAriEvent, type KeyedEvent, type OriginLookup } from '../../src/telephony/ari-events.ts';
import { originateFailureReason } from '../../src/telephony/ari-media.ts';

const traces = path.resolve(import.meta.dirname, '../../../shared/ari-traces');

function events(file: string): Json[] {
  const trace: unknown = JSON.parse(readFileSync(path.join(traces, file), 'utf8'));
  const steps = isRecord(trace) && Array.isArray(trace['steps']) ? trace['steps'] : [];
  return steps.filter((s): s is Json => isRecord(s) && s['kind'] === 'event' && isRecord(s['event'])).map((s) => s['event'] as Json);
}

function mapAll(file: string, origin: OriginLookup = () => undefined): KeyedEvent[] {
  return events(file).map((e) => mapAriEvent(e, origin)).filter((e): e is KeyedEvent => e !== undefined);
}

const typesOf = (file: string, channelId: string, origin?: OriginLookup): string[] =>
  mapAll(file, origin).filter((k) => k.key === `channel:${channelId}`).map((k) => k.event.type);

describe('ARI event mapping', () => {
  describe('when a caller dials in and the app plays a prompt and hangs up', () => {
    it('yields arrival, answer, playback start/finish, app hang-up and leaving, all on the caller’s queue', () => {
      expect(typesOf('inbound-answer-play-finish.json', '{caller}')).toEqual([
        'call-arrived', 'channel-state-changed', 'playback-started', 'playback-finished', 'hung-up', 'left-stasis',
      ]);
      const mapped = mapAll('inbound-answer-play-finish.json');
      expect(mapped.find((k) => k.event.type === 'call-arrived')?.event).toMatchObject({
        caller: { number: '5551001', name: 'Alice' }, did: '12345', args: [], state: 'Ring',
      });
      expect(mapped.find((k) => k.event.type === 'hung-up')?.event).toMatchObject({ byApp: true, cause: 32 });
      expect(mapped.find((k) => k.event.type === 'playback-finished')?.event).toMatchObject({ failed: false, target: { kind: 'channel', id: '{caller}' } });
    });
  });

  describe('when the DID comes as a Stasis argument', () => {
    it('takes the DID from the arguments', () => {
      const arrivals = mapAll('inbound-args-did.json').map((k) => k.event).filter((e) => e.type === 'call-arrived');
      expect(arrivals.map((e) => (e.type === 'call-arrived' ? e.did : ''))).toEqual(['12360', '12328']);
    });
  });

  describe('when the caller hangs up during a prompt', () => {
    it('yields a far-end hang-up (cause 16) and a failed playback before leaving', () => {
      const mapped = mapAll('inbound-caller-hangup-during-playback.json').map((k) => k.event);
      expect(mapped.find((e) => e.type === 'hung-up')).toMatchObject({ cause: 16, byApp: false });
      expect(mapped.find((e) => e.type === 'playback-finished')).toMatchObject({ failed: true });
    });
  });

  describe('when an agent is originated', () => {
    it('reports the answered agent as started by originate, not as a new call', () => {
      const origin: OriginLookup = (id) => (id === '{agent}' ? 'originate' : undefined);
      const started = mapAll('originate-agent-answer-bridge.json', origin).map((k) => k.event).filter((e) => e.type === 'channel-started');
      expect(started).toEqual([{ type: 'channel-started', channelId: '{agent}', origin: 'originate', args: ['agent'] }]);
    });

    it('reports an unanswered originate as destroyed with cause 19, which means no-answer', () => {
      const destroyed = mapAll('originate-no-answer-timeout.json').map((k) => k.event).find((e) => e.type === 'channel-destroyed' && e.channelId === '{agent}');
      expect(destroyed).toMatchObject({ cause: 19, causeText: 'User alerting, no answer' });
      expect(originateFailureReason(19)).toBe('no-answer');
      expect(originateFailureReason(17)).toBe('busy');
      expect(originateFailureReason(16)).toBe('hung-up');
    });
  });

  describe('when a supervisor snoops', () => {
    it('recognises snoop channels by name even without a lookup', () => {
      const started = mapAll('snoop-spy-whisper.json').map((k) => k.event).filter((e) => e.type === 'channel-started');
      expect(started.map((e) => (e.type === 'channel-started' ? `${e.channelId}/${e.origin}` : ''))).toEqual(['{snoop1}/snoop', '{snoop2}/snoop']);
    });
  });

  describe('when a SIP caller puts the call on hold', () => {
    it('yields far-end hold and unhold, and DTMF with its duration', () => {
      const mapped = mapAll('sip-caller-hold.json').map((k) => k.event);
      expect(mapped.filter((e) => e.type === 'far-end-hold' || e.type === 'far-end-unhold').map((e) => e.type)).toEqual(['far-end-hold', 'far-end-unhold']);
      expect(mapped.find((e) => e.type === 'far-end-hold')).toMatchObject({ musicClass: 'default' });
      expect(mapped.find((e) => e.type === 'dtmf')).toMatchObject({ durationMs: 120 });
    });
  });

  describe('when a recording ends with #', () => {
    it('yields recording started and finished with its duration', () => {
      const mapped = mapAll('record-feedback.json').map((k) => k.event);
      expect(mapped.find((e) => e.type === 'recording-finished')).toMatchObject({ name: '{recording1}', target: { kind: 'channel', id: '{caller}' } });
      const finished = mapped.find((e) => e.type === 'recording-finished');
      expect(finished?.type === 'recording-finished' && typeof finished.durationSec).toBe('number');
    });
  });

  describe('when any recorded event is mapped', () => {
    it('never throws, and every mapped event has a queue key', () => {
      const files = readdirSync(traces).filter((f) => f.endsWith('.json') && !f.startsWith('_'));
      expect(files.length).toBeGreaterThan(10);
      for (const file of files) {
        for (const keyed of mapAll(file)) expect(keyed.key).toMatch(/^(channel|bridge):.+/);
      }
    });
  });
});
