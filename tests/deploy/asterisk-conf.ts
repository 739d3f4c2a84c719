/**
 * A reader for Asterisk's configuration syntax, enough to check asterisk-config/ in tests:
 * sections `[name]`, templates `[name](!)`, inheritance `[name](tpl1,tpl2)` and `[name](!,tpl)`,
 * `key = value` and `key => value`, `;` comments (`\;` is a literal semicolon), `;-- … --;` block
 * comments, `#include` / `#tryinclude` (the included text continues the current section, as in
 * Asterisk's main/config.c). Plus the dialplan: extensions, priorities, `same =>`, labels,
 * `include =>`, and Asterisk's extension patterns.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface Entry {
  readonly key: string;
  readonly value: string;
  /** `=>` (object/dialplan style) or `=`. */
  readonly arrow: boolean;
  readonly where: string;
}

export interface Section {
  readonly name: string;
  readonly template: boolean;
  readonly inherits: readonly string[];
  readonly entries: Entry[];
  readonly where: string;
}

export interface ConfFile {
  readonly sections: Section[];
  /** Includes that were found, and `#tryinclude`s that were not. */
  readonly included: string[];
  readonly missingTryIncludes: string[];
}

export interface ReadOptions {
  /** Where a relative include points: default `<config dir>/<include>`. */
  readonly resolve?: (include: string) => string;
}

/** Strips comments; returns the remaining text and whether a block comment is still open. */
function stripComments(line: string, inBlock: boolean): { text: string; inBlock: boolean } {
  let out = '';
  let i = 0;
  while (i < line.length) {
    if (inBlock) {
      const end = line.indexOf('--;', i);
      if (end < 0) return { text: out, inBlock: true };
      i = end + 3;
      inBlock = false;
    } else if (line.startsWith(';--', i)) {
      inBlock = true;
      i += 3;
    } else if (line[i] === '\\' && line[i + 1] === ';') {
      out += ';';
      i += 2;
    } else if (line[i] === ';') {
      break;
    } else {
      out += line[i];
      i += 1;
    }
  }
  return { text: out, inBlock };
}

/** Reads `file` and its includes. Throws on syntax errors and on a missing `#include`. */
export function readConf(file: string, options: ReadOptions = {}): ConfFile {
  const dir = path.dirname(file);
  const resolve = options.resolve ?? ((include: string) => (path.isAbsolute(include) ? include : path.join(dir, include)));
  const result: ConfFile = { sections: [], included: [], missingTryIncludes: [] };
  let current: Section | undefined;

  const readOne = (name: string, depth: number): void => {
    if (depth > 10) throw new Error(`${name}: includes nested too deeply`);
    const lines = readFileSync(name, 'utf8').split(/\r?\n/);
    let inBlock = false;
    lines.forEach((raw, index) => {
      const where = `${path.basename(name)}:${index + 1}`;
      const stripped = stripComments(raw, inBlock);
      inBlock = stripped.inBlock;
      const line = stripped.text.trim();
      if (line === '') return;
      const directive = /^#(include|tryinclude)\s+"?([^"]+?)"?$/.exec(line);
      if (directive) {
        const target = resolve(directive[2]!);
        if (existsSync(target)) {
          result.included.push(directive[2]!);
          readOne(target, depth + 1);
        } else if (directive[1] === 'tryinclude') {
          result.missingTryIncludes.push(directive[2]!);
        } else {
          throw new Error(`${where}: #include ${directive[2]} does not exist`);
        }
        return;
      }
      if (line.startsWith('#')) throw new Error(`${where}: unknown directive ${line}`);
      const header = /^\[([^\]]+)\](?:\(([^)]*)\))?$/.exec(line);
      if (header) {
        const options = (header[2] ?? '').split(',').map((o) => o.trim()).filter(Boolean);
        current = { name: header[1]!, template: options.includes('!'), inherits: options.filter((o) => o !== '!' && o !== '+'), entries: [], where };
        result.sections.push(current);
        return;
      }
      const pair = /^([^=]+?)\s*(=>|=)\s*(.*)$/.exec(line);
      if (!pair) throw new Error(`${where}: cannot read "${line}"`);
      if (!current) throw new Error(`${where}: "${line}" is outside any section`);
      current.entries.push({ key: pair[1]!.trim(), value: pair[3]!.trim(), arrow: pair[2] === '=>', where });
    });
  };

  readOne(file, 0);
  return result;
}

/** The entries of `section` after its templates' (depth first, in order), as Asterisk applies them. */
export function effectiveEntries(conf: ConfFile, section: Section, seen: Set<string> = new Set()): Entry[] {
  const inherited: Entry[] = [];
  for (const name of section.inherits) {
    if (seen.has(name)) throw new Error(`${section.where}: template loop through ${name}`);
    const template = [...conf.sections].reverse().find((s) => s.name === name && conf.sections.indexOf(s) < conf.sections.indexOf(section));
    if (!template) throw new Error(`${section.where}: template ${name} is not defined before [${section.name}]`);
    inherited.push(...effectiveEntries(conf, template, new Set([...seen, name])));
  }
  return [...inherited, ...section.entries];
}

/** The last value of `key` (the one that counts for single-valued options), or undefined. */
export function valueOf(entries: readonly Entry[], key: string): string | undefined {
  return entries.filter((e) => e.key === key).at(-1)?.value;
}

