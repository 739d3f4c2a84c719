/**
 * The browser app: login, then by hash route the agent desktop (#/agent), supervisor console
 * (#/supervisor), admin (#/admin); the demo citizen phone (#/phone) needs no login.
 */
import './styles.css';
import { h } from './core/dom.ts';
import { currentSession, hasRole, type Session } from './core/session.ts';
import { lang, setLang, t } from './i18n.ts';
import { renderLogin } from './views/login.ts';
import { installShortcuts } from './views/shortcuts.ts';
import { logout } from './views/shell.ts';

type Route = 'agent' | 'supervisor' | 'admin' | 'phone';
const app = document.getElementById('app')!;
document.documentElement.lang = lang() === 'zh' ? 'zh-CN' : 'en';
document.title = t('app.title');

function defaultRoute(session: Session): Route {
  if (hasRole(session, 'agent')) return 'agent';
  if (hasRole(session, 'admin')) return 'admin';
  return 'supervisor';
}

function allowed(session: Session | null, route: Route): boolean {
  if (route === 'phone') return true;
  if (route === 'agent') return hasRole(session, 'agent');
  if (route === 'supervisor') return hasRole(session, 'supervisor', 'admin');
  return hasRole(session, 'admin');
}

let current: { route: Route; dispose?: () => void } | undefined;

async function show(): Promise<void> {
  const session = currentSession();
  let route = (location.hash.replace(/^#\/?/, '') || '') as Route;
  if (route !== 'phone' && !session) {
    current?.dispose?.();
    current = undefined;
    app.replaceChildren(shell(null, null, renderLogin(() => { location.hash = `#/${defaultRoute(currentSession()!)}`; void show(); })));
    return;
  }
  if (!['agent', 'supervisor', 'admin', 'phone'].includes(route) || !allowed(session, route)) {
    route = defaultRoute(session!);
    history.replaceState(null, '', `#/${route}`);
  }
  if (current?.route === route) return;
  current?.dispose?.();
  const main = h('main', { id: 'main', tabindex: '-1' });
  app.replaceChildren(shell(session, route, main));
  const views = {
    agent: () => import('./views/agent/desktop.ts').then((m) => m.renderAgentDesktop(main, session!)),
    supervisor: () => import('./views/supervisor/console.ts').then((m) => m.renderSupervisor(main, session!)),
    admin: () => import('./views/admin/admin.ts').then((m) => m.renderAdmin(main, session!)),
    phone: () => import('./views/phone.ts').then((m) => m.renderCitizenPhone(main)),
  };
  current = { route };
  const dispose = await views[route]();
  if (current.route === route) current.dispose = dispose;
  else dispose();
}

function shell(session: Session | null, route: Route | null, content: HTMLElement): HTMLElement {
  const nav: Array<[Route, string]> = [['agent', t('nav.agent')], ['supervisor', t('nav.supervisor')], ['admin', t('nav.admin')], ['phone', t('nav.phone')]];
  return h('div', { class: 'shell' },
    h('a', { class: 'skip', href: '#main' }, t('app.skip')),
    h('header', { class: 'topbar' },
      h('span', { class: 'brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, '12345'), t('app.title')),
      h('nav', { 'aria-label': t('nav.label') },
        nav.filter(([r]) => allowed(session, r)).map(([r, label]) =>
          h('a', { href: `#/${r}`, 'aria-current': route === r ? 'page' : false, class: route === r ? 'active' : '' }, label))),
      h('span', { class: 'spacer' }),
      session ? h('span', { class: 'who' }, `${session.user.displayName}${session.user.extension ? ` · ${t('app.seat')} ${session.user.extension}` : ''}`) : null,
      h('button', { type: 'button', class: 'ghost', onclick: () => { setLang(lang() === 'zh' ? 'en' : 'zh'); location.reload(); }, lang: lang() === 'zh' ? 'en' : 'zh-CN' }, t('app.otherLang')),
      h('button', { type: 'button', class: 'ghost', 'aria-keyshortcuts': 'Shift+?', onclick: () => document.dispatchEvent(new CustomEvent('hotline:help')) }, t('app.help')),
      session ? h('button', { type: 'button', class: 'ghost', onclick: () => void logout() }, t('app.logout')) : null),
    content,
    h('div', { id: 'announcer', class: 'sr-only', 'aria-live': 'polite', role: 'status' }));
}

installShortcuts();
window.addEventListener('hashchange', () => void show());
void show();
