/**
 * The far party of the browser test: a plain SIP.js user agent standing in for Asterisk's agent
 * leg. It calls the softphone with the correlation header, answers re-INVITEs (and notes the
 * direction each offered), and taps its audio receiver with Chromium's encoded streams to read the
 * RTP telephone-event packets (RFC 4733) the softphone sends — the digits as they are on the wire.
 * (`RTCRtpScriptTransform` exists in Chromium 156 headless but delivered no audio frames here.)
 */
import { Inviter, SessionState, UserAgent, Web, type Session } from 'sip.js';
import { callStatsFrom } from '../call-stats.ts';
import type { CallStats } from '../phone.ts';

export interface FarPartySettings {
  wsUrl: string;
  endpoint: string;
  domain: string;
}

/** What the far party observed of the call, for the test to assert on. */
export interface FarObservations {
  /** SIP.js session states, in order. */
  sessionStates: string[];
  /** Final status of the INVITE (200, 486, …), once answered or refused. */
  inviteStatus: number | undefined;
  /** Provisional responses received (180: the softphone has the call and rings). */
  provisional: number[];
  /** Media direction offered by each re-INVITE received, in order (`sendonly`, `sendrecv`, …). */
  reInviteDirections: string[];
  /** Digits decoded from received telephone-event packets, one per event. */
  dtmfDigits: string;
  /** Received RTP frames per payload type (diagnostics). */
  framesByPayloadType: Record<string, number>;
  /** How the receiver was tapped: `encoded-streams` or `none` (API missing). */
  tap: string;
  /** Errors of the tap. */
  tapNotes: string[];
  /** SIP INFO requests received (DTMF must not come this way). */
  infoReceived: number;
  /** The far party received a BYE. */
  byeReceived: boolean;
}

const eventNames = '0123456789*#ABCD';

/** Chromium's encoded-streams API (peer connection built with `encodedInsertableStreams: true`). */
interface EncodedStreams {
  readable: ReadableStream<RTCEncodedAudioFrame>;
  writable: WritableStream<RTCEncodedAudioFrame>;
}
type WithEncodedStreams = { createEncodedStreams?: () => EncodedStreams };