/** Every value of `key`, in order (for multi-valued options such as allow, match, member). */
export function valuesOf(entries: readonly Entry[], key: string): string[] {
  return entries.filter((e) => e.key === key).map((e) => e.value);
}

/** Non-template sections named `name` (PJSIP objects of several types may share a name). */
export function sectionsNamed(conf: ConfFile, name: string): Section[] {
  return conf.sections.filter((s) => s.name === name && !s.template);
}

/** A PJSIP object: the non-template section `name` whose effective `type` is `type`. */
export function pjsipObject(conf: ConfFile, name: string, type: string): Entry[] | undefined {
  for (const section of sectionsNamed(conf, name)) {
    const entries = effectiveEntries(conf, section);
    if (valueOf(entries, 'type') === type) return entries;
  }
  return undefined;
}

// ------------------------------------------------------------------------------------------------
// Dialplan

export interface Step {
  readonly app: string;
  readonly args: string;
  readonly label?: string;
}

export interface Extension {
  readonly pattern: string;
  readonly steps: Step[];
}

export interface Dialplan {
  readonly contexts: Map<string, { extensions: Extension[]; includes: string[] }>;
}

/** Reads extensions.conf's contexts (every section but [general] and [globals]). */
export function readDialplan(conf: ConfFile): Dialplan {
  const contexts: Dialplan['contexts'] = new Map();
  for (const section of conf.sections) {
    if (section.name === 'general' || section.name === 'globals' || section.template) continue;
    const context = contexts.get(section.name) ?? { extensions: [], includes: [] };
    contexts.set(section.name, context);
    let last: Extension | undefined;
    for (const entry of effectiveEntries(conf, section)) {
      if (entry.key === 'include') {
        context.includes.push(entry.value);
        continue;
      }
      if (entry.key !== 'exten' && entry.key !== 'same') throw new Error(`${entry.where}: unexpected ${entry.key} in a context`);
      let pattern: string;
      let rest: string;
      if (entry.key === 'exten') {
        const comma = entry.value.indexOf(',');
        pattern = entry.value.slice(0, comma).trim();
        rest = entry.value.slice(comma + 1);
      } else {
        if (!last) throw new Error(`${entry.where}: same => without an extension before it`);
        pattern = last.pattern;
        rest = entry.value;
      }
      const step = /^\s*(\d+|n)(?:\(([A-Za-z0-9_-]+)\))?\s*,\s*([A-Za-z0-9_]+)(?:\((.*)\))?\s*$/.exec(rest);
      if (!step) throw new Error(`${entry.where}: cannot read the priority "${rest}"`);
      let extension = context.extensions.find((e) => e.pattern === pattern);
      if (!extension || (entry.key === 'exten' && step[1] === '1')) {
        if (extension && step[1] === '1') throw new Error(`${entry.where}: extension ${pattern} defined twice`);
        extension = { pattern, steps: [] };
        context.extensions.push(extension);
      }
      extension.steps.push({ app: step[3]!, args: step[4] ?? '', ...(step[2] !== undefined && { label: step[2] }) });
      last = extension;
    }
  }
  return { contexts };
}

/** Asterisk's extension pattern (`_NXX.` …) as a regular expression; a literal matches itself. */
export function patternToRegExp(pattern: string): RegExp {
  if (!pattern.startsWith('_')) return new RegExp(`^${pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  let source = '';
  for (let i = 1; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === 'X' || c === 'x') source += '[0-9]';
    else if (c === 'Z' || c === 'z') source += '[1-9]';
    else if (c === 'N' || c === 'n') source += '[2-9]';
    else if (c === '.') source += '.+';
    else if (c === '!') source += '.*';
    else if (c === '[') {
      const end = pattern.indexOf(']', i);
      if (end < 0) throw new Error(`pattern ${pattern}: unclosed [`);
      source += `[${pattern.slice(i + 1, end).replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** The extensions of `context` (and of the contexts it includes) that match `number`. */
export function matchingExtensions(plan: Dialplan, context: string, number: string, seen = new Set<string>()): Array<{ context: string; extension: Extension }> {
  if (seen.has(context)) return [];
  seen.add(context);
  const found = plan.contexts.get(context);
  if (!found) throw new Error(`context ${context} does not exist`);
  const direct = found.extensions.filter((e) => patternToRegExp(e.pattern).test(number)).map((extension) => ({ context, extension }));
  return [...direct, ...found.includes.flatMap((included) => matchingExtensions(plan, included, number, seen))];
}

/**
 * Every Dial() a call to `number` in `context` can reach, with ${EXTEN} substituted, following
 * Goto(context,extension,priority) and includes. Conservative: every matching extension counts,
 * whichever Asterisk would prefer.
 */
export function reachableDials(plan: Dialplan, context: string, number: string, depth = 0): string[] {
  if (depth > 10) throw new Error(`Goto chain too long from ${context}`);
  const dials: string[] = [];
  for (const { extension } of matchingExtensions(plan, context, number)) {
    for (const step of extension.steps) {
      const args = step.args.replaceAll('${EXTEN}', number);
      if (step.app === 'Dial') dials.push(args);
      if (step.app === 'Goto') {
        const parts = args.split(',').map((p) => p.trim());
        if (parts.length === 3) dials.push(...reachableDials(plan, parts[0]!, parts[1]!, depth + 1));
      }
    }
  }
  return dials;
}
