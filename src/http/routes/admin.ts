/**
 * Admin: queues, skills and seats (admin role only; every PUT lands in the audit log through the
 * HTTP audit hook).
 *
 * - GET /api/admin/queues: the routing queues (their steps are server configuration,
 *   src/acd/queue-config.ts) with their settings and how many agents hold their skills.
 * - GET/PUT /api/admin/queues/{queueId}/settings: a queue's settings — longest wait, most callers
 *   waiting, callback key, recording (src/acd/queue-settings.ts: in the store, live on every
 *   instance for callers queued after the change). The audit entry says what changed.
 * - GET /api/admin/skills: every skill the queues route on, which queues use it and who holds it.
 * - GET /api/admin/seats: users with a seat or the agent role: extension, skills, live state.
 * - PUT /api/admin/seats/{username}: assign a user's seat (extension) and, for agents, skills
 *   (the ACD's `upsertAgent` and the user record's extension). A seat change needs Asterisk's
 *   seats re-rendered: `npm run asterisk:render -- --reload` (docs/deploy.md); the answer says so.
 */
import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { AgentRecord } from '../../acd/acd-state.ts';
import { QueueSettingsSchema, type QueueSettings, type QueueSettingsStore } from '../../acd/queue-settings.ts';
import type { RoutingQueue } from '../../acd/routing.ts';
import type { User, UserService } from '../../auth/user-service.ts';
import { HotlineError } from '../../errors.ts';
import { ErrorBody } from '../schemas.ts';

export interface AdminRoutesOptions {
  readonly users: Pick<UserService, 'getUser' | 'listUsers' | 'updateUser'>;
  readonly acd: {
    allAgents(): Promise<readonly AgentRecord[]>;
    agent(agentId: string): Promise<AgentRecord | null>;
    upsertAgent(agentId: string, seat: { extension: string; skills: Readonly<Record<string, number>> }): Promise<AgentRecord>;
  };
  readonly queues: ReadonlyMap<string, RoutingQueue>;
  readonly settings: Pick<QueueSettingsStore, 'get' | 'list' | 'set'>;
}

/** The command that re-renders Asterisk's seats (pjsip endpoints, auths, fallback queue members). */
export const asteriskReload = 'npm run asterisk:render -- --reload';

/** Same shape as the Asterisk renderer's seats (scripts/asterisk/render.ts SEAT_EXTENSION). */
const EXTENSION = '^[1-9][0-9]{3,7}$';
const SKILL = '^[a-z0-9][a-z0-9-]{0,63}$';

