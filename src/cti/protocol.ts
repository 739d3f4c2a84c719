/**
 * The CTI WebSocket protocol (docs/cti-protocol.md): the messages a desktop sends — commands
 * `{ id, type, ...payload }` — and what the server sends back — one `reply` per command and
 * `event`s on the topics the connection follows. Schemas are TypeBox; types are derived from them.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { HotlineError } from '../errors.ts';

/** Names accepted for topics, queues and users inside a topic. */
const NAME = '[A-Za-z0-9._-]{1,64}';

/** A topic: `agent:<username>`, `supervisor` (every queue and agent) or `queue:<id>`. */
export const Topic = Type.String({ pattern: `^(agent:${NAME}|supervisor|queue:${NAME})$`, maxLength: 80 });
export type Topic = Static<typeof Topic>;

/** An event id: the id of its entry in the topic's stream, `<ms>-<seq>`, monotonic per topic. */
export const EVENT_ID_PATTERN = '^\\d{1,20}-\\d{1,20}$';
export const EventId = Type.String({ pattern: EVENT_ID_PATTERN });

const MessageId = Type.String({ minLength: 1, maxLength: 64 });
const CallId = Type.String({ pattern: `^${NAME}$` });
const Reason = Type.String({ minLength: 1, maxLength: 64 });
/** Where a consult or transfer goes: an expert skill or queue through the ACD, or an allow-listed number. */
const Target = Type.Union([
  Type.Object({ skill: Type.String({ pattern: `^${NAME}$` }) }, { additionalProperties: false }),
  Type.Object({ queue: Type.String({ pattern: `^${NAME}$` }) }, { additionalProperties: false }),
  Type.Object({ number: Type.String({ pattern: '^[0-9]{3,20}$' }) }, { additionalProperties: false }),
]);

function command<T extends string, P extends Record<string, TSchema>>(type: T, payload: P) {
  return Type.Object({ id: MessageId, type: Type.Literal(type), ...payload }, { additionalProperties: false });
}

/** Every command, by type. Agent and call commands go to handlers the server registers. */
export const commandSchemas = {
  'agent.login': command('agent.login', {
    extension: Type.Optional(Type.String({ pattern: '^[0-9A-Za-z_-]{1,32}$' })),
    skills: Type.Optional(Type.Array(Type.String({ pattern: `^${NAME}$` }), { maxItems: 32 })),
  }),
  'agent.logout': command('agent.logout', {}),
  'agent.ready': command('agent.ready', {}),
  'agent.notReady': command('agent.notReady', { reason: Reason }),
  'agent.endWrapUp': command('agent.endWrapUp', {}),
  'call.answer': command('call.answer', { callId: CallId }),
  'call.decline': command('call.decline', { callId: CallId }),
  'call.hold': command('call.hold', { callId: CallId }),
  'call.unhold': command('call.unhold', { callId: CallId }),
  'call.hangup': command('call.hangup', { callId: CallId }),
  'call.consult': command('call.consult', { callId: CallId, target: Target }),
  'call.cancelConsult': command('call.cancelConsult', { callId: CallId }),
  'call.conference': command('call.conference', { callId: CallId }),
  'call.completeTransfer': command('call.completeTransfer', { callId: CallId }),
  'call.transfer': command('call.transfer', { callId: CallId, target: Target }),
  'call.emergency': command('call.emergency', { callId: CallId, service: Type.Union([Type.Literal('110'), Type.Literal('119'), Type.Literal('120'), Type.Literal('122')]) }),
  'supervisor.monitor': command('supervisor.monitor', { callId: CallId }),
  'supervisor.whisper': command('supervisor.whisper', { callId: CallId }),
  'supervisor.barge': command('supervisor.barge', { callId: CallId }),
  'supervisor.takeOver': command('supervisor.takeOver', { callId: CallId }),
  'supervisor.leave': command('supervisor.leave', { callId: CallId }),
  subscribe: command('subscribe', { topics: Type.Array(Topic, { minItems: 1, maxItems: 64 }) }),
  unsubscribe: command('unsubscribe', { topics: Type.Array(Topic, { minItems: 1, maxItems: 64 }) }),
  resume: command('resume', { topic: Type.Optional(Topic), lastEventId: EventId }),
  ping: command('ping', {}),
} as const;

