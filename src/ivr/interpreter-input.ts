/**
 * Input nodes (menu, collect, survey): prompts with barge-in, type-ahead, first-digit and
 * inter-digit timeouts, and no-input / no-match counted apart with escalating prompts.
 */
import type { NodeOf, Prompt } from './flow-schema.ts';
import { bufferKey, nodeOf, play, startTimer, stopPlay, cancelTimer, type Ctx, type Next } from './interpreter-context.ts';

type InputNode = NodeOf<'menu'> | NodeOf<'collect'> | NodeOf<'survey'>;

const defaults = { firstDigitTimeoutMs: 10_000, interDigitTimeoutMs: 5_000, maxNoInput: 3, maxNoMatch: 3 };
const surveyLabels = { 1: 'satisfied', 2: 'basically-satisfied', 3: 'dissatisfied' } as const;

const firstMs = (n: InputNode): number => n.type === 'survey' ? n.timeoutMs ?? 8_000 : n.firstDigitTimeoutMs ?? defaults.firstDigitTimeoutMs;
const interMs = (n: InputNode): number => n.type === 'survey' ? 0 : n.interDigitTimeoutMs ?? defaults.interDigitTimeoutMs;
const bargeIn = (n: InputNode): boolean => n.type === 'survey' ? true : n.bargeIn ?? true;

/** Entering an input node: use the type-ahead if any, else play the (long) prompt. */
export function enterInput(ctx: Ctx, node: InputNode): Next {
  if (node.type !== 'survey' && node.flushTypeAhead === true) ctx.s.typeAhead = '';
  if (ctx.s.typeAhead.length > 0) {
    ctx.s.phase = 'listen';
    return consumeTypeAhead(ctx);
  }
  return prompt(ctx, [node.prompt]);
}

function prompt(ctx: Ctx, prompts: Array<Prompt | undefined>): Next {
  const node = nodeOf(ctx) as InputNode;
  ctx.s.digits = '';
  ctx.s.phase = 'prompt';
  play(ctx, prompts, bargeIn(node));
  if (ctx.s.play === null) return listen(ctx);
  return null;
}

/** The prompt ended: keys typed ahead are used, else the first-digit timer starts now. */
export function inputPromptEnded(ctx: Ctx): Next {
  ctx.s.play = null;
  ctx.s.phase = 'listen';
  if (ctx.s.typeAhead.length > 0) return consumeTypeAhead(ctx);
  return listen(ctx);
}

function listen(ctx: Ctx): Next {
  ctx.s.phase = 'listen';
  startTimer(ctx, 'input', firstMs(nodeOf(ctx) as InputNode));
  return null;
}

function consumeTypeAhead(ctx: Ctx): Next {
  const node = ctx.s.node;
  while (ctx.s.typeAhead.length > 0 && ctx.s.node === node && (ctx.s.phase === 'listen' || ctx.s.phase === 'digits')) {
    const digit = ctx.s.typeAhead[0]!;
    ctx.s.typeAhead = ctx.s.typeAhead.slice(1);
    const next = digitHeard(ctx, digit, false);
    if (next !== null) return next;
  }
  if (ctx.s.phase === 'digits') startTimer(ctx, 'input', interMs(nodeOf(ctx) as InputNode));
  else if (ctx.s.phase === 'listen') startTimer(ctx, 'input', firstMs(nodeOf(ctx) as InputNode));
  return null;
}

/** A key pressed while the input node is current. */
export function inputDigit(ctx: Ctx, digit: string): Next {
  const node = nodeOf(ctx) as InputNode;
  if (ctx.s.phase === 'prompt') {
    if (!bargeIn(node)) { bufferKey(ctx, digit); return null; }
    stopPlay(ctx);
  }
  return digitHeard(ctx, digit, true);
}

function digitHeard(ctx: Ctx, digit: string, live: boolean): Next {
  const node = nodeOf(ctx) as InputNode;
  cancelTimer(ctx, 'input');
  if (node.type === 'survey') return surveyKey(ctx, node, digit);
  if (node.type === 'collect' && digit === node.terminator) return collectDone(ctx, node);
  ctx.s.digits += digit;
  if (node.type === 'collect') {
    if (ctx.s.digits.length >= node.maxDigits) return collectDone(ctx, node);
  } else {
    const keys = Object.keys(node.options);
    const exact = keys.includes(ctx.s.digits);
    const longer = keys.some((k) => k !== ctx.s.digits && k.startsWith(ctx.s.digits));
    if (exact && !longer) return node.options[ctx.s.digits]!.next;
    if (!longer) return noMatch(ctx, node);
  }
  ctx.s.phase = 'digits';
  if (live) startTimer(ctx, 'input', interMs(node));
  return null;
}

/** The input timer fired: no input at all, or the caller stopped typing. */
export function inputTimeout(ctx: Ctx): Next {
  const node = nodeOf(ctx) as InputNode;
  if (ctx.s.phase === 'listen' || node.type === 'survey') return noInput(ctx, node);
  if (node.type === 'collect') return collectDone(ctx, node);
  const option = node.options[ctx.s.digits];
  return option !== undefined ? option.next : noMatch(ctx, node);
}

function collectDone(ctx: Ctx, node: NodeOf<'collect'>): Next {
  const digits = ctx.s.digits;
  const fits = digits.length >= node.minDigits && digits.length <= node.maxDigits
    && (node.pattern === undefined || new RegExp(`^(?:${node.pattern})$`).test(digits));
  if (!fits) return noMatch(ctx, node);
  ctx.s.vars[node.into] = digits;
  return node.next.ok;
}

function surveyKey(ctx: Ctx, node: NodeOf<'survey'>, digit: string): Next {
  if (digit === '1' || digit === '2' || digit === '3') {
    const rating = Number(digit) as 1 | 2 | 3;
    ctx.s.vars[node.into ?? 'rating'] = digit;
    ctx.out.push({ type: 'surveyRated', rating, label: surveyLabels[rating] });
    return node.next.rated;
  }
  if (digit === '0' && ctx.s.repeats < 3) {
    ctx.s.repeats += 1;
    return prompt(ctx, [node.prompt]);
  }
  return noMatch(ctx, node);
}

function noInput(ctx: Ctx, node: InputNode): Next {
  ctx.s.noInput += 1;
  return retry(ctx, node, 'noInput');
}

function noMatch(ctx: Ctx, node: InputNode): Next {
  ctx.s.noMatch += 1;
  ctx.s.typeAhead = '';
  return retry(ctx, node, 'noMatch');
}

function retry(ctx: Ctx, node: InputNode, kind: 'noInput' | 'noMatch'): Next {
  if (node.type === 'survey') {
    // one retry in all, then no rating
    if (ctx.s.noInput + ctx.s.noMatch > 1) return node.next.noRating;
    return prompt(ctx, [node.retryPrompt ?? node.prompt]);
  }
  const count = kind === 'noInput' ? ctx.s.noInput : ctx.s.noMatch;
  const max = (kind === 'noInput' ? node.maxNoInput : node.maxNoMatch) ?? defaults[kind === 'noInput' ? 'maxNoInput' : 'maxNoMatch'];
  if (count >= max) return node.next[kind];
  const escalation = kind === 'noInput' ? node.noInputPrompts : node.noMatchPrompts;
  const hint = escalation === undefined || escalation.length === 0 ? undefined : escalation[Math.min(count, escalation.length) - 1];
  return prompt(ctx, [hint, node.shortPrompt ?? node.prompt]);
}
