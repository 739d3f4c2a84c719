import { describe, expect, it } from 'vitest';
import { isHotlineError } from '../../src/errors.ts';
import { defaultCatalogue } from '../../src/ivr/catalogue.ts';
import { simulateFlow } from '../../src/ivr/flow-simulator.ts';
import { evaluateHours } from '../../src/ivr/hours.ts';
import { createInterpreter } from '../../src/ivr/interpreter.ts';
import { env, flowOf, say } from './support.ts';

const feedbackFlow = (withHandler: boolean) => flowOf({
  intro: { type: 'play', prompt: say('请留言'), next: 'message' },
  message: {
    type: 'record', maxSeconds: 120, terminateKey: '#', into: 'message', next: 'file',
    ...(withHandler ? { onHangup: 'file' } : {}),
  },
  file: { type: 'ticket', category: 'suggestion', content: '留言 {{message_seconds}} 秒', recording: 'message', next: { ok: 'thanks', error: 'thanks' } },
  thanks: { type: 'play', prompt: say('谢谢'), next: 'bye' },
  bye: { type: 'hangup' },
});

describe('the interpreter on a whole call', () => {
  describe('when the caller hangs up while recording', () => {
    it('still files the ticket with the recording cut off by the hang-up', async () => {
      const t = await simulateFlow(feedbackFlow(true), { events: [{ at: 13000, hangup: true }] }, env);
      const ticket = t.commands.find((c) => c.command.type === 'fileTicket');
      expect(ticket?.command).toMatchObject({ category: 'suggestion', content: '留言 10 秒', recording: 'ivr/sim-call-1/message-r2' });
      expect(t.exit).toMatchObject({ reason: 'caller-hangup' });
      // nothing is played to a caller who is gone, and nobody hangs up twice
      expect(t.heard.map((h) => h.text)).toEqual(['请留言']);
      expect(t.commands.some((c) => c.command.type === 'hangup')).toBe(false);
    });

    it('files nothing when the record node has no hang-up handler', async () => {
      const t = await simulateFlow(feedbackFlow(false), { events: [{ at: 13000, hangup: true }] }, env);
      expect(t.commands.some((c) => c.command.type === 'fileTicket')).toBe(false);
      expect(t.exit?.reason).toBe('caller-hangup');
    });

    it('files nothing when the caller hangs up before the recording started', async () => {
      const t = await simulateFlow(feedbackFlow(true), { events: [{ at: 1000, hangup: true }] }, env);
      expect(t.commands.some((c) => c.command.type === 'startRecording' || c.command.type === 'fileTicket')).toBe(false);
    });

    it('uses the recording name even when Asterisk never reports the end', () => {
      const interpreter = createInterpreter(feedbackFlow(true), { ...env, recordingGraceMs: 2000 });
      let { state } = interpreter.start({ type: 'started', callId: 'c1', at: 0 });
      state = interpreter.step(state, { type: 'promptFinished', playId: state.play!.id, at: 3000 }).state;
      state = interpreter.step(state, { type: 'hangup', at: 9000 }).state;
      const grace = Object.values(state.timers)[0]!;
      const { commands } = interpreter.step(state, { type: 'timer', timerId: grace, at: 11000 });
      expect(commands).toContainEqual(expect.objectContaining({ type: 'fileTicket', recording: 'ivr/c1/message-r2' }));
    });
  });

  describe('when the caller hangs up elsewhere', () => {
    it('runs the flow-level hang-up handler without audio', async () => {
      const flow = flowOf({
        menu: { type: 'menu', prompt: say('请选择'), options: { 1: { next: 'agent' } }, next: { noInput: 'agent', noMatch: 'agent' } },
        agent: { type: 'queue', queue: 'general', next: { timeout: 'bye', full: 'bye', noAgents: 'bye' } },
        note: { type: 'set', vars: { abandoned: 'yes' }, next: 'bye' },
        bye: { type: 'hangup' },
      }, { onHangup: 'note' });
      const t = await simulateFlow(flow, { events: [{ at: 1000, hangup: true }] }, env);
      expect(t.nodes).toEqual(['menu', 'note', 'bye']);
      expect(t.vars.abandoned).toBe('yes');
      expect(t.exit?.reason).toBe('caller-hangup');
    });
  });

  describe('when a flow loops without end', () => {
    const loop = flowOf({
      agent: { type: 'queue', queue: 'transport', next: { timeout: 'sorry', full: 'sorry', noAgents: 'sorry' } },
      sorry: { type: 'play', prompt: say('请稍候'), bargeIn: true, next: 'agent' },
    }, { stepBudget: 20 });

    it('stops at the step budget, logs it and sends the caller to the fallback queue', async () => {
      const noAgents = Array.from({ length: 40 }, () => ({ outcome: 'no-agents' as const, afterMs: 0 }));
      const t = await simulateFlow(loop, { defaultPromptMs: 100, queue: [...noAgents.slice(0, 10), { outcome: 'answered', afterMs: 0 }] }, env);
      const log = t.commands.find((c) => c.command.type === 'log' && c.command.event === 'step-budget');
      expect(log?.command).toMatchObject({ level: 'warn', code: 'IVR_STEP_BUDGET' });
      expect(t.commands.at(-1)?.command).toMatchObject({ type: 'enqueue', queue: 'general', priority: 9, vars: { reason: 'step-budget' } });
      expect(t.steps).toBe(20);
      expect(t.exit?.reason).toBe('agent');
    });

    it('hangs up with the step-budget exit when the fallback queue cannot take the call', async () => {
      const t = await simulateFlow(loop, { defaultPromptMs: 100, queue: Array.from({ length: 40 }, () => ({ outcome: 'no-agents' as const, afterMs: 0 })) }, env);
      expect(t.exit?.reason).toBe('step-budget');
      expect(t.commands.at(-1)?.command).toEqual({ type: 'hangup', reason: 'congestion' });
    });

    it('lets the environment set a smaller budget than the flow', async () => {
      const t = await simulateFlow(loop, { defaultPromptMs: 100, queue: Array.from({ length: 40 }, () => ({ outcome: 'no-agents' as const, afterMs: 0 })) }, { ...env, stepBudget: 6 });
      expect(t.steps).toBe(6);
    });
  });

  describe('when a lookup is slow', () => {
    const lookup = flowOf({
      ask: { type: 'http', service: 'customs-parcel', method: 'GET', url: '/parcels/{{caller_number|0}}/a b', timeoutMs: 3000, filler: say('请稍候'), fillerAfterMs: 1000, assign: { status: '/status' }, next: { ok: 'tell', error: 'bye', timeout: 'late' } },
      tell: { type: 'play', prompt: say('状态{{status}}'), next: 'bye' },
      late: { type: 'play', prompt: say('查询超时'), next: 'bye' },
      bye: { type: 'hangup' },
    });

    it('plays the filler after the delay and gives up at the timeout', async () => {
      const t = await simulateFlow(lookup, { http: { 'customs-parcel': { outcome: 'ok', afterMs: 5000, body: { status: 'x' } } } }, env);
      expect(t.heard.map((h) => [h.at, h.text])).toEqual([[1000, '请稍候'], [3000, '查询超时']]);
      expect(t.heard[0]!.interrupted).toBe(true);
    });

    it('URL-encodes variables into the path and reads the answer into variables', async () => {
      const t = await simulateFlow(lookup, { vars: { caller_number: '1/2?' }, http: { 'customs-parcel': { outcome: 'ok', afterMs: 500, body: { status: '已放行' } } } }, env);
      expect(t.commands[0]?.command).toMatchObject({ type: 'httpRequest', path: '/parcels/1%2F2%3F/a b' });
      const climb = await simulateFlow(lookup, { vars: { caller_number: '../admin' } }, env);
      expect(climb.commands[0]?.command).toMatchObject({ path: '/parcels/%2E%2E%2Fadmin/a b' });
      expect(t.heard.map((h) => h.text)).toEqual(['状态已放行']);
    });
  });

  describe('when the call carries a flow version', () => {
    const flow = feedbackFlow(true);
    const other = flowOf({ intro: { type: 'play', prompt: say('新版本'), next: 'bye' }, bye: { type: 'hangup' } });

    it('refuses a step with another version of the flow', () => {
      const { state } = createInterpreter(flow, env).start({ type: 'started', callId: 'c1', at: 0 });
      const wrong = createInterpreter({ ...other, id: flow.id }, env);
      expect(() => wrong.step(state, { type: 'dtmf', digit: '1', at: 1 })).toThrow(expect.objectContaining({ code: 'IVR_VERSION_MISMATCH' }));
    });

    it('continues the same way from a state that went through JSON (a restart at a safe point)', () => {
      const interpreter = createInterpreter(flow, env);
      const first = interpreter.start({ type: 'started', callId: 'c1', at: 0 });
      const input = { type: 'promptFinished' as const, playId: first.state.play!.id, at: 3000 };
      const direct = interpreter.step(first.state, input);
      const stored = interpreter.step(JSON.parse(JSON.stringify(first.state)), input);
      expect(stored).toEqual(direct);
    });

    it('never changes the state it was given', () => {
      const interpreter = createInterpreter(flow, env);
      const { state } = interpreter.start({ type: 'started', callId: 'c1', at: 0 });
      const before = JSON.stringify(state);
      interpreter.step(state, { type: 'promptFinished', playId: state.play!.id, at: 3000 });
      expect(JSON.stringify(state)).toBe(before);
    });

    it('replays the current prompt when resumed after a restart', () => {
      const interpreter = createInterpreter(flow, env);
      const { state } = interpreter.start({ type: 'started', callId: 'c1', at: 0 });
      const { commands } = interpreter.step(state, { type: 'resumed', at: 5000 });
      expect(commands).toEqual([expect.objectContaining({ type: 'play', text: '请留言' })]);
    });
  });

  describe('when inputs come late or malformed', () => {
    it('ignores a timer that was cancelled', () => {
      const flow = flowOf({
        menu: { type: 'menu', prompt: say('请选择'), options: { 1: { next: 'bye' } }, next: { noInput: 'bye', noMatch: 'bye' } },
        bye: { type: 'hangup' },
      });
      const interpreter = createInterpreter(flow, env);
      let { state } = interpreter.start({ type: 'started', callId: 'c1', at: 0 });
      state = interpreter.step(state, { type: 'promptFinished', playId: state.play!.id, at: 3000 }).state;
      const timerId = state.timers.input!;
      state = interpreter.step(state, { type: 'promptFinished', playId: 'play-99', at: 3100 }).state;
      const { commands } = interpreter.step(state, { type: 'timer', timerId: 'input-0', at: 3200 });
      expect(commands).toEqual([]);
      expect(interpreter.step(state, { type: 'timer', timerId, at: 13000 }).commands.length).toBeGreaterThan(0);
    });

    it('rejects a DTMF input that is not one key', () => {
      const interpreter = createInterpreter(feedbackFlow(true), env);
      const { state } = interpreter.start({ type: 'started', callId: 'c1', at: 0 });
      let caught: unknown;
      try { interpreter.step(state, { type: 'dtmf', digit: '12', at: 1 }); } catch (e) { caught = e; }
      expect(isHotlineError(caught, 'IVR_BAD_INPUT')).toBe(true);
    });
  });
});

describe('evaluateHours', () => {
  const at = (iso: string): number => Date.parse(iso);
  const office = defaultCatalogue.schedules.office!;
  const cn = defaultCatalogue.calendars.cn!;

  describe('when asked on ordinary days', () => {
    it('is open on a weekday morning and closed at lunch, at night and on Sunday (China time)', () => {
      expect(evaluateHours(office, cn, at('2026-11-23T09:00:00+08:00'))).toBe('open');
      expect(evaluateHours(office, cn, at('2026-11-23T12:30:00+08:00'))).toBe('closed');
      expect(evaluateHours(office, cn, at('2026-11-23T23:00:00+08:00'))).toBe('closed');
      expect(evaluateHours(office, cn, at('2026-11-22T10:00:00+08:00'))).toBe('closed');
    });
  });

  describe('when asked on holidays and make-up days', () => {
    it('answers holiday on a public holiday and open on a weekend make-up working day', () => {
      expect(evaluateHours(office, cn, at('2026-10-01T10:00:00+08:00'))).toBe('holiday');
      expect(evaluateHours(office, cn, at('2026-02-14T10:00:00+08:00'))).toBe('open');
    });
  });
});
