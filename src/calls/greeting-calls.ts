/**
 * The first call handler: answers each inbound call, plays the hotline's greeting, and reads back
 * every key the caller presses, until the caller hangs up. It proves the whole path (Asterisk →
 * ARI → telephony port → call handling) and is replaced by IVR-driven call sessions (issue 4/5).
 *
 * Shutdown: `drain()` stops taking calls — new arrivals go back to the dialplan, whose fallback
 * routes them to another instance or a plain queue — and resolves when the running calls ended.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.ts';
import { untrusted } from '../log.ts';
import type { ChannelInfo, TelephonyEvent, TelephonyPort } from '../telephony/port.ts';

export interface GreetingCallsOptions {
  readonly telephony: TelephonyPort;
  readonly logger: Logger;
  /** Sound URI per DID; `default` for any other. */
  readonly greetings?: Readonly<Record<string, string>>;
}

interface ActiveCall {
  readonly log: Logger;
  readonly abort: AbortController;
}

const defaultGreetings: Readonly<Record<string, string>> = {
  '12345': 'sound:hotline/greeting-12345',
  '12328': 'sound:hotline/greeting-12328',
  '12360': 'sound:hotline/greeting-12360',
  default: 'sound:hotline/greeting-12345',
};

const PROMPT_TIMEOUT_MS = 120_000;

export function createGreetingCalls(options: GreetingCallsOptions) {
  const { telephony, logger } = options;
  const greetings = { ...defaultGreetings, ...options.greetings };
  const calls = new Map<string, ActiveCall>();
  let draining = false;
  let idle: (() => void) | undefined;

  const unsubscribe = telephony.onEvent((event) => handle(event));
  const unreconcile = telephony.onReconcile(({ channels }) => adopt(channels));

  async function handle(event: TelephonyEvent): Promise<void> {
    switch (event.type) {
      case 'call-arrived':
        return arrive(event);
      case 'dtmf':
        return readBack(event.channelId, event.digit);
      case 'hung-up':
      case 'left-stasis':
        return end(event.channelId);
      default:
        return;
    }
  }

  async function arrive(event: Extract<TelephonyEvent, { type: 'call-arrived' }>): Promise<void> {
    const did = event.did && /^\d{3,20}$/.test(event.did) ? event.did : undefined;
    const log = logger.child({ channelId: event.channelId, did: did ?? 'unknown' });
    if (draining) {
      log.info('draining: handing the call back to the dialplan');
      await telephony.continueInDialplan(event.channelId).catch((error: unknown) => log.warn({ err: error }, 'continue failed'));
      return;
    }
    const call: ActiveCall = { log, abort: new AbortController() };
    calls.set(event.channelId, call);
    log.info({ input: untrusted(event.caller.number) }, 'call arrived');
    try {
      await telephony.answer(event.channelId);
      play(event.channelId, call, greetings[did ?? 'default'] ?? greetings['default']!);
    } catch (error) {
      log.warn({ err: error }, 'could not answer');
      await end(event.channelId);
    }
  }

  /**
   * After a (re)connect: calls still in the app are carried on as they are (no greeting replayed);
   * calls this instance knew that are gone were missed while disconnected and are ended.
   */
  function adopt(channels: readonly ChannelInfo[]): void {
    const live = new Set<string>();
    for (const channel of channels) {
      if (!channel.inApp || channel.dialplan.appName !== 'Stasis') continue;
      live.add(channel.id);
      if (calls.has(channel.id)) continue;
      const log = logger.child({ channelId: channel.id });
      calls.set(channel.id, { log, abort: new AbortController() });
      log.info('carrying on a call that was live before the (re)connect');
    }
    for (const channelId of [...calls.keys()]) if (!live.has(channelId)) void end(channelId);
  }

  async function readBack(channelId: string, digit: string): Promise<void> {
    const call = calls.get(channelId);
    if (!call || !/^[0-9*#]$/.test(digit)) return;
    call.log.info({ input: digit }, 'key pressed');
    const name = digit === '*' ? 'star' : digit === '#' ? 'pound' : digit;
    play(channelId, call, `sound:digits/${name}`);
  }

  /** Starts a playback without blocking this channel's event queue. */
  function play(channelId: string, call: ActiveCall, media: string): void {
    const playbackId = `${channelId}-${randomUUID()}`;
    telephony
      .play({ kind: 'channel', id: channelId }, [media], { playbackId, timeoutMs: PROMPT_TIMEOUT_MS, signal: call.abort.signal })
      .then((handle) => handle.done)
      .catch((error: unknown) => {
        if (!call.abort.signal.aborted) call.log.debug({ err: error }, 'playback ended early');
      });
  }

  async function end(channelId: string): Promise<void> {
    const call = calls.get(channelId);
    if (!call) return;
    calls.delete(channelId);
    call.abort.abort();
    call.log.info('call ended');
    if (calls.size === 0) idle?.();
  }

  return {
    activeCalls: (): number => calls.size,
    /** Stops taking calls; resolves when none is left or after `timeoutMs`. */
    async drain(timeoutMs: number): Promise<void> {
      draining = true;
      if (calls.size === 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        idle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    },
    close(): void {
      unsubscribe();
      unreconcile();
      for (const call of calls.values()) call.abort.abort();
      calls.clear();
    },
  };
}
