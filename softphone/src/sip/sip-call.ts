/**
 * One incoming call: a SIP.js `Invitation` behind the `SipCall` contract (state diagram in
 * `phone.ts`). Hold is a re-INVITE (`a=sendonly`, answered `recvonly`), unhold another one
 * (`a=sendrecv`); a 491 or a re-INVITE still pending is retried after a random 0–2 s (RFC 3261
 * §14.1, we are not the Call-ID owner). DTMF goes out as RTP telephone-events through the audio
 * sender's `RTCDTMFSender` (RFC 4733), never as SIP INFO.
 */
import { RequestPendingError, SessionState, Web, type Invitation } from 'sip.js';
import { callStatsFrom, noStats } from './call-stats.ts';
import {
  PhoneError,
  type CallStats,
  type SipCall,
  type SipCallEndReason,
  type SipCallState,
} from './phone.ts';

const allowed: Readonly<Record<SipCallState, readonly SipCallState[]>> = {
  ringing: ['answering', 'ended'],
  answering: ['connected', 'ended'],
  connected: ['held', 'ended'],
  held: ['connected', 'ended'],
  ended: [],
};

/** What a correlation id may look like (the server's call ids); anything else is ignored. */
const correlationPattern = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;
const dtmfPattern = /^[0-9A-D#*]+$/;
const toneMs = 100;
const gapMs = 70;

export interface CallContext {
  readonly correlationHeader: string;
  readonly audio: HTMLAudioElement;
  /** The chosen microphone, if any. */
  inputDeviceId(): string | undefined;
  onChange(call: SipCall): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
}

/** The call plus what the phone needs beyond the contract. */
export interface SipCallHandle extends SipCall {
  /** Switches the microphone of a live call. */
  useInput(deviceId: string | undefined): Promise<void>;
}

export function createSipCall(invitation: Invitation, context: CallContext): SipCallHandle {
  let state: SipCallState = 'ringing';
  let endReason: SipCallEndReason | undefined;
  let pendingEndReason: SipCallEndReason | undefined;
  let muted = false;
  let dtmfQueue: Promise<void> = Promise.resolve();
  const rawCorrelation = invitation.request.getHeader(context.correlationHeader)?.trim();
  const correlationId =
    rawCorrelation !== undefined && correlationPattern.test(rawCorrelation) ? rawCorrelation : undefined;
  if (rawCorrelation !== undefined && correlationId === undefined) {
    context.log('warn', `ignoring a malformed ${context.correlationHeader} header`);
  }

  const sdh = (): Web.SessionDescriptionHandler | undefined => {
    const handler = invitation.sessionDescriptionHandler;
    return handler instanceof Web.SessionDescriptionHandler ? handler : undefined;
  };

  const applyTracks = () => {
    const handler = sdh();
    if (!handler) return;
    handler.enableSenderTracks(state !== 'held' && !muted);
    handler.enableReceiverTracks(state !== 'held');
  };

  const transition = (next: SipCallState) => {
    if (!allowed[state].includes(next)) {
      throw new PhoneError('PHONE_BAD_STATE', `call ${state} → ${next} is not allowed`);
    }
    state = next;
    if (next === 'ended') endReason = pendingEndReason ?? 'failed';
    context.onChange(call);
  };

  const require = (what: string, ...states: SipCallState[]) => {
    if (!states.includes(state)) throw new PhoneError('PHONE_BAD_STATE', `cannot ${what} a call that is ${state}`);
  };

  invitation.stateChange.addListener((sessionState) => {
    if (sessionState === SessionState.Established && state === 'answering') {
      const handler = sdh();
      if (handler) {
        context.audio.srcObject = handler.remoteMediaStream;
        context.audio.play().catch((error: unknown) => context.log('warn', `audio playback: ${String(error)}`));
      }
      applyTracks();
      transition('connected');
    } else if (sessionState === SessionState.Terminated && state !== 'ended') {
      if (context.audio.srcObject === sdh()?.remoteMediaStream) context.audio.srcObject = null;
      transition('ended');
    }
  });
  invitation.delegate = {
    onBye(bye) {
      pendingEndReason ??= 'remote-hangup';
      void bye.accept();
    },
    onCancel() {
      pendingEndReason ??= 'cancelled';
    },
  };

  /** Sends a re-INVITE offering hold or not; resolves on 2xx, retries 491 / pending twice. */
  const reInvite = async (hold: boolean, triesLeft = 3): Promise<void> => {
    invitation.sessionDescriptionHandlerOptionsReInvite = {
      ...invitation.sessionDescriptionHandlerOptionsReInvite,
      hold,
    } as Web.SessionDescriptionHandlerOptions;
    const outcome = await new Promise<number>((resolve, reject) => {
      invitation
        .invite({
          requestDelegate: {
            onAccept: () => resolve(200),
            onReject: (response) => resolve(response.message.statusCode ?? 500),
          },
        })
        .catch((error: unknown) => (error instanceof RequestPendingError ? resolve(491) : reject(error)));
    });
    if (outcome === 200) return;
    if (outcome === 491 && triesLeft > 1 && state !== 'ended') {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 2000));
      return reInvite(hold, triesLeft - 1);
    }
    throw new PhoneError('PHONE_SIGNALLING', `re-INVITE (${hold ? 'hold' : 'unhold'}) answered ${outcome}`);
  };

  const playDtmf = (digits: string): Promise<void> => {
    const sender = sdh()
      ?.peerConnection?.getSenders()
      .find((s) => s.dtmf !== null && (s.track === null || s.track.kind === 'audio'));
    const dtmf = sender?.dtmf;
    if (!dtmf || !dtmf.canInsertDTMF) {
      return Promise.reject(new PhoneError('PHONE_SIGNALLING', 'the far end did not accept telephone-event'));
    }
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(guard);
        dtmf.removeEventListener('tonechange', onTone);
        resolve();
      };
      const onTone = (event: RTCDTMFToneChangeEvent) => {
        if (event.tone === '') done();
      };
      // The end event can be lost when the call ends meanwhile: never wait longer than the tones.
      const guard = setTimeout(done, digits.length * (toneMs + gapMs) + 1000);
      dtmf.addEventListener('tonechange', onTone);
      dtmf.insertDTMF(digits, toneMs, gapMs);
    });
  };

  const call: SipCallHandle = {
    id: invitation.id,
    correlationId,
    remote: invitation.remoteIdentity.friendlyName
      ? `${invitation.remoteIdentity.friendlyName} <${invitation.remoteIdentity.uri.toString()}>`
      : invitation.remoteIdentity.uri.toString(),
    get state() {
      return state;
    },
    get endReason() {
      return endReason;
    },
    get muted() {
      return muted;
    },
    header(name) {
      return invitation.request.getHeader(name);
    },
    async answer() {
      require('answer', 'ringing');
      transition('answering');
      const input = context.inputDeviceId();
      try {
        await invitation.accept({
          sessionDescriptionHandlerOptions: {
            constraints: { audio: input ? { deviceId: { exact: input } } : true, video: false },
          },
        });
      } catch (error) {
        pendingEndReason ??= 'failed';
        if (invitation.state === SessionState.Initial || invitation.state === SessionState.Establishing) {
          await invitation.reject({ statusCode: 480 }).catch(() => undefined);
        }
        const name = error instanceof Error ? error.name : '';
        if (name === 'NotAllowedError' || name === 'NotFoundError' || name === 'OverconstrainedError') {
          throw new PhoneError('PHONE_NO_MICROPHONE', `microphone: ${name}`);
        }
        throw new PhoneError('PHONE_SIGNALLING', `answer failed: ${String(error)}`);
      }
    },
    async decline() {
      require('decline', 'ringing');
      pendingEndReason = 'declined';
      await invitation.reject({ statusCode: 486 });
    },
    async hangup() {
      if (state === 'ended') return;
      if (state === 'ringing') return call.decline();
      pendingEndReason ??= 'local-hangup';
      if (invitation.state === SessionState.Established) {
        await invitation.bye();
      } else {
        // Still answering: the 200 OK is out, the ACK not yet in. End it as soon as it is up.
        invitation.stateChange.addListener((s) => {
          if (s === SessionState.Established) void invitation.bye().catch(() => undefined);
        });
      }
    },
    async hold() {
      require('hold', 'connected');
      await reInvite(true);
      if (state !== 'connected') return;
      transition('held');
      applyTracks();
    },
    async unhold() {
      require('unhold', 'held');
      await reInvite(false);
      if (state !== 'held') return;
      transition('connected');
      applyTracks();
    },
    setMuted(next) {
      if (next === muted) return;
      muted = next;
      applyTracks();
      context.onChange(call);
    },
    sendDtmf(digits) {
      const tones = digits.toUpperCase();
      if (!dtmfPattern.test(tones)) {
        return Promise.reject(new PhoneError('PHONE_BAD_DTMF', 'DTMF digits are 0-9 * # A-D'));
      }
      try {
        require('send DTMF on', 'connected');
      } catch (error) {
        return Promise.reject(error);
      }
      const queued = dtmfQueue.then(() => playDtmf(tones));
      dtmfQueue = queued.catch(() => undefined);
      return queued;
    },
    async getStats(): Promise<CallStats> {
      const pc = sdh()?.peerConnection;
      return pc ? callStatsFrom(await pc.getStats()) : noStats;
    },
    async useInput(deviceId) {
      const handler = sdh();
      const pc = handler?.peerConnection;
      if (!handler || !pc || (state !== 'connected' && state !== 'held')) return;
      const stream = await navigator.mediaDevices.getUserMedia({
        audio: deviceId ? { deviceId: { exact: deviceId } } : true,
        video: false,
      });
      const track = stream.getAudioTracks()[0];
      const sender = pc.getSenders().find((s) => s.track?.kind === 'audio');
      if (!track || !sender) return;
      const old = sender.track;
      await sender.replaceTrack(track);
      if (old) {
        handler.localMediaStream.removeTrack(old);
        old.stop();
      }
      handler.localMediaStream.addTrack(track);
      applyTracks();
    },
  };
  return call;
}