const Username = Type.Object({ username: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }) });
const Skills = Type.Record(Type.String({ pattern: SKILL }), Type.Integer({ minimum: 1, maximum: 10 }), {
  description: 'skill → level 1 (can) … 10 (best); higher levels are offered calls first',
});
const QueueId = Type.Object({ queueId: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,47}$' }) });
const SettingsBody = Type.Object({
  queueId: Type.String(),
  ...QueueSettingsSchema.properties,
  version: Type.Integer({ description: '0: the defaults of src/acd/queue-config.ts, never saved' }),
  updatedAt: Type.Union([Type.Integer(), Type.Null()]),
  updatedBy: Type.Union([Type.String(), Type.Null()]),
});
const SettingsChange = Type.Object({
  ...QueueSettingsSchema.properties,
  expectedVersion: Type.Optional(Type.Integer({ minimum: 0, description: 'the version you edited; 409 STORE_CONFLICT if it moved on' })),
}, { additionalProperties: false });
const QueueBody = Type.Object({
  queueId: Type.String(),
  priority: Type.Integer(),
  steps: Type.Array(Type.Object({ afterSec: Type.Integer(), skills: Type.Array(Type.String()) })),
  settings: SettingsBody,
  agents: Type.Integer({ description: 'agents holding one of the first step\'s skills' }),
});
const SkillBody = Type.Object({
  skill: Type.String(),
  queues: Type.Array(Type.String()),
  agents: Type.Array(Type.Object({ agentId: Type.String(), level: Type.Integer() })),
});
const SeatBody = Type.Object({
  username: Type.String(),
  displayName: Type.String(),
  roles: Type.Array(Type.String()),
  extension: Type.Union([Type.String(), Type.Null()]),
  skills: Type.Union([Skills, Type.Null()], { description: 'null: not an agent (no ACD record)' }),
  state: Type.Union([Type.String(), Type.Null()], { description: 'agent state now (logged_out, ready, on_call, …)' }),
});
const SeatChange = Type.Object({
  extension: Type.String({ pattern: EXTENSION, description: 'the seat: 4–8 digits, not starting with 0' }),
  skills: Type.Optional(Skills),
}, { additionalProperties: false });
const SeatChanged = Type.Object({
  seat: SeatBody,
  asteriskReload: Type.Union([Type.String(), Type.Null()], { description: 'the command to run when the extension changed (Asterisk\'s seats), else null' }),
});

export function adminRoutes(options: AdminRoutesOptions) {
  const { users, acd, queues, settings } = options;
  const known = new Set([...queues.values()].flatMap((q) => q.steps.flatMap((s) => s.skills)));

  const seatOf = (user: User, agent: AgentRecord | null | undefined) => ({
    username: user.username, displayName: user.displayName, roles: [...user.roles],
    extension: agent?.extension ?? user.extension ?? null,
    skills: agent ? { ...agent.skills } : null,
    state: agent?.status.state ?? null,
  });

  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/api/admin/queues', {
      config: { auth: ['admin'] },
      schema: { tags: ['admin'], summary: 'Routing queues: steps (server configuration), settings, agents holding their skills', response: { 200: Type.Array(QueueBody), 401: ErrorBody, 403: ErrorBody } },
    }, async () => {
      const [agents, all] = await Promise.all([acd.allAgents(), settings.list()]);
      const byQueue = new Map(all.map((s) => [s.queueId, s]));
      return [...queues.values()].map((q) => {
        const first = q.steps[0]?.skills ?? [];
        return {
          queueId: q.id, priority: q.priority, steps: q.steps.map((s) => ({ afterSec: s.afterSec, skills: [...s.skills] })),
          settings: byQueue.get(q.id)!,
          agents: agents.filter((a) => first.some((s) => (a.skills[s] ?? 0) > 0)).length,
        };
      });
    });

    app.get('/api/admin/queues/:queueId/settings', {
      config: { auth: ['admin'] },
      schema: { tags: ['admin'], summary: 'A queue\'s settings: longest wait, most callers waiting, callback key, recording', params: QueueId, response: { 200: SettingsBody, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody } },
    }, async (request) => settings.get((request.params as { queueId: string }).queueId));

    app.put('/api/admin/queues/:queueId/settings', {
      config: { auth: ['admin'] },
      schema: {
        tags: ['admin'],
        summary: 'Replace a queue\'s settings; they apply on every server to callers queued (and calls answered) from now on — a caller already waiting keeps its longest wait and callback key',
        params: QueueId, body: SettingsChange,
        response: { 200: SettingsBody, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    }, async (request) => {
      const { queueId } = request.params as { queueId: string };
      const { expectedVersion, ...input } = request.body as QueueSettings & { expectedVersion?: number };
      const { settings: saved, changes } = await settings.set(queueId, input, request.session!.username, expectedVersion);
      request.auditDetail = changes;
      request.log.info({ queueId, changes, version: saved.version }, 'queue settings changed');
      return saved;
    });

    app.get('/api/admin/skills', {
      config: { auth: ['admin'] },
      schema: { tags: ['admin'], summary: 'Skills the queues route on: which queues use each, which agents hold it at which level', response: { 200: Type.Array(SkillBody), 401: ErrorBody, 403: ErrorBody } },
    }, async () => {
      const agents = await acd.allAgents();
      return [...known].sort().map((skill) => ({
        skill,
        queues: [...queues.values()].filter((q) => q.steps.some((s) => s.skills.includes(skill))).map((q) => q.id),
        agents: agents.filter((a) => (a.skills[skill] ?? 0) > 0).map((a) => ({ agentId: a.agentId, level: a.skills[skill]! })).sort((a, b) => b.level - a.level),
      }));
    });

    app.get('/api/admin/seats', {
      config: { auth: ['admin'] },
      schema: { tags: ['admin'], summary: 'Users with a seat or the agent role: extension, skills, state now', response: { 200: Type.Array(SeatBody), 401: ErrorBody, 403: ErrorBody } },
    }, async () => {
      const agents = new Map((await acd.allAgents()).map((a) => [a.agentId, a]));
      return (await users.listUsers())
        .filter((u) => u.extension || u.roles.includes('agent') || agents.has(u.username))
        .map((u) => seatOf(u, agents.get(u.username)));
    });

    app.put('/api/admin/seats/:username', {
      config: { auth: ['admin'] },
      schema: {
        tags: ['admin'],
        summary: `Assign a user's seat (extension) and, for agents, skills; a new extension needs \`${asteriskReload}\``,
        params: Username, body: SeatChange,
        response: { 200: SeatChanged, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    }, async (request) => {
      const { username } = request.params as { username: string };
      const change = request.body as { extension: string; skills?: Record<string, number> };
      const user = await users.getUser(username);
      if (!user) throw new HotlineError('NOT_FOUND', `no user ${username}`);
      const isAgent = user.roles.includes('agent');
      if (change.skills && !isAgent) throw new HotlineError('BAD_REQUEST', 'skills are for agents only; this user has no agent role');
      const unknown = Object.keys(change.skills ?? {}).filter((s) => !known.has(s));
      if (unknown.length > 0) throw new HotlineError('BAD_REQUEST', `unknown skill: ${unknown.join(', ')} (the queues route on ${[...known].sort().join(', ')})`);
      const holder = (await users.listUsers()).find((u) => u.extension === change.extension && u.username !== username);
      if (holder) throw new HotlineError('BAD_REQUEST', `extension ${change.extension} is already the seat of ${holder.username}`);

      const before = isAgent ? await acd.agent(username) : null;
      const extensionChanged = (before?.extension ?? user.extension) !== change.extension;
      if (extensionChanged && before && before.status.state !== 'logged_out') {
        throw new HotlineError('AGENT_BAD_TRANSITION', `${username} is ${before.status.state}: the seat can change only while the agent is logged out`);
      }
      const updated = user.extension === change.extension ? user : await users.updateUser(username, { extension: change.extension });
      const agent = isAgent ? await acd.upsertAgent(username, { extension: change.extension, skills: change.skills ?? before?.skills ?? {} }) : null;
      request.log.info({ username, extensionChanged }, 'seat assigned');
      return { seat: seatOf(updated, agent), asteriskReload: extensionChanged ? asteriskReload : null };
    });
  };
}
