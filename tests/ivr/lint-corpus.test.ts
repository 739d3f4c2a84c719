import { describe, expect, it } from 'vitest';
import { defaultFlowDir, readJsonFiles } from '../../src/ivr/flow-files.ts';
import { lintFlow, lintFlowText } from '../../src/ivr/lint.ts';
import { library } from './subflow-library.ts';
import { baseFlow, lintOptions as plainOptions, say } from './support.ts';

/** The catalogue and the child flows a subflow node may name. */
const lintOptions = { ...plainOptions, flows: library() };

type Flow = ReturnType<typeof baseFlow>;
type Node = Record<string, unknown>;
const node = (f: Flow, id: string): Node => f.nodes[id] as Node;
const sub = (n: Node, key: string): Record<string, unknown> => n[key] as Record<string, unknown>;

interface BrokenCase {
  readonly name: string;
  /** Mutates the base flow (or gives JSON text for syntax-level cases). */
  readonly make: (f: Flow) => Flow | string;
  readonly path: string;
  readonly message: RegExp;
  /** `warning`: the flow compiles but may not be published. */
  readonly level?: 'warning';
}

const text = (f: Flow): string => JSON.stringify(f, null, 2);
/** The welcome prompt leads to a subflow node `fb` with these fields. */
const callChild = (f: Flow, fields: Record<string, unknown>): Flow => { node(f, 'welcome').next = 'fb'; f.nodes.fb = { type: 'subflow', ...fields }; return f; };

