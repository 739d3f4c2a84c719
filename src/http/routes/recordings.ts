/**
 * Call recordings: a call's recordings, one recording's metadata, its audio (supervisors and
 * admins only; HTTP range requests answered with 206 / 416), and the retention sweep on demand.
 */
import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { RecordingRetention } from '../../calls/recording-retention.ts';
import type { CallRecordings } from '../../calls/recordings.ts';
import { HotlineError } from '../../errors.ts';
import { ErrorBody } from '../schemas.ts';

const listeners = ['supervisor', 'admin'] as const;
const CallId = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._:;-]{0,127}$' });
const RecordingId = Type.String({ pattern: '^call-[A-Za-z0-9_-]{1,96}-\\d{1,3}$', description: 'the recording id (its Asterisk name)' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const RecordingBody = Type.Object({
  id: Type.String(), callId: Type.String(), agentId: Type.String(), queueId: Nullable(Type.String()), bridgeId: Type.String(),
  format: Type.String(), state: Type.Union(['recording', 'stored', 'failed', 'deleted'].map((s) => Type.Literal(s))),
  startedAt: Type.Integer(), endedAt: Nullable(Type.Integer()), durationSec: Nullable(Type.Integer()),
  endEstimated: Type.Optional(Type.Boolean()), ticketIds: Type.Array(Type.String()),
  failure: Type.Optional(Type.String()), deletedAt: Type.Optional(Type.Integer()),
});

const audio = (description: string) => ({ description, content: { 'audio/wav': { schema: { type: 'string', format: 'binary' } } } });
const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorBody]));

/**
 * The byte range a `Range` header asks of a file of `size` bytes: null for the whole file (no
 * header, another unit, or several ranges — which a server may ignore), 'unsatisfiable' for a
 * malformed range or one outside the file.
 */
export function byteRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  if (header === undefined) return null;
  const spec = /^\s*bytes\s*=\s*(.*)$/i.exec(header)?.[1];
  if (spec === undefined || spec.includes(',')) return null;
  const match = /^\s*(\d*)\s*-\s*(\d*)\s*$/.exec(spec);
  if (!match || (match[1] === '' && match[2] === '')) return 'unsatisfiable';
  const [first, last] = [match[1]!, match[2]!];
  if (first === '') {
    const suffix = Number(last);
    return suffix === 0 || size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  return start >= size || (last !== '' && Number(last) < start) ? 'unsatisfiable' : { start, end };
}

export function recordingRoutes({ recordings, retention }: { recordings: CallRecordings; retention: RecordingRetention }) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/api/calls/:callId/recordings', {
      config: { auth: listeners },
      schema: {
        tags: ['recordings'], summary: 'The recordings of a call, oldest first (deleted ones keep their metadata)',
        params: Type.Object({ callId: CallId }), response: { 200: Type.Array(RecordingBody), ...errors(400, 401, 403) },
      },
    }, async (request) => recordings.ofCall((request.params as { callId: string }).callId));

    app.get('/api/recordings/:id', {
      config: { auth: listeners },
      schema: { tags: ['recordings'], summary: 'One recording: call, agent, queue, start, end, duration, state, tickets', params: Type.Object({ id: RecordingId }), response: { 200: RecordingBody, ...errors(400, 401, 403, 404) } },
    }, async (request) => {
      const recording = await recordings.get((request.params as { id: string }).id);
      if (!recording) throw new HotlineError('RECORDING_NOT_FOUND', 'no call recording with this id');
      return recording;
    });

    app.get('/api/recordings/:id/audio', {
      config: { auth: listeners },
      schema: {
        tags: ['recordings'],
        summary: 'Play a recording: the audio file; a `Range: bytes=…` header gets 206 with that part (Content-Range), a range outside the file 416',
        params: Type.Object({ id: RecordingId }),
        response: { 200: audio('the whole file'), 206: audio('the requested bytes'), ...errors(400, 401, 403, 404, 409, 410, 416) },
      },
    }, async (request, reply) => {
      const { recording, file } = await recordings.audio((request.params as { id: string }).id);
      const size = file.data.length;
      void reply.header('accept-ranges', 'bytes').header('cache-control', 'private, no-store')
        .header('content-disposition', `inline; filename="${recording.id}.${recording.format}"`);
      const range = byteRange(request.headers.range, size);
      if (range === 'unsatisfiable') {
        void reply.header('content-range', `bytes */${size}`);
        throw new HotlineError('RANGE_NOT_SATISFIABLE', `the recording has ${size} bytes`);
      }
      void reply.type(file.contentType);
      if (range === null) return reply.status(200).send(Buffer.from(file.data));
      return reply.status(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`)
        .send(Buffer.from(file.data.buffer, file.data.byteOffset + range.start, range.end - range.start + 1));
    });

    app.post('/api/recordings/retention/run', {
      config: { auth: ['admin'] },
      schema: {
        tags: ['recordings'], summary: 'Run the retention sweep now (it also runs daily); null when another instance holds the sweep',
        response: {
          200: Nullable(Type.Object({
            deleted: Type.Array(Type.String()), kept: Type.Array(Type.Object({ id: Type.String(), reason: Type.String() })),
            closed: Type.Array(Type.String()), qualityPicks: Type.Integer(),
          })),
          ...errors(401, 403, 502, 503),
        },
      },
    }, async () => retention.sweep());
  };
}
