/**
 * The browser app (softphone/dist) at `/`, and the few read-only views it needs that no other
 * route gives: its settings (demo mode, pause reasons, transfer numbers), the expert directory
 * with live availability (agents may not read the wallboard), the agent's own calls of the day,
 * and today's calls by hour for the supervisor's charts. The demo citizen phone is demo-phone.ts.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Type from 'typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AgentRecord } from '../../acd/acd-state.ts';
import { startOfDayShanghai } from '../../acd/live-stats.ts';
import type { RoutingQueue } from '../../acd/routing.ts';
import type { CallRecord } from '../../calls/call-record.ts';
import { HotlineError } from '../../errors.ts';
import { ErrorBody } from '../schemas.ts';

export interface SoftphoneRoutesOptions {
  /** The built app (softphone/dist); a missing build answers 503 with what to run. */
  readonly distDir: string;
  /** Embedded demo: agents answer through the CTI, the citizen phone page works. */
  readonly demo: boolean;
  readonly queues: ReadonlyMap<string, RoutingQueue>;
  /** Numbers agents may consult or transfer to over the trunk (TRANSFER_ALLOW). */
  readonly transferNumbers: readonly string[];
  readonly agents: () => Promise<readonly AgentRecord[]>;
  readonly callsBetween: (from: number, to: number) => Promise<readonly CallRecord[]>;
  readonly now: () => number;
}

/** Pause reasons the desktop offers (the server accepts any 1–64 characters). */
export const pauseReasons = ['break', 'lunch', 'training', 'meeting', 'paperwork'] as const;
const emergencyNumbers = ['110', '119', '120', '122'];

const types: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.json': 'application/json', '.map': 'application/json',
};

const ConfigBody = Type.Object({
  demo: Type.Boolean(),
  pauseReasons: Type.Array(Type.String()),
  transferNumbers: Type.Array(Type.String()),
  emergencyNumbers: Type.Array(Type.String()),
});
const DirectoryBody = Type.Array(Type.Object({
  queueId: Type.String(), skills: Type.Array(Type.String()), loggedIn: Type.Integer(), ready: Type.Integer(),
}));
const MyCallsBody = Type.Object({
  calls: Type.Array(Type.Object({
    callId: Type.String(), callerNumber: Type.String(), did: Type.String(), arrivedAt: Type.Integer(),
    answeredAt: Type.Optional(Type.Integer()), endedAt: Type.Optional(Type.Integer()), ticketIds: Type.Array(Type.String()), rating: Type.Optional(Type.String()),
  })),
  answered: Type.Integer(), talkSec: Type.Integer(), tickets: Type.Integer(),
});
const HourlyBody = Type.Array(Type.Object({
  hour: Type.Integer(), calls: Type.Integer(), answered: Type.Integer(), abandoned: Type.Integer(), within15s: Type.Integer(),
}));