function telephoneEventPayloadTypes(pc: RTCPeerConnection): number[] {
  const sdp = `${pc.localDescription?.sdp ?? ''}\n${pc.remoteDescription?.sdp ?? ''}`;
  return [...sdp.matchAll(/a=rtpmap:(\d+) telephone-event\//g)].map((m) => Number(m[1]));
}

function direction(sdp: string | undefined): string {
  const audio = sdp?.split(/\r?\nm=/).find((section) => section.startsWith('audio') || section.includes('m=audio'));
  return /a=(sendrecv|sendonly|recvonly|inactive)/.exec(audio ?? sdp ?? '')?.[1] ?? 'sendrecv';
}

export interface FarParty {
  readonly observed: FarObservations;
  call(target: string, headers: Record<string, string>): Promise<void>;
  hangup(): Promise<void>;
  stats(): Promise<CallStats | undefined>;
  stop(): Promise<void>;
}

export async function startFarParty(settings: FarPartySettings): Promise<FarParty> {
  const observed: FarObservations = {
    sessionStates: [],
    inviteStatus: undefined,
    provisional: [],
    reInviteDirections: [],
    dtmfDigits: '',
    framesByPayloadType: {},
    tap: 'none',
    tapNotes: [],
    infoReceived: 0,
    byeReceived: false,
  };
  const ua = new UserAgent({
    uri: UserAgent.makeURI(`sip:${settings.endpoint}@${settings.domain}`),
    transportOptions: { server: settings.wsUrl },
    sessionDescriptionHandlerFactoryOptions: {
      iceGatheringTimeout: 800,
      peerConnectionConfiguration: { iceServers: [], encodedInsertableStreams: true },
    },
    logBuiltinEnabled: false,
  });
  await ua.start();
  let session: Session | undefined;
  const speaker = document.createElement('audio');
  speaker.autoplay = true;
  document.body.append(speaker);
  const tapped = new WeakSet<object>();
  let lastEventTimestamp = -1;

  const inspect = (frame: RTCEncodedAudioFrame, pts: number[]) => {
    const meta = frame.getMetadata() as RTCEncodedAudioFrameMetadata & { mimeType?: string; rtpTimestamp?: number };
    const pt = meta.payloadType ?? -1;
    observed.framesByPayloadType[pt] = (observed.framesByPayloadType[pt] ?? 0) + 1;
    if (!pts.includes(pt) && !meta.mimeType?.toLowerCase().endsWith('telephone-event')) return;
    // RFC 4733 payload: event, E|R|volume, duration. One event spans several packets with the same
    // RTP timestamp (the end packet is sent three times): count each timestamp once.
    const bytes = new Uint8Array(frame.data);
    const timestamp = meta.rtpTimestamp ?? frame.timestamp;
    if (bytes.length < 4 || timestamp === lastEventTimestamp) return;
    lastEventTimestamp = timestamp;
    observed.dtmfDigits += eventNames[bytes[0] ?? 255] ?? '?';
  };

  /** Pipes a sender's or receiver's encoded frames through, reading the received ones. */
  const tap = (endpoint: WithEncodedStreams, pts: number[] | undefined) => {
    if (tapped.has(endpoint) || !endpoint.createEncodedStreams) return;
    tapped.add(endpoint);
    const { readable, writable } = endpoint.createEncodedStreams();
    const pass = new TransformStream<RTCEncodedAudioFrame, RTCEncodedAudioFrame>({
      transform(frame, controller) {
        if (pts) inspect(frame, pts);
        controller.enqueue(frame);
      },
    });
    readable
      .pipeThrough(pass)
      .pipeTo(writable)
      .catch((error: unknown) => observed.tapNotes.push(`pipe: ${String(error)}`));
    observed.tap = 'encoded-streams';
  };

  return {
    observed,
    async call(target, headers) {
      const targetUri = UserAgent.makeURI(target);
      if (!targetUri) throw new Error(`bad target ${target}`);
      const inviter = new Inviter(ua, targetUri, {
        extraHeaders: Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
        sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } },
        delegate: {
          onSessionDescriptionHandler(sdh) {
            const pc = (sdh as Web.SessionDescriptionHandler).peerConnection;
            // With encodedInsertableStreams every sender and receiver must be piped; do it as
            // soon as the offer made them, before media flows.
            pc?.addEventListener('signalingstatechange', () => {
              if (pc.signalingState !== 'have-local-offer') return;
              const pts = telephoneEventPayloadTypes(pc);
              for (const sender of pc.getSenders()) tap(sender as WithEncodedStreams, undefined);
              for (const receiver of pc.getReceivers()) tap(receiver as WithEncodedStreams, pts);
            });
          },
          onInvite(request) {
            observed.reInviteDirections.push(direction(request.body));
          },
          onInfo(info) {
            observed.infoReceived += 1;
            void info.accept();
          },
          onBye(bye) {
            observed.byeReceived = true;
            void bye.accept();
          },
        },
      });
      session = inviter;
      inviter.stateChange.addListener((state) => {
        observed.sessionStates.push(state);
        // Chromium decodes (and measures) remote audio only while something plays it.
        const sdh = inviter.sessionDescriptionHandler as Web.SessionDescriptionHandler | undefined;
        if (state === SessionState.Established && sdh) {
          speaker.srcObject = sdh.remoteMediaStream;
          void speaker.play().catch(() => undefined);
        }
      });
      await inviter.invite({
        requestDelegate: {
          onProgress: (response) => {
            observed.provisional.push(response.message.statusCode ?? 0);
          },
          onAccept: (response) => {
            observed.inviteStatus = response.message.statusCode;
          },
          onReject: (response) => {
            observed.inviteStatus = response.message.statusCode;
          },
        },
      });
    },
    async hangup() {
      if (session?.state === SessionState.Established) await session.bye();
    },
    async stats() {
      const pc = (session?.sessionDescriptionHandler as Web.SessionDescriptionHandler | undefined)?.peerConnection;
      return pc ? callStatsFrom(await pc.getStats()) : undefined;
    },
    async stop() {
      await ua.stop();
    },
  };
}
