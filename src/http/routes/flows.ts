/**
 * The flow REST API: list flows with their live/staging versions, read a version, lint a draft,
 * publish (with the expected previous hash), roll back, diff two versions, read the audit log,
 * and run the headless simulator on a draft or a version. Reads: supervisor and admin; writes:
 * admin. Lint findings and FLOW_INVALID answers carry JSON paths into the flow document.
 */
import Type from 'typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { HotlineError, isHotlineError } from '../../errors.ts';
import { compileFlow } from '../../ivr/compile.ts';
import { Scenario } from '../../ivr/flow-scenario.ts';
import { simulateFlow } from '../../ivr/flow-simulator.ts';
import type { CompiledFlow } from '../../ivr/interpreter-types.ts';
import { lintFlowText } from '../../ivr/lint.ts';
import type { Scenario as ScenarioType } from '../../ivr/flow-scenario.ts';
import type { FlowVersions } from '../../ivr/versions/flow-versions.ts';
import { ErrorBody } from '../schemas.ts';

const readers = ['supervisor', 'admin'] as const;
const writers = ['admin'] as const;
/** Largest flow document or scenario accepted (bytes). */
export const FLOW_BODY_LIMIT = 128 * 1024;

const FlowId = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,47}$' });
const Hash = Type.String({ pattern: '^[0-9a-f]{64}$' });
const Ref = Type.String({ pattern: '^([0-9a-f]{64}|live|staging)$', description: 'a version hash, "live" or "staging"' });
const Alias = Type.Union([Type.Literal('live'), Type.Literal('staging')], { default: 'live' });
const Message = Type.String({ minLength: 1, maxLength: 500 });
const Draft = Type.Record(Type.String(), Type.Unknown(), { description: 'a flow document (see docs/flows.md)' });

const Finding = Type.Object({ rule: Type.String(), path: Type.String(), message: Type.String() });
const LintBody = Type.Object({ ok: Type.Boolean(), publishable: Type.Boolean(), errors: Type.Array(Finding), warnings: Type.Array(Finding) });
const InvalidBody = Type.Object({ ...ErrorBody.properties, errors: Type.Array(Finding), warnings: Type.Array(Finding) });
const Summary = Type.Object({
  flowId: Type.String(), hash: Type.String(), seq: Type.Integer(), author: Type.String(), message: Type.String(),
  publishedAt: Type.String({ format: 'date-time' }),
});
const Version = Type.Object({ ...Summary.properties, flow: Type.Unknown() });
const FlowEntry = Type.Object({
  flowId: Type.String(), live: Type.Union([Summary, Type.Null()]), staging: Type.Union([Summary, Type.Null()]), versions: Type.Integer(),
});
const PublishBody = Type.Object({ version: Summary, changed: Type.Boolean() });
const Change = Type.Object({
  op: Type.Union([Type.Literal('added'), Type.Literal('removed'), Type.Literal('changed')]),
  path: Type.String(), before: Type.Optional(Type.Unknown()), after: Type.Optional(Type.Unknown()),
});
const AuditEntry = Type.Object({
  id: Type.String(), action: Type.String(), flowId: Type.String(), alias: Type.String(), hash: Type.String(),
  previousHash: Type.Union([Type.String(), Type.Null()]), author: Type.String(), message: Type.String(),
  at: Type.String({ format: 'date-time' }), changes: Type.Integer(),
});
const TranscriptBody = Type.Object({
  flowId: Type.String(), version: Type.String(), exit: Type.Unknown(), durationMs: Type.Integer(),
  heard: Type.Array(Type.Unknown()), nodes: Type.Array(Type.String()), vars: Type.Record(Type.String(), Type.String()),
  commands: Type.Array(Type.Unknown()), steps: Type.Integer(),
});
const FlowParams = Type.Object({ flowId: FlowId });
const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorBody]));

type Summarised = { flowId: string; hash: string; seq: number; author: string; message: string; publishedAt: number };
const iso = <T extends Summarised>(v: T) => ({ ...v, publishedAt: new Date(v.publishedAt).toISOString() });

export interface FlowRoutesOptions {
  readonly versions: FlowVersions;
}

