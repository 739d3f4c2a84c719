/**
 * Renders the site-specific include files of asterisk-config/ (the folder `generated/`): the ARI
 * password hash, the AMI secret, the TLS listen address, the carrier's addresses, and one PJSIP
 * endpoint per seat. Pure functions; scripts/asterisk-render.ts does the I/O.
 *
 * Seats are the users of the store that have an `extension`. A seat's SIP password is derived
 * from SIP_SECRET (HMAC-SHA-256 of the extension), so nothing per seat is stored: whoever holds
 * the key (the hotline server, to hand the logged-in agent the credentials of the seat) computes it.
 */
import { createHash } from 'node:crypto';
import type { Store } from '../../src/store/store.ts';
import { sha512Crypt } from './sha512-crypt.ts';
import { sipPassword } from '../../src/auth/sip-password.ts';

/** The environment variables the renderer reads. */
export interface RenderEnv {
  readonly ARI_PASSWORD?: string | undefined;
  readonly AMI_SECRET?: string | undefined;
  readonly SIP_SECRET?: string | undefined;
  /** `ip:port` of the TLS HTTP server (WSS for browsers); default 127.0.0.1:8089. */
  readonly ASTERISK_TLS_BIND?: string | undefined;
  /** Where to send calls to the carrier, e.g. `sip:198.51.100.7:5060`; unset = no outbound calls. */
  readonly CARRIER_SIP_URI?: string | undefined;
  /** The carrier's source addresses (IPv4, optional /prefix, comma-separated); unset = no inbound calls. */
  readonly CARRIER_ADDRESSES?: string | undefined;
}

export interface Seat {
  /** The SIP user and endpoint name, e.g. "1001". */
  readonly extension: string;
}

/** The realm of agent-auth in pjsip.conf; part of every seat's md5_cred. */
export const SEAT_REALM = 'hotline';

/** Secrets are URL-safe (ari-client puts the ARI password into a URL) and long. */
const SECRET = /^[A-Za-z0-9._~-]{16,128}$/;
const SAMPLE_WORDS = ['hotline', 'password', 'passwd', 'secret', 'changeme', 'change-me', 'asterisk', 'admin', 'example', '1234', 'qwerty'];
/** Seat extensions: 4–8 digits, not starting with 0 (no clash with the short codes 110…122). */
export const SEAT_EXTENSION = /^[1-9][0-9]{3,7}$/;
const IPV4 = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Thrown with every problem found, so one run lists everything to fix. */
export class RenderError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`cannot render the Asterisk configuration:\n- ${problems.join('\n- ')}`);
    this.name = 'RenderError';
  }
}

function checkSecret(name: string, value: string | undefined, problems: string[], minLength = 16): void {
  if (value === undefined || value === '') {
    problems.push(`${name} is not set (generate one: openssl rand -hex 24)`);
  } else if (!SECRET.test(value) || value.length < minLength) {
    problems.push(`${name} must be ${minLength}–128 characters of A-Z a-z 0-9 . _ ~ - (e.g. openssl rand -hex 24)`);
  } else if (SAMPLE_WORDS.some((word) => value.toLowerCase().includes(word))) {
    problems.push(`${name} looks like a sample password (contains a word such as "hotline", "secret" or "1234")`);
  }
}

function parseTlsBind(value: string | undefined, problems: string[]): string {
  const bind = value === undefined || value === '' ? '127.0.0.1:8089' : value;
  const match = /^(\d+\.\d+\.\d+\.\d+):(\d{1,5})$/.exec(bind);
  if (!match || !IPV4.test(match[1]!) || Number(match[2]) < 1 || Number(match[2]) > 65535) {
    problems.push(`ASTERISK_TLS_BIND must be an IPv4 address and port, e.g. 10.0.0.5:8089 (got "${bind}")`);
  } else if (match[1] === '0.0.0.0') {
    problems.push('ASTERISK_TLS_BIND must not be 0.0.0.0: ARI is served on the same listener; bind the agents\' LAN address');
  }
  return bind;
}

function parseCarrier(env: RenderEnv, problems: string[]): { uri?: string; addresses: string[] } {
  const uri = env.CARRIER_SIP_URI?.trim() || undefined;
  if (uri !== undefined && !/^sip:[A-Za-z0-9.-]{1,253}(:\d{1,5})?$/.test(uri)) {
    problems.push(`CARRIER_SIP_URI must look like sip:198.51.100.7:5060 (got "${uri}")`);
  }
  const addresses = (env.CARRIER_ADDRESSES ?? '').split(',').map((a) => a.trim()).filter(Boolean);
  for (const address of addresses) {
    const [ip, prefix, extra] = address.split('/');
    if (extra !== undefined || !IPV4.test(ip ?? '') || (prefix !== undefined && !/^(3[0-2]|[12]?\d)$/.test(prefix))) {
      problems.push(`CARRIER_ADDRESSES: "${address}" is not an IPv4 address or network (a.b.c.d or a.b.c.d/nn)`);
    } else if (prefix !== undefined && Number(prefix) < 16) {
      problems.push(`CARRIER_ADDRESSES: "${address}" is too wide: everyone in it would be trusted as the carrier`);
    }
  }
  return { ...(uri !== undefined && { uri }), addresses };
}

