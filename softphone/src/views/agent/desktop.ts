/**
 * The agent desktop: status column (phone line, CTI, agent state, wrap-up timer, today's figures),
 * the call in hand (screen pop, controls, transfers, ticket form) and the side panels (knowledge
 * base, callbacks, missed calls, today's calls).
 */
import { get } from '../../core/api.ts';
import { CtiClient, CtiCommandError } from '../../core/cti.ts';
import { announce, clock, h, region } from '../../core/dom.ts';
import type { Session } from '../../core/session.ts';
import { t, tOr } from '../../i18n.ts';
import type { Phone } from '../../sip/phone.ts';
import { useShortcuts } from '../shortcuts.ts';
import { renderCallPanel } from './call-panel.ts';
import { AgentModel, type AgentStatus, type DesktopConfig } from './model.ts';
import { renderSidePanels } from './side-panels.ts';
import { contextlessCall, phaseOfSip, sipSettingsFrom, showsWithoutOffer, type SeatSipBody } from './sip-link.ts';

export async function renderAgentDesktop(main: HTMLElement, session: Session): Promise<() => void> {
  const [config, seatSip] = await Promise.all([
    get<DesktopConfig>('/api/softphone/config'),
    get<SeatSipBody>('/api/me/sip').catch(() => null), // 404: no seat; demo mode: wsUrl and password null
  ]);
  const sipSettings = sipSettingsFrom(seatSip);
  const ownTopic = `agent:${session.user.username}`;
  const cti = new CtiClient(session.token, async (client) => {
    await client.follow(ownTopic);
    try {
      const reply = await client.request<{ status: AgentStatus }>('agent.login');
      model.loginError = null;
      model.setStatus(reply.status);
    } catch (error) {
      model.loginError = error instanceof CtiCommandError ? error.message : String(error);
      model.emit('status');
    }
  });
  const model = new AgentModel(cti, config);
  const errorLine = h('p', { class: 'error', role: 'alert', 'data-testid': 'agent-error' });
  const run = async (action: () => Promise<unknown>) => {
    errorLine.textContent = '';
    try {
      await action();
    } catch (error) {
      // CTI refusals and the phone's PhoneError (duck-typed: importing its class would pull SIP.js into the main chunk).
      const code = error instanceof CtiCommandError ? error.code : error instanceof Error && error.name === 'PhoneError' ? String((error as Error & { code: unknown }).code) : '';
      errorLine.textContent = `${tOr(`error.${code}`, error instanceof Error ? error.message : String(error))}${code ? ` (${code})` : ''}`;
    }
  };

  let phone: Phone | null = null;
  if (sipSettings) {
    const { createPhone } = await import('../../sip/phone.ts'); // SIP.js only when a SIP phone is configured
    phone = createPhone(sipSettings);
    model.hasPhone = true;
    phone.on('registration', (status) => { model.sip = status; model.emit('sip'); });
    phone.on('incoming', (call) => {
      if (call.correlationId !== undefined && model.call?.offer.callId === call.correlationId && model.call.phase !== 'ended') {
        model.sipCall = call;
        model.call.onPhone = true;
        model.save('call');
      } else if (showsWithoutOffer(call, cti.status === 'open', model.call)) {
        model.sipCall = call;
        model.muted = false;
        model.call = contextlessCall(call, Date.now());
        model.save('call');
      }
      // Otherwise an early INVITE: it waits in the phone until its call.offer arrives (linkSip).
    });
    phone.on('callState', (call) => {
      if (call !== model.sipCall) return;
      const shown = model.call;
      if (shown?.noContext && shown.sipCallId === call.id) {
        const phase = phaseOfSip(call.state);
        if (phase === 'connected' && shown.answeredAt === undefined) shown.answeredAt = Date.now();
        if (phase === 'ended') { shown.endedAt = Date.now(); shown.endedCause = call.endReason ?? 'failed'; }
        shown.phase = phase;
      }
      if (call.state === 'ended') { model.sipCall = null; model.muted = false; }
      model.save('call');
    });
    main.appendChild(phone.audio);
    void phone.start();
  }
  /** The offered call's SIP call, if its INVITE came first (or comes later: then 'incoming' links it). */
  const linkSip = () => {
    const call = model.call;
    if (!phone || model.sipCall || !call || call.noContext || call.phase === 'ended') return;
    const early = phone.callByCorrelationId(call.offer.callId);
    if (early) { model.sipCall = early; call.onPhone = true; model.save('call'); }
  };
  /** Leaving the page ends the SIP session (and the call's audio): ask first. */
  const warnLeave = (event: BeforeUnloadEvent) => { if (model.sipCall && model.sipCall.state !== 'ringing') event.preventDefault(); };
  window.addEventListener('beforeunload', warnLeave);

  const actions = {
    ready: () => run(() => cti.request('agent.ready')),
    notReady: (reason: string) => run(() => cti.request('agent.notReady', { reason })),
    endWrapUp: () => run(() => cti.request('agent.endWrapUp')),
    logoutSeat: () => run(() => cti.request('agent.logout')),
    answer: () => run(async () => {
      const call = model.call;
      if (!call || call.phase !== 'ringing') return;
      if (model.sipCall) await model.sipCall.answer();
      else await cti.request('call.answer', { callId: call.offer.callId });
    }),
    decline: () => run(async () => {
      const call = model.call;
      if (!call || call.phase !== 'ringing') return;
      if (model.sipCall) await model.sipCall.decline();
      else await cti.request('call.decline', { callId: call.offer.callId });
    }),
    hangup: () => run(async () => {
      const call = model.call;
      if (!call || call.phase === 'ringing' || call.phase === 'ended') return;
      if (model.sipCall) await model.sipCall.hangup();
      else await cti.request('call.hangup', { callId: call.offer.callId });
    }),
    toggleHold: () => run(async () => {
      const call = model.call;
      if (!call || (call.phase !== 'connected' && call.phase !== 'held')) return;
      if (call.noContext) { // no server to hold the caller: the phone's own hold (re-INVITE)
        await (call.phase === 'held' ? model.sipCall?.unhold() : model.sipCall?.hold());
        return;
      }
      await cti.request(call.phase === 'held' ? 'call.unhold' : 'call.hold', { callId: call.offer.callId });
    }),
    toggleMute: () => {
      if (!model.sipCall) return;
      model.muted = !model.muted;
      model.sipCall.setMuted(model.muted);
      announce(model.muted ? t('call.muted') : t('call.unmuted'));
      model.emit('call');
    },
    dtmf: (digit: string) => void run(async () => model.sipCall?.sendDtmf(digit)),
    command: (type: string, payload: Record<string, unknown>) => run(() => cti.request(type, payload)),
    run,
  };

  // Status column
  const timer = h('span', { class: 'timer', 'data-testid': 'state-timer' });
  const reasonSelect = h('select', { 'data-key': 'reason', 'aria-label': t('agent.reason') },
    config.pauseReasons.map((r) => h('option', { value: r }, tOr(`reason.${r}`, r))));
  const statusRegion = region(h('section', { class: 'card status', 'aria-labelledby': 'status-title' }), () => {
    const state = model.status.state;
    const ctiLine = cti.status === 'open' ? t('cti.open') : cti.status === 'ended' ? t('cti.ended') : t('cti.connecting');
    return [
      h('h2', { id: 'status-title' }, t('agent.status')),
      h('p', { class: `line sip ${sipClass(model)}`, 'data-testid': 'sip-status' }, h('span', { class: 'dot', 'aria-hidden': 'true' }), sipLine(model, config)),
      h('p', { class: `line ${cti.status === 'open' ? 'ok' : 'warn'}`, 'data-testid': 'cti-status' }, h('span', { class: 'dot', 'aria-hidden': 'true' }), ctiLine),
      model.loginError ? h('p', { class: 'error', role: 'alert' }, t('agent.loginFailed'), ' ', model.loginError) : null,
      h('div', { class: `state-badge state-${state}`, 'data-testid': 'agent-state', role: 'status', 'aria-live': 'polite' },
        h('strong', null, tOr(`state.${state}`, state)),
        model.status.reason && state === 'not_ready' ? h('span', null, ` · ${tOr(`reason.${model.status.reason}`, model.status.reason)}`) : null,
        ' ', timer),
      h('div', { class: 'buttons' },
        h('button', { type: 'button', class: 'primary', 'data-key': 'ready', 'data-testid': 'ready', 'aria-keyshortcuts': 'Alt+R', disabled: !['not_ready', 'logged_out'].includes(state) || cti.status !== 'open', onclick: () => void actions.ready() }, t('agent.ready'), h('kbd', null, 'Alt+R')),
        state === 'wrap_up' ? h('button', { type: 'button', class: 'primary', 'data-key': 'endwrap', 'data-testid': 'end-wrap-up', 'aria-keyshortcuts': 'Alt+W', onclick: () => void actions.endWrapUp() }, t('agent.endWrapUp'), h('kbd', null, 'Alt+W')) : null),
      h('div', { class: 'inline' },
        reasonSelect,
        h('button', { type: 'button', 'data-key': 'notready', 'data-testid': 'not-ready', 'aria-keyshortcuts': 'Alt+N', disabled: !['ready', 'wrap_up', 'not_ready'].includes(state), onclick: () => void actions.notReady(reasonSelect.value) }, t('agent.notReady'), h('kbd', null, 'Alt+N'))),
    ];
  });
  const tick = () => {
    const since = model.status.since;
    timer.textContent = clock(Date.now() - since);
    timer.setAttribute('aria-label', t('agent.timeInState'));
  };
  const ticker = setInterval(tick, 1000);
  tick();

  const stats = h('section', { class: 'card', 'aria-labelledby': 'stats-title' });
  const statsRegion = region(stats, () => h('h2', { id: 'stats-title' }, t('agent.today')));
  const refreshStats = async () => {
    const mine = await get<{ answered: number; talkSec: number; tickets: number }>('/api/softphone/my-calls').catch(() => null);
    const quality = await get<{ count: number; meanPercent: number | null }>(`/api/quality/agents/${encodeURIComponent(session.user.username)}`).catch(() => null);
    statsRegion.el.replaceChildren(h('h2', { id: 'stats-title' }, t('agent.today')), h('dl', { class: 'figures', 'data-testid': 'my-stats' },
      h('div', null, h('dt', null, t('stats.answered')), h('dd', null, String(mine?.answered ?? '–'))),
      h('div', null, h('dt', null, t('stats.talk')), h('dd', null, mine ? clock(mine.talkSec * 1000) : '–')),
      h('div', null, h('dt', null, t('stats.avgTalk')), h('dd', null, mine && mine.answered ? clock((mine.talkSec / mine.answered) * 1000) : '–')),
      h('div', null, h('dt', null, t('stats.tickets')), h('dd', null, String(mine?.tickets ?? '–'))),
      h('div', null, h('dt', null, t('stats.quality')), h('dd', null, quality && quality.meanPercent !== null && quality.meanPercent !== undefined ? `${Math.round(quality.meanPercent)}%` : '–'))));
  };
  void refreshStats();

  const devices = phone ? renderDevices(phone) : null;
  const side = renderSidePanels(model);
  const callPanel = renderCallPanel(model, actions);

  main.classList.add('desktop');
  main.append(
    h('h1', { class: 'sr-only' }, t('nav.agent')),
    h('div', { class: 'col status-col' }, statusRegion.el, errorLine, stats, devices),
    h('div', { class: 'col call-col' }, callPanel.el),
    h('div', { class: 'col side-col' }, side.el));

  let lastPhase = model.call?.phase;
  const off = model.on((what) => {
    if (what === 'status' || what === 'sip') { statusRegion.update(); tick(); }
    if (what === 'call' || what === 'status') {
      linkSip();
      callPanel.update();
      const phase = model.call?.phase;
      if (phase !== lastPhase) {
        if (phase === 'ringing') announce(t('call.incomingAnnounce').replace('{caller}', model.call!.offer.caller));
        if (phase === 'ended') { announce(t('call.endedAnnounce')); void refreshStats(); side.refresh(); }
        lastPhase = phase;
      }
    }
  });
  cti.onStatus(() => statusRegion.update());
  cti.start();

  const offKeys = useShortcuts([
    { key: 'A', label: 'key.answer', run: () => void actions.answer() },
    { key: 'D', label: 'key.decline', run: () => void actions.decline() },
    { key: 'H', label: 'key.hold', run: () => void actions.toggleHold() },
    { key: 'M', label: 'key.mute', run: actions.toggleMute },
    { key: 'E', label: 'key.end', run: () => void actions.hangup() },
    { key: 'R', label: 'key.ready', run: () => void actions.ready() },
    { key: 'N', label: 'key.notReady', run: () => void actions.notReady(reasonSelect.value) },
    { key: 'W', label: 'key.endWrapUp', run: () => void actions.endWrapUp() },
    { key: 'T', label: 'key.ticket', run: () => (document.querySelector('[data-testid="ticket-content"]') as HTMLElement | null)?.focus() },
    { key: 'K', label: 'key.kb', run: () => (document.querySelector('[data-testid="kb-query"]') as HTMLElement | null)?.focus() },
    { key: 'X', label: 'key.transfer', run: () => (document.querySelector('[data-testid="transfer-panel"] button') as HTMLElement | null)?.focus() },
  ]);

  return () => {
    clearInterval(ticker);
    window.removeEventListener('beforeunload', warnLeave);
    off();
    offKeys();
    callPanel.dispose();
    side.dispose();
    cti.stop();
    void phone?.stop();
  };
}

