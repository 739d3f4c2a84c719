/** REST client: bearer token from the session, coded errors as ApiError. */
import { clearSession, currentSession } from './session.ts';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) { super(message); }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const session = currentSession();
  const headers: Record<string, string> = {};
  if (session) headers.authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const data: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    const error = (data ?? {}) as { code?: string; message?: string };
    if (response.status === 401 && session && path !== '/api/auth/login') {
      clearSession();
      location.reload();
    }
    throw new ApiError(response.status, error.code ?? 'HTTP_' + response.status, error.message ?? response.statusText);
  }
  return data as T;
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});
export const put = <T>(path: string, body: unknown) => api<T>('PUT', path, body);
export const del = <T>(path: string) => api<T>('DELETE', path);
