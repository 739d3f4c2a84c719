/** The call in hand: screen pop (who, which hotline, waiting, IVR path, history, open tickets), controls, transfers, ticket. */
import { clock, dateTime, h, region } from '../../core/dom.ts';
import { t, tOr } from '../../i18n.ts';
import type { AgentModel, CallView } from './model.ts';
import { renderTicketForm } from './ticket-form.ts';
import { renderTransferPanel } from './transfer.ts';

export interface CallActions {
  answer(): Promise<void>; decline(): Promise<void>; hangup(): Promise<void>; toggleHold(): Promise<void>;
  toggleMute(): void; dtmf(digit: string): void;
  command(type: string, payload: Record<string, unknown>): Promise<void>;
  run(action: () => Promise<unknown>): Promise<void>;
}

export function renderCallPanel(model: AgentModel, actions: CallActions) {
  const ticketForms = new Map<string, HTMLElement>();
  const transfer = renderTransferPanel(model, actions);
  const waiting = h('span', { 'data-testid': 'waiting' });
  const duration = h('span', { class: 'timer', 'data-testid': 'call-timer' });
  const ticker = setInterval(() => tick(), 1000);
  function tick(): void {
    const call = model.call;
    if (!call) return;
    waiting.textContent = clock(call.offer.waitingMs + (call.phase === 'ringing' ? Date.now() - call.offer.receivedAt : (call.answeredAt ?? Date.now()) - call.offer.receivedAt));
    duration.textContent = call.answeredAt ? clock((call.endedAt ?? Date.now()) - call.answeredAt) : '';
  }

  const ticketFor = (call: CallView) => {
    let form = ticketForms.get(call.offer.callId);
    if (!form) {
      form = renderTicketForm(model, call);
      ticketForms.clear();
      ticketForms.set(call.offer.callId, form);
    }
    return form;
  };

  const r = region(h('section', { class: 'call-area', 'aria-labelledby': 'call-title' }), () => {
    const call = model.call;
    if (!call) {
      return [h('h2', { id: 'call-title' }, t('call.title')),
        h('div', { class: 'card idle', 'data-testid': 'no-call' }, h('p', null, model.status.state === 'ready' ? t('call.waitingForCalls') : t('call.notReadyHint')))];
    }
    const o = call.offer;
    const live = call.phase !== 'ringing' && call.phase !== 'ended';
    tick();
    return [
      h('h2', { id: 'call-title' }, t('call.title')),
      h('div', { class: `card pop phase-${call.phase}`, 'data-testid': 'screen-pop', 'data-call-id': o.callId },
        call.noContext ? h('p', { class: 'banner warn', 'data-testid': 'no-context' }, h('strong', null, t('call.noContext')), h('br'), t('call.noContextHint')) : null,
        h('div', { class: 'pop-head' },
          h('div', null,
            h('div', { class: 'caller', 'data-testid': 'pop-caller' }, o.caller || t('call.unknownCaller')),
            h('div', { class: 'meta' }, `${t('call.hotline')} ${o.did || '–'} · ${t('call.queue')} ${tOr(`queue.${o.queueId}`, o.queueId)}`, o.callbackOf ? ` · ${t('call.callbackOf')}` : '')),
          h('div', { class: 'phase', role: 'status', 'aria-live': 'assertive', 'data-testid': 'call-phase' }, tOr(`phase.${call.phase}`, call.phase),
            call.phase === 'ended' && call.endedCause ? ` · ${tOr(`cause.${call.endedCause}`, call.endedCause)}` : '',
            call.note ? h('div', { class: 'note' }, tOr(`note.${call.note}`, call.note)) : null)),
        h('dl', { class: 'facts' },
          h('div', null, h('dt', null, t('call.waited')), h('dd', null, waiting)),
          h('div', null, h('dt', null, t('call.talk')), h('dd', null, duration)),
          h('div', { class: 'wide' }, h('dt', null, t('call.ivrPath')), h('dd', { 'data-testid': 'pop-ivr' },
            o.ivr.length ? h('ol', { class: 'path' }, o.ivr.map((step) => h('li', null, tOr(`node.${step.node}`, step.node), step.input ? h('kbd', { title: t('call.pressed') }, step.input) : null))) : t('call.none')))),
        h('div', { class: 'buttons call-buttons' },
          call.phase === 'ringing' ? [
            h('button', { type: 'button', class: 'answer', 'data-key': 'answer', 'data-testid': 'answer', 'aria-keyshortcuts': 'Alt+A', onclick: () => void actions.answer() }, t('call.answer'), h('kbd', null, 'Alt+A')),
            h('button', { type: 'button', class: 'danger', 'data-key': 'decline', 'data-testid': 'decline', 'aria-keyshortcuts': 'Alt+D', onclick: () => void actions.decline() }, t('call.decline'), h('kbd', null, 'Alt+D')),
          ] : null,
          live ? [
            h('button', { type: 'button', 'data-key': 'hold', 'data-testid': 'hold', 'aria-pressed': String(call.phase === 'held'), 'aria-keyshortcuts': 'Alt+H', disabled: call.phase !== 'connected' && call.phase !== 'held', onclick: () => void actions.toggleHold() }, call.phase === 'held' ? t('call.unhold') : t('call.hold'), h('kbd', null, 'Alt+H')),
            h('button', { type: 'button', 'data-key': 'mute', 'aria-pressed': String(model.muted), 'aria-keyshortcuts': 'Alt+M', disabled: !model.sipCall, title: model.sipCall ? '' : t('call.sipOnly'), onclick: actions.toggleMute }, model.muted ? t('call.unmute') : t('call.mute'), h('kbd', null, 'Alt+M')),
            h('button', { type: 'button', class: 'danger', 'data-key': 'hangup', 'data-testid': 'hangup', 'aria-keyshortcuts': 'Alt+E', onclick: () => void actions.hangup() }, t('call.hangup'), h('kbd', null, 'Alt+E')),
          ] : null),
        model.sipCall && call.phase !== 'ended' ? h('p', { class: 'line ok', 'data-testid': 'sip-linked' }, h('span', { class: 'dot', 'aria-hidden': 'true' }), t('call.onPhone')) : null,
        call.onPhone && !model.sipCall && live ? h('p', { class: 'banner warn', role: 'alert', 'data-testid': 'phone-lost' }, t('call.phoneLost')) : null,
        live ? dtmfPad(model, actions) : null),
      h('div', { class: 'card', 'aria-labelledby': 'history-title' },
        h('h3', { id: 'history-title' }, t('call.openTickets'), ` (${o.openTickets.length})`),
        o.openTickets.length ? h('ul', { class: 'list', 'data-testid': 'pop-open-tickets' }, o.openTickets.map((tk) => h('li', null,
          h('strong', null, tk.ticketId), ` ${tOr(`ticketState.${tk.status}`, tk.status)} · ${tOr(`category.${tk.category}`, tk.category)} · ${tk.summary}`))) : h('p', { class: 'muted' }, t('call.none')),
        h('h3', null, t('call.history'), ` (${o.history.length})`),
        o.history.length ? h('ul', { class: 'list', 'data-testid': 'pop-history' }, o.history.slice(0, 8).map((c) => h('li', null,
          dateTime(c.at), c.ticketId ? ` · ${t('call.ticket')} ${c.ticketId}` : ''))) : h('p', { class: 'muted' }, t('call.firstCall'))),
      !call.noContext && (live || call.phase === 'ended') ? transfer.render(call) : null,
      call.noContext ? null : ticketFor(call),
    ];
  });

  return { el: r.el, update: r.update, dispose: () => { clearInterval(ticker); transfer.dispose(); } };
}

function dtmfPad(model: AgentModel, actions: CallActions): HTMLElement {
  const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];
  const enabled = !!model.sipCall;
  return h('details', { class: 'dtmf' }, h('summary', null, t('call.dtmf'), enabled ? '' : ` (${t('call.sipOnly')})`),
    h('div', { class: 'pad', role: 'group', 'aria-label': t('call.dtmf') },
      keys.map((k) => h('button', { type: 'button', disabled: !enabled, onclick: () => actions.dtmf(k) }, k))));
}
