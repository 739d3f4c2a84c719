/** The login form (POST /api/auth/login). */
import { api, ApiError } from '../core/api.ts';
import { field, h } from '../core/dom.ts';
import { saveSession, type Session } from '../core/session.ts';
import { t } from '../i18n.ts';

export function renderLogin(done: () => void): HTMLElement {
  const username = h('input', { name: 'username', autocomplete: 'username', required: true, 'data-testid': 'login-user' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true, 'data-testid': 'login-password' });
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h('form', {
    class: 'card login', 'aria-labelledby': 'login-title',
    onsubmit: async (event: Event) => {
      event.preventDefault();
      error.textContent = '';
      try {
        const session = await api<Session>('POST', '/api/auth/login', { username: username.value.trim(), password: password.value });
        saveSession(session);
        done();
      } catch (e) {
        error.textContent = e instanceof ApiError && e.status === 401 ? t('login.wrong') : e instanceof ApiError && e.status === 429 ? t('login.tooMany') : t('error.network');
        password.select();
      }
    },
  },
  h('h1', { id: 'login-title' }, t('login.title')),
  field(t('login.username'), username),
  field(t('login.password'), password),
  error,
  h('button', { type: 'submit', class: 'primary' }, t('login.submit')),
  h('p', { class: 'hint' }, t('login.demoHint'), ' ', h('a', { href: '#/phone' }, t('nav.phone'))));
  queueMicrotask(() => username.focus());
  return h('main', { id: 'main', class: 'center' }, form);
}