/** The SIP password of a seat: the one the server hands the agent's softphone (GET /api/me/sip). */
export const seatSipPassword = (key: string, extension: string): string => sipPassword(key, extension);

/** md5_cred of PJSIP: MD5("<user>:<realm>:<password>"). */
export function md5Cred(user: string, realm: string, password: string): string {
  return createHash('md5').update(`${user}:${realm}:${password}`).digest('hex');
}

const header = (what: string): string =>
  `; ${what}\n; Written by \`npm run asterisk:render\` (scripts/asterisk-render.ts). Do not edit: the next run overwrites it.\n`;

function renderSeats(seats: readonly Seat[], key: string): { pjsip: string; queue: string } {
  const pjsip = [header('Agents\' seats: users with an extension (src/auth/user-service.ts).')];
  const queue = [header('Members of the fallback queue: every seat.')];
  for (const { extension } of seats) {
    const cred = md5Cred(extension, SEAT_REALM, seatSipPassword(key, extension));
    pjsip.push(
      `\n[${extension}](agent-endpoint)\naors = ${extension}\nauth = ${extension}\n`,
      `[${extension}](agent-aor)\n`,
      `[${extension}](agent-auth)\nusername = ${extension}\nmd5_cred = ${cred}\n`,
    );
    queue.push(`member => PJSIP/${extension}\n`);
  }
  return { pjsip: pjsip.join(''), queue: queue.join('') };
}

/**
 * Validates `env` and returns the generated files by name. Seats whose extension is invalid or
 * taken twice are left out and reported in `skipped`. Throws RenderError listing every problem.
 */
export function renderAsteriskFiles(env: RenderEnv, seats: readonly Seat[]): { files: Record<string, string>; skipped: string[] } {
  const problems: string[] = [];
  checkSecret('ARI_PASSWORD', env.ARI_PASSWORD, problems);
  checkSecret('AMI_SECRET', env.AMI_SECRET, problems);
  checkSecret('SIP_SECRET', env.SIP_SECRET, problems, 32);
  if (env.ARI_PASSWORD && env.ARI_PASSWORD === env.AMI_SECRET) problems.push('ARI_PASSWORD and AMI_SECRET must differ');
  const tlsBind = parseTlsBind(env.ASTERISK_TLS_BIND, problems);
  const carrier = parseCarrier(env, problems);
  if (problems.length > 0) throw new RenderError(problems);

  const skipped: string[] = [];
  const unique = new Map<string, Seat>();
  for (const seat of seats) {
    if (!SEAT_EXTENSION.test(seat.extension)) skipped.push(`"${seat.extension}": not 4–8 digits`);
    else if (unique.has(seat.extension)) skipped.push(`"${seat.extension}": assigned to more than one user`);
    else unique.set(seat.extension, seat);
  }
  const ordered = [...unique.values()].sort((a, b) => a.extension.localeCompare(b.extension));
  const rendered = renderSeats(ordered, env.SIP_SECRET!);

  const trunk = [header('The carrier: where calls go (aor) and where they come from (identify).')];
  trunk.push('\n[trunk]\ntype = aor\n');
  if (carrier.uri) trunk.push(`contact = ${carrier.uri}\nqualify_frequency = 60\n`);
  if (carrier.addresses.length > 0) {
    trunk.push('\n[trunk]\ntype = identify\nendpoint = trunk\n', ...carrier.addresses.map((a) => `match = ${a}\n`));
  }

  return {
    files: {
      'ari_password.conf': `${header('ARI password of the user hotline (SHA-512 crypt of ARI_PASSWORD).')}password = ${sha512Crypt(env.ARI_PASSWORD!)}\n`,
      'manager_secret.conf': `${header('AMI secret of the user hotline (AMI_SECRET).')}secret = ${env.AMI_SECRET!}\n`,
      'http_tls.conf': `${header('TLS listener for WSS (ASTERISK_TLS_BIND).')}tlsbindaddr = ${tlsBind}\n`,
      'pjsip_trunk.conf': trunk.join(''),
      'pjsip_seats.conf': rendered.pjsip,
      'queue_members.conf': rendered.queue,
    },
    skipped,
  };
}

/**
 * The seats in the store: every user with an extension. Reads the user documents the way
 * src/auth/user-service.ts writes them (set `users`, document `user:<name>`).
 */
export async function listSeats(store: Store): Promise<Seat[]> {
  const seats: Seat[] = [];
  for (const username of await store.smembers('users')) {
    const user = await store.get<{ extension?: unknown }>(`user:${username}`);
    const extension = user?.value.extension;
    if (typeof extension === 'string' && extension !== '') seats.push({ extension });
  }
  return seats;
}
