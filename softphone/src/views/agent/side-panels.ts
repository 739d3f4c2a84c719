/** Beside the call: knowledge-base search, and tabs with the callback work list, missed calls and today's calls. */
import { ApiError, get, post } from '../../core/api.ts';
import { clock, h, region, time } from '../../core/dom.ts';
import { t, tOr, type Key } from '../../i18n.ts';
import type { AgentModel } from './model.ts';

interface KbHit { readonly id: string; readonly title: string; readonly unit: string; readonly snippet: string }
interface CallbackTicket { readonly id: string; readonly caller: { phone: string; name?: string }; readonly content: string; readonly light: string | null; readonly state: string }
interface Missed { readonly callId: string; readonly callerNumber: string; readonly did: string; readonly arrivedAt: number; readonly waitedSec: number; readonly short: boolean; readonly callbackFailed: boolean }
interface MyCall { readonly callId: string; readonly callerNumber: string; readonly did: string; readonly arrivedAt: number; readonly answeredAt?: number; readonly endedAt?: number; readonly ticketIds: readonly string[]; readonly rating?: string }

type Tab = 'callbacks' | 'missed' | 'calls';

export function renderSidePanels(model: AgentModel) {
  const query = h('input', { type: 'search', 'data-testid': 'kb-query', 'aria-label': t('kb.search'), placeholder: t('kb.placeholder') });
  const results = h('div', { 'aria-live': 'polite', 'data-testid': 'kb-results' });
  const search = async () => {
    const q = query.value.trim();
    if (!q) return;
    try {
      const hits = await get<KbHit[]>(`/api/kb/search?q=${encodeURIComponent(q)}&limit=8`);
      results.replaceChildren(hits.length ? h('ul', { class: 'list kb' }, hits.map((hit) => h('li', null,
        h('strong', null, hit.title), h('span', { class: 'muted' }, ` · ${hit.unit}`), h('p', null, hit.snippet)))) : h('p', { class: 'muted' }, t('kb.none')));
    } catch {
      results.replaceChildren(h('p', { class: 'error' }, t('error.network')));
    }
  };
  const kb = h('section', { class: 'card', 'aria-labelledby': 'kb-title' },
    h('h2', { id: 'kb-title' }, t('kb.title'), h('kbd', null, 'Alt+K')),
    h('form', { role: 'search', class: 'inline', onsubmit: (e: Event) => { e.preventDefault(); void search(); } }, query, h('button', { type: 'submit' }, t('kb.go'))),
    results);

  let tab: Tab = 'callbacks';
  let data: { callbacks: CallbackTicket[]; missed: Missed[]; calls: MyCall[] } = { callbacks: [], missed: [], calls: [] };
  let error = '';
  const refresh = async () => {
    try {
      const [callbacks, missed, mine] = await Promise.all([
        get<CallbackTicket[]>('/api/tickets/callbacks'), get<Missed[]>('/api/calls/missed'), get<{ calls: MyCall[] }>('/api/softphone/my-calls'),
      ]);
      data = { callbacks, missed, calls: mine.calls };
      error = '';
    } catch (e) {
      error = e instanceof ApiError ? e.message : t('error.network');
    }
    lists.update();
  };
  const tabs: Array<[Tab, Key]> = [['callbacks', 'lists.callbacks'], ['missed', 'lists.missed'], ['calls', 'lists.calls']];
  const lists = region(h('section', { class: 'card lists', 'aria-labelledby': 'lists-title' }), () => {
    const count = { callbacks: data.callbacks.length, missed: data.missed.length, calls: data.calls.length };
    return [
      h('h2', { id: 'lists-title', class: 'sr-only' }, t('lists.title')),
      h('div', { role: 'tablist', class: 'tabs', 'aria-label': t('lists.title') }, tabs.map(([id, label]) => h('button', {
        type: 'button', role: 'tab', id: `tab-${id}`, 'data-key': `tab-${id}`, 'aria-selected': String(tab === id), 'aria-controls': 'list-panel', tabindex: tab === id ? '0' : '-1',
        onclick: () => { tab = id; lists.update(); },
        onkeydown: (e: KeyboardEvent) => {
          if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
          const i = tabs.findIndex(([x]) => x === tab);
          tab = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length]![0];
          lists.update();
          (document.getElementById(`tab-${tab}`) as HTMLElement | null)?.focus();
        },
      }, t(label), ` (${count[id]})`))),
      h('div', { id: 'list-panel', role: 'tabpanel', 'aria-labelledby': `tab-${tab}`, tabindex: '0' },
        error ? h('p', { class: 'error' }, error) : null,
        tab === 'callbacks' ? listOf(data.callbacks, (c) => h('li', null, h('span', { class: `light ${c.light ?? 'none'}`, 'aria-label': tOr(`light.${c.light}`, '') }),
          h('strong', null, c.id), ` ${c.caller.name ?? ''} ${c.caller.phone}`, h('p', null, c.content.slice(0, 60)))) : null,
        tab === 'missed' ? listOf(data.missed, (m) => h('li', null, h('strong', null, m.callerNumber), ` · ${m.did} · ${time(m.arrivedAt)} · ${t('lists.waited')} ${m.waitedSec}s`,
          m.callbackFailed ? h('span', { class: 'tag bad' }, t('lists.callbackFailed')) : null,
          h('div', { class: 'buttons' },
            h('button', { type: 'button', onclick: () => void post(`/api/calls/${encodeURIComponent(m.callId)}/callback`, { outcome: 'reached' }).then(refresh) }, t('lists.reached')),
            h('button', { type: 'button', onclick: () => void post(`/api/calls/${encodeURIComponent(m.callId)}/callback`, { outcome: 'unreachable' }).then(refresh) }, t('lists.unreachable'))))) : null,
        tab === 'calls' ? listOf(data.calls, (c) => h('li', null, h('strong', null, c.callerNumber), ` · ${c.did} · ${time(c.arrivedAt)}`,
          c.answeredAt ? ` · ${clock((c.endedAt ?? Date.now()) - c.answeredAt)}` : ` · ${t('lists.notAnswered')}`,
          c.ticketIds.length ? ` · ${t('call.ticket')} ${c.ticketIds.join(', ')}` : '', c.rating ? ` · ${tOr(`rating.${c.rating}`, c.rating)}` : '')) : null),
      h('button', { type: 'button', class: 'ghost', onclick: () => void refresh() }, t('lists.refresh')),
    ];
  });
  void refresh();
  const timer = setInterval(() => { if (model.call?.phase !== 'ringing') void refresh(); }, 30_000);

  return { el: h('div', null, kb, lists.el), refresh: () => void refresh(), dispose: () => clearInterval(timer) };
}

function listOf<T>(items: readonly T[], row: (item: T) => HTMLElement): HTMLElement {
  return items.length ? h('ul', { class: 'list' }, items.map(row)) : h('p', { class: 'muted' }, t('lists.empty'));
}
