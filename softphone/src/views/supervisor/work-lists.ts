/** Supervisor tabs: overdue tickets (red / yellow), callbacks, missed calls, recordings player, quality review sheets. */
import { ApiError, api, get, put } from '../../core/api.ts';
import { dateTime, field, h, region, time } from '../../core/dom.ts';
import { currentSession } from '../../core/session.ts';
import { t, tOr, type Key } from '../../i18n.ts';

type Tab = 'overdue' | 'callbacks' | 'missed' | 'recordings' | 'quality';
interface Ticket { id: string; state: string; category: string; content: string; leadUnit: string | null; light: string | null; caller: { phone: string } }
interface Missed { callId: string; callerNumber: string; did: string; arrivedAt: number; waitedSec: number; callbackFailed: boolean }
interface Recording { id: string; callId: string; agentId: string; state: string; startedAt: number; durationSec: number | null }
interface Criterion { id: string; label: string; max: number }
interface Review { id: string; callId: string; agentId: string; recordingId: string; day: string; state: string; total?: number; maxTotal?: number; scores?: Record<string, number> }

export function renderWorkLists() {
  let tab: Tab = 'overdue';
  const tabs: Array<[Tab, Key]> = [['overdue', 'wl.overdue'], ['callbacks', 'lists.callbacks'], ['missed', 'lists.missed'], ['recordings', 'wl.recordings'], ['quality', 'wl.quality']];
  const panel = h('div', { id: 'wl-panel', role: 'tabpanel', tabindex: '0' });
  const bar = region(h('div', { role: 'tablist', class: 'tabs', 'aria-label': t('wl.title') }), () => tabs.map(([id, label]) => h('button', {
    type: 'button', role: 'tab', id: `wl-${id}`, 'data-key': `wl-${id}`, 'aria-selected': String(tab === id), 'aria-controls': 'wl-panel', tabindex: tab === id ? '0' : '-1',
    onclick: () => { tab = id; bar.update(); void load(); },
    onkeydown: (e: KeyboardEvent) => {
      if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
      const i = tabs.findIndex(([x]) => x === tab);
      tab = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length]![0];
      bar.update(); void load();
    },
  }, t(label))));

  const show = (...nodes: Array<Node | null>) => { panel.setAttribute('aria-labelledby', `wl-${tab}`); panel.replaceChildren(...nodes.filter((n): n is Node => n !== null)); };
  const empty = () => h('p', { class: 'muted' }, t('lists.empty'));

  async function load(): Promise<void> {
    try {
      if (tab === 'overdue') {
        const [red, yellow] = await Promise.all([get<Ticket[]>('/api/tickets?light=red&limit=50'), get<Ticket[]>('/api/tickets?light=yellow&limit=50')]);
        const rows = [...red, ...yellow];
        show(rows.length ? h('ul', { class: 'list', 'data-testid': 'overdue' }, rows.map((tk) => h('li', null, h('span', { class: `light ${tk.light}`, role: 'img', 'aria-label': tOr(`light.${tk.light}`, '') }),
          h('strong', null, tk.id), ` ${tOr(`ticketState.${tk.state}`, tk.state)} · ${tk.leadUnit ?? '–'} · ${tk.content.slice(0, 50)}`))) : empty());
      } else if (tab === 'callbacks') {
        const rows = await get<Ticket[]>('/api/tickets/callbacks');
        show(rows.length ? h('ul', { class: 'list' }, rows.map((tk) => h('li', null, h('strong', null, tk.id), ` ${tk.caller.phone} · ${tk.content.slice(0, 50)}`))) : empty());
      } else if (tab === 'missed') {
        const rows = await get<Missed[]>('/api/calls/missed');
        show(rows.length ? h('ul', { class: 'list' }, rows.map((m) => h('li', null, h('strong', null, m.callerNumber), ` · ${m.did} · ${time(m.arrivedAt)} · ${t('lists.waited')} ${m.waitedSec}s`))) : empty());
      } else if (tab === 'recordings') {
        show(recordingsPanel());
      } else {
        show(await qualityPanel());
      }
    } catch (e) {
      show(h('p', { class: 'error' }, e instanceof ApiError ? `${e.message} (${e.code})` : t('error.network')));
    }
  }

  void load();
  return { el: h('section', { class: 'card worklists', 'aria-labelledby': 'wl-title' }, h('h2', { id: 'wl-title' }, t('wl.title')), bar.el, panel), dispose: () => undefined };
}

