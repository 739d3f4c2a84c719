/**
 * Keyboard shortcuts: views register Alt+<key> actions while they are shown; `?` (outside text
 * fields) or F1 opens the help overlay listing them; Escape closes it.
 */
import { h } from '../core/dom.ts';
import { t, type Key } from '../i18n.ts';

interface Shortcut { readonly key: string; readonly label: Key; readonly run: () => void }
const active = new Map<string, Shortcut>();

/** Registers shortcuts (`key` is a letter: Alt+letter); returns the unregister function. */
export function useShortcuts(list: readonly Shortcut[]): () => void {
  for (const s of list) active.set(s.key.toUpperCase(), s);
  return () => { for (const s of list) if (active.get(s.key.toUpperCase()) === s) active.delete(s.key.toUpperCase()); };
}

function typing(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

let overlay: HTMLDialogElement | undefined;
function openHelp(): void {
  overlay?.remove();
  const rows = [...active.values()].map((s) => h('tr', null, h('td', null, h('kbd', null, 'Alt'), '+', h('kbd', null, s.key.toUpperCase())), h('td', null, t(s.label))));
  overlay = h('dialog', { class: 'help', 'aria-labelledby': 'help-title', 'data-testid': 'help' },
    h('h2', { id: 'help-title' }, t('help.title')),
    h('table', null,
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('help.keys')), h('th', { scope: 'col' }, t('help.action')))),
      h('tbody', null, rows,
        h('tr', null, h('td', null, h('kbd', null, '?'), ' / ', h('kbd', null, 'F1')), h('td', null, t('help.open'))),
        h('tr', null, h('td', null, h('kbd', null, 'Tab'), ' / ', h('kbd', null, 'Shift+Tab')), h('td', null, t('help.tab'))),
        h('tr', null, h('td', null, h('kbd', null, 'Esc')), h('td', null, t('help.close'))))),
    h('form', { method: 'dialog' }, h('button', { class: 'primary', type: 'submit' }, t('help.close'))));
  document.body.appendChild(overlay);
  overlay.addEventListener('close', () => overlay?.remove());
  overlay.showModal();
}

export function installShortcuts(): void {
  document.addEventListener('hotline:help', openHelp);
  document.addEventListener('keydown', (event) => {
    if (event.key === 'F1' || (event.key === '?' && !typing(event.target))) {
      event.preventDefault();
      openHelp();
      return;
    }
    if (!event.altKey || event.ctrlKey || event.metaKey) return;
    const letter = /^Key([A-Z])$/.exec(event.code)?.[1] ?? /^Digit([0-9])$/.exec(event.code)?.[1];
    const shortcut = letter ? active.get(letter) : undefined;
    if (!shortcut) return;
    event.preventDefault();
    shortcut.run();
  });
}