const corpus: BrokenCase[] = [
  { name: 'an option points to a missing node', make: (f) => { sub(node(f, 'main_menu'), 'options')[9] = { next: 'nowhere' }; return f; }, path: '/nodes/main_menu/options/9/next', message: /points to the node "nowhere", which does not exist/ },
  { name: 'a menu exit is not wired', make: (f) => { delete sub(node(f, 'main_menu'), 'next').noMatch; return f; }, path: '/nodes/main_menu/next', message: /required field missing: noMatch/ },
  { name: 'a queue lacks its no-agents exit', make: (f) => { delete sub(node(f, 'agent'), 'next').noAgents; return f; }, path: '/nodes/agent/next', message: /required field missing: noAgents/ },
  { name: 'an unknown node type', make: (f) => { node(f, 'welcome').type = 'say'; return f; }, path: '/nodes/welcome/type', message: /unknown node type "say"/ },
  { name: 'a node id that is __proto__', make: (f) => text(f).replace('"bye": {', '"__proto__": { "type": "hangup" }, "bye": {'), path: '/nodes/__proto__', message: /unsafe/ },
  { name: 'a node id named constructor', make: (f) => text(f).replace('"bye": {', '"constructor": { "type": "hangup" }, "bye": {'), path: '/nodes/constructor', message: /unsafe/ },
  { name: 'a node id with capitals', make: (f) => { f.nodes.Bye = { type: 'hangup' }; return f; }, path: '/nodes/Bye', message: /must start with a lower-case letter/ },
  { name: 'a menu key written twice', make: (f) => text(f).replace('"1": {', '"1": { "next": "bye" }, "1": {'), path: '/nodes/main_menu/options/1', message: /written twice/ },
  { name: 'a node id written twice', make: (f) => text(f).replace('"bye": {', '"bye": { "type": "hangup" }, "bye": {'), path: '/nodes/bye', message: /written twice/ },
  { name: 'reserved key 0 not leading to an agent', make: (f) => { sub(node(f, 'main_menu'), 'options')[0] = { next: 'welcome' }; return f; }, path: '/nodes/main_menu/options/0/next', message: /key 0 is reserved to reach an agent/ },
  { name: 'reserved key * not repeating the menu', make: (f) => { sub(node(f, 'main_menu'), 'options')['*'] = { next: 'ask' }; return f; }, path: '/nodes/main_menu/options/*/next', message: /key \* is reserved to repeat this menu/ },
  { name: 'reserved key # not ending the call', make: (f) => { sub(node(f, 'main_menu'), 'options')['#'] = { next: 'agent' }; return f; }, path: '/nodes/main_menu/options/#/next', message: /key # is reserved to end the call/ },
  { name: 'a dead end (menu loops on itself only)', make: (f) => { node(f, 'main_menu').options = { 1: { next: 'main_menu' } }; node(f, 'main_menu').next = { noInput: 'main_menu', noMatch: 'main_menu' }; return f; }, path: '/nodes/main_menu', message: /no path reaches a hangup, queue or transfer/ },
  { name: 'a loop without an input node', make: (f) => { node(f, 'welcome').next = 'again'; f.nodes.again = { type: 'condition', cases: [{ when: { var: 'lang', op: 'eq', value: 'zh-CN' }, next: 'welcome' }], default: 'main_menu' }; return f; }, path: '/nodes/welcome', message: /form a loop with no menu, collect, record, survey or queue/ },
  { name: 'a prompt reads a variable nothing sets', make: (f) => { node(f, 'welcome').prompt = say('您好{{name}}', 'Hello {{name}}'); return f; }, path: '/nodes/welcome/prompt/zh-CN/text', message: /variable "name", which is not set on every path/ },
  { name: 'a condition reads a variable set on only one path', make: (f) => { sub(node(f, 'main_menu'), 'options')[2] = { next: 'check' }; return f; }, path: '/nodes/check/cases/0/when/var', message: /variable "code", which is not set on every path to "check"/ },
  { name: 'a ticket reads a recording nobody made', make: (f) => { sub(node(f, 'main_menu'), 'options')[3] = { next: 'file' }; f.nodes.file = { type: 'ticket', category: 'suggestion', content: 'x', recording: 'message', next: { ok: 'bye', error: 'bye' } }; return f; }, path: '/nodes/file/recording', message: /variable "message"/ },
  { name: 'a prompt lacks a declared language', make: (f) => { delete sub(node(f, 'welcome'), 'prompt').en; return f; }, path: '/nodes/welcome/prompt', message: /has no "en" version/ },
  { name: 'a prompt in an undeclared language', make: (f) => { sub(node(f, 'welcome'), 'prompt').fr = { text: 'Bienvenue' }; return f; }, path: '/nodes/welcome/prompt/fr', message: /"fr", which the flow does not declare/ },
  { name: 'an escalation prompt lacks a language', make: (f) => { node(f, 'main_menu').noInputPrompts = [{ 'zh-CN': { text: '请按键' } }]; return f; }, path: '/nodes/main_menu/noInputPrompts/0', message: /has no "en" version/ },
  { name: 'an unknown queue', make: (f) => { node(f, 'agent').queue = 'vip'; return f; }, path: '/nodes/agent/queue', message: /queue "vip" is not in the catalogue/ },
  { name: 'an unknown fallback queue', make: (f) => { f.fallbackQueue = 'nobody'; return f; }, path: '/fallbackQueue', message: /queue "nobody" is not in the catalogue/ },
  { name: 'an unknown HTTP service', make: (f) => { sub(node(f, 'check'), 'cases'); node(f, 'check').default = 'lookup'; f.nodes.lookup = { type: 'http', service: 'weather', method: 'GET', url: '/x', next: { ok: 'agent', error: 'agent', timeout: 'agent' } }; return f; }, path: '/nodes/lookup/service', message: /service "weather" is not in the catalogue/ },
  { name: 'a method the service does not allow', make: (f) => { node(f, 'check').default = 'lookup'; f.nodes.lookup = { type: 'http', service: 'customs-parcel', method: 'POST', url: '/x', next: { ok: 'agent', error: 'agent', timeout: 'agent' } }; return f; }, path: '/nodes/lookup/method', message: /does not allow POST/ },
  { name: 'an HTTP timeout above 8 s', make: (f) => { node(f, 'check').default = 'lookup'; f.nodes.lookup = { type: 'http', service: 'customs-parcel', method: 'GET', url: '/x', timeoutMs: 20000, next: { ok: 'agent', error: 'agent', timeout: 'agent' } }; return f; }, path: '/nodes/lookup/timeoutMs', message: /at most 8000/ },
  { name: 'an unknown holiday calendar', make: (f) => { f.entry = 'open'; f.nodes.open = { type: 'hours', schedule: 'office', calendar: 'mars', next: { open: 'welcome', closed: 'bye', holiday: 'bye' } }; return f; }, path: '/nodes/open/calendar', message: /holiday calendar "mars" is not in the catalogue/ },
  { name: 'an unknown schedule', make: (f) => { f.entry = 'open'; f.nodes.open = { type: 'hours', schedule: 'nightly', calendar: 'cn', next: { open: 'welcome', closed: 'bye', holiday: 'bye' } }; return f; }, path: '/nodes/open/schedule', message: /schedule "nightly" is not in the catalogue/ },
  { name: 'a transfer destination off the allow-list', make: (f) => { sub(node(f, 'main_menu'), 'options')[5] = { next: 'out' }; f.nodes.out = { type: 'transfer', destination: '00861234', next: { failed: 'agent' } }; return f; }, path: '/nodes/out/destination', message: /transfer destination "00861234" is not in the catalogue/ },
  { name: 'a collect pattern that does not compile', make: (f) => { node(f, 'ask').pattern = '[0-9'; return f; }, path: '/nodes/ask/pattern', message: /does not compile/ },
  { name: 'a condition regex that does not compile', make: (f) => { node(f, 'check').cases = [{ when: { var: 'code', op: 'matches', value: '(12' }, next: 'bye' }]; return f; }, path: '/nodes/check/cases/0/when/value', message: /does not compile/ },
  { name: '"in" without a list', make: (f) => { node(f, 'check').cases = [{ when: { var: 'code', op: 'in', value: '1234' }, next: 'bye' }]; return f; }, path: '/nodes/check/cases/0/when', message: /needs a list of values/ },
  { name: 'minDigits above maxDigits', make: (f) => { node(f, 'ask').minDigits = 9; return f; }, path: '/nodes/ask/minDigits', message: /minDigits \(9\) is larger than maxDigits \(8\)/ },
  { name: 'a condition without a default', make: (f) => { delete node(f, 'check').default; return f; }, path: '/nodes/check', message: /required field missing: default/ },
  { name: 'a first-digit timeout below 500 ms', make: (f) => { node(f, 'main_menu').firstDigitTimeoutMs = 100; return f; }, path: '/nodes/main_menu/firstDigitTimeoutMs', message: /at least 500/ },
  { name: 'a misspelt field', make: (f) => { node(f, 'welcome').bargein = false; return f; }, path: '/nodes/welcome/bargein', message: /not part of the format/ },
  { name: 'the entry node is missing', make: (f) => { f.entry = 'start'; return f; }, path: '/entry', message: /entry node "start" does not exist/ },
  { name: 'no languages', make: (f) => { f.languages = []; return f; }, path: '/languages', message: /at least 1/ },
  { name: 'a menu without options', make: (f) => { node(f, 'main_menu').options = {}; return f; }, path: '/nodes/main_menu/options', message: /at least 1 entry/ },
  { name: 'not JSON', make: () => '{ "id": "x", ', path: '', message: /not valid JSON/ },
  { name: 'a subflow names an unknown flow', make: (f) => callChild(f, { flow: 'nowhere', next: 'main_menu' }), path: '/nodes/fb/flow', message: /the flow "nowhere" is not known \(known: feedback, no-return, loop-a, zh-only\)/ },
  { name: 'a subflow without its next', make: (f) => callChild(f, { flow: 'feedback' }), path: '/nodes/fb', message: /required field missing: next/ },
  { name: 'a subflow goes on at a missing node', make: (f) => callChild(f, { flow: 'feedback', next: 'later' }), path: '/nodes/fb/next', message: /points to the node "later", which does not exist/ },
  { name: 'a subflow calls its own flow', make: (f) => callChild(f, { flow: 'test', next: 'main_menu' }), path: '/nodes/fb/flow', message: /cannot call itself as a subflow/ },
  { name: 'a subflow includes the flow again through another', make: (f) => callChild(f, { flow: 'loop-a', next: 'main_menu' }), path: '/nodes/fb/flow', message: /includes itself again \(test → loop-a → test\)/ },
  { name: 'a subflow that never returns', make: (f) => callChild(f, { flow: 'no-return', next: 'main_menu' }), path: '/nodes/fb/flow', message: /has no return node reachable from its entry, so the caller would never come back to "main_menu"/ },
  { name: 'a subflow lacks a prompt language of the parent', make: (f) => callChild(f, { flow: 'zh-only', next: 'main_menu' }), path: '/nodes/fb/flow', message: /prompt at \/nodes\/hello\/prompt of the flow "zh-only" has no "en" version/ },
  { name: 'an unreachable node', make: (f) => { f.nodes.orphan = { type: 'hangup' }; return f; }, path: '/nodes/orphan', message: /no path from the entry leads to the node "orphan"/, level: 'warning' },
  {
    name: 'a long route to a person',
    make: (f) => {
      f.entry = 's1';
      for (let i = 1; i <= 5; i++) f.nodes[`s${i}`] = { type: 'play', prompt: say(`第${i}段`), next: i < 5 ? `s${i + 1}` : 'agent' };
      f.nodes.welcome = { type: 'play', prompt: say('x'), next: 'main_menu' };
      return f;
    },
    path: '/nodes/agent', message: /takes 5 steps; at most 4/, level: 'warning',
  },
];

describe('lintFlow', () => {
  describe('when a flow is broken', () => {
    it('has at least 25 distinct broken flows in its corpus', () => {
      expect(new Set(corpus.map((c) => c.path + c.message.source)).size).toBeGreaterThanOrEqual(25);
    });

    it.each(corpus)('$name: reports $path', ({ make, path, message, level }) => {
      const made = make(baseFlow());
      const result = typeof made === 'string' ? lintFlowText(made, lintOptions) : lintFlowText(JSON.stringify(made), lintOptions);
      const findings = level === 'warning' ? result.warnings : result.errors;
      expect(findings.some((f) => f.path === path && message.test(f.message)), JSON.stringify([...result.errors, ...result.warnings], null, 1)).toBe(true);
      if (level === 'warning') {
        expect(result.ok).toBe(true);
        expect(result.publishable).toBe(false);
      } else {
        expect(result.ok).toBe(false);
      }
    });
  });

  describe('when a flow is sound', () => {
    it('accepts the base flow with no findings', () => {
      const result = lintFlow(baseFlow(), lintOptions);
      expect([...result.errors, ...result.warnings]).toEqual([]);
      expect(result.publishable).toBe(true);
    });

    it('accepts a read of an unset variable that carries a default', () => {
      const f = baseFlow();
      (f.nodes.welcome as Node).prompt = say('您好{{name|市民}}', 'Hello {{name|caller}}');
      expect(lintFlow(f, lintOptions).errors).toEqual([]);
    });

    it.each(readJsonFiles(defaultFlowDir).map((f) => [f.file.split('/').pop()!, f.text]))('accepts the shipped flow %s with no errors or warnings', (_name, text) => {
      const result = lintFlowText(text, lintOptions);
      expect([...result.errors, ...result.warnings]).toEqual([]);
    });
  });

  describe('when the hotline configures other reserved keys', () => {
    it('lets a menu use 0 freely once 0 is no longer reserved', () => {
      const f = baseFlow();
      (f.nodes.main_menu as Node).options = { 0: { next: 'ask' }, 9: { next: 'agent' } };
      expect(lintFlow(f, { ...lintOptions, reservedKeys: { '*': 'repeat' } }).ok).toBe(true);
      expect(lintFlow(f, lintOptions).ok).toBe(false);
    });
  });
});
