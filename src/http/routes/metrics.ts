/** GET /metrics: the Prometheus scrape (METRICS_TOKEN bearer, or loopback when none is set). */
import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../ops/metrics.ts';
import { ErrorBody } from '../schemas.ts';

export function metricsRoutes(metrics: Metrics) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/metrics', {
      config: { auth: 'metrics' },
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics (text format); Authorization: Bearer <METRICS_TOKEN>. Names: docs/operations.md',
        security: [{ metrics: [] }],
        response: { 200: Type.String(), 401: ErrorBody },
      },
    }, async (_request, reply) => {
      const text = await metrics.render();
      return reply.type(metrics.contentType).header('cache-control', 'no-store').send(text);
    });
  };
}