export function softphoneRoutes(options: SoftphoneRoutesOptions) {
  const { distDir } = options;
  const today = async () => {
    const now = options.now();
    const start = startOfDayShanghai(now);
    return { start, calls: await options.callsBetween(start, now + 1) };
  };

  async function sendFile(reply: FastifyReply, file: string, cache: string) {
    let body: Buffer;
    try {
      body = await readFile(path.join(distDir, file));
    } catch {
      if (file === 'index.html') {
        return reply.status(503).type('text/plain; charset=utf-8').send('The softphone is not built: run `npm run build:softphone` (npm start does it).\n');
      }
      throw new HotlineError('NOT_FOUND', 'no such file');
    }
    return reply.type(types[path.extname(file)] ?? 'application/octet-stream').header('cache-control', cache).send(body);
  }

  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/', { config: { auth: 'public' }, schema: { hide: true } }, (_request, reply) => sendFile(reply, 'index.html', 'no-cache'));
    app.get('/assets/:file', {
      config: { auth: 'public' },
      schema: { hide: true, params: Type.Object({ file: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,128}$' }) }) },
    }, (request, reply) => {
      const { file } = request.params as { file: string };
      if (file.startsWith('.')) throw new HotlineError('NOT_FOUND', 'no such file');
      return sendFile(reply, path.join('assets', file), 'public, max-age=31536000, immutable');
    });
    app.get('/favicon.svg', { config: { auth: 'public' }, schema: { hide: true } }, (_request, reply) => sendFile(reply, 'favicon.svg', 'public, max-age=86400'));

    app.get('/api/softphone/config', {
      config: { auth: ['agent', 'supervisor', 'admin', 'department'] },
      schema: { tags: ['softphone'], summary: 'Desktop settings: demo mode, pause reasons, numbers agents may transfer to (SIP settings: GET /api/me/sip)', response: { 200: ConfigBody, 401: ErrorBody } },
    }, async () => ({
      demo: options.demo, pauseReasons: [...pauseReasons],
      transferNumbers: options.transferNumbers.filter((n) => !emergencyNumbers.includes(n)),
      emergencyNumbers: emergencyNumbers.filter((n) => options.transferNumbers.includes(n)),
    }));

    app.get('/api/softphone/directory', {
      config: { auth: ['agent', 'supervisor', 'admin'] },
      schema: { tags: ['softphone'], summary: 'Queues an agent may consult or transfer to, with agents logged in and ready for their first skills', response: { 200: DirectoryBody, 401: ErrorBody, 403: ErrorBody } },
    }, async () => {
      const agents = await options.agents();
      return [...options.queues.values()].map((queue) => {
        const skills = queue.steps[0]?.skills ?? [];
        const able = agents.filter((a) => a.status.state !== 'logged_out' && skills.some((s) => (a.skills[s] ?? 0) > 0));
        return { queueId: queue.id, skills: [...skills], loggedIn: able.length, ready: able.filter((a) => a.status.state === 'ready').length };
      });
    });

    app.get('/api/softphone/my-calls', {
      config: { auth: ['agent'] },
      schema: { tags: ['softphone'], summary: "The agent's own calls of today (Asia/Shanghai), newest first, with answered count and talk time", response: { 200: MyCallsBody, 401: ErrorBody, 403: ErrorBody } },
    }, async (request) => {
      const me = request.session!.username;
      const mine = (await today()).calls.filter((c) => c.agentIds.includes(me)).reverse();
      // Answered by me (also calls I later transferred): talk from my answer to the end of the call.
      const myAnswer = (c: CallRecord) => c.offers.find((o) => o.agentId === me && o.outcome === 'answered');
      const answered = mine.filter((c) => myAnswer(c) !== undefined);
      const talkSec = answered.reduce((sum, c) => sum + Math.max(0, Math.round(((c.endedAt ?? options.now()) - (myAnswer(c)!.outcomeAt ?? c.answeredAt ?? c.arrivedAt)) / 1000)), 0);
      return {
        calls: mine.slice(0, 100).map((c) => ({
          callId: c.callId, callerNumber: c.callerNumber, did: c.did, arrivedAt: c.arrivedAt, ticketIds: [...c.ticketIds],
          ...(c.answeredAt !== undefined ? { answeredAt: c.answeredAt } : {}), ...(c.endedAt !== undefined ? { endedAt: c.endedAt } : {}),
          ...(c.rating !== undefined ? { rating: c.rating } : {}),
        })),
        answered: answered.length, talkSec, tickets: mine.reduce((sum, c) => sum + c.ticketIds.length, 0),
      };
    });

    app.get('/api/softphone/hourly', {
      config: { auth: ['supervisor', 'admin'] },
      schema: { tags: ['softphone'], summary: "Today's calls by hour (Asia/Shanghai): arrived, answered, abandoned in queue, answered within 15 s", response: { 200: HourlyBody, 401: ErrorBody, 403: ErrorBody } },
    }, async () => {
      const { start, calls } = await today();
      const hours = Array.from({ length: 24 }, (_, hour) => ({ hour, calls: 0, answered: 0, abandoned: 0, within15s: 0 }));
      for (const call of calls) {
        const bucket = hours[Math.min(23, Math.floor((call.arrivedAt - start) / 3_600_000))];
        if (!bucket) continue;
        bucket.calls += 1;
        if (call.answeredAt !== undefined) {
          bucket.answered += 1;
          if (call.answeredAt - call.arrivedAt <= 15_000) bucket.within15s += 1;
        } else if (call.queues.some((q) => q.outcome === 'abandoned')) bucket.abandoned += 1;
      }
      return hours;
    });
  };
}
