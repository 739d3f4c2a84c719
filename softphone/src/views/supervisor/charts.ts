/** Today's calls by hour as an SVG bar chart (answered / abandoned / other), with a text table for screen readers. */
import { h, s } from '../../core/dom.ts';
import { t } from '../../i18n.ts';

export function hourlyChart(hours: ReadonlyArray<{ hour: number; calls: number; answered: number; abandoned: number; within15s: number }>): HTMLElement {
  const W = 560, H = 180, pad = 24, bw = (W - pad * 2) / 24;
  const max = Math.max(4, ...hours.map((x) => x.calls));
  const y = (v: number) => H - pad - (v / max) * (H - pad * 2);
  const bars = hours.flatMap((x) => {
    const left = pad + x.hour * bw + 2;
    const other = x.calls - x.answered - x.abandoned;
    const parts: Array<[number, string]> = [[x.answered, 'bar-answered'], [x.abandoned, 'bar-abandoned'], [other, 'bar-other']];
    let base = 0;
    return parts.filter(([v]) => v > 0).map(([v, cls]) => {
      const rect = s('rect', { x: left, y: y(base + v), width: bw - 4, height: y(base) - y(base + v), class: cls }, s('title', null, `${x.hour}:00 · ${v}`));
      base += v;
      return rect;
    });
  });
  const axis = [0, 6, 12, 18, 23].map((hr) => s('text', { x: pad + hr * bw + bw / 2, y: H - 6, 'text-anchor': 'middle', class: 'axis' }, `${hr}`));
  const grid = [0, Math.round(max / 2), max].map((v) => [s('line', { x1: pad, x2: W - pad, y1: y(v), y2: y(v), class: 'gridline' }), s('text', { x: 4, y: y(v) + 4, class: 'axis' }, String(v))]);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': t('chart.label'), class: 'chart' }, grid, bars, axis);
  const total = hours.reduce((a, x) => ({ calls: a.calls + x.calls, answered: a.answered + x.answered, abandoned: a.abandoned + x.abandoned, within15s: a.within15s + x.within15s }), { calls: 0, answered: 0, abandoned: 0, within15s: 0 });
  return h('figure', { class: 'chart-box', 'data-testid': 'hourly-chart' }, svg,
    h('figcaption', null,
      h('span', { class: 'key bar-answered' }), t('chart.answered'), ' ', h('span', { class: 'key bar-abandoned' }), t('chart.abandoned'), ' ', h('span', { class: 'key bar-other' }), t('chart.other'),
      ` · ${t('chart.total').replace('{calls}', String(total.calls)).replace('{answered}', String(total.answered)).replace('{within}', String(total.within15s))}`),
    h('table', { class: 'sr-only' }, h('caption', null, t('chart.label')),
      h('tbody', null, hours.filter((x) => x.calls > 0).map((x) => h('tr', null, h('th', null, `${x.hour}:00`), h('td', null, `${x.calls} / ${x.answered} / ${x.abandoned}`))))));
}
