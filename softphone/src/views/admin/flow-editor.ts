/**
 * IVR flow editor: pick a flow, edit its JSON (line numbers, lint errors and warnings inline from
 * POST /api/flows/lint as you type), see the graph, simulate with typed digits, publish with a
 * message, compare versions, roll back.
 */
import { ApiError, get, post } from '../../core/api.ts';
import { dateTime, field, h, region } from '../../core/dom.ts';
import { t } from '../../i18n.ts';
import { flowGraph } from './flow-graph.ts';

interface Version { flowId: string; hash: string; seq: number; author: string; message: string; publishedAt: string }
interface FlowInfo { flowId: string; live: Version | null; staging: Version | null; versions: number }
interface Issue { rule: string; path: string; message: string }
interface Lint { ok: boolean; publishable: boolean; errors: Issue[]; warnings: Issue[] }

/** The line of a JSON pointer in the text (follows the keys in order; good enough to point at). */
export function lineOf(text: string, pointer: string): number {
  let at = 0;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(key)) continue;
    const found = text.indexOf(JSON.stringify(key) + ':', at) >= 0 ? text.indexOf(JSON.stringify(key) + ':', at) : text.indexOf(JSON.stringify(key), at);
    if (found < 0) break;
    at = found;
  }
  return text.slice(0, at).split('\n').length;
}

