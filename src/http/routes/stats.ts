/** GET /api/stats/live — the wallboard's live picture (supervisors and admins). */
import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { LiveStats } from '../../acd/live-stats.ts';
import { ErrorBody } from '../schemas.ts';

const Rate = Type.Union([Type.Number(), Type.Null()]);
const Kpis = Type.Object({
  calls: Type.Integer(), askedForAgent: Type.Integer(), answered: Type.Integer(), abandoned: Type.Integer(), shortAbandoned: Type.Integer(),
  humanAnswerRate: Rate, answeredWithin15sRate: Rate, answeredWithin10sRate: Rate, meanWaitSec: Rate, abandonRate: Rate, meanTalkSec: Rate,
});
const LiveStatsBody = Type.Object({
  at: Type.Integer({ description: 'ms since the epoch' }),
  queues: Type.Array(Type.Object({ queueId: Type.String(), waiting: Type.Integer(), longestWaitSec: Type.Integer(), today: Kpis })),
  agents: Type.Array(Type.Object({
    agentId: Type.String(), extension: Type.String(), state: Type.String(), reason: Type.Optional(Type.String()), secondsInState: Type.Integer(),
  })),
  today: Kpis,
  todayByDid: Type.Record(Type.String(), Kpis),
});

export function statsRoutes(snapshot: () => Promise<LiveStats>) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/api/stats/live', {
      config: { auth: ['supervisor', 'admin'] },
      schema: {
        tags: ['statistics'],
        summary: 'Queues (waiting, longest wait), agents (state, time in state) and today\'s call KPIs',
        response: { 200: LiveStatsBody, 401: ErrorBody, 403: ErrorBody },
      },
    }, async () => snapshot());
  };
}