export type CommandType = keyof typeof commandSchemas;
export type Command<T extends CommandType = CommandType> = Static<(typeof commandSchemas)[T]>;
/** A command without its envelope (`id`, `type`): what a handler receives. */
export type Payload<T extends CommandType> = Omit<Command<T>, 'id' | 'type'>;

/** Commands the gateway answers itself; every other command goes to a registered handler. */
export const builtInCommands = ['subscribe', 'unsubscribe', 'resume', 'ping'] as const;
export type BuiltInCommand = (typeof builtInCommands)[number];
export type HandledCommand = Exclude<CommandType, BuiltInCommand>;

export const ErrorInfo = Type.Object({
  code: Type.String(),
  message: Type.String(),
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

/** The server's answer to one command; `id` is null when the message had no readable id. */
export const Reply = Type.Object({
  type: Type.Literal('reply'),
  id: Type.Union([MessageId, Type.Null()]),
  ok: Type.Boolean(),
  result: Type.Optional(Type.Unknown()),
  error: Type.Optional(ErrorInfo),
});
export type Reply = Static<typeof Reply>;

/** An event on a topic. `at` is when it was published (ms since the epoch). */
export const EventMessage = Type.Object({
  type: Type.Literal('event'),
  eventId: EventId,
  topic: Topic,
  name: Type.String(),
  data: Type.Record(Type.String(), Type.Unknown()),
  at: Type.Number(),
});
export type EventMessage = Static<typeof EventMessage>;

export type ServerMessage = Reply | EventMessage;

/** WebSocket close codes the gateway uses. */
export const closeCodes = {
  goingAway: 1001,
  unsupportedData: 1003,
  policy: 1008,
  tooBig: 1009,
  sessionExpired: 4001,
  slowConsumer: 4008,
  heartbeat: 4009,
} as const;

const envelope = Compile(Type.Object({ id: MessageId, type: Type.String({ maxLength: 64 }) }));
const validators = Object.fromEntries(
  Object.entries(commandSchemas).map(([type, schema]) => [type, Compile(schema)]),
) as { [T in CommandType]: ReturnType<typeof Compile<(typeof commandSchemas)[T]>> };

export function isCommandType(type: string): type is CommandType {
  return Object.hasOwn(commandSchemas, type);
}

/** The message's id, when it has a usable one (for replying to a message that fails validation). */
export function messageId(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'string' && id.length > 0 && id.length <= 64 ? id : null;
}

/**
 * Checks a parsed JSON message against the protocol. Throws CTI_BAD_MESSAGE (envelope or payload
 * wrong; `details.path` names the field) or CTI_UNKNOWN_COMMAND (no such type).
 */
export function parseCommand(value: unknown): Command {
  if (!envelope.Check(value)) throw badMessage(envelope.Errors(value), 'a message is an object { id, type, … }');
  if (!isCommandType(value.type)) throw new HotlineError('CTI_UNKNOWN_COMMAND', 'no command has this type');
  const validator = validators[value.type];
  if (!validator.Check(value)) throw badMessage(validator.Errors(value), `bad ${value.type} message`);
  return value;
}

interface SchemaError {
  readonly keyword: string;
  readonly instancePath: string;
  readonly message: string;
  readonly params?: unknown;
}

function badMessage(errors: readonly SchemaError[], fallback: string): HotlineError {
  const error = errors.find((e) => e.keyword === 'additionalProperties') ?? errors.find((e) => e.keyword !== 'boolean');
  if (!error) return new HotlineError('CTI_BAD_MESSAGE', fallback);
  const extra = (error.params as { additionalProperties?: unknown } | undefined)?.additionalProperties;
  const path = error.instancePath || '/';
  const message = Array.isArray(extra) ? `unexpected field(s) ${extra.join(', ')}` : `${path} ${error.message}`;
  return new HotlineError('CTI_BAD_MESSAGE', message, { path });
}
