/**
 * Position announcements for waiting callers: every `everyMs`, "您前面还有" N "位用户在等待" —
 * N the callers ahead in the same queue. Paused while an agent rings; stopped when the call
 * leaves the queue.
 */
import type { Clock, TimerHandle } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { TelephonyPort } from '../telephony/port.ts';
import type { AcdState } from './acd-state.ts';

/** Texts of the queue's own prompts, for rendering them to sound files (npm run prompts). */
export const queuePromptTexts = {
  'queue-ahead': { 'zh-CN': '您前面还有', en: 'Callers ahead of you:' },
  'queue-waiting': { 'zh-CN': '位用户在等待，请稍候。', en: 'Please hold.' },
  'callback-offer': { 'zh-CN': '如需预约回拨并保留排队位置，请按1。', en: 'To be called back without losing your place, press 1.' },
  /** For a callback key other than 1 (an admin chose it): followed by the key, `digits:<key>`. */
  'callback-offer-key': { 'zh-CN': '如需预约回拨并保留排队位置，请按', en: 'To be called back without losing your place, press' },
  'callback-registered': {
    'zh-CN': '已为您预约回拨，您的排队位置将为您保留，轮到您时我们将回拨本机号码。再见。',
    en: 'Your callback is booked and your place is kept. We will call this number back when it is your turn. Goodbye.',
  },
  'callback-unavailable': { 'zh-CN': '抱歉，无法回拨您的号码，请继续等待。', en: 'Sorry, we cannot call your number back. Please hold.' },
} as const;

/** The position announcement: "您前面还有" N "位用户在等待". */
export const positionPrompt = (ahead: number): string[] => ['sound:hotline/zh/queue-ahead', `number:${ahead}`, 'sound:hotline/zh/queue-waiting'];

/** The announcement of a queue that offers callbacks: the position, then how to book a callback with `key`. */
const withCallbackOffer = (prompt: string[], key: string): string[] =>
  [...prompt, ...(key === '1' ? ['sound:hotline/zh/callback-offer'] : ['sound:hotline/zh/callback-offer-key', `digits:${key}`])];

export interface AnnouncedCall {
  readonly callId: string;
  readonly channelId: string;
  readonly log: Logger;
}

export function createQueueAnnouncer({ telephony, acd, clock, everyMs, callbackKey }: {
  telephony: TelephonyPort; acd: AcdState; clock: Clock; everyMs: number;
  /** The key the caller of a call may press for a callback, if any (the announcement says which). */
  callbackKey?: (callId: string) => string | undefined;
}) {
  const timers = new Map<string, TimerHandle>();
  let played = 0;

  function schedule(call: AnnouncedCall): void {
    if (everyMs <= 0) return;
    timers.get(call.callId)?.cancel();
    timers.set(call.callId, clock.setTimeout(() => void announce(call), everyMs));
  }

  async function announce(call: AnnouncedCall): Promise<void> {
    timers.delete(call.callId);
    let ahead: number | null;
    try {
      ahead = await acd.callsAhead(call.callId);
    } catch (error) {
      // the store is away (an unhandled rejection here would stop the server): try again next period
      call.log.warn({ err: error }, 'queue position unknown: announcement skipped');
      if (!timers.has(call.callId)) schedule(call);
      return;
    }
    if (ahead === null) return; // ringing or gone: the next wait schedules again
    const key = callbackKey?.(call.callId);
    await telephony
      .play({ kind: 'channel', id: call.channelId }, key !== undefined ? withCallbackOffer(positionPrompt(ahead), key) : positionPrompt(ahead), { playbackId: `${call.channelId}-pos${++played}`, timeoutMs: 60_000 })
      .catch((error: unknown) => call.log.debug({ err: error }, 'position announcement not played'));
    if (!timers.has(call.callId)) schedule(call);
  }

  return {
    schedule,
    cancel(callId: string): void {
      timers.get(callId)?.cancel();
      timers.delete(callId);
    },
  };
}
