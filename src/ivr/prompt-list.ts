/**
 * Every prompt of a set of flows, with the sound file it plays from: the list `npm run prompts`
 * renders (TTS for text prompts) and an admin reviews. Pure: no file access.
 */
import { promptsOf } from './flow-graph.ts';
import type { Flow } from './flow-schema.ts';
import { isDynamic, ttsSoundName, ttsSoundPrefix } from './prompt-template.ts';

export interface PromptEntry {
  readonly flowId: string;
  /** JSON path of the prompt in its flow, with the language, e.g. `/nodes/greeting/prompt/zh-CN`. */
  readonly path: string;
  readonly lang: string;
  readonly text: string | undefined;
  /**
   * The sound's name under Asterisk's sounds folder, without extension, e.g.
   * `hotline/zh/greeting-12345` (from the sound URI) or `hotline/tts/zh-CN/<hash>` (text only).
   */
  readonly soundName: string;
  /** True when the text holds `{{var}}`: it can only be synthesised during the call. */
  readonly dynamic: boolean;
  /** True when the flow names a recorded sound (the text is its transcript). */
  readonly hasSoundUri: boolean;
}

/** The prompts of the flows, one entry per language, without duplicates of one sound file. */
export function listPrompts(flows: readonly Flow[]): PromptEntry[] {
  const out: PromptEntry[] = [];
  const seen = new Set<string>();
  for (const flow of flows) {
    for (const [id, node] of Object.entries(flow.nodes)) {
      for (const { path, prompt } of promptsOf(id, node)) {
        for (const [lang, variant] of Object.entries(prompt)) {
          const dynamic = variant.text !== undefined && isDynamic(variant.text);
          const soundName = variant.sound !== undefined
            ? variant.sound.slice('sound:'.length)
            : `${ttsSoundPrefix.slice('sound:'.length)}/${ttsSoundName(lang, variant.text ?? '')}`;
          const key = `${soundName}|${variant.text ?? ''}`;
          if (seen.has(key)) continue;
          seen.add(key);
          out.push({ flowId: flow.id, path: `${path}/${lang}`, lang, text: variant.text, soundName, dynamic, hasSoundUri: variant.sound !== undefined });
        }
      }
    }
  }
  return out;
}

/** espeak-ng voices per language tag (`cmn` is Mandarin). */
export const ttsVoices: Readonly<Record<string, string>> = { 'zh-CN': 'cmn', en: 'en' };