export async function renderFlowEditor(): Promise<HTMLElement> {
  const flows = await get<FlowInfo[]>('/api/flows');
  let flowId = flows.find((f) => f.flowId === '12345')?.flowId ?? flows[0]?.flowId ?? '';
  let live: Version | null = null;
  let lint: Lint | null = null;
  let parsed: { entry?: string; nodes?: Record<string, never> } | null = null;
  let path = new Set<string>();

  const picker = h('select', { 'data-testid': 'flow-picker', onchange: () => { flowId = picker.value; void load(); } },
    flows.map((f) => h('option', { value: f.flowId, selected: f.flowId === flowId }, `${f.flowId} (v${f.live?.seq ?? '–'})`)));
  const gutter = h('pre', { class: 'gutter', 'aria-hidden': 'true' });
  const text = h('textarea', { class: 'code', spellcheck: false, wrap: 'off', 'data-testid': 'flow-text', 'aria-describedby': 'lint-summary', 'aria-label': t('flow.json'), autocapitalize: 'off' });
  const issues = region(h('div', { class: 'issues', 'data-testid': 'lint' }), () => {
    if (!lint) return null;
    const all = [...lint.errors.map((e) => ({ ...e, level: 'error' })), ...lint.warnings.map((e) => ({ ...e, level: 'warning' }))];
    return [
      h('p', { id: 'lint-summary', role: 'status', 'aria-live': 'polite', class: lint.publishable ? 'ok' : 'error', 'data-testid': 'lint-summary' },
        lint.publishable ? t('flow.lintOk') : t('flow.lintErrors').replace('{e}', String(lint.errors.length)).replace('{w}', String(lint.warnings.length))),
      all.length ? h('ul', { class: 'list issues-list' }, all.map((i) => {
        const line = lineOf(text.value, i.path);
        return h('li', { class: i.level }, h('button', { type: 'button', class: 'link', onclick: () => goToLine(line) }, t('flow.line').replace('{n}', String(line))),
          ` ${i.level === 'error' ? '✖' : '⚠'} [${i.rule}] ${i.path || '/'} — ${i.message}`);
      })) : null,
    ];
  });
  const graph = region(h('div', { class: 'graph-box' }), () => (parsed ? flowGraph(parsed, path) : h('p', { class: 'muted' }, t('flow.graphUnavailable'))));

  function goToLine(line: number): void {
    const lines = text.value.split('\n');
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    text.focus();
    text.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
    text.scrollTop = (line - 5) * 18;
  }
  function paintGutter(): void {
    const bad = new Set([...(lint?.errors ?? []), ...(lint?.warnings ?? [])].map((i) => lineOf(text.value, i.path)));
    const n = text.value.split('\n').length;
    gutter.replaceChildren(...Array.from({ length: n }, (_, i) => h('span', { class: bad.has(i + 1) ? 'bad' : '' }, `${i + 1}\n`)));
    gutter.scrollTop = text.scrollTop;
  }
  text.addEventListener('scroll', () => { gutter.scrollTop = text.scrollTop; });
  text.addEventListener('keydown', (e) => {
    if (e.key === 'Tab' && !e.shiftKey && !e.altKey && e.ctrlKey) return;
    if (e.key === 'Escape') { text.blur(); return; } // keyboard users leave the editor with Esc, then Tab
  });

  let timer: ReturnType<typeof setTimeout> | undefined;
  const check = async () => {
    try { parsed = JSON.parse(text.value) as typeof parsed; } catch { parsed = null; }
    try {
      lint = await post<Lint>('/api/flows/lint', { text: text.value });
    } catch (e) {
      lint = { ok: false, publishable: false, errors: [{ rule: 'request', path: '', message: e instanceof ApiError ? e.message : t('error.network') }], warnings: [] };
    }
    issues.update(); graph.update(); paintGutter();
  };
  text.addEventListener('input', () => { paintGutter(); clearTimeout(timer); timer = setTimeout(() => void check(), 350); });

  const status = h('p', { role: 'status', 'aria-live': 'polite', 'data-testid': 'flow-status' });
  const messageInput = h('input', { 'data-testid': 'publish-message', maxlength: 500, placeholder: t('flow.messageHint') });
  const publish = async () => {
    status.className = '';
    if (!messageInput.value.trim()) { messageInput.focus(); status.textContent = t('flow.messageRequired'); return; }
    try {
      const flow = JSON.parse(text.value) as unknown;
      const result = await post<{ version: Version; changed: boolean }>(`/api/flows/${flowId}/publish`, { flow, expectedHash: live?.hash ?? null, message: messageInput.value.trim() });
      status.className = 'ok';
      status.textContent = result.changed ? t('flow.published').replace('{seq}', String(result.version.seq)) : t('flow.unchanged');
      messageInput.value = '';
      await loadVersions();
    } catch (e) {
      status.className = 'error';
      status.textContent = e instanceof ApiError ? `${e.message} (${e.code})` : e instanceof SyntaxError ? t('flow.badJson') : t('error.network');
    }
  };

  const digits = h('input', { 'data-testid': 'sim-digits', pattern: '[0-9*#]*', inputmode: 'numeric', placeholder: '9' });
  const simOut = h('div', { 'data-testid': 'sim-out', 'aria-live': 'polite' });
  const simulate = async () => {
    try {
      const flow = JSON.parse(text.value) as unknown;
      const events = digits.value ? [{ at: 500, dtmf: digits.value, gapMs: 300 }] : [];
      const result = await post<{ heard: Array<{ at: number; node: string; text?: string }>; nodes: string[]; exit: unknown }>(`/api/flows/${flowId}/simulate`, { flow, scenario: { events, maxMs: 120_000 } });
      path = new Set(result.nodes);
      graph.update();
      simOut.replaceChildren(
        h('p', null, h('strong', null, t('flow.path')), ' ', result.nodes.join(' → '), result.exit ? ` · ${t('flow.exit')} ${JSON.stringify(result.exit)}` : ''),
        h('ol', { class: 'list' }, result.heard.map((x) => h('li', null, h('span', { class: 'muted' }, `${(x.at / 1000).toFixed(1)}s [${x.node}] `), x.text ?? ''))));
    } catch (e) {
      simOut.replaceChildren(h('p', { class: 'error' }, e instanceof ApiError ? e.message : e instanceof SyntaxError ? t('flow.badJson') : t('error.network')));
    }
  };

  const versionsBox = h('div', { 'data-testid': 'versions' });
  const diffOut = h('div', { 'aria-live': 'polite' });
  async function loadVersions(): Promise<void> {
    const versions = await get<Version[]>(`/api/flows/${flowId}/versions`);
    live = (await get<FlowInfo[]>('/api/flows')).find((f) => f.flowId === flowId)?.live ?? null;
    versionsBox.replaceChildren(h('table', { class: 'grid' },
      h('thead', null, h('tr', null, [t('flow.version'), t('flow.when'), t('flow.author'), t('flow.message'), ''].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', null, versions.map((v) => h('tr', null, h('td', null, `v${v.seq}`, v.hash === live?.hash ? h('span', { class: 'tag ok' }, t('flow.live')) : null), h('td', null, dateTime(v.publishedAt)), h('td', null, v.author), h('td', null, v.message),
        h('td', { class: 'buttons' },
          h('button', { type: 'button', disabled: v.hash === live?.hash, onclick: () => void diff(v) }, t('flow.diff')),
          h('button', { type: 'button', disabled: v.hash === live?.hash, onclick: () => void rollback(v) }, t('flow.rollback'))))))));
  }
  async function diff(v: Version): Promise<void> {
    const result = await get<{ changes: Array<{ op: string; path: string; before?: unknown; after?: unknown }> }>(`/api/flows/${flowId}/diff?from=${v.hash}&to=live`);
    diffOut.replaceChildren(h('h4', null, t('flow.diffTitle').replace('{seq}', String(v.seq))), result.changes.length ? h('ul', { class: 'list diff' }, result.changes.map((c) => h('li', { class: c.op },
      h('code', null, c.op === 'added' ? '+' : c.op === 'removed' ? '−' : '~', ' ', c.path), c.op !== 'added' ? h('div', { class: 'before' }, JSON.stringify(c.before)) : null, c.op !== 'removed' ? h('div', { class: 'after' }, JSON.stringify(c.after)) : null))) : h('p', null, t('flow.same')));
  }
  async function rollback(v: Version): Promise<void> {
    const message = prompt(t('flow.rollbackWhy').replace('{seq}', String(v.seq)));
    if (!message) return;
    try {
      await post(`/api/flows/${flowId}/rollback`, { hash: v.hash, message, expectedHash: live?.hash ?? null });
      status.className = 'ok'; status.textContent = t('flow.rolledBack').replace('{seq}', String(v.seq));
      await load();
    } catch (e) { status.className = 'error'; status.textContent = e instanceof ApiError ? e.message : t('error.network'); }
  }

  async function load(): Promise<void> {
    const version = await get<{ flow: unknown }>(`/api/flows/${flowId}/versions/live`);
    text.value = JSON.stringify(version.flow, null, 2);
    path = new Set();
    simOut.replaceChildren();
    diffOut.replaceChildren();
    await Promise.all([check(), loadVersions()]);
  }
  await load();

  return h('section', { class: 'flow-editor', 'aria-labelledby': 'flow-title' },
    h('h2', { id: 'flow-title' }, t('flow.title')),
    h('div', { class: 'inline' }, field(t('flow.pick'), picker), h('span', { class: 'muted' }, t('flow.keyboardHint'))),
    h('div', { class: 'editor-grid' },
      h('div', { class: 'card' }, h('div', { class: 'code-box' }, gutter, text), issues.el,
        h('div', { class: 'inline publish' }, field(t('flow.message'), messageInput), h('button', { type: 'button', class: 'primary', 'data-testid': 'publish', onclick: () => void publish() }, t('flow.publish'))), status),
      h('div', null,
        h('div', { class: 'card' }, h('h3', null, t('flow.simulator')),
          h('form', { class: 'inline', onsubmit: (e: Event) => { e.preventDefault(); void simulate(); } }, field(t('flow.digits'), digits), h('button', { type: 'submit', 'data-testid': 'simulate' }, t('flow.run'))), simOut))),
    h('div', { class: 'card' }, h('h3', null, t('flow.graph')), graph.el),
    h('div', { class: 'card' }, h('h3', null, t('flow.versions')), versionsBox, diffOut));
}
