/**
 * Admin: seats (editable: extension and skills, `PUT /api/admin/seats/{username}`). A changed
 * extension needs Asterisk's seats re-rendered; the panel says so with the command the server
 * answers. Queues and skills: queues.ts.
 */
import { ApiError, get, put } from '../../core/api.ts';
import { h } from '../../core/dom.ts';
import { t, tOr } from '../../i18n.ts';

interface AdminSkill { skill: string; queues: string[]; agents: Array<{ agentId: string; level: number }> }
interface Seat { username: string; displayName: string; roles: string[]; extension: string | null; skills: Record<string, number> | null; state: string | null }

type Table = (head: string[], rows: Array<Array<string | Node>>) => HTMLElement;

const failure = (e: unknown) => (e instanceof ApiError ? `${tOr(`error.${e.code}`, e.message)} (${e.code})` : t('error.network'));

export async function renderSeats(table: Table, reload: (notice?: HTMLElement) => void): Promise<HTMLElement[]> {
  const [seats, skills] = await Promise.all([get<Seat[]>('/api/admin/seats'), get<AdminSkill[]>('/api/admin/skills')]);
  const editor = h('div', { 'data-testid': 'seat-editor' });
  const status = h('p', { role: 'status', 'data-testid': 'seat-status' });

  const edit = (seat: Seat) => {
    const extension = h('input', { id: 'seat-ext', value: seat.extension ?? '', inputmode: 'numeric', pattern: '[1-9][0-9]{3,7}', required: true, 'data-testid': 'seat-extension' });
    const isAgent = seat.roles.includes('agent');
    const levels = skills.map((s) => h('input', {
      id: `skill-${s.skill}`, type: 'number', min: '0', max: '10', value: String(seat.skills?.[s.skill] ?? 0), 'data-testid': `skill-${s.skill}`,
    }));
    const form = h('form', { class: 'card', 'aria-labelledby': 'seat-edit-title', onsubmit: (e: Event) => { e.preventDefault(); void save(); } },
      h('h3', { id: 'seat-edit-title' }, t('admin.editSeat').replace('{who}', `${seat.displayName} (${seat.username})`)),
      h('div', { class: 'field' }, h('label', { for: 'seat-ext' }, t('admin.extension')), extension),
      isAgent ? h('fieldset', { class: 'skills' }, h('legend', null, t('admin.skillLevels')),
        h('div', { class: 'grid3' }, skills.map((s, i) => h('div', { class: 'field' }, h('label', { for: `skill-${s.skill}` }, s.skill), levels[i])))) : null,
      h('div', { class: 'buttons' },
        h('button', { type: 'submit', class: 'primary', 'data-testid': 'seat-save' }, t('admin.save')),
        h('button', { type: 'button', onclick: () => editor.replaceChildren() }, t('admin.cancel'))));
    async function save(): Promise<void> {
      const chosen = Object.fromEntries(skills.map((s, i) => [s.skill, Number(levels[i]!.value)]).filter(([, level]) => Number(level) > 0));
      try {
        const answer = await put<{ asteriskReload: string | null }>(`/api/admin/seats/${encodeURIComponent(seat.username)}`, { extension: extension.value.trim(), ...(isAgent ? { skills: chosen } : {}) });
        reload(h('p', { class: answer.asteriskReload ? 'notice warn' : 'ok', role: 'status', 'data-testid': 'seat-saved' },
          t('admin.seatSaved').replace('{who}', seat.username),
          answer.asteriskReload ? [' ', t('admin.asteriskReload'), ' ', h('code', { 'data-testid': 'asterisk-reload' }, answer.asteriskReload), ' (docs/deploy.md)'] : ''));
      } catch (e) {
        status.className = 'error';
        status.textContent = failure(e);
      }
    }
    status.textContent = '';
    editor.replaceChildren(form);
    extension.focus();
  };

  return [
    h('p', { class: 'muted' }, t('admin.seatsEditNote')),
    status,
    table([t('sup.agent'), t('admin.extension'), t('admin.skills'), t('sup.state'), ''], seats.map((s) => [
      `${s.displayName} (${s.username})`, s.extension ?? '–',
      s.skills ? Object.entries(s.skills).map(([k, v]) => `${k} ${v}`).join(', ') || '–' : t('admin.notAgent'),
      s.state ? tOr(`state.${s.state}`, s.state) : '–',
      h('button', { type: 'button', 'data-testid': `edit-seat-${s.username}`, 'aria-label': `${t('admin.edit')} ${s.username}`, onclick: () => edit(s) }, t('admin.edit'))])),
    editor,
  ];
}
