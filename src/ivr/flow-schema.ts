/**
 * The IVR flow format, as TypeBox definitions: one schema gives the TypeScript types, the
 * validation the linter runs, and ivr-flows/schema/flow.schema.json (written by
 * `scripts/flows-check.ts --write-schema`; a test checks the file is current).
 *
 * Every exit of a node lives under `next` (or `options/<key>/next`, `cases/<i>/next`,
 * `default`), so the linter and the coverage report name exits by JSON path.
 */
import Type, { type Static } from 'typebox';

/** Node ids: lower-case, safe as object keys and in recording names. */
export const NodeId = Type.String({ pattern: '^[a-z][a-z0-9_]{0,47}$', description: 'a node id' });
/** Variable names. */
export const VarName = Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$', description: 'a variable name' });
/** Catalogue ids (queues, services, calendars, schedules, destinations). */
export const CatalogueId = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,47}$' });
/** Language tags the flows use, e.g. `zh-CN`, `en`. */
export const LanguageTag = Type.String({ pattern: '^[a-z]{2}(-[A-Z]{2})?$' });
/** A key sequence a menu option answers to: 1 to 4 of 0-9 * #. */
export const MenuKey = '^[0-9*#]{1,4}$';

/** One language's version of a prompt: a recorded sound, text for TTS, or both (text = transcript). */
export const PromptVariant = Type.Object({
  sound: Type.Optional(Type.String({ pattern: '^sound:[a-z0-9][a-z0-9/_-]{0,127}$', description: 'Asterisk sound URI without extension' })),
  text: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'text for TTS; may hold {{var}} or {{var|default}}' })),
}, { additionalProperties: false, minProperties: 1 });

/** A prompt: one variant per language of the flow. */
export const Prompt = Type.Record(LanguageTag, PromptVariant, { minProperties: 1, additionalProperties: false });

const Ms = (min: number, max: number) => Type.Integer({ minimum: min, maximum: max });
const Attempts = Type.Integer({ minimum: 1, maximum: 9 });
const Template = Type.String({ maxLength: 1000 });

const inputCommon = {
  shortPrompt: Type.Optional(Prompt),
  noInputPrompts: Type.Optional(Type.Array(Prompt, { maxItems: 9, description: 'escalating, by attempt' })),
  noMatchPrompts: Type.Optional(Type.Array(Prompt, { maxItems: 9, description: 'escalating, by attempt' })),
  firstDigitTimeoutMs: Type.Optional(Ms(500, 60_000)),
  interDigitTimeoutMs: Type.Optional(Ms(500, 30_000)),
  maxNoInput: Type.Optional(Attempts),
  maxNoMatch: Type.Optional(Attempts),
  bargeIn: Type.Optional(Type.Boolean()),
  flushTypeAhead: Type.Optional(Type.Boolean()),
};
const title = { title: Type.Optional(Type.String({ maxLength: 200 })) };
const strict = { additionalProperties: false } as const;

export const PlayNode = Type.Object({
  type: Type.Literal('play'), ...title, prompt: Prompt, bargeIn: Type.Optional(Type.Boolean()), next: NodeId,
}, strict);

export const MenuNode = Type.Object({
  type: Type.Literal('menu'), ...title, prompt: Prompt, ...inputCommon,
  options: Type.Record(Type.String({ pattern: MenuKey }), Type.Object({ next: NodeId, label: Type.Optional(Type.String({ maxLength: 100 })) }, strict), { minProperties: 1, additionalProperties: false }),
  next: Type.Object({ noInput: NodeId, noMatch: NodeId }, strict),
}, strict);

export const CollectNode = Type.Object({
  type: Type.Literal('collect'), ...title, prompt: Prompt, ...inputCommon,
  minDigits: Type.Integer({ minimum: 1, maximum: 32 }),
  maxDigits: Type.Integer({ minimum: 1, maximum: 32 }),
  terminator: Type.Optional(Type.Union([Type.Literal('#'), Type.Literal('*')])),
  pattern: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  into: VarName,
  next: Type.Object({ ok: NodeId, noInput: NodeId, noMatch: NodeId }, strict),
}, strict);

