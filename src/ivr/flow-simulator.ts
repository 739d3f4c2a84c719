/**
 * The headless flow simulator: runs a compiled flow with no phone. A scenario scripts the
 * caller's keys and hang-up (with times), HTTP answers, queue results, ticket filing and the
 * clock; the simulator plays the shell around the pure interpreter on a manual clock and returns
 * the transcript — prompts heard, nodes visited, variables, commands, and how the call left.
 * The same function serves the flow tests (ivr-flows/tests), the CLI and, later, a REST endpoint.
 */
import { createManualClock, type TimerHandle } from '../clock.ts';
import { createInterpreter } from './interpreter.ts';
import type { CompiledFlow, InterpreterEnv, IvrCommand, IvrExit, IvrInput, IvrState } from './interpreter-types.ts';
import type { Scenario, ScriptedAnswer } from './flow-scenario.ts';

export type { Scenario } from './flow-scenario.ts';

/** One prompt the caller heard (or began to hear). */
export interface HeardPrompt {
  readonly at: number;
  readonly node: string;
  readonly lang: string;
  readonly text: string;
  readonly media: readonly string[];
  /** True when a key, a hang-up or the flow cut it short. */
  interrupted: boolean;
}

export interface Transcript {
  readonly flowId: string;
  readonly version: string;
  /** How the call left the flow; null when it still ran at `maxMs`. */
  readonly exit: IvrExit | null;
  /** Milliseconds from arrival to exit (or to `maxMs`). */
  readonly durationMs: number;
  readonly heard: readonly HeardPrompt[];
  readonly nodes: readonly string[];
  readonly vars: Readonly<Record<string, string>>;
  /** Every command with its time (ms after arrival). */
  readonly commands: ReadonlyArray<{ readonly at: number; readonly command: IvrCommand }>;
  readonly steps: number;
  readonly state: IvrState;
}

const defaults = { promptMs: 3_000, digitGapMs: 200, maxMs: 600_000, httpDelayMs: 200, queueAfterMs: 5_000 };

