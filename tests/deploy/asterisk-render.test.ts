import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createUserService } from '../../src/auth/user-service.ts';
import { createManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/log.ts';
import { createRedisStore } from '../../src/store/redis-store.ts';
import type { Store } from '../../src/store/store.ts';
import { listSeats, md5Cred, renderAsteriskFiles, RenderError, SEAT_REALM, seatSipPassword, type RenderEnv } from '../../scripts/asterisk/render.ts';
import { sha512Crypt } from '../../scripts/asterisk/sha512-crypt.ts';
import { deletePrefix, uniquePrefix } from '../support/redis.ts';
import { effectiveEntries, pjsipObject, readConf, sectionsNamed, valueOf, valuesOf } from './asterisk-conf.ts';
import { repoRoot } from './compose.ts';
import { sipPassword } from '../../src/auth/sip-password.ts';

const run = promisify(execFile);
const configDir = path.join(repoRoot, 'asterisk-config');

const env: RenderEnv = {
  ARI_PASSWORD: 'f3a9c1e07b5d4a2c9e8f1b7d',
  AMI_SECRET: '0c7e5a9d3b1f8e2a6c4d9b0e',
  SIP_SECRET: '9d2f7a1c5e8b3f6a0d4c7e1b9a5f2c8d',
  ASTERISK_TLS_BIND: '10.20.0.5:8089',
  CARRIER_SIP_URI: 'sip:198.51.100.7:5060',
  CARRIER_ADDRESSES: '198.51.100.7,198.51.100.0/28',
};

/** Writes rendered files into a temporary generated/ and reads `file` of asterisk-config/ with them. */
function withGenerated(files: Record<string, string>) {
  const generated = mkdtempSync(path.join(tmpdir(), 'hotline-generated-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(generated, name), text);
  const resolve = (include: string) => (include.startsWith('generated/') ? path.join(generated, include.slice('generated/'.length)) : path.join(configDir, include));
  return {
    read: (file: string) => readConf(path.join(configDir, file), { resolve }),
    cleanup: () => rmSync(generated, { recursive: true, force: true }),
  };
}

describe('sha512Crypt (ari.conf password_format = crypt)', () => {
  it('matches the published SHA-crypt test vectors', () => {
    expect(sha512Crypt('Hello world!', 'saltstring')).toBe(
      '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1',
    );
    expect(sha512Crypt('Hello world!', 'saltstringsaltstring', 10000)).toBe(
      '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.',
    );
  });

  it('salts each hash anew', () => {
    expect(sha512Crypt('same password')).not.toBe(sha512Crypt('same password'));
  });
});

describe('renderAsteriskFiles', () => {
  describe('when the environment is unsafe', () => {
    it('refuses missing, short and sample secrets, listing every problem at once', () => {
      const attempt = () => renderAsteriskFiles({ ARI_PASSWORD: 'hotline', AMI_SECRET: 'password-password-1', SIP_SECRET: 'short' }, []);
      expect(attempt).toThrow(RenderError);
      try {
        attempt();
      } catch (error) {
        const problems = (error as RenderError).problems;
        expect(problems).toHaveLength(3);
        expect(problems.join('\n')).toMatch(/ARI_PASSWORD must be 16–128/);
        expect(problems.join('\n')).toMatch(/AMI_SECRET looks like a sample password/);
        expect(problems.join('\n')).toMatch(/SIP_SECRET must be 32–128/);
      }
      expect(() => renderAsteriskFiles({}, [])).toThrow(/ARI_PASSWORD is not set/);
    });

    it.each([
      [{ ASTERISK_TLS_BIND: '0.0.0.0:8089' }, /must not be 0\.0\.0\.0/],
      [{ ASTERISK_TLS_BIND: '[::]:8089' }, /IPv4 address and port/],
      [{ CARRIER_ADDRESSES: '0.0.0.0/0' }, /too wide/],
      [{ CARRIER_ADDRESSES: '198.51.100.7;rm -rf' }, /not an IPv4 address/],
      [{ CARRIER_SIP_URI: 'sip:carrier\n[evil]' }, /CARRIER_SIP_URI must look like/],
      [{ AMI_SECRET: env.ARI_PASSWORD }, /must differ/],
    ])('refuses %o', (override, message) => {
      expect(() => renderAsteriskFiles({ ...env, ...override }, [])).toThrow(message);
    });
  });

  describe('when the environment is complete', () => {
    const { files, skipped } = renderAsteriskFiles(env, [{ extension: '1001' }, { extension: '2001' }, { extension: '1001' }, { extension: '12' }, { extension: '1001\n[x]' }]);
    const generated = withGenerated(files);
    afterAll(() => generated.cleanup());

    it('ARI gets a crypt hash of ARI_PASSWORD, never the password', () => {
      const ari = generated.read('ari.conf');
      const user = effectiveEntries(ari, sectionsNamed(ari, 'hotline')[0]!);
      const hash = valueOf(user, 'password')!;
      expect(hash).toMatch(/^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
      expect(sha512Crypt(env.ARI_PASSWORD!, hash.split('$')[2])).toBe(hash);
      expect(Object.values(files).join('\n')).not.toContain(env.ARI_PASSWORD);
    });

    it('AMI gets its secret inside the user section; the TLS listener gets the agents\' LAN address', () => {
      const manager = generated.read('manager.conf');
      expect(valueOf(effectiveEntries(manager, sectionsNamed(manager, 'hotline')[0]!), 'secret')).toBe(env.AMI_SECRET);
      const http = generated.read('http.conf');
      expect(valueOf(effectiveEntries(http, sectionsNamed(http, 'general')[0]!), 'tlsbindaddr')).toBe('10.20.0.5:8089');
    });

    it('the carrier is identified by its addresses only, and dialled at its URI', () => {
      const pjsip = generated.read('pjsip.conf');
      const identify = pjsipObject(pjsip, 'trunk', 'identify')!;
      expect(valueOf(identify, 'endpoint')).toBe('trunk');
      expect(valuesOf(identify, 'match')).toEqual(['198.51.100.7', '198.51.100.0/28']);
      expect(valueOf(pjsipObject(pjsip, 'trunk', 'aor')!, 'contact')).toBe('sip:198.51.100.7:5060');
    });

    it('every seat becomes a WebRTC endpoint with digest auth; bad or duplicate extensions are left out', () => {
      const pjsip = generated.read('pjsip.conf');
      expect(skipped).toEqual(['"1001": assigned to more than one user', '"12": not 4–8 digits', '"1001\n[x]": not 4–8 digits']);
      for (const extension of ['1001', '2001']) {
        const endpoint = pjsipObject(pjsip, extension, 'endpoint')!;
        expect(valueOf(endpoint, 'webrtc')).toBe('yes');
        expect(valueOf(endpoint, 'context')).toBe('agents');
        expect(valueOf(endpoint, 'aors')).toBe(extension);
        const auth = pjsipObject(pjsip, valueOf(endpoint, 'auth')!, 'auth')!;
        expect(valueOf(auth, 'username')).toBe(extension);
        expect(valueOf(auth, 'realm')).toBe(SEAT_REALM);
        expect(valueOf(auth, 'md5_cred')).toBe(md5Cred(extension, SEAT_REALM, seatSipPassword(env.SIP_SECRET!, extension)));
        expect(valueOf(pjsipObject(pjsip, extension, 'aor')!, 'max_contacts')).toBe('1');
      }
      const queues = generated.read('queues.conf');
      expect(valuesOf(effectiveEntries(queues, sectionsNamed(queues, 'hotline-fallback')[0]!), 'member')).toEqual(['PJSIP/1001', 'PJSIP/2001']);
    });

    it('leaves no endpoint that anyone could use without a password or the carrier\'s address', () => {
      const pjsip = generated.read('pjsip.conf');
      const endpoints = pjsip.sections.filter((s) => !s.template && valueOf(effectiveEntries(pjsip, s), 'type') === 'endpoint');
      expect(endpoints.map((s) => s.name).sort()).toEqual(['1001', '2001', 'trunk']);
      for (const section of endpoints) {
        const entries = effectiveEntries(pjsip, section);
        const identified = pjsip.sections.some((s) => valueOf(effectiveEntries(pjsip, s), 'type') === 'identify' && valueOf(s.entries, 'endpoint') === section.name);
        expect(valueOf(entries, 'auth') !== undefined || identified, section.name).toBe(true);
      }
    });

    it('derives a seat\'s SIP password from the key as the server does for the softphone: stable, different per seat and per key', () => {
      const password = seatSipPassword(env.SIP_SECRET!, '1001');
      expect(password).toBe(sipPassword(env.SIP_SECRET!, '1001')); // what GET /api/me/sip hands the agent
      expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(seatSipPassword(env.SIP_SECRET!, '1001')).toBe(password);
      expect(seatSipPassword(env.SIP_SECRET!, '1002')).not.toBe(password);
      expect(seatSipPassword(`${env.SIP_SECRET!}x`, '1001')).not.toBe(password);
    });
  });
});

describe('listSeats (users with an extension, from Redis)', () => {
  const url = inject('redisUrl');
  const prefix = uniquePrefix('seats');
  let store: Store;

  beforeAll(async () => {
    store = createRedisStore({ url, prefix, logger: createLogger('silent'), clock: createManualClock() });
    await store.ping();
  });
  afterAll(async () => {
    await store.close();
    await deletePrefix(url, prefix);
  });

  it('returns the seats admins created, and the rendered pjsip.conf has an endpoint for each', async () => {
    const users = createUserService({ store, clock: createManualClock() });
    await users.createUser({ username: 'agent1001', displayName: 'A', roles: ['agent'], extension: '1001', password: 'long enough' });
    await users.createUser({ username: 'expert2001', displayName: 'E', roles: ['agent'], extension: '2001', password: 'long enough' });
    await users.createUser({ username: 'supervisor', displayName: 'S', roles: ['supervisor'], password: 'long enough' });
    const seats = await listSeats(store);
    expect(seats.map((s) => s.extension).sort()).toEqual(['1001', '2001']);
    const generated = withGenerated(renderAsteriskFiles(env, seats).files);
    try {
      const pjsip = generated.read('pjsip.conf');
      expect(pjsipObject(pjsip, '1001', 'endpoint')).toBeDefined();
      expect(pjsipObject(pjsip, '2001', 'endpoint')).toBeDefined();
    } finally {
      generated.cleanup();
    }
  });
});

describe('npm run asterisk:render (scripts/asterisk-render.ts)', () => {
  const tsx = path.join(repoRoot, 'node_modules/.bin/tsx');
  const script = path.join(repoRoot, 'scripts/asterisk-render.ts');
  const out = mkdtempSync(path.join(tmpdir(), 'hotline-render-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  const base = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '' };

  it('writes every include, readable only by owner and group', async () => {
    const { stdout } = await run(tsx, [script, '--out', out], { env: { ...base, ...env } as NodeJS.ProcessEnv, cwd: repoRoot });
    expect(stdout).toContain('wrote 6 files');
    expect(readdirSync(out).sort()).toEqual(['ari_password.conf', 'http_tls.conf', 'manager_secret.conf', 'pjsip_seats.conf', 'pjsip_trunk.conf', 'queue_members.conf']);
    for (const file of readdirSync(out)) expect(statSync(path.join(out, file)).mode & 0o777, file).toBe(0o640);
  });

  it('--seat-password prints the SIP password a seat registers with', async () => {
    const { stdout } = await run(tsx, [script, '--seat-password', '1001'], { env: { ...base, SIP_SECRET: env.SIP_SECRET } as NodeJS.ProcessEnv, cwd: repoRoot });
    expect(stdout.trim()).toBe(seatSipPassword(env.SIP_SECRET!, '1001'));
  });

  it('with a sample password exits with an error and writes nothing', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'hotline-render-'));
    try {
      const failed = await run(tsx, [script, '--out', empty], { env: { ...base, ...env, ARI_PASSWORD: 'hotline-hotline-hotline' } as NodeJS.ProcessEnv, cwd: repoRoot })
        .then(() => null, (error: { code: number; stderr: string }) => error);
      expect(failed?.code).toBe(1);
      expect(failed?.stderr).toMatch(/ARI_PASSWORD looks like a sample password/);
      expect(existsSync(path.join(empty, 'ari_password.conf'))).toBe(false);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
