/**
 * One call in the IVR: the shell around the pure interpreter. Inputs (keys, prompt ends, timers,
 * recording ends, lookup/queue/ticket results, the hang-up) go through one queue per call and are
 * stepped strictly in order; each step's commands are carried out through the telephony port and
 * the injected services, and their outcomes come back as later inputs. The call stays on the flow
 * version it started with (the compiled flow is fixed at creation). The state is saved at safe
 * points (a node entered, a request made or answered, the end) so a restarted server resumes.
 *
 *   new ─start/resume─► running ─(flow done: hang-up, agent, transfer; or caller gone and done)─► ended
 */
import type { Clock, TimerHandle } from '../../clock.ts';
import { isHotlineError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import type { MediaTarget, PlaybackHandle, RecordingHandle, TelephonyPort } from '../../telephony/port.ts';
import type { Interpreter, IvrCommand, IvrInput, IvrState } from '../interpreter.ts';
import type { CallStateStore, SavedCall } from './call-state-store.ts';
import type { HttpLookup } from './http-lookup.ts';
import type { QueueEntry, TicketIntake, TransferPort } from './runtime-ports.ts';

export interface SessionDeps {
  readonly telephony: TelephonyPort;
  readonly clock: Clock;
  readonly tickets: TicketIntake;
  readonly queue: QueueEntry;
  readonly transfer: TransferPort | undefined;
  readonly lookup: HttpLookup;
  readonly states: CallStateStore;
  readonly onRating?: (rating: { callId: string; flowId: string; rating: 1 | 2 | 3; label: 'satisfied' | 'basically-satisfied' | 'dissatisfied' }) => void;
  /** Told what the call did in the IVR, for its call record: the flow version, each node left with the keys pressed there, the exit. */
  readonly onCallEvent?: (callId: string, event: IvrCallEvent) => void;
}

export type IvrCallEvent =
  | { readonly type: 'flow'; readonly at: number; readonly flowId: string; readonly version: string }
  | { readonly type: 'ivr_node'; readonly at: number; readonly node: string; readonly input?: string }
  | { readonly type: 'ivr_ended'; readonly at: number; readonly exit: string };

export interface CallFacts {
  readonly channelId: string;
  readonly did: string | undefined;
  readonly callerNumber: string;
  readonly alias: 'live' | 'staging';
}

/** An input without its time (the session stamps it when it is fed). */
type Fed = IvrInput extends infer T ? (T extends IvrInput ? Omit<T, 'at'> : never) : never;
type RequestCommand = Extract<IvrCommand, { type: 'enqueue' | 'fileTicket' | 'transfer' }>;

export interface IvrSession {
  readonly channelId: string;
  readonly flowId: string;
  readonly version: string;
  /** The state after the last step (null before the first). */
  state(): IvrState | null;
  feed(input: Fed): void;
  /** The caller hung up (or the channel left the app). */
  callerGone(): void;
  /** Asterisk reported the end of a recording of this call (also after a hang-up). */
  recordingEnded(name: string, durationSec: number | undefined, failed: boolean): void;
  /** Shutdown: stop timers and waits, keep the call and its saved state for the next instance. */
  stop(): void;
  /** Resolves when every queued input has been stepped. */
  idle(): Promise<void>;
}

const PLAYBACK_TIMEOUT_MS = 10 * 60_000;

export function createIvrSession(
  deps: SessionDeps, interpreter: Interpreter, call: CallFacts, log: Logger,
  onEnd: (session: IvrSession) => void, resume?: { state: IvrState; request: RequestCommand | undefined },
): IvrSession {
  const { telephony, clock } = deps;
  const target: MediaTarget = { kind: 'channel', id: call.channelId };
  const abort = new AbortController();
  const timers = new Map<string, TimerHandle>();
  const plays = new Map<string, Promise<PlaybackHandle | undefined>>();
  const recordings = new Map<string, Promise<RecordingHandle | undefined>>();
  let queueAbort: AbortController | undefined;
  let state: IvrState | null = resume?.state ?? null;
  let request: RequestCommand | undefined = resume?.request;
  let chain: Promise<void> = Promise.resolve();
  let gone = false;
  let ended = false;
  let keys = '';
  let enteredAt = clock.now();
  const tell = (event: IvrCallEvent): void => deps.onCallEvent?.(call.channelId, event);

  /** The node just left, with the keys pressed while in it. */
  function leftNode(node: string, at: number): void {
    tell({ type: 'ivr_node', at: enteredAt, node, ...(keys ? { input: keys } : {}) });
    keys = '';
    enteredAt = at;
  }

  const session: IvrSession = {
    channelId: call.channelId, flowId: interpreter.flow.id, version: interpreter.flow.version,
    state: () => state,
    feed(input) {
      const stamped = { ...input, at: clock.now() } as IvrInput;
      chain = chain.then(() => step(stamped)).catch((error: unknown) => log.error({ err: error, input: stamped.type }, 'IVR step failed'));
    },
    callerGone() {
      if (gone) return;
      gone = true;
      queueAbort?.abort();
      session.feed({ type: 'hangup' });
    },
    recordingEnded(name, durationSec, failed) {
      if (state?.pending?.kind === 'recording' && state.pending.id === name) session.feed({ type: 'recordingFinished', recordingId: name, durationSec, failed });
    },
    stop() {
      ended = true;
      for (const timer of timers.values()) timer.cancel();
      timers.clear();
      abort.abort();
    },
    idle: () => chain,
  };

  async function step(input: IvrInput): Promise<void> {
    if (ended) return;
    const before = state;
    const result = before === null
      ? interpreter.start(input as Extract<IvrInput, { type: 'started' }>)
      : interpreter.step(before, input);
    const after = result.state;
    state = after;
    if (before === null) {
      enteredAt = input.at;
      tell({ type: 'flow', at: input.at, flowId: interpreter.flow.id, version: interpreter.flow.version });
    }
    if (input.type === 'dtmf') keys += input.digit;
    if (before !== null && before.node !== after.node) leftNode(before.node, input.at);
    // write-ahead: where the call is goes to the store before anything is done about it, so a
    // restart resumes from here (the node starts again) and never reuses an id already issued
    const safePoint = before === null || before.node !== after.node || before.pending?.id !== after.pending?.id || input.type === 'resumed';
    if (safePoint && after.status !== 'done') await save(after, result.commands);
    for (const command of result.commands) await execute(command, input.at);
    if (!ended && after.status === 'done') await end();
  }

  async function save(current: IvrState, commands: readonly IvrCommand[]): Promise<void> {
    const issued = commands.find((c): c is RequestCommand => c.type === 'enqueue' || c.type === 'fileTicket' || c.type === 'transfer');
    const pending = issued ?? request;
    const saved: SavedCall = { ...call, state: current, ...(pending && current.pending?.id === requestId(pending) ? { request: pending } : {}), savedAt: clock.now() };
    await deps.states.save(saved).catch((error: unknown) => log.warn({ err: error }, 'could not save the IVR state'));
  }

  async function end(): Promise<void> {
    ended = true;
    for (const timer of timers.values()) timer.cancel();
    timers.clear();
    if (gone) queueAbort?.abort();
    abort.abort(gone ? 'caller-left' : 'ended'); // the reason tells a transfer still ringing whether the caller left
    log.info({ exit: state?.exit, nodes: state?.path.length, version: interpreter.flow.version }, 'left the IVR');
    if (state) {
      leftNode(state.node, clock.now());
      tell({ type: 'ivr_ended', at: clock.now(), exit: state.exit?.reason ?? 'ended' }); // the reason (hangup, agent, transferred, …), not the exit object
    }
    await deps.states.remove(call.channelId).catch((error: unknown) => log.warn({ err: error }, 'could not remove the saved IVR state'));
    onEnd(session);
  }

  /**
   * Carries out one command; waits only for the request to be accepted, never for its outcome.
   * Timers count from `at`, the time of the input that started them, not from when they are set.
   */
  async function execute(command: IvrCommand, at: number): Promise<void> {
    switch (command.type) {
      case 'play': return play(command);
      case 'stopPrompt': {
        const handle = await plays.get(command.playId);
        await handle?.stop().catch(() => undefined);
        return;
      }
      case 'startTimer':
        timers.set(command.timerId, clock.setTimeout(() => {
          timers.delete(command.timerId);
          session.feed({ type: 'timer', timerId: command.timerId });
        }, Math.max(0, at + command.ms - clock.now())));
        return;
      case 'cancelTimer':
        timers.get(command.timerId)?.cancel();
        timers.delete(command.timerId);
        return;
      case 'startRecording': return record(command);
      case 'stopRecording': {
        const pending = recordings.get(command.recordingId);
        if (!pending) session.feed({ type: 'recordingFinished', recordingId: command.recordingId }); // resumed: the old handle is gone
        else await (await pending)?.stop().catch(() => undefined);
        return;
      }
      case 'httpRequest': {
        deps.lookup({ ...command, signal: abort.signal })
          .then((result) => session.feed({ type: 'httpResult', requestId: command.requestId, ...result }))
          .catch((error: unknown) => {
            log.warn({ err: error, service: command.service, code: isHotlineError(error) ? error.code : undefined }, 'lookup refused');
            session.feed({ type: 'httpResult', requestId: command.requestId, outcome: 'error' });
          });
        return;
      }
      case 'enqueue': case 'fileTicket': case 'transfer': return issue(command);
      case 'surveyRated':
        log.info({ rating: command.rating, label: command.label }, 'caller rated the call');
        deps.onRating?.({ callId: call.channelId, flowId: interpreter.flow.id, rating: command.rating, label: command.label });
        return;
      case 'hangup':
        if (!gone) await telephony.hangup(call.channelId, command.reason).catch((error: unknown) => log.debug({ err: error }, 'hang-up: channel already gone'));
        return;
      case 'log':
        log[command.level]({ event: command.event, node: command.node, code: command.code, detail: command.detail }, `IVR ${command.event}`);
        return;
    }
  }

  async function play(command: Extract<IvrCommand, { type: 'play' }>): Promise<void> {
    if (gone) return;
    const started = telephony.play(target, command.media, {
      playbackId: `${call.channelId}-${command.playId}`, timeoutMs: PLAYBACK_TIMEOUT_MS, signal: abort.signal,
    }).then((handle) => handle, (error: unknown) => {
      if (!gone && !ended) log.warn({ err: error, media: command.media }, 'playback refused');
      session.feed({ type: 'promptFailed', playId: command.playId });
      return undefined;
    });
    plays.set(command.playId, started);
    const handle = await started;
    handle?.done.then(
      (result) => session.feed({ type: result.outcome === 'failed' ? 'promptFailed' : 'promptFinished', playId: command.playId }),
      () => undefined, // channel gone, aborted: the hang-up input follows
    ).finally(() => plays.delete(command.playId));
  }

  async function record(command: Extract<IvrCommand, { type: 'startRecording' }>): Promise<void> {
    if (gone) return;
    const started = telephony.record(target, {
      name: command.recordingId, format: 'wav', beep: command.beep, maxDurationSeconds: command.maxSeconds,
      ...(command.maxSilenceSeconds !== undefined && { maxSilenceSeconds: command.maxSilenceSeconds }),
      terminateOn: command.terminateKey, ifExists: 'overwrite', timeoutMs: (command.maxSeconds + 60) * 1000, signal: abort.signal,
    }).then((handle) => handle, (error: unknown) => {
      log.warn({ err: error }, 'recording refused');
      session.feed({ type: 'recordingFinished', recordingId: command.recordingId, failed: true });
      return undefined;
    });
    recordings.set(command.recordingId, started);
    const handle = await started;
    handle?.done.then(
      (result) => session.feed({ type: 'recordingFinished', recordingId: command.recordingId, durationSec: result.durationSec, failed: result.result === 'failed' }),
      // on a hang-up the wait ends first; Asterisk's RecordingFinished arrives as an event (recordingEnded)
      () => undefined,
    ).finally(() => recordings.delete(command.recordingId));
  }

  /** Hands a request to its service; the outcome comes back as an input. */
  function issue(command: RequestCommand): void {
    request = command;
    if (command.type === 'fileTicket') {
      deps.tickets.fileFromIvr({
        callId: call.channelId, requestId: command.requestId, flowId: interpreter.flow.id, flowVersion: interpreter.flow.version,
        did: call.did, callerNumber: call.callerNumber, category: command.category, content: command.content,
        recording: command.recording, fields: command.fields,
      }).then(
        ({ ticketId }) => {
          log.info({ ticketId, category: command.category }, 'ticket filed from the IVR');
          session.feed({ type: 'ticketFiled', requestId: command.requestId, ok: true, ticketId });
        },
        (error: unknown) => {
          log.error({ err: error }, 'could not file the IVR ticket');
          session.feed({ type: 'ticketFiled', requestId: command.requestId, ok: false });
        },
      );
      return;
    }
    if (gone) return;
    if (command.type === 'transfer') {
      const done = deps.transfer ? deps.transfer.transfer(call.channelId, command.destination, abort.signal, call.callerNumber) : Promise.resolve(false);
      if (!deps.transfer) log.warn({ destination: command.destination }, 'no transfer service: the transfer takes its failed exit');
      done.then((ok) => session.feed({ type: 'transferResult', requestId: command.requestId, ok }), () => session.feed({ type: 'transferResult', requestId: command.requestId, ok: false }));
      return;
    }
    queueAbort = new AbortController();
    deps.queue.enqueue(call.channelId, command.queue, command.priority, command.vars, {
      channelId: call.channelId, requestId: command.requestId, signal: queueAbort.signal,
      arrivedAt: state?.startedAt ?? clock.now(), callerNumber: call.callerNumber,
      onOutcome: (outcome) => session.feed({ type: 'queueResult', requestId: command.requestId, outcome }),
    }).catch((error: unknown) => {
      log.error({ err: error, queue: command.queue }, 'could not queue the caller');
      session.feed({ type: 'queueResult', requestId: command.requestId, outcome: 'no-agents' });
    });
  }

  if (resume) {
    session.feed({ type: 'resumed' });
    const pending = resume.request;
    if (pending && resume.state.pending?.id === requestId(pending)) chain = chain.then(() => issue(pending));
  }
  return session;
}

function requestId(command: RequestCommand): string {
  return command.requestId;
}
