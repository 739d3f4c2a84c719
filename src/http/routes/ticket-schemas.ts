/** TypeBox schemas of the ticket, knowledge-base and caller-history routes. */
import Type from 'typebox';
import { ErrorBody } from '../schemas.ts';
import { Duration } from '../../tickets/deadlines.ts';
import { ticketActions, ticketStates } from '../../tickets/ticket-states.ts';
import { channels } from '../../tickets/ticket-types.ts';

const literals = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)));
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const Id = Type.String({ pattern: '^[A-Za-z0-9._:@-]{1,128}$' });
const Time = Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]);

export const TicketId = Type.String({ pattern: '^\\d{8}-\\d{6,10}$' });
export const Phone = Type.String({ pattern: '^\\+?[0-9 ()-]{3,30}$' });
export const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorBody]));

export const CreateTicketBody = Type.Object({
  channel: literals(channels),
  caller: Type.Object({ name: Type.Optional(Text(50)), phone: Phone, address: Type.Optional(Text(200)) }, { additionalProperties: false }),
  content: Text(5000),
  category: Text(60),
  urgency: Text(60),
  confidential: Type.Optional(Type.Boolean()),
  matterType: Type.Optional(Text(60)),
  callId: Type.Optional(Id),
  recordingId: Type.Optional(Id),
}, { additionalProperties: false });

export const ActionBody = Type.Object({
  reason: Type.Optional(Text(1000)),
  unit: Type.Optional(Text(60)),
  reply: Type.Optional(Text(5000)),
  outcome: Type.Optional(literals(['satisfied', 'basically_satisfied'])),
  into: Type.Optional(TicketId),
  extension: Type.Optional(Duration),
  callId: Type.Optional(Id),
  recordingId: Type.Optional(Id),
}, { additionalProperties: false });

export const ActionParams = Type.Object({ id: TicketId, action: literals(ticketActions) });
export const IdParams = Type.Object({ id: TicketId });

export const TicketBody = Type.Object({
  id: Type.String(), state: literals(ticketStates), channel: Type.String(),
  caller: Type.Object({ name: Type.Optional(Type.String()), phone: Type.String(), address: Type.Optional(Type.String()) }),
  content: Type.String(), category: Type.String(), urgency: Type.String(), confidential: Type.Boolean(),
  matterType: Type.Union([Type.String(), Type.Null()]), leadUnit: Type.Union([Type.String(), Type.Null()]),
  assistingUnits: Type.Array(Type.String()), callIds: Type.Array(Type.String()), recordingIds: Type.Array(Type.String()),
  mergedIds: Type.Array(Type.String()), mergedInto: Type.Union([Type.String(), Type.Null()]), publicReply: Type.Union([Type.String(), Type.Null()]),
  deadlines: Type.Object({ startedAt: Time, signForDueAt: Time, returnDueAt: Time, handleDueAt: Time, callbackDueAt: Time }),
  light: Type.Union([literals(['green', 'yellow', 'red']), Type.Null()]),
  returnsApproved: Type.Integer(), returnReason: Type.Union([Type.String(), Type.Null()]),
  extensionPending: Type.Union([Type.Object({ duration: Duration, reason: Type.String() }), Type.Null()]),
  extensionsGranted: Type.Array(Duration), urgeCount: Type.Integer(), superviseCount: Type.Integer(),
  callbackAttempts: Type.Integer(), callbackOutcome: Type.Union([Type.String(), Type.Null()]),
  dissatisfiedPending: Type.Boolean(), badRatingReasonable: Type.Boolean(), rectified: Type.Boolean(), directAnswered: Type.Boolean(),
  createdAt: Type.Integer(), createdBy: Type.String(), updatedAt: Type.Integer(), repliedAt: Time, closedAt: Time,
});

export const AuditBody = Type.Array(Type.Object({
  id: Type.String(), at: Type.Integer(), by: Type.String(), action: Type.String(), from: Type.Union([Type.String(), Type.Null()]),
  to: Type.String(), reason: Type.Union([Type.String(), Type.Null()]), details: Type.Record(Type.String(), Type.Unknown()),
}));

const Ratio = Type.Object({ numerator: Type.Integer(), denominator: Type.Integer(), rate: Type.Union([Type.Number(), Type.Null()]) });
export const KpiBody = Type.Object({
  tickets: Type.Integer(), onTimeClosure: Ratio, directAnswer: Ratio, callback: Ratio, callbackSatisfaction: Ratio, badRatingRectification: Ratio,
});
export const KpiQuery = Type.Object({
  unit: Type.Optional(Text(60)), category: Type.Optional(Text(60)),
  from: Type.Optional(Type.Integer({ minimum: 0 })), to: Type.Optional(Type.Integer({ minimum: 0 })),
}, { additionalProperties: false });

export const RatingBody = Type.Object({
  callId: Type.String(), agent: Type.String(), rating: Type.String(), phone: Type.Union([Type.String(), Type.Null()]),
  ticketId: Type.Union([Type.String(), Type.Null()]), at: Type.Integer(),
});
export const HistoryBody = Type.Object({ tickets: Type.Array(TicketBody), calls: Type.Array(Type.Record(Type.String(), Type.Unknown())), ratedCalls: Type.Array(RatingBody) });

export const ArticleInput = Type.Object({
  title: Text(200), body: Type.String({ maxLength: 50_000 }), tags: Type.Optional(Type.Array(Text(40), { maxItems: 30 })), unit: Text(60),
  validFrom: Type.Optional(Time), validTo: Type.Optional(Time),
}, { additionalProperties: false });
export const ArticleUpdate = Type.Object({ ...ArticleInput.properties, expectedVersion: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false });
export const ArticleBody = Type.Object({
  id: Type.String(), title: Type.String(), body: Type.String(), tags: Type.Array(Type.String()), unit: Type.String(),
  validFrom: Time, validTo: Time, version: Type.Integer(), updatedAt: Type.Integer(), updatedBy: Type.String(),
});
export const ArticleParams = Type.Object({ id: Type.String({ pattern: '^kb-\\d{1,12}$' }) });
export const SearchQuery = Type.Object({ q: Text(200), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })), at: Type.Optional(Type.Integer({ minimum: 0 })) }, { additionalProperties: false });
export const SearchBody = Type.Array(Type.Object({ id: Type.String(), title: Type.String(), score: Type.Number(), unit: Type.String(), snippet: Type.String() }));

export const ListQuery = Type.Object({
  state: Type.Optional(Type.Array(literals(ticketStates), { maxItems: ticketStates.length })),
  unit: Type.Optional(Text(60)), category: Type.Optional(Text(60)), light: Type.Optional(literals(['green', 'yellow', 'red'])),
  from: Type.Optional(Type.Integer({ minimum: 0 })), to: Type.Optional(Type.Integer({ minimum: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
}, { additionalProperties: false });
