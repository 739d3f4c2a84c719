/**
 * The scenario format of the headless flow simulator and of flow test files
 * (ivr-flows/tests/*.json): what the caller does and how the world answers, and what the test
 * expects to see. TypeBox schemas, so test files are validated like flows.
 */
import Type, { type Static } from 'typebox';

const Ms = Type.Integer({ minimum: 0, maximum: 3_600_000 });

export const ScriptedEvent = Type.Object({
  /** ms after the call arrived. */
  at: Ms,
  /** Keys to press, `gapMs` apart (default 200). */
  dtmf: Type.Optional(Type.String({ pattern: '^[0-9*#A-D]{1,40}$' })),
  gapMs: Type.Optional(Ms),
  hangup: Type.Optional(Type.Literal(true)),
}, { additionalProperties: false });

export const ScriptedAnswer = Type.Object({
  outcome: Type.Union([Type.Literal('ok'), Type.Literal('error'), Type.Literal('timeout')]),
  body: Type.Optional(Type.Unknown()),
  /** ms after the request (default 200). */
  afterMs: Type.Optional(Ms),
}, { additionalProperties: false });

export const QueueAnswer = Type.Object({
  outcome: Type.Union([Type.Literal('answered'), Type.Literal('timeout'), Type.Literal('full'), Type.Literal('no-agents')]),
  afterMs: Type.Optional(Ms),
}, { additionalProperties: false });

export const Scenario = Type.Object({
  callId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' })),
  lang: Type.Optional(Type.String()),
  /** Variables the shell sets at arrival (caller_number, did). */
  vars: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$' }), Type.String())),
  /** ISO time of arrival (default 2026-11-23T10:00:00+08:00, a Monday). */
  startAt: Type.Optional(Type.String({ format: 'date-time' })),
  events: Type.Optional(Type.Array(ScriptedEvent)),
  /** Answers per service id: one for every request, or a list used in order (the last repeats). */
  http: Type.Optional(Type.Record(Type.String(), Type.Union([ScriptedAnswer, Type.Array(ScriptedAnswer, { minItems: 1 })]))),
  /** Queue results in order of enqueue (default: answered after 5 s). */
  queue: Type.Optional(Type.Array(QueueAnswer)),
  transferOk: Type.Optional(Type.Boolean()),
  ticketOk: Type.Optional(Type.Boolean()),
  /** How long prompts play: per node, else the default (3000 ms). */
  promptMs: Type.Optional(Type.Record(Type.String(), Ms)),
  defaultPromptMs: Type.Optional(Ms),
  /** Stop simulating after this long (default 10 min). */
  maxMs: Type.Optional(Ms),
}, { additionalProperties: false });

export const Expectation = Type.Object({
  /** How the call leaves: hangup, caller-hangup, agent, transferred, step-budget, or running. */
  exit: Type.Optional(Type.String()),
  /** The exit node. */
  exitNode: Type.Optional(Type.String()),
  /** Nodes visited, in this order (others may come between). */
  nodes: Type.Optional(Type.Array(Type.String())),
  /** Nodes never visited. */
  notNodes: Type.Optional(Type.Array(Type.String())),
  /** Text fragments heard, in this order. */
  heard: Type.Optional(Type.Array(Type.String())),
  /** Variables and their values at the end. */
  vars: Type.Optional(Type.Record(Type.String(), Type.String())),
  /** Commands that must appear (fields compared as given), in this order. */
  commands: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()))),
  /** Upper bound on ms from arrival to exit. */
  maxDurationMs: Type.Optional(Ms),
}, { additionalProperties: false });

export const FlowTestCase = Type.Object({
  name: Type.String({ minLength: 1 }),
  ...Scenario.properties,
  expect: Expectation,
}, { additionalProperties: false });

export const FlowTestSuite = Type.Object({
  $schema: Type.Optional(Type.String()),
  flow: Type.String(),
  cases: Type.Array(FlowTestCase, { minItems: 1 }),
}, { additionalProperties: false });

export type ScriptedAnswer = Static<typeof ScriptedAnswer>;
export type Scenario = Static<typeof Scenario>;
export type Expectation = Static<typeof Expectation>;
export type FlowTestCase = Static<typeof FlowTestCase>;
export type FlowTestSuite = Static<typeof FlowTestSuite>;
