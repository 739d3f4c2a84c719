/**
 * Stored recordings' files over plain HTTP: ari-client (swagger-client) decodes every response
 * body as text, which would corrupt audio, so `GET /recordings/stored/{name}/file` is fetched
 * directly with the ARI credentials. Asterisk answers the whole file (no Range support), with
 * `Content-Type: audio/<format>`; 404 "Recording not found", 403 "Recording could not be opened".
 */
import { HotlineError } from '../errors.ts';
import type { StoredRecordingFile } from './port.ts';
import { checked } from './validate.ts';

export interface StoredFileSettings {
  readonly url: string;
  readonly user: string;
  readonly password: string;
  /** Bound of one download. */
  readonly timeoutMs: number;
  /** Whether the ARI connection is up (downloads fail fast with ARI_UNAVAILABLE otherwise). */
  readonly isUp: () => boolean;
}

export function createStoredFiles(settings: StoredFileSettings): (name: string) => Promise<StoredRecordingFile> {
  const base = settings.url.replace(/\/+$/, '');
  const authorization = `Basic ${Buffer.from(`${settings.user}:${settings.password}`).toString('base64')}`;
  return async function storedRecordingFile(name) {
    const recording = checked('recording', name, 'recording name');
    const operation = 'recordings.getStoredFile';
    if (!settings.isUp()) throw new HotlineError('ARI_UNAVAILABLE', `ARI is not connected (${operation})`);
    let response: Response;
    try {
      response = await fetch(`${base}/ari/recordings/stored/${encodeURIComponent(recording)}/file`, {
        headers: { authorization }, signal: AbortSignal.timeout(settings.timeoutMs),
      });
    } catch (error) {
      throw new HotlineError('ARI_REQUEST_FAILED', `${operation} ${recording}: ${error instanceof Error ? error.message : String(error)}`, { operation, kind: 'other' }, { cause: error });
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      let message = text;
      try {
        const body: unknown = JSON.parse(text);
        if (body && typeof body === 'object' && typeof (body as Record<string, unknown>)['message'] === 'string') message = (body as Record<string, string>)['message']!;
      } catch {
        // not JSON: keep the text
      }
      const kind = response.status === 404 ? 'not-found' : 'other';
      throw new HotlineError('ARI_REQUEST_FAILED', `${operation} ${recording}: ${response.status} ${message}`, { operation, asterisk: message, kind, status: response.status });
    }
    return { contentType: response.headers.get('content-type') ?? 'application/octet-stream', data: new Uint8Array(await response.arrayBuffer()) };
  };
}
