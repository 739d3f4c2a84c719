/**
 * `npm run asterisk:render` — writes the site-specific include files of asterisk-config/ (see
 * asterisk-config/generated/README.md): secrets from the environment, the carrier's addresses,
 * and one PJSIP endpoint per seat (every user with an extension in the store).
 *
 * Options:
 *   --out <dir>   output folder (default $ASTERISK_GENERATED_DIR, else asterisk-config/generated)
 *   --reload      afterwards, reload res_pjsip.so and app_queue.so through ARI (ARI_URL, ARI_USER,
 *                 ARI_PASSWORD), so new or removed seats take effect without a restart
 *   --seat-password <extension>
 *                 only print that seat's SIP password (derived from SIP_SECRET) and exit
 *
 * Reads REDIS_URL / REDIS_PREFIX for the seats (without REDIS_URL there are none), and ARI_PASSWORD,
 * AMI_SECRET, SIP_SECRET, ASTERISK_TLS_BIND, CARRIER_SIP_URI, CARRIER_ADDRESSES (.env.example).
 * Files are replaced atomically (write, then rename), mode 0640. Exit code 1 on any problem.
 */
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/config/config.ts';
import { createLogger } from '../src/log.ts';
import { createStore } from '../src/store/create-store.ts';
import { listSeats, renderAsteriskFiles, RenderError, SEAT_EXTENSION, seatSipPassword, type Seat } from './asterisk/render.ts';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const out = path.resolve(option('--out') ?? process.env['ASTERISK_GENERATED_DIR'] ?? 'asterisk-config/generated');
const reload = args.includes('--reload');

async function readSeats(): Promise<Seat[]> {
  const config = loadConfig(process.env);
  if (config.REDIS_URL === undefined) {
    console.warn('REDIS_URL is not set: no seats are rendered (the in-memory store of embedded mode has none to read)');
    return [];
  }
  const store = createStore(config, createLogger('warn'));
  try {
    await store.ping();
    return await listSeats(store);
  } finally {
    await store.close();
  }
}

function writeAtomically(file: string, text: string): void {
  const temporary = `${file}.tmp-${process.pid}`;
  writeFileSync(temporary, text, { mode: 0o640 });
  chmodSync(temporary, 0o640);
  renameSync(temporary, file);
}

/** PUT /ari/asterisk/modules/{module}: Asterisk re-reads that module's configuration. */
async function reloadModule(module: string): Promise<void> {
  const config = loadConfig(process.env);
  if (config.ARI_URL === undefined) throw new Error('--reload needs ARI_URL (and ARI_USER, ARI_PASSWORD)');
  const auth = Buffer.from(`${config.ARI_USER}:${config.ARI_PASSWORD}`).toString('base64');
  const response = await fetch(`${config.ARI_URL.replace(/\/+$/, '')}/ari/asterisk/modules/${module}`, {
    method: 'PUT',
    headers: { authorization: `Basic ${auth}` },
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status !== 204) throw new Error(`reloading ${module} through ARI answered ${response.status} ${await response.text()}`);
}

async function main(): Promise<void> {
  const seat = option('--seat-password');
  if (args.includes('--seat-password')) {
    const key = process.env['SIP_SECRET'];
    if (!seat || !SEAT_EXTENSION.test(seat)) throw new Error('--seat-password needs an extension of 4–8 digits');
    if (!key) throw new Error('SIP_SECRET is not set');
    console.log(seatSipPassword(key, seat));
    return;
  }
  const seats = await readSeats();
  const { files, skipped } = renderAsteriskFiles(process.env, seats);
  mkdirSync(out, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeAtomically(path.join(out, name), text);
  for (const reason of skipped) console.warn(`seat left out: ${reason}`);
  if (!process.env['CARRIER_ADDRESSES']) console.warn('CARRIER_ADDRESSES is not set: no call from the carrier will be accepted');
  if (!process.env['CARRIER_SIP_URI']) console.warn('CARRIER_SIP_URI is not set: callbacks and transfers to citizens cannot be dialled');
  console.log(`wrote ${Object.keys(files).length} files to ${out} (${seats.length - skipped.length} seats)`);
  if (reload) {
    for (const module of ['res_pjsip.so', 'app_queue.so']) await reloadModule(module);
    console.log('reloaded res_pjsip.so and app_queue.so');
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof RenderError || error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
