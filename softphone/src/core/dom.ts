/**
 * A tiny DOM builder: `h('button', { class: 'x', onclick: f }, '文字')`. Regions re-render a part
 * of the page and keep the keyboard focus on the element with the same `data-key`.
 */
export type Child = Node | string | number | null | undefined | false | readonly Child[];
export type Props = Record<string, unknown>;

const properties = new Set(['value', 'checked', 'disabled', 'selected', 'indeterminate', 'hidden']);

function apply(el: Element, props: Props | null | undefined): void {
  if (!props) return;
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value as EventListener);
    } else if (properties.has(key)) {
      (el as unknown as Record<string, unknown>)[key] = value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
}

export function append(el: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child as readonly Child[]);
    else el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  apply(el, props);
  append(el, children);
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';
export function s(tag: string, props?: Props | null, ...children: Child[]): SVGElement {
  const el = document.createElementNS(SVG, tag);
  apply(el, props);
  append(el, children);
  return el as SVGElement;
}

/** Replaces `el`'s content with `render()` now and at each `update()`, keeping the focus by data-key. */
export function region(el: HTMLElement, render: () => Child): { el: HTMLElement; update(): void } {
  const update = () => {
    const active = document.activeElement;
    const key = active && el.contains(active) ? active.getAttribute('data-key') : null;
    el.replaceChildren();
    append(el, [render()]);
    if (key) (el.querySelector(`[data-key="${CSS.escape(key)}"]`) as HTMLElement | null)?.focus();
  };
  update();
  return { el, update };
}

let ids = 0;
export const uid = (prefix: string) => `${prefix}-${++ids}`;

/** A labelled form field: `<label for>` + control. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  const id = control.id || uid('f');
  control.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hint ? h('small', { class: 'hint' }, hint) : null);
}

export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const m = Math.floor(total / 60), sec = total % 60;
  return m >= 60 ? `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
}

export function time(at: number): string {
  return new Date(at).toLocaleTimeString('zh-CN', { hour12: false, timeZone: 'Asia/Shanghai' });
}
export function dateTime(at: number | string): string {
  return new Date(at).toLocaleString('zh-CN', { hour12: false, timeZone: 'Asia/Shanghai' });
}

/** Polite live region announcements for screen readers. */
export function announce(text: string): void {
  const el = document.getElementById('announcer');
  if (el) { el.textContent = ''; setTimeout(() => { el.textContent = text; }, 30); }
}