export const RecordNode = Type.Object({
  type: Type.Literal('record'), ...title, prompt: Type.Optional(Prompt),
  beep: Type.Optional(Type.Boolean()),
  maxSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 600 })),
  maxSilenceSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 })),
  terminateKey: Type.Optional(Type.Union([Type.Literal('#'), Type.Literal('*'), Type.Literal('any'), Type.Literal('none')])),
  into: VarName,
  onHangup: Type.Optional(NodeId),
  next: NodeId,
}, strict);

export const HttpNode = Type.Object({
  type: Type.Literal('http'), ...title,
  service: CatalogueId,
  method: Type.Union([Type.Literal('GET'), Type.Literal('POST')]),
  url: Type.String({ pattern: '^/', maxLength: 500, description: 'path under the service base; {{var}} values are URL-encoded' }),
  body: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,31}$' }), Template, strict)),
  timeoutMs: Type.Optional(Ms(100, 8_000)),
  assign: Type.Optional(Type.Record(VarName, Type.String({ pattern: '^(/[^/]*)*$', description: 'JSON pointer into the response body' }), strict)),
  optional: Type.Optional(Type.Array(VarName, { uniqueItems: true, description: 'assigned variables the answer may lack (left unset; others missing take the error exit)' })),
  filler: Type.Optional(Prompt),
  fillerAfterMs: Type.Optional(Ms(0, 8_000)),
  next: Type.Object({ ok: NodeId, error: NodeId, timeout: NodeId }, strict),
}, strict);

export const HoursNode = Type.Object({
  type: Type.Literal('hours'), ...title, schedule: CatalogueId, calendar: CatalogueId,
  next: Type.Object({ open: NodeId, closed: NodeId, holiday: NodeId }, strict),
}, strict);

export const ConditionOps = ['eq', 'ne', 'in', 'matches', 'set', 'unset', 'lt', 'gt'] as const;
export const Condition = Type.Object({
  var: VarName,
  op: Type.Union([Type.Literal('eq'), Type.Literal('ne'), Type.Literal('in'), Type.Literal('matches'), Type.Literal('set'), Type.Literal('unset'), Type.Literal('lt'), Type.Literal('gt')]),
  value: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Array(Type.String({ maxLength: 200 }), { maxItems: 50 })])),
}, strict);

export const ConditionNode = Type.Object({
  type: Type.Literal('condition'), ...title,
  cases: Type.Array(Type.Object({ when: Condition, next: NodeId }, strict), { minItems: 1, maxItems: 50 }),
  default: NodeId,
}, strict);

export const SetNode = Type.Object({
  type: Type.Literal('set'), ...title,
  vars: Type.Record(VarName, Template, { minProperties: 1, additionalProperties: false }),
  next: NodeId,
}, strict);

export const QueueNode = Type.Object({
  type: Type.Literal('queue'), ...title, queue: CatalogueId,
  priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 9 })),
  vars: Type.Optional(Type.Record(VarName, Template, strict)),
  next: Type.Object({ timeout: NodeId, full: NodeId, noAgents: NodeId }, strict),
}, strict);

export const TransferNode = Type.Object({
  type: Type.Literal('transfer'), ...title, destination: CatalogueId,
  next: Type.Object({ failed: NodeId }, strict),
}, strict);

export const TicketCategories = ['consultation', 'help', 'complaint', 'report', 'suggestion', 'praise', 'other'] as const;
export const TicketNode = Type.Object({
  type: Type.Literal('ticket'), ...title,
  category: Type.Union([Type.Literal('consultation'), Type.Literal('help'), Type.Literal('complaint'), Type.Literal('report'), Type.Literal('suggestion'), Type.Literal('praise'), Type.Literal('other')]),
  content: Template,
  recording: Type.Optional(VarName),
  fields: Type.Optional(Type.Record(VarName, Template, strict)),
  next: Type.Object({ ok: NodeId, error: NodeId }, strict),
}, strict);

