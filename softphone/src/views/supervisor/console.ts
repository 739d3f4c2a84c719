/**
 * Supervisor console: alert banner, wallboard (centre figures, every queue, every agent live over
 * the CTI `supervisor` topic), supervision of live calls, today's charts by hour, and tabs with
 * recordings, quality reviews, overdue tickets, callbacks and missed calls.
 */
import { get } from '../../core/api.ts';
import { CtiClient, CtiCommandError } from '../../core/cti.ts';
import { announce, clock, h, region } from '../../core/dom.ts';
import type { Session } from '../../core/session.ts';
import { t, tOr } from '../../i18n.ts';
import { hourlyChart } from './charts.ts';
import { renderWorkLists } from './work-lists.ts';

interface QueueRow { queueId: string; waiting: number; longestWaitMs: number; agentsReady?: number; agentsBusy?: number; serviceLevel15s: number | null; answered: number; abandoned: number; waitingSince: number }
interface AgentRow { username: string; extension?: string; state: string; since: number; reason?: string; callId?: string }
interface Live {
  queues: Array<{ queueId: string; waiting: number; longestWaitSec: number; today: { answered: number; abandoned: number; answeredWithin15sRate: number | null } }>;
  agents: Array<{ agentId: string; extension: string; state: string; reason?: string; secondsInState: number }>;
  today: { calls: number; answered: number; abandoned: number; answeredWithin15sRate: number | null };
}
interface Board { waiting: number; answeredToday: number; abandonedToday: number; agentsLoggedIn: number; serviceLevel15s: number | null }
interface Supervising { sessionId: string; callId: string; agentId: string; mode: string; ended: boolean; reason?: string }

