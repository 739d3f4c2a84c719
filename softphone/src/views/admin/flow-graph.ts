/**
 * A flow drawn as a graph: nodes in columns by their distance from the entry, an arrow for each
 * exit. Exits are found the simple way: any string in a node that names another node (its JSON
 * path within the node is the label), so new node types draw without changes here.
 */
import { h, s } from '../../core/dom.ts';
import { t } from '../../i18n.ts';

interface Edge { from: string; to: string; label: string }
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function flowEdges(flow: { nodes?: Record<string, Json> }): Edge[] {
  const nodes = flow.nodes ?? {};
  const ids = new Set(Object.keys(nodes));
  const edges: Edge[] = [];
  const walk = (from: string, value: Json, path: string[]) => {
    if (typeof value === 'string') {
      const key = path.at(-1) ?? '';
      if (ids.has(value) && !['type', 'title', 'text', 'sound', 'description', 'queue', 'id'].includes(key)) edges.push({ from, to: value, label: path.filter((p) => p !== 'next').join(' ') || 'next' });
    } else if (Array.isArray(value)) value.forEach((v, i) => walk(from, v, [...path, String(i)]));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) if (k !== 'prompt') walk(from, v, [...path, k]);
  };
  for (const [id, node] of Object.entries(nodes)) walk(id, node, []);
  // One arrow per pair of nodes, its labels joined (a menu's noInput and noMatch often share a target).
  const merged = new Map<string, Edge>();
  for (const e of edges) {
    const key = `${e.from}\u0000${e.to}`;
    const known = merged.get(key);
    merged.set(key, known ? { ...known, label: `${known.label}, ${e.label}` } : e);
  }
  return [...merged.values()];
}

export function flowGraph(flow: { entry?: string; nodes?: Record<string, Json> }, highlight: ReadonlySet<string> = new Set()): HTMLElement {
  const nodes = flow.nodes ?? {};
  const ids = Object.keys(nodes);
  const edges = flowEdges(flow);
  const depth = new Map<string, number>();
  const queue = flow.entry && nodes[flow.entry] ? [flow.entry] : ids.slice(0, 1);
  if (queue[0]) depth.set(queue[0], 0);
  while (queue.length) {
    const id = queue.shift()!;
    for (const e of edges.filter((x) => x.from === id)) if (!depth.has(e.to)) { depth.set(e.to, depth.get(id)! + 1); queue.push(e.to); }
  }
  let orphanCol = Math.max(0, ...depth.values()) + 1;
  for (const id of ids) if (!depth.has(id)) depth.set(id, orphanCol);
  if (![...depth.values()].includes(orphanCol)) orphanCol -= 1;
  const cols = new Map<number, string[]>();
  for (const id of ids) { const d = depth.get(id)!; cols.set(d, [...(cols.get(d) ?? []), id]); }
  const NW = 150, NH = 40, GX = 90, GY = 26;
  const pos = new Map<string, { x: number; y: number }>();
  for (const [d, list] of cols) list.forEach((id, i) => pos.set(id, { x: 10 + d * (NW + GX), y: 10 + i * (NH + GY) }));
  const width = 20 + (Math.max(0, ...cols.keys()) + 1) * (NW + GX);
  const height = 20 + Math.max(1, ...[...cols.values()].map((l) => l.length)) * (NH + GY);
  const typeOf = (id: string) => { const n = nodes[id]; return n && typeof n === 'object' && !Array.isArray(n) && typeof n.type === 'string' ? n.type : '?'; };
  const lines = edges.map((e) => {
    const a = pos.get(e.from)!, b = pos.get(e.to)!;
    const x1 = a.x + NW, y1 = a.y + NH / 2, x2 = b.x, y2 = b.y + NH / 2;
    const back = x2 <= x1;
    const d = back ? `M${x1},${y1} C${x1 + 40},${y1 - 60} ${x2 - 40},${y2 - 60} ${x2},${y2}` : `M${x1},${y1} C${x1 + GX / 2},${y1} ${x2 - GX / 2},${y2} ${x2},${y2}`;
    return s('g', { class: `edge${highlight.has(e.from) && highlight.has(e.to) ? ' hot' : ''}` }, s('path', { d, 'marker-end': 'url(#arrow)' }),
      s('text', { x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 4, 'text-anchor': 'middle' }, e.label.length > 16 ? `${e.label.slice(0, 15)}…` : e.label));
  });
  const boxes = ids.map((id) => {
    const p = pos.get(id)!;
    return s('g', { class: `node type-${typeOf(id)}${id === flow.entry ? ' entry' : ''}${highlight.has(id) ? ' hot' : ''}` },
      s('rect', { x: p.x, y: p.y, width: NW, height: NH, rx: 6 }),
      s('text', { x: p.x + 8, y: p.y + 17, class: 'id' }, id.length > 18 ? `${id.slice(0, 17)}…` : id),
      s('text', { x: p.x + 8, y: p.y + 32, class: 'type' }, typeOf(id)));
  });
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': t('flow.graphLabel').replace('{n}', String(ids.length)) },
    s('defs', null, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, s('path', { d: 'M0,0 L10,5 L0,10 z' }))),
    lines, boxes);
  return h('div', { class: 'graph', 'data-testid': 'flow-graph', tabindex: '0' }, svg);
}