function sipClass(model: AgentModel): string {
  if (!model.hasPhone) return 'info';
  return model.sip?.state === 'registered' ? 'ok' : model.sip?.state === 'failed' ? 'bad' : 'warn';
}

/** The phone line: demo mode, or the registration state and why (reason, retry number). */
function sipLine(model: AgentModel, config: DesktopConfig): string {
  if (!model.hasPhone) return config.demo ? t('sip.demo') : t('sip.none');
  const status = model.sip ?? { state: 'connecting' as const };
  const text = tOr(`sip.${status.state}`, status.state);
  if (status.state !== 'failed' && status.state !== 'reconnecting') return text;
  const why = [status.reason || t('sip.unknownReason'), status.attempt ? t('sip.attempt').replace('{n}', String(status.attempt)) : ''].filter(Boolean).join(' · ');
  return t('sip.because').replace('{state}', text).replace('{reason}', why);
}

function renderDevices(phone: Phone): HTMLElement {
  const input = h('select', { id: 'mic', onchange: () => void phone.setDevices({ input: input.value }) });
  const output = h('select', { id: 'speaker', onchange: () => void phone.setDevices({ output: output.value }) });
  void phone.listDevices().then((d) => {
    input.replaceChildren(...d.inputs.map((x) => h('option', { value: x.deviceId }, x.label || x.deviceId)));
    output.replaceChildren(...d.outputs.map((x) => h('option', { value: x.deviceId }, x.label || x.deviceId)));
  });
  return h('section', { class: 'card', 'aria-labelledby': 'dev-title' }, h('h2', { id: 'dev-title' }, t('devices.title')),
    h('div', { class: 'field' }, h('label', { for: 'mic' }, t('devices.mic')), input),
    h('div', { class: 'field' }, h('label', { for: 'speaker' }, t('devices.speaker')), output));
}
