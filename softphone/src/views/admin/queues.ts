/**
 * Admin: queues and skills. The routing steps are server configuration (read-only); each queue's
 * settings — longest wait, most callers waiting, callback key, recording — are edited here
 * (`PUT /api/admin/queues/{queueId}/settings`, with the version edited so a concurrent change is
 * not overwritten). They apply to callers queued from then on, on every server.
 */
import { ApiError, get, put } from '../../core/api.ts';
import { h } from '../../core/dom.ts';
import { t, tOr } from '../../i18n.ts';

interface Settings { maxWaitSec: number; maxWaiting: number; callbackKey?: string; record: boolean; version: number; updatedAt: number | null; updatedBy: string | null }
interface AdminQueue { queueId: string; priority: number; steps: Array<{ afterSec: number; skills: string[] }>; settings: Settings; agents: number }
interface AdminSkill { skill: string; queues: string[]; agents: Array<{ agentId: string; level: number }> }

type Table = (head: string[], rows: Array<Array<string | Node>>) => HTMLElement;

const failure = (e: unknown) => (e instanceof ApiError ? `${tOr(`error.${e.code}`, e.message)} (${e.code})` : t('error.network'));
const queueName = (id: string) => `${tOr(`queue.${id}`, id)} (${id})`;
const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '*', '#'];

const settingsText = (s: Settings) => [
  s.maxWaitSec === 0 ? t('admin.waitUnlimited') : t('admin.waitText').replace('{s}', String(s.maxWaitSec)),
  s.maxWaiting === 0 ? t('admin.maxUnlimited') : t('admin.maxText').replace('{n}', String(s.maxWaiting)),
  s.callbackKey !== undefined ? t('admin.callbackKeyText').replace('{key}', s.callbackKey) : t('admin.noCallback'),
  s.record ? t('admin.recorded') : t('admin.notRecorded'),
].join('；');

export async function renderQueues(table: Table, reload: (notice?: HTMLElement) => void): Promise<HTMLElement[]> {
  const [queues, skills] = await Promise.all([get<AdminQueue[]>('/api/admin/queues'), get<AdminSkill[]>('/api/admin/skills')]);
  const editor = h('div', { 'data-testid': 'queue-editor' });

  const edit = (queue: AdminQueue) => {
    const s = queue.settings;
    const status = h('p', { id: 'qs-status', role: 'alert', 'data-testid': 'queue-status' });
    const number = (id: string, value: number, max: number) =>
      h('input', { id, type: 'number', min: '0', max: String(max), step: '1', required: true, value: String(value), inputmode: 'numeric', 'aria-describedby': `${id}-help qs-status`, 'data-testid': id });
    const wait = number('qs-wait', s.maxWaitSec, 3600);
    const max = number('qs-max', s.maxWaiting, 10_000);
    const key = h('select', { id: 'qs-key', 'data-testid': 'qs-key' },
      h('option', { value: '' }, t('admin.noCallback')), KEYS.map((k) => h('option', { value: k }, k)));
    key.value = s.callbackKey ?? '';
    const record = h('input', { id: 'qs-record', type: 'checkbox', 'data-testid': 'qs-record' });
    record.checked = s.record;
    const field = (input: HTMLElement, id: string, label: string, help: string) =>
      h('div', { class: 'field' }, h('label', { for: id }, label), input, h('small', { id: `${id}-help`, class: 'muted' }, help));

    /** The field's own range check, named in the UI language (the server checks again and answers a coded error). */
    function checked(input: HTMLInputElement, top: number, label: string): number | null {
      const value = Number(input.value);
      const ok = input.value.trim() !== '' && Number.isInteger(value) && value >= 0 && value <= top;
      input.setAttribute('aria-invalid', String(!ok));
      if (!ok) {
        status.className = 'error';
        status.textContent = t('admin.rangeError').replace('{field}', label).replace('{max}', String(top));
        input.focus();
      }
      return ok ? value : null;
    }

    async function save(): Promise<void> {
      const maxWaitSec = checked(wait, 3600, t('admin.maxWaitSec'));
      if (maxWaitSec === null) return;
      const maxWaiting = checked(max, 10_000, t('admin.maxWaiting'));
      if (maxWaiting === null) return;
      try {
        await put(`/api/admin/queues/${encodeURIComponent(queue.queueId)}/settings`, {
          maxWaitSec, maxWaiting, record: record.checked, ...(key.value ? { callbackKey: key.value } : {}), expectedVersion: s.version,
        });
        reload(h('p', { class: 'ok', role: 'status', 'data-testid': 'queue-saved' }, t('admin.queueSaved').replace('{queue}', queueName(queue.queueId))));
      } catch (e) {
        status.className = 'error';
        status.textContent = e instanceof ApiError && e.code === 'STORE_CONFLICT' ? `${t('admin.queueConflict')} (${e.code})` : failure(e);
      }
    }

    const form = h('form', { class: 'card', novalidate: true, 'aria-labelledby': 'qs-title', onsubmit: (e: Event) => { e.preventDefault(); void save(); } },
      h('h3', { id: 'qs-title' }, t('admin.editQueue').replace('{queue}', queueName(queue.queueId))),
      h('p', { class: 'muted' }, t('admin.queueSettingsNote')),
      h('div', { class: 'grid3' },
        field(wait, 'qs-wait', t('admin.maxWaitSec'), t('admin.maxWaitSecHelp')),
        field(max, 'qs-max', t('admin.maxWaiting'), t('admin.maxWaitingHelp')),
        field(key, 'qs-key', t('admin.callbackKey'), t('admin.callbackKeyHelp'))),
      h('div', { class: 'field' }, h('label', null, record, ' ', t('admin.recordCalls'))),
      status,
      h('div', { class: 'buttons' },
        h('button', { type: 'submit', class: 'primary', 'data-testid': 'queue-save' }, t('admin.save')),
        h('button', { type: 'button', onclick: () => editor.replaceChildren() }, t('admin.cancel'))));
    editor.replaceChildren(form);
    wait.focus();
  };

  return [
    h('p', { class: 'muted' }, t('admin.queuesNote')),
    table([t('sup.queue'), t('admin.priority'), t('admin.steps'), t('admin.settings'), t('admin.agentsWithSkill'), ''], queues.map((q) => [
      queueName(q.queueId), String(q.priority),
      q.steps.map((s) => `${s.afterSec === 0 ? t('admin.atOnce') : t('admin.after').replace('{s}', String(s.afterSec))}: ${s.skills.join(', ')}`).join('；'),
      h('span', { 'data-testid': `queue-settings-${q.queueId}` }, settingsText(q.settings)),
      String(q.agents),
      h('button', { type: 'button', 'data-testid': `edit-queue-${q.queueId}`, 'aria-label': `${t('admin.edit')} ${queueName(q.queueId)}`, onclick: () => edit(q) }, t('admin.edit'))])),
    editor,
    h('h3', null, t('admin.skills')),
    table([t('admin.skill'), t('admin.usedBy'), t('admin.holders')], skills.map((s) => [
      s.skill, s.queues.map((q) => tOr(`queue.${q}`, q)).join(', '),
      s.agents.length ? s.agents.map((a) => `${a.agentId} (${a.level})`).join(', ') : '–'])),
  ];
}
