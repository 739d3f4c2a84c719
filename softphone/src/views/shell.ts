/** Shared bits of the app shell. */
import { post } from '../core/api.ts';
import { clearSession } from '../core/session.ts';

export async function logout(): Promise<void> {
  await post('/api/auth/logout').catch(() => undefined);
  clearSession();
  location.hash = '';
  location.reload();
}
