/**
 * Consult and transfer: the directory of expert seats and sub-centres (by skill, with agents
 * ready now), allow-listed numbers, emergency hand-off; while consulting: three-way, complete,
 * cancel. Commands are the CTI's call.consult / conference / completeTransfer / cancelConsult /
 * transfer / emergency.
 */
import { get } from '../../core/api.ts';
import { h } from '../../core/dom.ts';
import { t, tOr } from '../../i18n.ts';
import type { CallActions } from './call-panel.ts';
import type { AgentModel, CallView } from './model.ts';

interface DirectoryEntry { readonly queueId: string; readonly skills: readonly string[]; readonly loggedIn: number; readonly ready: number }

export function renderTransferPanel(model: AgentModel, actions: CallActions) {
  let directory: readonly DirectoryEntry[] = [];
  let open = false;
  const list = h('ul', { class: 'directory', 'data-testid': 'directory' });
  const refresh = async () => {
    directory = await get<DirectoryEntry[]>('/api/softphone/directory').catch(() => directory);
    paint();
  };
  const timer = setInterval(() => { if (open && model.call && model.call.phase !== 'ended') void refresh(); }, 5000);

  function paint(): void {
    const call = model.call;
    if (!call) return;
    const callId = call.offer.callId;
    const idle = call.phase === 'connected' || call.phase === 'held';
    list.replaceChildren(...directory.filter((d) => d.queueId !== call.offer.queueId).map((d) => h('li', null,
      h('span', { class: `avail ${d.ready > 0 ? 'ok' : 'bad'}`, 'aria-hidden': 'true' }),
      h('span', { class: 'name' }, tOr(`queue.${d.queueId}`, d.queueId)),
      h('span', { class: 'muted' }, t('transfer.ready').replace('{ready}', String(d.ready)).replace('{total}', String(d.loggedIn))),
      h('button', { type: 'button', disabled: !idle, 'data-testid': `consult-${d.queueId}`, onclick: () => void actions.command('call.consult', { callId, target: { queue: d.queueId } }) }, t('transfer.consult')),
      h('button', { type: 'button', disabled: !idle, onclick: () => void actions.command('call.transfer', { callId, target: { queue: d.queueId } }) }, t('transfer.blind')))));
  }

  function render(call: CallView): HTMLElement {
    const callId = call.offer.callId;
    const idle = call.phase === 'connected' || call.phase === 'held';
    const consulting = call.phase === 'consulting' || call.phase === 'conference' || call.phase === 'transferring';
    const number = h('input', { inputmode: 'numeric', pattern: '[0-9]{3,20}', 'aria-label': t('transfer.number'), placeholder: t('transfer.number'), list: 'transfer-numbers' });
    const details = h('details', { class: 'card transfer', 'data-testid': 'transfer-panel', open: open || consulting, ontoggle: () => { open = details.open; if (open) void refresh(); } },
      h('summary', null, h('h3', null, t('transfer.title'), h('kbd', null, 'Alt+X'))),
      consulting ? h('div', { class: 'buttons' },
        h('button', { type: 'button', class: 'primary', 'data-testid': 'conference', disabled: call.phase !== 'consulting', onclick: () => void actions.command('call.conference', { callId }) }, t('transfer.conference')),
        h('button', { type: 'button', 'data-testid': 'complete-transfer', onclick: () => void actions.command('call.completeTransfer', { callId }) }, t('transfer.complete')),
        h('button', { type: 'button', class: 'danger', 'data-testid': 'cancel-consult', onclick: () => void actions.command('call.cancelConsult', { callId }) }, t('transfer.cancel'))) : null,
      h('h4', null, t('transfer.directory')), list,
      h('h4', null, t('transfer.numbers')),
      h('datalist', { id: 'transfer-numbers' }, model.config.transferNumbers.map((n) => h('option', { value: n }))),
      h('div', { class: 'inline' }, number,
        h('button', { type: 'button', disabled: !idle, onclick: () => void actions.command('call.consult', { callId, target: { number: number.value } }) }, t('transfer.consult')),
        h('button', { type: 'button', disabled: !idle, onclick: () => void actions.command('call.transfer', { callId, target: { number: number.value } }) }, t('transfer.blind'))),
      h('h4', null, t('transfer.emergency')),
      h('div', { class: 'buttons' }, model.config.emergencyNumbers.map((n) => h('button', { type: 'button', class: 'danger', disabled: call.phase === 'ended' || call.phase === 'ringing', 'data-testid': `emergency-${n}`, onclick: () => {
        if (confirm(t('transfer.emergencyConfirm').replace('{n}', n))) void actions.command('call.emergency', { callId, service: n });
      } }, `${n} ${tOr(`emergency.${n}`, '')}`))));
    paint();
    if (open && directory.length === 0) void refresh();
    return details;
  }

  return { render, dispose: () => clearInterval(timer) };
}
