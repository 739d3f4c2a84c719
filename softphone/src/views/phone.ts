/**
 * Demo citizen phone (embedded mode): dial a hotline on the built-in simulator, press keys, read
 * what is played (prompt texts), hang up. Polls the server's demo route for what was heard.
 */
import { ApiError, api } from '../core/api.ts';
import { announce, field, h, region, time } from '../core/dom.ts';
import { lang, t, tOr } from '../i18n.ts';

interface Heard { kind: string; at: number; media?: string[]; text?: { zh?: string; en?: string }; state?: string }
interface Report { channelId: string; state: string; hungUp: boolean; bridged: boolean; heard: Heard[] }

export async function renderCitizenPhone(main: HTMLElement): Promise<() => void> {
  let channelId: string | null = null;
  let report: Report | null = null;
  let error = '';
  let wasBridged = false;
  let everBridged = false;
  let poll: ReturnType<typeof setInterval> | undefined;
  const from = h('input', { value: '13800138000', inputmode: 'tel', 'data-testid': 'phone-from' });
  const did = h('select', { 'data-testid': 'phone-did' }, ['12345', '12328', '12360'].map((d) => h('option', { value: d }, `${d} ${tOr(`did.${d}`, '')}`)));

  const refresh = async () => {
    if (!channelId) return;
    try {
      report = await api<Report>('GET', `/api/demo/calls/${encodeURIComponent(channelId)}`);
      if (report.bridged && !wasBridged) announce(t('phone.withAgent'));
      if (!report.bridged && wasBridged && !report.hungUp) announce(t('phone.afterAgent'));
      wasBridged = report.bridged;
      everBridged ||= report.bridged;
      if (report.hungUp) { clearInterval(poll); poll = undefined; }
    } catch (e) { error = e instanceof ApiError ? e.message : t('error.network'); }
    view.update();
  };
  const dial = async () => {
    error = '';
    try {
      const placed = await api<{ channelId: string }>('POST', '/api/demo/calls', { did: did.value, from: from.value.trim() });
      channelId = placed.channelId;
      report = null;
      wasBridged = false;
      everBridged = false;
      clearInterval(poll);
      poll = setInterval(() => void refresh(), 700);
      void refresh();
    } catch (e) { error = e instanceof ApiError ? (e.status === 404 ? t('phone.notDemo') : e.message) : t('error.network'); view.update(); }
  };
  const press = async (digits: string) => {
    if (!channelId || report?.hungUp) return;
    await api('POST', `/api/demo/calls/${encodeURIComponent(channelId)}/dtmf`, { digits }).catch(() => undefined);
    setTimeout(() => void refresh(), 300);
  };
  const hangup = async () => {
    if (!channelId) return;
    await api('POST', `/api/demo/calls/${encodeURIComponent(channelId)}/hangup`).catch(() => undefined);
    void refresh();
  };

  const onKey = (e: KeyboardEvent) => {
    if (!channelId || report?.hungUp || e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
    if (/^[0-9*#]$/.test(e.key)) { e.preventDefault(); void press(e.key); }
  };
  document.addEventListener('keydown', onKey);

  const line = (x: Heard): string => {
    const text = x.text ? (lang() === 'zh' ? x.text.zh ?? x.text.en : x.text.en ?? x.text.zh) : undefined;
    if (text) return text;
    if (x.kind === 'playback') return `${t('phone.sound')} ${(x.media ?? []).join(', ')}`;
    return tOr(`heard.${x.kind}`, x.kind);
  };
  const statusText = () => !channelId ? t('phone.idle') : !report ? t('phone.dialling') : report.hungUp ? t('phone.ended') : report.bridged ? t('phone.withAgent') : everBridged ? t('phone.afterAgent') : t('phone.inIvr');

  const view = region(h('div', { class: 'phone-grid' }), () => [
    h('section', { class: 'card handset', 'aria-labelledby': 'phone-title' },
      h('h2', { id: 'phone-title' }, t('phone.title')),
      h('p', { class: 'muted' }, t('phone.intro')),
      h('div', { class: 'grid2' }, field(t('phone.from'), from), field(t('phone.did'), did)),
      h('p', { class: `phone-status ${report?.bridged ? 'ok' : ''}`, role: 'status', 'aria-live': 'polite', 'data-testid': 'phone-status' }, statusText()),
      error ? h('p', { class: 'error', role: 'alert' }, error) : null,
      h('div', { class: 'buttons' },
        h('button', { type: 'button', class: 'answer', 'data-key': 'dial', 'data-testid': 'phone-dial', disabled: !!channelId && !report?.hungUp, onclick: () => void dial() }, t('phone.dial')),
        h('button', { type: 'button', class: 'danger', 'data-key': 'hangup', 'data-testid': 'phone-hangup', disabled: !channelId || !!report?.hungUp, onclick: () => void hangup() }, t('phone.hangup'))),
      h('div', { class: 'pad big', role: 'group', 'aria-label': t('phone.keypad') },
        ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'].map((k) => h('button', { type: 'button', 'data-key': `k${k}`, 'data-testid': `key-${k === '*' ? 'star' : k === '#' ? 'hash' : k}`, disabled: !channelId || !!report?.hungUp, onclick: () => void press(k) }, k))),
      h('p', { class: 'hint' }, t('phone.keysHint'))),
    h('section', { class: 'card transcript', 'aria-labelledby': 'heard-title' },
      h('h2', { id: 'heard-title' }, t('phone.heard')),
      report?.heard.length ? h('ol', { class: 'list', 'data-testid': 'phone-heard' }, report.heard.map((x) => h('li', { class: `heard-${x.kind}` }, h('span', { class: 'muted' }, `${time(x.at)} `), line(x)))) : h('p', { class: 'muted' }, t('phone.nothing'))),
  ]);

  main.classList.add('phone-page');
  main.append(h('h1', { class: 'sr-only' }, t('nav.phone')), view.el);
  return () => { clearInterval(poll); document.removeEventListener('keydown', onKey); };
}