export const SurveyNode = Type.Object({
  type: Type.Literal('survey'), ...title, prompt: Prompt, retryPrompt: Type.Optional(Prompt),
  into: Type.Optional(VarName),
  timeoutMs: Type.Optional(Ms(1_000, 30_000)),
  next: Type.Object({ rated: NodeId, noRating: NodeId }, strict),
}, strict);

export const GotoNode = Type.Object({ type: Type.Literal('goto'), ...title, next: NodeId }, strict);

/** Flow ids (the `id` of a flow document). */
export const FlowId = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,47}$' });

/** Runs another flow's nodes; when that flow reaches a `return` node the call goes on at `next`. */
export const SubflowNode = Type.Object({ type: Type.Literal('subflow'), ...title, flow: FlowId, next: NodeId }, strict);

/** Ends a subflow: back to the calling flow's `next`. In a flow run on its own it ends the call like `hangup`. */
export const ReturnNode = Type.Object({ type: Type.Literal('return'), ...title }, strict);

export const HangupNode = Type.Object({
  type: Type.Literal('hangup'), ...title,
  reason: Type.Optional(Type.Union([Type.Literal('normal'), Type.Literal('busy'), Type.Literal('congestion')])),
}, strict);

/** Every node type's schema, by `type`. */
export const nodeSchemas = {
  play: PlayNode, menu: MenuNode, collect: CollectNode, record: RecordNode, http: HttpNode,
  hours: HoursNode, condition: ConditionNode, set: SetNode, queue: QueueNode, transfer: TransferNode,
  ticket: TicketNode, survey: SurveyNode, goto: GotoNode, hangup: HangupNode, subflow: SubflowNode, return: ReturnNode,
} as const;

export type NodeType = keyof typeof nodeSchemas;
export const nodeTypes = Object.keys(nodeSchemas) as NodeType[];

export const FlowNode = Type.Union([
  PlayNode, MenuNode, CollectNode, RecordNode, HttpNode, HoursNode, ConditionNode, SetNode, QueueNode, TransferNode,
  TicketNode, SurveyNode, GotoNode, HangupNode, SubflowNode, ReturnNode,
]);

/** The flow document without its nodes' bodies (checked node by node for precise messages). */
const flowFields = {
  $schema: Type.Optional(Type.String()),
  id: FlowId,
  title: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  languages: Type.Array(LanguageTag, { minItems: 1, maxItems: 8, uniqueItems: true, description: 'the first is the default' }),
  entry: NodeId,
  onHangup: Type.Optional(NodeId),
  stepBudget: Type.Optional(Type.Integer({ minimum: 10, maximum: 10_000 })),
  fallbackQueue: Type.Optional(CatalogueId),
};

export const FlowShell = Type.Object({
  ...flowFields,
  nodes: Type.Record(Type.String(), Type.Object({ type: Type.String() }), { minProperties: 1 }),
}, strict);

export const Flow = Type.Object({
  ...flowFields,
  nodes: Type.Record(NodeId, FlowNode, { minProperties: 1, additionalProperties: false }),
}, { ...strict, $id: 'https://hotline.example/schemas/ivr-flow.json', title: 'Hotline IVR flow' });

export type Prompt = Static<typeof Prompt>;
export type PromptVariant = Static<typeof PromptVariant>;
export type Condition = Static<typeof Condition>;
export type Flow = Static<typeof Flow>;
export type FlowNode = Static<typeof FlowNode>;
export type NodeOf<T extends NodeType> = Extract<FlowNode, { type: T }>;

/** The JSON Schema document written to ivr-flows/schema/flow.schema.json. */
export function flowJsonSchema(): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(Flow)) as Record<string, unknown>;
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', ...plain };
}
