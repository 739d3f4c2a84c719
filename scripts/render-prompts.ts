/**
 * `npm run prompts` — renders every text prompt of ivr-flows/*.json into Asterisk-ready sound
 * files with espeak-ng (voice `cmn` for zh-CN, `en` for English) and sox (8 kHz, mono, 16-bit).
 *
 *   files go to <out>/<sound name>.<ext>, e.g. var/sounds/hotline/zh/greeting-12345.wav for
 *   `sound:hotline/zh/greeting-12345`, and var/sounds/hotline/tts/zh-CN/<hash>.wav for text-only
 *   prompts; point Asterisk's astdatadir sounds (or a symlink) at <out>.
 *
 * Options:
 *   --out <dir>        output folder (default var/sounds)
 *   --recorded <dir>   folder of studio recordings (default sounds-recorded): a prompt whose
 *                      <dir>/<sound name>.(wav|sln|gsm|ulaw|alaw) exists is skipped
 *   --format wav|sln   WAV (default) or raw signed linear (Asterisk .sln)
 *   --force            render again even when the text did not change
 *   --dry-run          list what would be rendered
 * Needs the Debian packages espeak-ng and sox (apt-get install espeak-ng sox).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { queuePromptTexts } from '../src/acd/queue-announcer.ts';
import { blacklistPromptTexts } from '../src/security/blacklist.ts';
import { transferPromptTexts } from '../src/acd/transfer-desk.ts';
import { defaultCatalogue } from '../src/ivr/catalogue.ts';
import { defaultFlowDir, readJsonFiles } from '../src/ivr/flow-files.ts';
import type { Flow } from '../src/ivr/flow-schema.ts';
import { lintFlowText } from '../src/ivr/lint.ts';
import { listPrompts, ttsVoices, type PromptEntry } from '../src/ivr/prompt-list.ts';

const run = promisify(execFile);
const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const out = path.resolve(option('--out', 'var/sounds'));
const recorded = path.resolve(option('--recorded', 'sounds-recorded'));
const format = option('--format', 'wav');
const force = args.includes('--force');
const dryRun = args.includes('--dry-run');

if (format !== 'wav' && format !== 'sln') fail(`--format must be wav or sln, not ${format}`);

const flows: Flow[] = [];
for (const { file, text } of readJsonFiles(defaultFlowDir)) {
  const result = lintFlowText(text, { catalogue: defaultCatalogue });
  if (result.flow === undefined) { console.error(`skipping ${path.basename(file)}: it has lint errors (npm run flows:check)`); continue; }
  flows.push(result.flow);
}
// the queue's own prompts (position announcements, callbacks) and the blacklist refusal are not in any flow
const queuePrompts: PromptEntry[] = Object.entries({ ...queuePromptTexts, ...blacklistPromptTexts, ...transferPromptTexts }).flatMap(([name, texts]) =>
  Object.entries(texts).map(([lang, text]) => ({
    flowId: 'queue', path: `/queue/${name}/${lang}`, lang, text, dynamic: false, hasSoundUri: true,
    soundName: `hotline/${lang === 'zh-CN' ? 'zh' : lang}/${name}`,
  })));
const prompts = [...listPrompts(flows), ...queuePrompts];
const counts = { rendered: 0, unchanged: 0, recorded: 0, dynamic: 0, noText: 0 };
const todo: PromptEntry[] = [];
for (const p of prompts) {
  if (p.text === undefined) { counts.noText++; continue; }
  if (p.dynamic) { counts.dynamic++; continue; }
  if (['wav', 'sln', 'gsm', 'ulaw', 'alaw'].some((ext) => existsSync(path.join(recorded, `${p.soundName}.${ext}`)))) { counts.recorded++; continue; }
  const target = path.join(out, `${p.soundName}.${format}`);
  if (!force && existsSync(target) && existsSync(`${target}.txt`) && readFileSync(`${target}.txt`, 'utf8') === p.text) { counts.unchanged++; continue; }
  todo.push(p);
}

if (dryRun) {
  for (const p of todo) console.log(`would render ${p.soundName}.${format}  [${p.lang}] ${p.text}`);
} else if (todo.length > 0) {
  await checkTools();
  for (const p of todo) {
    await render(p);
    counts.rendered++;
    console.log(`rendered ${path.relative(process.cwd(), path.join(out, `${p.soundName}.${format}`))}`);
  }
}
console.log(`${prompts.length} prompts: ${dryRun ? `${todo.length} to render` : `${counts.rendered} rendered`}, ${counts.unchanged} unchanged, ${counts.recorded} recorded in ${path.relative(process.cwd(), recorded) || '.'}, ${counts.dynamic} with variables (synthesised during the call), ${counts.noText} sound-only`);

async function render(p: PromptEntry): Promise<void> {
  const voice = ttsVoices[p.lang] ?? p.lang.split('-')[0]!;
  const target = path.join(out, `${p.soundName}.${format}`);
  mkdirSync(path.dirname(target), { recursive: true });
  const raw = path.join(tmpdir(), `hotline-tts-${process.pid}-${counts.rendered}.wav`);
  try {
    await speak(voice, p.text!, raw);
    const kind = format === 'sln' ? ['-t', 'raw'] : ['-t', 'wav'];
    await run('sox', [raw, '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed-integer', ...kind, target]);
    writeFileSync(`${target}.txt`, p.text!);
  } finally {
    rmSync(raw, { force: true });
  }
}

/** espeak-ng reads the text from stdin, so prompt text never becomes a command-line option. */
function speak(voice: string, text: string, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('espeak-ng', ['-v', voice, '-s', '150', '-w', file, '--stdin'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`espeak-ng exited with ${code}: ${stderr.trim()}`))));
    child.stdin.end(text);
  });
}

async function checkTools(): Promise<void> {
  const missing: string[] = [];
  for (const [tool, probe] of [['espeak-ng', ['--version']], ['sox', ['--version']]] as const) {
    try { await run(tool, [...probe]); } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') missing.push(tool);
    }
  }
  if (missing.length > 0) {
    fail(`cannot render prompts: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not installed.\n`
      + `  Debian/Ubuntu: sudo apt-get install espeak-ng sox\n`
      + `  (espeak-ng speaks the text with the voices cmn and en; sox converts to 8 kHz mono 16-bit for Asterisk.)\n`
      + `  Use --dry-run to see the ${todo.length} prompt(s) that need rendering.`);
  }
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}
