/**
 * Prompt templates: `{{var}}` and `{{var|default}}` in prompt texts, set values, URLs, ticket
 * fields. Pure functions; no escaping beyond what the caller asks for (URLs encode values).
 */
import { createHash } from 'node:crypto';
import type { Prompt } from './flow-schema.ts';

const placeholder = /\{\{\s*([a-z][a-z0-9_]{0,31})\s*(?:\|([^}]*))?\}\}/g;

/** A variable a template reads; `defaulted` when it carries `|default`. */
export interface TemplateRef {
  readonly name: string;
  readonly defaulted: boolean;
}

/** The variables a template reads. */
export function templateRefs(template: string): TemplateRef[] {
  return [...template.matchAll(placeholder)].map((m) => ({ name: m[1]!, defaulted: m[2] !== undefined }));
}

/** True when the text has at least one placeholder. */
export function isDynamic(template: string): boolean {
  return templateRefs(template).length > 0;
}

/** Fills the template from `vars`; an unset variable gives its default or ''. */
export function renderTemplate(
  template: string,
  vars: Readonly<Record<string, string>>,
  encode: (value: string) => string = (v) => v,
): string {
  return template.replace(placeholder, (_all, name: string, fallback: string | undefined) => {
    const value = Object.hasOwn(vars, name) ? vars[name]! : fallback ?? '';
    return encode(value);
  });
}

/** Where text-only prompts are rendered to (`npm run prompts`), under Asterisk's sounds dir. */
export const ttsSoundPrefix = 'sound:hotline/tts';

/** The stable file name of a TTS text: its language and a hash of the text. */
export function ttsSoundName(lang: string, text: string): string {
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  return `${lang}/${hash}`;
}

/** A prompt resolved for one language and the call's variables. */
export interface ResolvedPrompt {
  readonly lang: string;
  /** Asterisk media URIs to play in order. */
  readonly media: string[];
  /** What the caller hears, as text (the transcript; TTS source). */
  readonly text: string;
  /** True when the text held variables: the shell must synthesise `media` before playing. */
  readonly dynamic: boolean;
}

/**
 * Picks the call's language (falling back to the flow's first) and resolves to media: the sound
 * URI when recorded, else the TTS file of the rendered text.
 */
export function resolvePrompt(
  prompt: Prompt,
  lang: string,
  fallbackLang: string,
  vars: Readonly<Record<string, string>>,
): ResolvedPrompt {
  const chosen = prompt[lang] !== undefined ? lang : prompt[fallbackLang] !== undefined ? fallbackLang : Object.keys(prompt)[0]!;
  const variant = prompt[chosen]!;
  const source = variant.text ?? '';
  const text = renderTemplate(source, vars);
  if (variant.sound !== undefined) return { lang: chosen, media: [variant.sound], text: text || variant.sound, dynamic: false };
  return { lang: chosen, media: [`${ttsSoundPrefix}/${ttsSoundName(chosen, text)}`], text, dynamic: isDynamic(source) };
}