export function flowRoutes(options: FlowRoutesOptions) {
  const { versions } = options;
  const catalogue = () => ({ catalogue: versions.catalogue });

  /** FLOW_INVALID with the findings the generic error body has no room for. */
  function invalid(reply: FastifyReply, error: HotlineError): FastifyReply {
    const list = (key: string) => (Array.isArray(error.details?.[key]) ? error.details[key] : []) as unknown[];
    const errs = error.details?.['errors'] === undefined ? list('findings') : list('errors');
    return reply.status(422).send({
      statusCode: 422, code: 'FLOW_INVALID', error: 'Unprocessable Entity', message: error.message, errors: errs, warnings: list('warnings'),
    });
  }

  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/api/flows', {
      config: { auth: readers },
      schema: { tags: ['flows'], summary: 'Flows with their live and staging versions', response: { 200: Type.Array(FlowEntry), ...errors(401, 403) } },
    }, async () => {
      const flows = await versions.listFlows();
      return flows.map((f) => ({
        flowId: f.flowId, live: f.liveVersion && iso(f.liveVersion), staging: f.stagingVersion && iso(f.stagingVersion), versions: f.seq,
      }));
    });

    app.get('/api/flows/audit', {
      config: { auth: readers },
      schema: {
        tags: ['flows'], summary: 'Who published or rolled back what, when, with what message (oldest first)',
        querystring: Type.Object({ flowId: Type.Optional(FlowId), after: Type.Optional(Type.String({ pattern: '^\\d+(-\\d+)?$' })), count: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }, { additionalProperties: false }),
        response: { 200: Type.Array(AuditEntry), ...errors(400, 401, 403) },
      },
    }, async (request) => {
      const q = request.query as { flowId?: string; after?: string; count?: number };
      const entries = await versions.audit({ flowId: q.flowId, afterId: q.after ?? '0', count: q.count ?? 100 });
      return entries.map((e) => ({ ...e, at: new Date(e.at).toISOString() }));
    });

    app.post('/api/flows/lint', {
      config: { auth: readers },
      bodyLimit: FLOW_BODY_LIMIT,
      schema: {
        tags: ['flows'], summary: 'Lint a draft: errors and warnings with JSON paths (both block publishing)',
        body: Type.Union([Type.Object({ flow: Draft }, { additionalProperties: false }), Type.Object({ text: Type.String({ maxLength: FLOW_BODY_LIMIT }) }, { additionalProperties: false })]),
        response: { 200: LintBody, ...errors(400, 401, 403, 413) },
      },
    }, async (request) => {
      const body = request.body as { flow?: unknown; text?: string };
      const text = body.text ?? JSON.stringify(body.flow);
      // subflow nodes may name any flow with a live version
      const flows = await versions.liveChildren(body.flow ?? parseOrNull(text));
      const result = lintFlowText(text, { ...catalogue(), flows });
      return { ok: result.ok, publishable: result.publishable, errors: result.errors, warnings: result.warnings };
    });

    app.get('/api/flows/:flowId/versions', {
      config: { auth: readers },
      schema: {
        tags: ['flows'], summary: 'A flow\'s versions, newest first', params: FlowParams,
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }, { additionalProperties: false }),
        response: { 200: Type.Array(Summary), ...errors(400, 401, 403) },
      },
    }, async (request) => {
      const { flowId } = request.params as { flowId: string };
      return (await versions.listVersions(flowId, (request.query as { limit?: number }).limit ?? 100)).map(iso);
    });

    app.get('/api/flows/:flowId/versions/:ref', {
      config: { auth: readers },
      schema: {
        tags: ['flows'], summary: 'One version with its flow document (by hash, or "live" / "staging")',
        params: Type.Object({ flowId: FlowId, ref: Ref }), response: { 200: Version, ...errors(400, 401, 403, 404) },
      },
    }, async (request) => {
      const { flowId, ref } = request.params as { flowId: string; ref: string };
      return iso(await versions.resolve(flowId, ref));
    });

    app.post('/api/flows/:flowId/publish', {
      config: { auth: writers },
      bodyLimit: FLOW_BODY_LIMIT,
      schema: {
        tags: ['flows'], summary: 'Validate and publish a draft; expectedHash is the version the alias holds now (null: none)',
        params: FlowParams,
        body: Type.Object({ flow: Draft, expectedHash: Type.Union([Hash, Type.Null()]), message: Message, alias: Type.Optional(Alias) }, { additionalProperties: false }),
        response: { 200: PublishBody, 201: PublishBody, 422: InvalidBody, ...errors(400, 401, 403, 409, 413) },
      },
    }, async (request, reply) => {
      const { flowId } = request.params as { flowId: string };
      const body = request.body as { flow: Record<string, unknown>; expectedHash: string | null; message: string; alias?: 'live' | 'staging' };
      if (body.flow['id'] !== flowId) throw new HotlineError('BAD_REQUEST', `the flow's id must be "${flowId}" (the id in the path)`);
      try {
        const result = await versions.publish({ flow: body.flow, author: request.session!.username, message: body.message, expectedHash: body.expectedHash, alias: body.alias ?? 'live' });
        request.log.info({ flowId, hash: result.version.hash, alias: body.alias ?? 'live', changed: result.changed }, 'flow published');
        return reply.status(result.changed ? 201 : 200).send({ version: iso(result.version), changed: result.changed });
      } catch (error) {
        if (isHotlineError(error, 'FLOW_INVALID')) return invalid(reply, error);
        throw error;
      }
    });

    app.post('/api/flows/:flowId/rollback', {
      config: { auth: writers },
      schema: {
        tags: ['flows'], summary: 'Point an alias back at an earlier version, in one step', params: FlowParams,
        body: Type.Object({ hash: Hash, message: Message, expectedHash: Type.Optional(Type.Union([Hash, Type.Null()])), alias: Type.Optional(Alias) }, { additionalProperties: false }),
        response: { 200: PublishBody, ...errors(400, 401, 403, 404, 409) },
      },
    }, async (request) => {
      const { flowId } = request.params as { flowId: string };
      const body = request.body as { hash: string; message: string; expectedHash?: string | null; alias?: 'live' | 'staging' };
      const result = await versions.rollback({ flowId, hash: body.hash, author: request.session!.username, message: body.message, expectedHash: body.expectedHash, alias: body.alias ?? 'live' });
      request.log.info({ flowId, hash: body.hash, alias: body.alias ?? 'live' }, 'flow rolled back');
      return { version: iso(result.version), changed: result.changed };
    });

    app.get('/api/flows/:flowId/diff', {
      config: { auth: readers },
      schema: {
        tags: ['flows'], summary: 'JSON paths added, removed or changed between two versions', params: FlowParams,
        querystring: Type.Object({ from: Ref, to: Type.Optional(Ref) }, { additionalProperties: false }),
        response: { 200: Type.Object({ from: Summary, to: Summary, changes: Type.Array(Change) }), ...errors(400, 401, 403, 404) },
      },
    }, async (request) => {
      const { flowId } = request.params as { flowId: string };
      const { from, to } = request.query as { from: string; to?: string };
      const result = await versions.diff(flowId, from, to ?? 'live');
      return { from: iso(result.from), to: iso(result.to), changes: result.changes };
    });

    app.post('/api/flows/:flowId/simulate', {
      config: { auth: readers },
      bodyLimit: FLOW_BODY_LIMIT,
      schema: {
        tags: ['flows'], summary: 'Run the headless simulator on a draft or a version with scripted keys, hang-ups and answers',
        params: FlowParams,
        body: Type.Object({ flow: Type.Optional(Draft), version: Type.Optional(Ref), scenario: Scenario }, { additionalProperties: false }),
        response: { 200: TranscriptBody, 422: InvalidBody, ...errors(400, 401, 403, 404, 413) },
      },
    }, async (request, reply) => {
      const { flowId } = request.params as { flowId: string };
      const body = request.body as { flow?: Record<string, unknown>; version?: string; scenario: ScenarioType };
      let compiled: CompiledFlow;
      try {
        if (body.flow !== undefined) {
          if (body.version !== undefined) throw new HotlineError('BAD_REQUEST', 'give either a draft flow or a version, not both');
          if (body.flow['id'] !== flowId) throw new HotlineError('BAD_REQUEST', `the flow's id must be "${flowId}" (the id in the path)`);
          compiled = compileFlow(body.flow, { ...catalogue(), flows: await versions.liveChildren(body.flow) });
        } else {
          compiled = compileFlow((await versions.resolve(flowId, body.version ?? 'live')).flow, catalogue());
        }
      } catch (error) {
        if (isHotlineError(error, 'FLOW_INVALID')) return invalid(reply, error);
        throw error;
      }
      const transcript = await simulateFlow(compiled, body.scenario, { catalogue: versions.catalogue });
      const { state: _state, ...rest } = transcript;
      return rest;
    });
  };
}

function parseOrNull(text: string): unknown {
  try { return JSON.parse(text); } catch { return null; }
}