const TARGET = 0.8;
const pct = (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${Math.round(x * 100)}%`);

export async function renderSupervisor(main: HTMLElement, session: Session): Promise<() => void> {
  const queues = new Map<string, QueueRow>();
  const agents = new Map<string, AgentRow>();
  let board: Board = { waiting: 0, answeredToday: 0, abandonedToday: 0, agentsLoggedIn: 0, serviceLevel15s: null };
  let supervising: Supervising | null = null;
  const message = h('p', { class: 'error', role: 'alert', 'data-testid': 'sup-error' });

  const loadLive = async () => {
    const live = await get<Live>('/api/stats/live');
    for (const q of live.queues) {
      const row = queues.get(q.queueId);
      queues.set(q.queueId, {
        queueId: q.queueId, waiting: q.waiting, longestWaitMs: q.longestWaitSec * 1000, serviceLevel15s: q.today.answeredWithin15sRate,
        answered: q.today.answered, abandoned: q.today.abandoned, waitingSince: Date.now() - q.longestWaitSec * 1000,
        ...(row?.agentsReady !== undefined ? { agentsReady: row.agentsReady, agentsBusy: row.agentsBusy! } : {}),
      });
    }
    for (const a of live.agents) {
      const known = agents.get(a.agentId);
      const since = Date.now() - a.secondsInState * 1000;
      if (!known || known.since < since - 1500) agents.set(a.agentId, { username: a.agentId, extension: a.extension, state: a.state, since, ...(a.reason ? { reason: a.reason } : {}), ...(known?.callId && a.state === known.state ? { callId: known.callId } : {}) });
      else agents.set(a.agentId, { ...known, extension: a.extension });
    }
    board = { ...board, answeredToday: live.today.answered, abandonedToday: live.today.abandoned, serviceLevel15s: live.today.answeredWithin15sRate };
    paint();
  };

  const applyAgent = (a: AgentRow) => {
    const known = agents.get(a.username);
    if (known && known.since > a.since) return; // per agent, the greatest `since` wins
    agents.set(a.username, { ...a, ...(known?.extension ? { extension: known.extension } : {}) });
  };
  const cti = new CtiClient(session.token, async (client) => {
    await client.follow('supervisor');
    await client.follow(`agent:${session.user.username}`);
    await loadLive();
  });
  cti.on('agents.state', (e) => { for (const a of (e.data.agents as AgentRow[])) applyAgent(a); paint(); });
  cti.on('agent.state', (e) => { if (e.topic === 'supervisor') { applyAgent(e.data as unknown as AgentRow); paint(); } });
  type QueueStats = { queueId: string; waiting: number; longestWaitMs: number; agentsReady: number; agentsBusy: number; serviceLevel15s: number | null };
  const applyQueue = (d: QueueStats) => {
    const row = queues.get(d.queueId) ?? { queueId: d.queueId, answered: 0, abandoned: 0, waitingSince: Date.now() } as QueueRow;
    queues.set(d.queueId, { ...row, ...d, waitingSince: Date.now() - d.longestWaitMs });
  };
  cti.on('queues.stats', (e) => { for (const q of (e.data.queues as QueueStats[])) applyQueue(q); paint(); });
  cti.on('queue.stats', (e) => { applyQueue(e.data as unknown as QueueStats); paint(); });
  // The wallboard event carries the centre's figures; per-queue answered/abandoned and the hourly
  // chart come from REST, refreshed shortly after the figures move.
  let refetch: ReturnType<typeof setTimeout> | undefined;
  cti.on('wallboard', (e) => {
    const moved = (e.data as unknown as Board).answeredToday !== board.answeredToday || (e.data as unknown as Board).abandonedToday !== board.abandonedToday;
    board = e.data as unknown as Board;
    paint();
    if (moved) { clearTimeout(refetch); refetch = setTimeout(() => { void loadLive().catch(() => undefined); void loadChart(); }, 800); }
  });
  cti.on('resync', () => void loadLive());
  cti.on('supervision.state', (e) => {
    supervising = e.data as unknown as Supervising;
    announce(`${t('sup.supervising')} ${tOr(`mode.${supervising.mode}`, supervising.mode)}`);
    paint();
  });
  cti.onStatus(() => paint());

  const supervise = async (type: string, callId: string) => {
    message.textContent = '';
    try {
      await cti.request(type, { callId });
    } catch (error) {
      const code = error instanceof CtiCommandError ? error.code : '';
      message.textContent = `${tOr(`error.${code}`, error instanceof Error ? error.message : String(error))}${code ? ` (${code})` : ''}`;
    }
  };

  const breaches = () => [...queues.values()].filter((q) => (q.serviceLevel15s !== null && q.serviceLevel15s < TARGET) || (q.waiting > 0 && Date.now() - q.waitingSince > 15_000));
  const alert = region(h('div', { class: 'alerts', role: 'alert', 'data-testid': 'sl-alerts' }), () => breaches().map((q) => h('p', { class: 'banner' },
    t('sup.alert').replace('{queue}', tOr(`queue.${q.queueId}`, q.queueId)).replace('{sl}', pct(q.serviceLevel15s)).replace('{wait}', q.waiting > 0 ? clock(Date.now() - q.waitingSince) : '–'))));

  const tiles = region(h('section', { class: 'tiles', 'aria-label': t('sup.centre'), 'data-testid': 'wallboard' }), () => [
    tile(t('sup.waiting'), String(board.waiting), board.waiting > 0 ? 'warn' : ''),
    tile(t('sup.sl15'), pct(board.serviceLevel15s), board.serviceLevel15s !== null && board.serviceLevel15s < TARGET ? 'bad' : 'ok'),
    tile(t('sup.answered'), String(board.answeredToday), ''),
    tile(t('sup.abandoned'), String(board.abandonedToday), board.abandonedToday > 0 ? 'warn' : ''),
    tile(t('sup.loggedIn'), String(board.agentsLoggedIn), ''),
    tile(t('sup.cti'), cti.status === 'open' ? t('cti.live') : t('cti.connecting'), cti.status === 'open' ? 'ok' : 'warn'),
  ]);

  const queueTable = region(h('section', { class: 'card', 'aria-labelledby': 'q-title' }), () => [
    h('h2', { id: 'q-title' }, t('sup.queues')),
    h('table', { class: 'grid', 'data-testid': 'queue-table' },
      h('thead', null, h('tr', null, [t('sup.queue'), t('sup.waiting'), t('sup.longest'), t('sup.readyBusy'), t('sup.sl15'), t('sup.answered'), t('sup.abandoned')].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', null, [...queues.values()].map((q) => h('tr', { class: breaches().includes(q) ? 'breach' : '', 'data-queue': q.queueId },
        h('th', { scope: 'row' }, tOr(`queue.${q.queueId}`, q.queueId)),
        h('td', { class: 'num' }, String(q.waiting)),
        h('td', { class: 'num' }, q.waiting > 0 ? clock(Date.now() - q.waitingSince) : '–'),
        h('td', { class: 'num' }, q.agentsReady === undefined ? '–' : `${q.agentsReady} / ${q.agentsBusy}`),
        h('td', { class: 'num' }, pct(q.serviceLevel15s)),
        h('td', { class: 'num' }, String(q.answered)),
        h('td', { class: 'num' }, String(q.abandoned)))))),
  ]);

  const agentTable = region(h('section', { class: 'card', 'aria-labelledby': 'a-title' }), () => [
    h('h2', { id: 'a-title' }, t('sup.agents')),
    supervising && !supervising.ended ? h('div', { class: 'supervising', 'data-testid': 'supervising' },
      `${t('sup.supervising')} ${supervising.agentId} · ${tOr(`mode.${supervising.mode}`, supervising.mode)}`,
      h('button', { type: 'button', onclick: () => void supervise('supervisor.leave', supervising!.callId) }, t('sup.leave'))) : null,
    h('table', { class: 'grid', 'data-testid': 'agent-table' },
      h('thead', null, h('tr', null, [t('sup.agent'), t('sup.state'), t('sup.inState'), t('sup.call'), t('sup.actions')].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', null, [...agents.values()].sort((a, b) => a.username.localeCompare(b.username)).map((a) => h('tr', { 'data-agent': a.username },
        h('th', { scope: 'row' }, a.username, a.extension ? h('span', { class: 'muted' }, ` · ${a.extension}`) : null),
        h('td', null, h('span', { class: `state-pill state-${a.state}`, 'data-testid': `state-${a.username}` }, tOr(`state.${a.state}`, a.state)), a.reason && a.state === 'not_ready' ? ` · ${tOr(`reason.${a.reason}`, a.reason)}` : ''),
        h('td', { class: 'num', 'data-since': String(a.since) }, clock(Date.now() - a.since)),
        h('td', null, a.callId ?? ''),
        h('td', { class: 'buttons' }, a.state === 'on_call' && a.callId ? (['monitor', 'whisper', 'barge', 'takeOver'] as const).map((mode) =>
          h('button', { type: 'button', 'data-key': `${mode}-${a.username}`, 'data-testid': `${mode}-${a.username}`, onclick: () => void supervise(`supervisor.${mode}`, a.callId!) }, tOr(`mode.${mode}`, mode))) : null))))),
  ]);

  const chart = h('section', { class: 'card', 'aria-labelledby': 'c-title' }, h('h2', { id: 'c-title' }, t('sup.chart')));
  const loadChart = async () => {
    const hours = await get<Array<{ hour: number; calls: number; answered: number; abandoned: number; within15s: number }>>('/api/softphone/hourly').catch(() => null);
    if (hours) chart.replaceChildren(h('h2', { id: 'c-title' }, t('sup.chart')), hourlyChart(hours));
  };

  function paint(): void { alert.update(); tiles.update(); queueTable.update(); agentTable.update(); }
  const ticker = setInterval(() => {
    for (const cell of main.querySelectorAll<HTMLElement>('[data-since]')) cell.textContent = clock(Date.now() - Number(cell.dataset.since));
    alert.update();
  }, 1000);
  const slow = setInterval(() => { void loadLive().catch(() => undefined); void loadChart(); }, 15_000);

  const lists = renderWorkLists();
  main.classList.add('console');
  main.append(h('h1', { class: 'sr-only' }, t('nav.supervisor')), alert.el, tiles.el, message,
    h('div', { class: 'two-col' }, h('div', null, queueTable.el, chart), h('div', null, agentTable.el)), lists.el);
  cti.start();
  void loadChart();
  return () => { clearInterval(ticker); clearInterval(slow); clearTimeout(refetch); cti.stop(); lists.dispose(); };
}

function tile(label: string, value: string, tone: string): HTMLElement {
  return h('div', { class: `tile ${tone}` }, h('div', { class: 'tile-value' }, value), h('div', { class: 'tile-label' }, label));
}