/** Runs one scenario against a compiled flow. */
export async function simulateFlow(flow: CompiledFlow, scenario: Scenario, env: InterpreterEnv): Promise<Transcript> {
  const startAt = scenario.startAt === undefined ? Date.UTC(2026, 10, 23, 2, 0, 0) : Date.parse(scenario.startAt);
  const clock = createManualClock(startAt);
  const interpreter = createInterpreter(flow, env);
  const rel = (): number => clock.now() - startAt;
  const heard: HeardPrompt[] = [];
  const commands: Array<{ at: number; command: IvrCommand }> = [];
  const plays = new Map<string, { handle: TimerHandle; entry: HeardPrompt }>();
  const timers = new Map<string, TimerHandle>();
  const recordings = new Map<string, { startedAt: number; handle: TimerHandle }>();
  const answers = { http: new Map<string, number>(), queue: 0, ticket: 0 };
  let state: IvrState | undefined;
  let callerGone = false;

  const later = (ms: number, input: (at: number) => IvrInput): TimerHandle =>
    clock.setTimeout(() => apply(input(clock.now())), ms);

  function apply(input: IvrInput): void {
    if (state?.status === 'done') return;
    const result = state === undefined
      ? interpreter.start(input as Extract<IvrInput, { type: 'started' }>)
      : interpreter.step(state, input);
    state = result.state;
    for (const command of result.commands) execute(command);
  }

  function execute(command: IvrCommand): void {
    commands.push({ at: rel(), command });
    switch (command.type) {
      case 'play': {
        const entry: HeardPrompt = { at: rel(), node: command.node, lang: command.lang, text: command.text, media: command.media, interrupted: false };
        heard.push(entry);
        const ms = scenario.promptMs?.[command.node] ?? scenario.defaultPromptMs ?? defaults.promptMs;
        const handle = clock.setTimeout(() => {
          plays.delete(command.playId);
          apply({ type: 'promptFinished', playId: command.playId, at: clock.now() });
        }, ms);
        plays.set(command.playId, { entry, handle });
        return;
      }
      case 'stopPrompt': {
        const play = plays.get(command.playId);
        if (play !== undefined) { play.handle.cancel(); play.entry.interrupted = true; plays.delete(command.playId); }
        return;
      }
      case 'startTimer':
        timers.set(command.timerId, later(command.ms, (at) => ({ type: 'timer', timerId: command.timerId, at })));
        return;
      case 'cancelTimer': timers.get(command.timerId)?.cancel(); timers.delete(command.timerId); return;
      case 'startRecording': {
        const recordingId = command.recordingId;
        const handle = later(command.maxSeconds * 1000, (at) => ({ type: 'recordingFinished', recordingId, durationSec: command.maxSeconds, at }));
        recordings.set(recordingId, { startedAt: clock.now(), handle });
        return;
      }
      case 'stopRecording': endRecording(command.recordingId); return;
      case 'httpRequest': {
        const answer = pick(scenario.http?.[command.service], answers.http, command.service);
        const outcome = answer?.outcome ?? 'error';
        later(answer?.afterMs ?? defaults.httpDelayMs, (at) => ({ type: 'httpResult', requestId: command.requestId, outcome, body: answer?.body, at }));
        return;
      }
      case 'enqueue': {
        const answer = scenario.queue?.[answers.queue++] ?? { outcome: 'answered' as const };
        later(answer.afterMs ?? defaults.queueAfterMs, (at) => ({ type: 'queueResult', requestId: command.requestId, outcome: answer.outcome, at }));
        return;
      }
      case 'transfer': {
        const ok = scenario.transferOk ?? true;
        later(1_000, (at) => ({ type: 'transferResult', requestId: command.requestId, ok, at }));
        return;
      }
      case 'fileTicket': {
        answers.ticket += 1;
        const ok = scenario.ticketOk ?? true;
        const ticketId = `T-SIM-${answers.ticket}`;
        later(100, (at) => ({ type: 'ticketFiled', requestId: command.requestId, ok, ticketId, at }));
        return;
      }
      case 'hangup': callerGone = true; markStopped(); return;
      case 'surveyRated': case 'log': return;
    }
  }

  function endRecording(recordingId: string): void {
    const recording = recordings.get(recordingId);
    if (recording === undefined) return;
    recording.handle.cancel();
    recordings.delete(recordingId);
    const durationSec = Math.round((clock.now() - recording.startedAt) / 1000);
    later(0, (at) => ({ type: 'recordingFinished', recordingId, durationSec, at }));
  }

  function markStopped(): void {
    for (const play of plays.values()) { play.handle.cancel(); play.entry.interrupted = true; }
    plays.clear();
  }

  apply({ type: 'started', callId: scenario.callId ?? 'sim-call-1', lang: scenario.lang, vars: scenario.vars, at: startAt });
  scheduleScript(scenario, (ms, fn) => clock.setTimeout(() => { if (!callerGone) fn(); }, ms), (input) => {
    if (input.type === 'hangup') {
      callerGone = true;
      markStopped();
      apply({ type: 'hangup', at: clock.now() });
      for (const id of [...recordings.keys()]) endRecording(id); // Asterisk ends the recording with the channel
      return;
    }
    apply({ ...input, at: clock.now() });
  });

  const maxMs = scenario.maxMs ?? defaults.maxMs;
  while (state?.status !== 'done' && rel() < maxMs) await clock.advance(Math.min(1_000, maxMs - rel()));
  const final = state!;
  return {
    flowId: flow.id, version: flow.version, exit: final.exit,
    durationMs: final.exit === null ? rel() : final.exit.at - startAt,
    heard, nodes: final.path, vars: final.vars, commands, steps: final.steps, state: final,
  };
}

function pick(answer: ScriptedAnswer | ScriptedAnswer[] | undefined, used: Map<string, number>, key: string): ScriptedAnswer | undefined {
  if (!Array.isArray(answer)) return answer;
  const n = used.get(key) ?? 0;
  used.set(key, n + 1);
  return answer[Math.min(n, answer.length - 1)];
}

type CallerInput = { type: 'dtmf'; digit: string } | { type: 'hangup' };

function scheduleScript(scenario: Scenario, at: (ms: number, fn: () => void) => void, deliver: (input: CallerInput) => void): void {
  for (const event of scenario.events ?? []) {
    if (event.hangup === true) { at(event.at, () => deliver({ type: 'hangup' })); continue; }
    const gap = event.gapMs ?? defaults.digitGapMs;
    [...(event.dtmf ?? '')].forEach((digit, i) => at(event.at + i * gap, () => deliver({ type: 'dtmf', digit })));
  }
}
