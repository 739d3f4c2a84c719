/**
 * Quality review (质检): the calls picked for review, their score sheets, the sheet itself, and an
 * agent's review summary. Reviewing is for supervisors and admins; an agent may read only their
 * own summary.
 */
import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import { ScoreSheetSchema, type Quality } from '../../calls/quality.ts';
import { HotlineError } from '../../errors.ts';
import { ErrorBody } from '../schemas.ts';

const reviewers = ['supervisor', 'admin'] as const;
const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorBody]));
const AgentId = Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' });
const ReviewId = Type.String({ pattern: '^q-[A-Za-z0-9_-]{1,120}$' });

const ReviewBody = Type.Object({
  id: Type.String(), callId: Type.String(), agentId: Type.String(), recordingId: Type.String(), day: Type.String(),
  pickedAt: Type.Integer(), reason: Type.Union([Type.Literal('sampled'), Type.Literal('daily-minimum')]),
  state: Type.Union([Type.Literal('pending'), Type.Literal('in_progress'), Type.Literal('done')]),
  scores: Type.Optional(Type.Record(Type.String(), Type.Integer())), total: Type.Optional(Type.Integer()), maxTotal: Type.Optional(Type.Integer()),
  sheet: Type.Optional(ScoreSheetSchema), comment: Type.Optional(Type.String()), reviewer: Type.Optional(Type.String()), reviewedAt: Type.Optional(Type.Integer()),
});

export function qualityRoutes(quality: Quality) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/api/quality/reviews', {
      config: { auth: reviewers },
      schema: {
        tags: ['quality'], summary: 'Calls picked for quality review, newest first (open: not yet final)',
        querystring: Type.Object({
          state: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('all')], { default: 'open' })),
          agentId: Type.Optional(AgentId), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
        }, { additionalProperties: false }),
        response: { 200: Type.Array(ReviewBody), ...errors(400, 401, 403) },
      },
    }, async (request) => {
      const { state, agentId, limit } = request.query as { state?: 'open' | 'all'; agentId?: string; limit?: number };
      return quality.list({ open: state !== 'all', ...(agentId !== undefined ? { agentId } : {}), ...(limit !== undefined ? { limit } : {}) });
    });

    app.get('/api/quality/reviews/:id', {
      config: { auth: reviewers },
      schema: { tags: ['quality'], summary: 'One review', params: Type.Object({ id: ReviewId }), response: { 200: ReviewBody, ...errors(400, 401, 403, 404) } },
    }, async (request) => quality.get((request.params as { id: string }).id));

    app.put('/api/quality/reviews/:id', {
      config: { auth: reviewers },
      schema: {
        tags: ['quality'],
        summary: 'Score a picked call on the sheet (every criterion 0..max, a comment); final: false saves a draft',
        params: Type.Object({ id: ReviewId }),
        body: Type.Object({
          scores: Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$' }), Type.Integer({ minimum: 0, maximum: 100 })),
          comment: Type.Optional(Type.String({ maxLength: 2000 })),
          final: Type.Optional(Type.Boolean({ default: true })),
        }, { additionalProperties: false }),
        response: { 200: ReviewBody, ...errors(400, 401, 403, 404, 409) },
      },
    }, async (request) => quality.score((request.params as { id: string }).id, request.body as { scores: Record<string, number>; comment?: string; final?: boolean }, request.session!.username));

    app.get('/api/quality/sheet', {
      config: { auth: reviewers },
      schema: { tags: ['quality'], summary: 'The score sheet: criteria with their maximum scores', response: { 200: ScoreSheetSchema, ...errors(401, 403) } },
    }, async () => quality.sheet());

    app.put('/api/quality/sheet', {
      config: { auth: ['admin'] },
      schema: { tags: ['quality'], summary: 'Replace the score sheet (reviews keep the sheet they were scored on)', body: Type.Unknown(), response: { 200: ScoreSheetSchema, ...errors(400, 401, 403) } },
    }, async (request) => quality.setSheet(request.body));

    app.get('/api/quality/agents/:agentId', {
      config: { auth: ['agent', ...reviewers] },
      schema: {
        tags: ['quality'], summary: "An agent's final reviews: count and mean score in % (overall and per criterion); agents see only their own",
        params: Type.Object({ agentId: AgentId }),
        response: {
          200: Type.Object({ agentId: Type.String(), reviews: Type.Integer(), meanPercent: Type.Union([Type.Number(), Type.Null()]), byCriterion: Type.Record(Type.String(), Type.Union([Type.Number(), Type.Null()])) }),
          ...errors(400, 401, 403),
        },
      },
    }, async (request) => {
      const { agentId } = request.params as { agentId: string };
      const session = request.session!;
      if (!session.roles.some((r) => r === 'supervisor' || r === 'admin') && session.username !== agentId) {
        throw new HotlineError('FORBIDDEN', 'agents may read only their own quality summary');
      }
      return quality.agentSummary(agentId);
    });
  };
}
