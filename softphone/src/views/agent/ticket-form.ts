/**
 * The ticket for the call in hand, pre-filled from the offer (caller, call id, a category and
 * matter type guessed from the hotline and IVR keys): register (classified with category, urgency
 * and matter type), then answer directly or dispatch to the lead unit of the matter type.
 */
import { ApiError, get, post } from '../../core/api.ts';
import { field, h, region } from '../../core/dom.ts';
import { t, tOr } from '../../i18n.ts';
import type { AgentModel, CallView } from './model.ts';

export interface TicketConfig {
  readonly categories: readonly string[];
  readonly urgencies: readonly string[];
  readonly units: readonly string[];
  readonly catalogue: ReadonlyArray<{ matterType: string; leadUnit: string; assistingUnits: readonly string[] }>;
}
interface Ticket { readonly id: string; readonly state: string; readonly category: string; readonly matterType: string | null; readonly leadUnit: string | null; readonly light: string | null }

let configPromise: Promise<TicketConfig> | undefined;
export const ticketConfig = () => (configPromise ??= get<TicketConfig>('/api/tickets/config'));

const didMatter: Record<string, string> = { '12328': '交通出行', '12360': '海关通关' };

export function renderTicketForm(model: AgentModel, call: CallView): HTMLElement {
  const o = call.offer;
  const section = h('section', { class: 'card ticket', 'aria-labelledby': 'ticket-title', 'data-testid': 'ticket-form' });
  const phone = h('input', { value: /^\+?[0-9 ()-]{3,30}$/.test(o.caller) ? o.caller : '', inputmode: 'tel', 'data-testid': 'ticket-phone' });
  const name = h('input', { autocomplete: 'off', 'data-testid': 'ticket-name' });
  const address = h('input', { autocomplete: 'off' });
  const category = h('select', { 'data-testid': 'ticket-category' });
  const urgency = h('select', { 'data-testid': 'ticket-urgency' });
  const matter = h('select', { 'data-testid': 'ticket-matter' }, h('option', { value: '' }, t('ticket.noMatter')));
  const content = h('textarea', { rows: 4, required: true, 'data-testid': 'ticket-content', placeholder: t('ticket.contentHint') });
  const confidential = h('input', { type: 'checkbox' });
  const message = h('p', { role: 'status', 'aria-live': 'polite', class: 'message', 'data-testid': 'ticket-message' });
  let ticket: Ticket | null = null;
  let config: TicketConfig | null = null;

  const fail = (error: unknown) => {
    message.className = 'message error';
    message.textContent = error instanceof ApiError ? `${tOr(`error.${error.code}`, error.message)} (${error.code})` : t('error.network');
  };
  const ok = (text: string) => { message.className = 'message ok'; message.textContent = text; };

  const suggested = o.ivr.some((s) => s.input === '9') ? 'suggestion' : 'consultation';
  void ticketConfig().then((c) => {
    config = c;
    category.replaceChildren(...c.categories.map((x) => h('option', { value: x, selected: x === suggested }, tOr(`category.${x}`, x))));
    urgency.replaceChildren(...c.urgencies.map((x) => h('option', { value: x, selected: x === 'general' }, tOr(`urgency.${x}`, x))));
    matter.append(...c.catalogue.map((x) => h('option', { value: x.matterType, selected: didMatter[o.did] === x.matterType }, `${x.matterType} → ${x.leadUnit}`)));
    actionsRegion.update();
  });

  const reply = h('textarea', { rows: 3, 'data-testid': 'ticket-reply', placeholder: t('ticket.replyHint') });
  const unit = h('select', { 'data-testid': 'ticket-unit' });
  const act = async (action: string, body: Record<string, unknown>) => {
    ticket = await post<Ticket>(`/api/tickets/${ticket!.id}/actions/${action}`, body);
  };
  const actionsRegion = region(h('div', { class: 'ticket-actions' }), () => {
    if (!ticket) {
      return h('button', { type: 'submit', class: 'primary', 'data-testid': 'ticket-create' }, t('ticket.create'));
    }
    const lead = ticket.leadUnit ?? config?.catalogue.find((c) => c.matterType === ticket!.matterType)?.leadUnit ?? '';
    unit.replaceChildren(...(config?.units ?? []).map((u) => h('option', { value: u, selected: u === lead }, u)));
    const done = ticket.state !== 'registered';
    return [
      h('p', { class: 'ticket-id', 'data-testid': 'ticket-id' }, `${t('ticket.number')} ${ticket.id} · `, h('span', { 'data-testid': 'ticket-state' }, tOr(`ticketState.${ticket.state}`, ticket.state)),
        ` · ${tOr(`category.${ticket.category}`, ticket.category)}`, ticket.matterType ? ` · ${ticket.matterType}` : ''),
      done ? null : h('div', { class: 'two' },
        h('div', null, field(t('ticket.reply'), reply),
          h('button', { type: 'button', 'data-testid': 'ticket-direct', onclick: async () => {
            if (!reply.value.trim()) { reply.focus(); return; }
            try { await act('direct_answer', { reply: reply.value.trim(), callId: o.callId }); ok(t('ticket.answered')); actionsRegion.update(); } catch (e) { fail(e); }
          } }, t('ticket.directAnswer'))),
        h('div', null, field(t('ticket.unit'), unit),
          h('button', { type: 'button', 'data-testid': 'ticket-dispatch', onclick: async () => {
            try {
              await act('queue_dispatch', {});
              await act('dispatch', { unit: unit.value });
              ok(t('ticket.dispatched').replace('{unit}', unit.value));
              actionsRegion.update();
            } catch (e) { fail(e); actionsRegion.update(); }
          } }, t('ticket.dispatch')))),
    ];
  });

  const form = h('form', {
    onsubmit: async (event: Event) => {
      event.preventDefault();
      if (ticket) return;
      if (!content.value.trim()) { content.focus(); message.className = 'message error'; message.textContent = t('ticket.contentRequired'); return; }
      try {
        ticket = await post<Ticket>('/api/tickets', {
          channel: 'phone', callId: o.callId, content: content.value.trim(), category: category.value, urgency: urgency.value,
          caller: { phone: phone.value.trim(), ...(name.value.trim() ? { name: name.value.trim() } : {}), ...(address.value.trim() ? { address: address.value.trim() } : {}) },
          ...(matter.value ? { matterType: matter.value } : {}), ...(confidential.checked ? { confidential: true } : {}),
        });
        if (model.call && model.call.offer.callId === o.callId) { model.call.ticketIds.push(ticket.id); model.save('call'); }
        ok(t('ticket.created').replace('{id}', ticket.id));
        actionsRegion.update();
        (actionsRegion.el.querySelector('textarea') as HTMLElement | null)?.focus();
      } catch (e) { fail(e); }
    },
  },
  h('div', { class: 'grid3' }, field(t('ticket.phone'), phone), field(t('ticket.name'), name), field(t('ticket.address'), address)),
  h('div', { class: 'grid3' }, field(t('ticket.category'), category), field(t('ticket.urgency'), urgency), field(t('ticket.matter'), matter)),
  field(t('ticket.content'), content),
  h('label', { class: 'check' }, confidential, t('ticket.confidential')),
  actionsRegion.el, message);
  section.append(h('h3', { id: 'ticket-title' }, t('ticket.title'), h('kbd', null, 'Alt+T')), form);
  return section;
}
