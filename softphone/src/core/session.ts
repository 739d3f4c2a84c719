/** The login session, in sessionStorage so a page reload keeps it (and closing the tab ends it). */
export interface User {
  readonly username: string;
  readonly displayName: string;
  readonly roles: readonly string[];
  readonly extension?: string;
}
export interface Session { readonly token: string; readonly user: User; readonly expiresAt: string }

const KEY = 'hotline.session';

export function currentSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    const session = raw ? (JSON.parse(raw) as Session) : null;
    if (session && Date.parse(session.expiresAt) > Date.now()) return session;
  } catch { /* unreadable: log in again */ }
  return null;
}
export function saveSession(session: Session): void { sessionStorage.setItem(KEY, JSON.stringify(session)); }
export function clearSession(): void {
  for (const key of Object.keys(sessionStorage)) if (key.startsWith('hotline.')) sessionStorage.removeItem(key);
}
export const hasRole = (session: Session | null, ...roles: string[]) => !!session && roles.some((r) => session.user.roles.includes(r));