/** Plays a recording: fetched with the bearer token into a blob URL (an <audio src> cannot send the token). */
async function play(recording: Recording, into: HTMLElement): Promise<void> {
  const session = currentSession();
  const response = await fetch(`/api/recordings/${encodeURIComponent(recording.id)}/audio`, { headers: session ? { authorization: `Bearer ${session.token}` } : {} });
  if (!response.ok) { into.replaceChildren(h('p', { class: 'error' }, `${t('wl.noAudio')} (${response.status})`)); return; }
  const url = URL.createObjectURL(await response.blob());
  into.replaceChildren(h('audio', { controls: true, src: url, 'aria-label': `${t('wl.recording')} ${recording.id}` }));
}

function recordingsPanel(): HTMLElement {
  const callId = h('input', { 'data-testid': 'rec-call', placeholder: 'c-…' });
  const out = h('div', { 'aria-live': 'polite' });
  const player = h('div');
  return h('div', null, h('form', { class: 'inline', onsubmit: async (e: Event) => {
    e.preventDefault();
    try {
      const rows = await get<Recording[]>(`/api/calls/${encodeURIComponent(callId.value.trim())}/recordings`);
      out.replaceChildren(rows.length ? h('ul', { class: 'list' }, rows.map((r) => h('li', null, `${r.id} · ${r.agentId} · ${dateTime(r.startedAt)} · ${r.durationSec ?? '–'}s · ${r.state} `,
        r.state === 'stored' ? h('button', { type: 'button', onclick: () => void play(r, player) }, t('wl.play')) : null))) : h('p', { class: 'muted' }, t('lists.empty')));
    } catch (err) {
      out.replaceChildren(h('p', { class: 'error' }, err instanceof ApiError ? err.message : t('error.network')));
    }
  } }, field(t('wl.callId'), callId), h('button', { type: 'submit' }, t('wl.find'))), out, player);
}

async function qualityPanel(): Promise<HTMLElement> {
  const [reviews, sheet] = await Promise.all([get<Review[]>('/api/quality/reviews?state=all&limit=50'), get<{ criteria: Criterion[] }>('/api/quality/sheet')]);
  const editor = h('div');
  const open = (review: Review) => {
    const inputs = sheet.criteria.map((c) => h('input', { type: 'number', min: 0, max: c.max, value: String(review.scores?.[c.id] ?? c.max), 'data-criterion': c.id }));
    const comment = h('textarea', { rows: 2 });
    const status = h('p', { role: 'status' });
    const player = h('div');
    editor.replaceChildren(h('form', { class: 'card', onsubmit: async (e: Event) => {
      e.preventDefault();
      try {
        const scores = Object.fromEntries(inputs.map((i) => [i.dataset.criterion!, Number(i.value)]));
        await put(`/api/quality/reviews/${encodeURIComponent(review.id)}`, { scores, ...(comment.value ? { comment: comment.value } : {}), final: true });
        status.textContent = t('wl.saved');
      } catch (err) { status.textContent = err instanceof ApiError ? err.message : t('error.network'); }
    } },
    h('h3', null, `${t('wl.review')} ${review.callId} · ${review.agentId}`),
    h('button', { type: 'button', onclick: () => void api<Recording>('GET', `/api/recordings/${encodeURIComponent(review.recordingId)}`).then((r) => play(r, player)) }, t('wl.play')), player,
    h('div', { class: 'grid3' }, sheet.criteria.map((c, i) => field(`${c.label} (0–${c.max})`, inputs[i]!))),
    field(t('wl.comment'), comment), h('button', { type: 'submit', class: 'primary' }, t('wl.submit')), status));
  };
  return h('div', null, reviews.length ? h('ul', { class: 'list' }, reviews.map((r) => h('li', null, `${r.day} · ${r.callId} · ${r.agentId} · ${tOr(`review.${r.state}`, r.state)}`,
    r.total !== undefined ? ` · ${r.total}/${r.maxTotal}` : '', ' ', h('button', { type: 'button', onclick: () => open(r) }, t('wl.score'))))) : h('p', { class: 'muted' }, t('lists.empty')), editor);
}
