/** GET /health (liveness with component states) and GET /ready (200 only when all is up). */
import Type from 'typebox';
import type { FastifyInstance } from 'fastify';

export interface ComponentHealth {
  readonly up: boolean;
  /** When the component last changed between up and down (ms since epoch). */
  readonly since: number;
  readonly detail?: string;
}

export interface HealthSource {
  readonly name: string;
  health(): ComponentHealth;
}

const Component = Type.Object({
  up: Type.Boolean(),
  since: Type.String({ format: 'date-time' }),
  detail: Type.Optional(Type.String()),
});

const HealthBody = Type.Object({
  status: Type.Union([Type.Literal('up'), Type.Literal('degraded')]),
  mode: Type.Object({ asterisk: Type.String(), store: Type.String() }),
  components: Type.Record(Type.String(), Component),
});

export function healthRoutes(sources: readonly HealthSource[], mode: { asterisk: string; store: string }) {
  const report = () => {
    const components = Object.fromEntries(
      sources.map((source) => {
        const { up, since, detail } = source.health();
        return [source.name, { up, since: new Date(since).toISOString(), ...(detail ? { detail } : {}) }];
      }),
    );
    const status: 'up' | 'degraded' = Object.values(components).every((c) => c.up) ? 'up' : 'degraded';
    return { status, mode, components };
  };

  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/health', {
      config: { auth: 'public' },
      schema: { tags: ['operations'], summary: 'Component states (always 200 while the process runs)', response: { 200: HealthBody } },
    }, async () => report());

    app.get('/ready', {
      config: { auth: 'public' },
      schema: { tags: ['operations'], summary: 'Ready for calls: 200 when every component is up, else 503', response: { 200: HealthBody, 503: HealthBody } },
    }, async (_request, reply) => {
      const body = report();
      return reply.status(body.status === 'up' ? 200 : 503).send(body);
    });
  };
}
