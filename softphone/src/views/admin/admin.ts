/**
 * Admin: the IVR flow editor, and the configuration — queues (settings editable) and skills, seats
 * (extension and skills, editable), shifts (roster, editable), holidays and deadline rules
 * (the ticket configuration, editable), transfer allow-list (read-only), blacklist (editable).
 */
import { ApiError, get, put } from '../../core/api.ts';
import { h, region } from '../../core/dom.ts';
import type { Session } from '../../core/session.ts';
import { t, tOr, type Key } from '../../i18n.ts';
import { renderBlacklist } from './blacklist.ts';
import { renderFlowEditor } from './flow-editor.ts';
import { renderQueues } from './queues.ts';
import { renderSeats } from './seats.ts';

type Tab = 'flows' | 'queues' | 'seats' | 'shifts' | 'calendar' | 'transfers' | 'blacklist';

export async function renderAdmin(main: HTMLElement, _session: Session): Promise<() => void> {
  let tab: Tab = 'flows';
  const tabs: Array<[Tab, Key]> = [['flows', 'admin.flows'], ['queues', 'admin.queues'], ['seats', 'admin.seats'], ['shifts', 'admin.shifts'], ['calendar', 'admin.calendar'], ['transfers', 'admin.transfers'], ['blacklist', 'admin.blacklist']];
  const panel = h('div', { id: 'admin-panel', role: 'tabpanel', tabindex: '-1', 'data-testid': 'admin-panel' });
  const bar = region(h('div', { role: 'tablist', class: 'tabs', 'aria-label': t('nav.admin') }), () => tabs.map(([id, label]) => h('button', {
    type: 'button', role: 'tab', id: `admin-${id}`, 'data-key': `admin-${id}`, 'aria-selected': String(tab === id), 'aria-controls': 'admin-panel', tabindex: tab === id ? '0' : '-1',
    onclick: () => { tab = id; bar.update(); void load(); },
    onkeydown: (e: KeyboardEvent) => {
      if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
      const i = tabs.findIndex(([x]) => x === tab);
      tab = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length]![0];
      bar.update(); void load();
    },
  }, t(label))));

  const table = (head: string[], rows: Array<Array<string | Node>>) => h('table', { class: 'grid' },
    h('thead', null, h('tr', null, head.map((x) => h('th', { scope: 'col' }, x)))), h('tbody', null, rows.map((r) => h('tr', null, r.map((c) => h('td', null, c))))));

  async function load(notice?: HTMLElement): Promise<void> {
    panel.setAttribute('aria-labelledby', `admin-${tab}`);
    const reload = (next?: HTMLElement) => void load(next);
    try {
      if (tab === 'flows') { panel.replaceChildren(await renderFlowEditor()); return; }
      if (tab === 'queues') {
        panel.replaceChildren(...(notice ? [notice] : []), ...await renderQueues(table, reload));
      } else if (tab === 'seats') {
        panel.replaceChildren(...(notice ? [notice] : []), ...await renderSeats(table, reload));
      } else if (tab === 'shifts') {
        panel.replaceChildren(h('p', { class: 'muted' }, t('admin.rosterNote')), jsonEditor(await get<unknown>('/api/acd/roster'), t('admin.shifts'), (value) => put('/api/acd/roster', value)));
      } else if (tab === 'calendar') {
        const config = await get<{ rules: Array<{ category: string; urgency: string; signFor: Amount; handle: Amount; callback: Amount }>; calendarYears: Array<{ year: number; holidays: Array<{ name: string; from: string; to: string }>; makeUpWorkdays: string[] }> }>('/api/tickets/config');
        panel.replaceChildren(
          h('h3', null, t('admin.rules')), table([t('ticket.category'), t('ticket.urgency'), t('admin.signFor'), t('admin.handle'), t('admin.callback')],
            config.rules.map((r) => [r.category === '*' ? t('admin.any') : tOr(`category.${r.category}`, r.category), tOr(`urgency.${r.urgency}`, r.urgency), amount(r.signFor), amount(r.handle), amount(r.callback)])),
          h('h3', null, t('admin.holidays')),
          ...config.calendarYears.map((y) => h('div', null, h('h4', null, String(y.year)), table([t('admin.holiday'), t('admin.from'), t('admin.to')], y.holidays.map((x) => [x.name, x.from, x.to])),
            h('p', { class: 'muted' }, `${t('admin.makeUp')}: ${y.makeUpWorkdays.join(', ') || '–'}`))),
          h('p', { class: 'muted' }, t('admin.calendarNote')),
          jsonEditor(config, t('admin.calendar'), (value) => put('/api/tickets/config', value)));
      } else if (tab === 'transfers') {
        const config = await get<{ transferNumbers: string[]; emergencyNumbers: string[] }>('/api/softphone/config');
        panel.replaceChildren(h('p', { class: 'muted' }, t('admin.transfersNote')),
          table([t('transfer.number'), t('admin.kind')], [...config.emergencyNumbers.map((n) => [n, `${t('transfer.emergency')} ${tOr(`emergency.${n}`, '')}`]), ...config.transferNumbers.map((n) => [n, t('admin.subCentre')])]));
      } else {
        panel.replaceChildren(...await renderBlacklist(table, reload));
      }
    } catch (e) {
      panel.replaceChildren(h('p', { class: 'error' }, e instanceof ApiError ? `${e.message} (${e.code})` : t('error.network')));
    }
  }

  main.classList.add('admin');
  main.append(h('h1', { class: 'sr-only' }, t('nav.admin')), bar.el, panel);
  await load();
  return () => undefined;
}

/** A document edited as JSON and saved whole (the server validates it and answers a coded error naming the field). */
function jsonEditor(value: unknown, label: string, save: (value: unknown) => Promise<unknown>): HTMLElement {
  const area = h('textarea', { class: 'code', rows: 18, spellcheck: false, 'aria-label': label });
  area.value = JSON.stringify(value, null, 2);
  const status = h('p', { role: 'status', 'data-testid': 'json-status' });
  return h('div', null, area, h('button', { type: 'button', class: 'primary', onclick: async () => {
    try { await save(JSON.parse(area.value)); status.className = 'ok'; status.textContent = t('wl.saved'); } catch (e) { status.className = 'error'; status.textContent = e instanceof ApiError ? `${e.message} (${e.code})` : String(e); }
  } }, t('admin.save')), status);
}

interface Amount { unit: string; amount: number }
const amount = (a: Amount) => `${a.amount} ${tOr(`unit.${a.unit}`, a.unit)}`;
