/**
 * `createPhone(settings)`: SIP.js UserAgent + Registerer over SIP-over-WebSocket, with its own
 * reconnect loop (SIP.js does not reconnect by itself): a lost socket or a refused REGISTER moves
 * to `reconnecting` and tries again after a back-off; refused credentials end in `failed`.
 */
import {
  Registerer,
  RegistererState,
  RequestPendingError,
  UserAgent,
  UserAgentState,
  type Invitation,
} from 'sip.js';
import { backoffMs, createRegistrationMachine } from './registration-status.ts';
import { createSipCall, type SipCallHandle } from './sip-call.ts';
import type {
  AudioDevices,
  Phone,
  PhoneEvents,
  PhoneOptions,
  RegistrationStatus,
  SipCall,
  SipSettings,
} from './phone.ts';

export const defaultCorrelationHeader = 'X-Hotline-Call-Id';

type Listeners = { [K in keyof PhoneEvents]: Set<PhoneEvents[K]> };

export function createPhone(settings: SipSettings, options: PhoneOptions = {}): Phone {
  const listeners: Listeners = { registration: new Set(), incoming: new Set(), callState: new Set() };
  const log = options.log ?? (() => undefined);
  const reconnectDelay = options.reconnectDelayMs ?? { initial: 1000, max: 30_000 };
  const audio = document.createElement('audio');
  audio.autoplay = true;
  const calls = new Map<string, SipCallHandle>();
  const devices: { input?: string; output?: string } = {};
  const machine = createRegistrationMachine((status) => {
    for (const listener of listeners.registration) listener(status);
  });

  let ua: UserAgent | undefined;
  let registerer: Registerer | undefined;
  let running = false;
  let attempt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const onCallChange = (call: SipCall) => {
    if (call.state === 'ended') calls.delete(call.id);
    for (const listener of listeners.callState) listener(call);
  };

  const onInvite = (invitation: Invitation) => {
    const call = createSipCall(invitation, {
      correlationHeader: settings.correlationHeader ?? defaultCorrelationHeader,
      audio,
      inputDeviceId: () => devices.input,
      onChange: onCallChange,
      log,
    });
    calls.set(call.id, call);
    for (const listener of listeners.incoming) listener(call);
  };

  const fail = (reason: string) => {
    clearTimeout(retryTimer);
    machine.transition({ state: 'failed', reason });
  };

  const scheduleRetry = (reason: string) => {
    if (!running) return;
    clearTimeout(retryTimer);
    attempt += 1;
    const delay = backoffMs(attempt, reconnectDelay.initial, reconnectDelay.max);
    log('info', `reconnecting in ${delay} ms (attempt ${attempt}): ${reason}`);
    machine.transition({ state: 'reconnecting', reason, attempt, retryAt: Date.now() + delay });
    retryTimer = setTimeout(() => void connectAndRegister(), delay);
  };

  const register = async (current: Registerer) => {
    try {
      await current.register({
        requestDelegate: {
          onAccept: () => {
            attempt = 0;
            if (running && machine.status.state !== 'registered') machine.transition({ state: 'registered' });
          },
          onReject: (response) => {
            const { statusCode, reasonPhrase } = response.message;
            const reason = `${statusCode} ${reasonPhrase}`;
            // Digest already answered by SIP.js: a second 401/407 or a 403 means wrong credentials.
            if (statusCode === 401 || statusCode === 403 || statusCode === 407) fail(reason);
            else scheduleRetry(reason);
          },
        },
      });
    } catch (error) {
      scheduleRetry(error instanceof RequestPendingError ? 'REGISTER still pending' : String(error));
    }
  };

  const connectAndRegister = async () => {
    if (!running || !ua) return;
    if (machine.status.state !== 'connecting') machine.transition({ state: 'connecting' });
    try {
      if (ua.isConnected()) {
        // already connected (a refused REGISTER is being retried)
      } else if (ua.state === UserAgentState.Started) {
        await ua.reconnect();
      } else {
        await ua.start();
      }
    } catch (error) {
      scheduleRetry(`WebSocket: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (!running || !registerer) return;
    await register(registerer);
  };

  const build = (wsUrl: string): UserAgent | string => {
    let domain = settings.domain;
    try {
      domain ??= new URL(wsUrl).hostname;
    } catch {
      return `bad WebSocket URL`;
    }
    const uri = UserAgent.makeURI(`sip:${settings.endpoint}@${domain}`);
    if (!uri) return 'bad SIP endpoint or domain';
    return new UserAgent({
      uri,
      authorizationUsername: settings.endpoint,
      authorizationPassword: settings.password,
      transportOptions: { server: wsUrl, connectionTimeout: 5 },
      sessionDescriptionHandlerFactoryOptions: {
        iceGatheringTimeout: options.iceGatheringTimeoutMs ?? 800,
        peerConnectionConfiguration: { iceServers: [...settings.iceServers] },
      },
      userAgentString: 'hotline-softphone (SIP.js 0.21)',
      logBuiltinEnabled: false,
      logLevel: 'warn',
      logConnector: (level, category, _label, content) => {
        log(level === 'log' ? 'debug' : level, `${category}: ${content}`);
      },
      delegate: {
        onInvite,
        onDisconnect: (error) => {
          if (running && error) scheduleRetry('WebSocket closed');
        },
      },
    });
  };

  const phone: Phone = {
    get status(): RegistrationStatus {
      return machine.status;
    },
    get calls() {
      return [...calls.values()];
    },
    audio,
    callByCorrelationId(correlationId) {
      for (const call of calls.values()) if (call.correlationId === correlationId) return call;
      return undefined;
    },
    async start() {
      if (running) return;
      if (!settings.wsUrl) {
        fail('no SIP WebSocket URL (demo mode: answer through CTI)');
        return;
      }
      const built = ua ?? build(settings.wsUrl);
      if (typeof built === 'string') {
        fail(built);
        return;
      }
      ua = built;
      if (!registerer) {
        registerer = new Registerer(ua, { expires: options.registerExpiresS ?? 300 });
        registerer.stateChange.addListener((state) => {
          // A refresh that failed while the socket stayed up: register again.
          if (state === RegistererState.Unregistered && running && machine.status.state === 'registered') {
            scheduleRetry('registration lost');
          }
        });
      }
      running = true;
      attempt = 0;
      const settled = new Promise<void>((resolve) => {
        const off = phone.on('registration', (status) => {
          if (status.state === 'connecting') return;
          off();
          resolve();
        });
      });
      void connectAndRegister();
      await settled;
    },
    async stop() {
      running = false;
      clearTimeout(retryTimer);
      await Promise.all([...calls.values()].map((call) => call.hangup().catch(() => undefined)));
      if (ua) {
        const current = ua;
        ua = undefined;
        registerer = undefined;
        await current.stop().catch(() => undefined);
      }
      if (machine.status.state !== 'idle') machine.transition({ state: 'idle' });
    },
    on(event, listener) {
      const set = listeners[event] as Set<typeof listener>;
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
    async listDevices(): Promise<AudioDevices> {
      const all = await navigator.mediaDevices.enumerateDevices();
      return {
        inputs: all.filter((d) => d.kind === 'audioinput'),
        outputs: all.filter((d) => d.kind === 'audiooutput'),
      };
    },
    async setDevices(choice) {
      if (choice.output !== undefined && choice.output !== devices.output) {
        await audio.setSinkId(choice.output);
        devices.output = choice.output;
      }
      if (choice.input !== undefined && choice.input !== devices.input) {
        devices.input = choice.input;
        await Promise.all([...calls.values()].map((call) => call.useInput(choice.input)));
      }
    },
  };
  return phone;
}
