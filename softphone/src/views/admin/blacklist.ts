/** Admin: the caller blacklist (`GET /api/blacklist`, `PUT`/`DELETE /api/blacklist/{number}`). */
import { ApiError, del, get, put } from '../../core/api.ts';
import { dateTime, h } from '../../core/dom.ts';
import { t, tOr } from '../../i18n.ts';

interface Entry { number: string; reason: string; by: string; createdAt: number; expiresAt: number }
type Table = (head: string[], rows: Array<Array<string | Node>>) => HTMLElement;

export async function renderBlacklist(table: Table, reload: () => void): Promise<HTMLElement[]> {
  const entries = await get<Entry[]>('/api/blacklist');
  const status = h('p', { role: 'status', 'data-testid': 'blacklist-status' });
  const fail = (e: unknown) => { status.className = 'error'; status.textContent = e instanceof ApiError ? `${tOr(`error.${e.code}`, e.message)} (${e.code})` : t('error.network'); };
  const number = h('input', { id: 'bl-number', inputmode: 'tel', required: true, pattern: '\\+?[0-9]{1,20}', 'data-testid': 'bl-number' });
  const reason = h('input', { id: 'bl-reason', required: true, minlength: '2', maxlength: '500', 'data-testid': 'bl-reason' });
  const days = h('input', { id: 'bl-days', type: 'number', min: '1', max: '365', value: '30', required: true, 'data-testid': 'bl-days' });
  const add = async () => {
    try {
      await put(`/api/blacklist/${encodeURIComponent(number.value.trim())}`, { reason: reason.value.trim(), days: Number(days.value) });
      reload();
    } catch (e) { fail(e); }
  };
  return [
    h('p', { class: 'muted' }, t('admin.blacklistHelp')),
    h('form', { class: 'card inline', 'aria-label': t('admin.blacklistAdd'), onsubmit: (e: Event) => { e.preventDefault(); void add(); } },
      h('div', { class: 'field' }, h('label', { for: 'bl-number' }, t('transfer.number')), number),
      h('div', { class: 'field' }, h('label', { for: 'bl-reason' }, t('admin.reason')), reason),
      h('div', { class: 'field' }, h('label', { for: 'bl-days' }, t('admin.days')), days),
      h('button', { type: 'submit', class: 'primary', 'data-testid': 'bl-add' }, t('admin.blacklistAdd'))),
    status,
    entries.length ? table([t('transfer.number'), t('admin.reason'), t('admin.by'), t('admin.until'), ''], entries.map((e) => [
      e.number, e.reason, e.by, dateTime(e.expiresAt),
      h('button', { type: 'button', class: 'danger', 'data-testid': `unblock-${e.number}`, 'aria-label': `${t('admin.unblock')} ${e.number}`, onclick: () => void del(`/api/blacklist/${encodeURIComponent(e.number)}`).then(reload, fail) }, t('admin.unblock'))]))
      : h('p', { class: 'muted', 'data-testid': 'blacklist-empty' }, t('admin.blacklistEmpty')),
  ];
}
