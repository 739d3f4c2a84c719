import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { defaultDidFlows, parseDidFlows } from '../../src/ivr/versions/did-flows.ts';
import { composeConfig } from './compose.ts';
import {
  effectiveEntries, pjsipObject, readConf, readDialplan, reachableDials, sectionsNamed, valueOf, valuesOf, type ConfFile,
} from './asterisk-conf.ts';

const root = path.resolve(import.meta.dirname, '../..');
const dir = path.join(root, 'asterisk-config');
const read = (name: string): ConfFile => readConf(path.join(dir, name));
const general = (conf: ConfFile, name = 'general') => effectiveEntries(conf, sectionsNamed(conf, name)[0]!);
/** The server's defaults (no environment). */
const defaults = loadConfig({});

/** The compose environment of the hotline server (docker-compose config, interpolated). */
const hotlineEnv = (): Record<string, string> => composeConfig().services['hotline']!.environment!;

/** The DIDs of the DID → flow map the deployed server uses: IVR_DID_FLOWS from compose, else the default. */
const dids = (): string[] => {
  const configured = hotlineEnv()['IVR_DID_FLOWS'];
  return Object.keys(configured ? parseDidFlows(configured).map : defaultDidFlows);
};

const loopback = (address: string) => /^(127\.\d+\.\d+\.\d+|::1|\[::1\])(:\d+)?$/.test(address);
const everywhere = (address: string) => /^(0\.0\.0\.0|::|\[::\])(:\d+)?$/.test(address);

describe('asterisk-config/', () => {
  it('every .conf file parses, and every #include it names exists', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.conf'));
    expect(files).toEqual(expect.arrayContaining([
      'pjsip.conf', 'http.conf', 'ari.conf', 'manager.conf', 'extensions.conf', 'rtp.conf', 'modules.conf', 'musiconhold.conf', 'logger.conf',
    ]));
    for (const file of files) {
      const conf = read(file);
      expect(conf.sections.length, file).toBeGreaterThan(0);
      // Only the generated files may be absent (they are written by npm run asterisk:render).
      for (const missing of conf.missingTryIncludes) expect(missing, file).toMatch(/^generated\/[a-z_]+\.conf$/);
    }
  });

  it('holds no password or secret: they come from the environment through generated/ only', () => {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.conf'))) {
      for (const section of read(file).sections) {
        for (const entry of section.entries) {
          expect(['password', 'secret', 'md5_cred', 'password_digest'], `${entry.where}`).not.toContain(entry.key);
        }
      }
    }
  });

  describe('when the carrier delivers a call', () => {
    const plan = readDialplan(read('extensions.conf'));
    const app = defaults.ARI_APP;

    it(`routes every DID of the DID → flow map into Stasis(${app},<DID>)`, () => {
      expect(dids()).toEqual(expect.arrayContaining(['12328', '12345', '12360']));
      const carrier = pjsipObject(read('pjsip.conf'), 'trunk', 'endpoint')!;
      const context = valueOf(carrier, 'context')!;
      for (const did of dids()) {
        const [match, ...others] = plan.contexts.get(context)!.extensions.filter((e) => e.pattern === did);
        expect(others, did).toEqual([]);
        expect(match?.steps.find((s) => s.app === 'Stasis')?.args, did).toBe(`${app},${did}`);
      }
    });

    it('accepts only those numbers (strict: no pattern in the carrier\'s context)', () => {
      const carrier = valueOf(pjsipObject(read('pjsip.conf'), 'trunk', 'endpoint')!, 'context')!;
      const patterns = plan.contexts.get(carrier)!.extensions.map((e) => e.pattern);
      expect(patterns.sort()).toEqual(dids().sort());
      expect(plan.contexts.get(carrier)!.includes).toEqual([]);
    });

    it('when Stasis fails (server down) apologises, retries Stasis, then queues — never hangs up in silence', () => {
      const carrier = valueOf(pjsipObject(read('pjsip.conf'), 'trunk', 'endpoint')!, 'context')!;
      for (const did of dids()) {
        const steps = plan.contexts.get(carrier)!.extensions.find((e) => e.pattern === did)!.steps;
        expect(steps.at(-1)).toEqual({ app: 'Goto', args: 'stasis-returned,s,1' });
        expect(steps[0]).toEqual({ app: 'Set', args: `HOTLINE_DID=${did}` });
      }
      const steps = plan.contexts.get('stasis-returned')!.extensions.find((e) => e.pattern === 's')!.steps;
      const apps = steps.map((s) => s.app);
      expect(steps[0]!.args).toBe('$["${STASISSTATUS}" = "FAILED"]?retry');
      const retry = steps.findIndex((s) => s.label === 'retry');
      expect(apps.slice(retry)).toEqual(['Answer', 'Playback', 'Stasis', 'GotoIf', 'Hangup', 'Queue', 'Playback', 'Hangup']);
      expect(steps[retry + 2]!.args).toBe(`${app},\${HOTLINE_DID}`);
      expect(steps.find((s) => s.label === 'fallback')!.app).toBe('Queue');
    });
  });

  describe('agents\' seats', () => {
    const pjsip = read('pjsip.conf');
    const template = effectiveEntries(pjsip, pjsip.sections.find((s) => s.name === 'agent-endpoint' && s.template)!);
    const aor = effectiveEntries(pjsip, pjsip.sections.find((s) => s.name === 'agent-aor' && s.template)!);

    it('carry the WebRTC settings observed with SIP.js and Asterisk 22', () => {
      expect(valueOf(template, 'webrtc')).toBe('yes');
      expect(valueOf(template, 'dtls_auto_generate_cert')).toBe('yes');
      expect(valueOf(template, 'direct_media')).toBe('no');
      expect(valueOf(template, 'dtmf_mode')).toBe('rfc4733');
      expect(valueOf(template, 'disallow')).toBe('all');
      expect(valuesOf(template, 'allow').join(',').split(',')).toEqual(expect.arrayContaining(['ulaw', 'alaw']));
      expect(valueOf(aor, 'max_contacts')).toBe('1');
      expect(valueOf(aor, 'remove_existing')).toBe('yes');
      expect(Number(valueOf(aor, 'qualify_frequency'))).toBeGreaterThan(0);
      const transport = pjsipObject(pjsip, valueOf(template, 'transport')!, 'transport')!;
      expect(valueOf(transport, 'protocol')).toBe('wss');
    });

    it('state a REFER policy: no transfer by a phone or the carrier (the server transfers over ARI)', () => {
      expect(valueOf(template, 'allow_transfer')).toBe('no');
      expect(valueOf(pjsipObject(pjsip, 'trunk', 'endpoint')!, 'allow_transfer')).toBe('no');
      expect(valuesOf(general(read('modules.conf'), 'modules'), 'load')).not.toContain('res_pjsip_refer.so');
    });

    describe('when a seat dials by itself', () => {
      const plan = readDialplan(read('extensions.conf'));
      const context = valueOf(template, 'context')!;

      it.each([
        ['international', '00442079460000'], ['international, short', '0044123'], ['international with +', '+8613912345678'],
        ['information service 168', '16812345'], ['information service 160', '1601234567'], ['SMS value-added 1259x', '1259012345'],
        ['premium 900', '9001234567'], ['IP toll prefix 17909', '17909013912345678'], ['unallocated 11-digit 168', '16812345678'],
        ['a hotline DID', '12345'], ['text', 'hotline'],
      ])('cannot reach %s (%s)', (_label, number) => {
        expect(reachableDials(plan, context, number)).toEqual([]);
      });

      it.each([['110'], ['120'], ['13912345678'], ['19912345678'], ['01062345678'], ['057188123456'], ['62345678']])(
        'reaches %s through the carrier, showing the hotline number',
        (number) => {
          expect(reachableDials(plan, context, number)).toEqual([`PJSIP/${number}@trunk,60`]);
          const outbound = plan.contexts.get('agent-outbound')!.extensions[0]!.steps;
          expect(outbound[0]).toEqual({ app: 'Set', args: 'CALLERID(all)="12345" <12345>' });
        },
      );
    });
  });

  describe('the carrier', () => {
    const pjsip = read('pjsip.conf');

    it('is the endpoint "trunk" the server dials (PJSIP/{number}@trunk)', () => {
      const trunk = pjsipObject(pjsip, 'trunk', 'endpoint')!;
      expect(valueOf(trunk, 'context')).toBe('from-trunk');
      expect(valueOf(trunk, 'aors')).toBe('trunk');
      expect(valueOf(pjsipObject(pjsip, valueOf(trunk, 'transport')!, 'transport')!, 'protocol')).toBe('udp');
    });

    it('no anonymous or guest endpoint: unidentified requests never reach a context', () => {
      expect(sectionsNamed(pjsip, 'anonymous')).toEqual([]);
      const order = valueOf(effectiveEntries(pjsip, sectionsNamed(pjsip, 'global')[0]!), 'endpoint_identifier_order')!;
      expect(order.split(',').map((s) => s.trim())).not.toContain('anonymous');
      expect(readDialplan(read('extensions.conf')).contexts.has('default')).toBe(false);
    });
  });

  describe('ARI and AMI', () => {
    it(`ARI: user "${defaults.ARI_USER}" (server default and compose) with a crypt password, explicit origins`, () => {
      const ari = read('ari.conf');
      expect(hotlineEnv()['ARI_USER']).toBe(defaults.ARI_USER);
      expect(hotlineEnv()['ARI_APP']).toBe(defaults.ARI_APP);
      const user = effectiveEntries(ari, sectionsNamed(ari, defaults.ARI_USER)[0]!);
      expect(valueOf(user, 'type')).toBe('user');
      expect(valueOf(user, 'password_format')).toBe('crypt');
      expect(ari.missingTryIncludes.concat(ari.included)).toEqual(['generated/ari_password.conf']);
      const origins = valueOf(general(ari), 'allowed_origins')!;
      expect(origins).not.toContain('*');
      expect(origins.split(',').every((o) => /^https?:\/\/[^\s,/]+$/.test(o.trim()))).toBe(true);
    });

    it('ARI is served on loopback (the address in the compose ARI_URL), the TLS listener never on all addresses', () => {
      const http = general(read('http.conf'));
      expect(loopback(valueOf(http, 'bindaddr')!)).toBe(true);
      expect(hotlineEnv()['ARI_URL']).toBe(`http://${valueOf(http, 'bindaddr')}:${valueOf(http, 'bindport')}`);
      for (const bind of valuesOf(http, 'tlsbindaddr')) expect(everywhere(bind), bind).toBe(false);
      expect(valueOf(http, 'tlsenable')).toBe('yes');
    });

    it(`AMI: loopback, user "${defaults.AMI_USER}" limited to loopback and the class "call"`, () => {
      const manager = read('manager.conf');
      const settings = general(manager);
      expect(loopback(valueOf(settings, 'bindaddr')!)).toBe(true);
      expect(valueOf(settings, 'webenabled')).toBe('no');
      expect(hotlineEnv()['AMI_URL']).toBe(`tcp://${valueOf(settings, 'bindaddr')}:${valueOf(settings, 'port')}`);
      expect(hotlineEnv()['AMI_USER']).toBe(defaults.AMI_USER);
      const users = manager.sections.filter((s) => s.name !== 'general');
      expect(users.map((s) => s.name)).toEqual([defaults.AMI_USER]);
      const user = effectiveEntries(manager, users[0]!);
      expect(valuesOf(user, 'deny')).toEqual(['0.0.0.0/0.0.0.0']);
      expect(valuesOf(user, 'permit').every((p) => p.startsWith('127.'))).toBe(true);
      for (const key of ['read', 'write']) expect(valueOf(user, key), key).toBe('call');
    });
  });

  describe('modules.conf', () => {
    const modules = general(read('modules.conf'), 'modules');
    const loaded = new Set(valuesOf(modules, 'load').map((m) => m.replace(/\.so$/, '')));

    it('loads nothing implicitly', () => {
      expect(valueOf(modules, 'autoload')).toBe('no');
    });

    it('loads what every dialplan application and function in use needs', () => {
      const builtin = new Set(['Answer', 'Goto', 'GotoIf', 'Hangup', 'NoOp', 'Set', 'Wait']);
      const provider: Record<string, string> = { Stasis: 'app_stasis', Playback: 'app_playback', Dial: 'app_dial', Queue: 'app_queue' };
      const plan = readDialplan(read('extensions.conf'));
      for (const { extensions } of plan.contexts.values()) {
        for (const step of extensions.flatMap((e) => e.steps)) {
          if (!builtin.has(step.app)) expect(loaded, step.app).toContain(provider[step.app]);
          if (step.args.includes('CALLERID(')) expect(loaded).toContain('func_callerid');
          if (step.args.includes('TIMEOUT(')) expect(loaded).toContain('func_timeout');
        }
      }
      for (const needed of ['pbx_config', 'chan_pjsip', 'res_pjsip_transport_websocket', 'res_srtp', 'res_ari', 'res_musiconhold']) {
        expect(loaded, needed).toContain(needed);
      }
    });

    it('loads the modules each loaded module requires (the loader does not fetch them with autoload off)', () => {
      // `.requires` of Asterisk 22's sources; the ARI resources' from ../shared/asterisk-ari-api-docs.
      const requires: Record<string, string[]> = {
        chan_pjsip: ['res_pjsip', 'res_pjsip_session', 'res_pjsip_pubsub'],
        res_pjsip: ['res_pjproject', 'res_sorcery_config', 'res_sorcery_memory', 'res_sorcery_astdb'],
        res_pjsip_transport_websocket: ['res_pjsip', 'res_http_websocket'],
        res_ari: ['res_stasis'],
        app_stasis: ['res_stasis'],
      };
      const apiDocs = path.join(root, '../shared/asterisk-ari-api-docs');
      for (const module of loaded) {
        const needed = [...(requires[module] ?? [])];
        if (module.startsWith('res_pjsip_')) needed.push('res_pjsip');
        if (module.startsWith('res_stasis_')) needed.push('res_stasis');
        const resource = /^res_ari_(.+)$/.exec(module)?.[1];
        if (resource && resource !== 'model') {
          const camel = resource.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
          const api = JSON.parse(readFileSync(path.join(apiDocs, `${camel}.json`), 'utf8')) as { requiresModules?: string[] };
          needed.push('res_ari', 'res_ari_model', 'res_stasis', ...(api.requiresModules ?? []));
        }
        for (const dependency of needed) expect(loaded, `${module} needs ${dependency}`).toContain(dependency);
      }
    });
  });

  it('rtp.conf: one RTP range with ICE; music on hold from the prompts volume', () => {
    const rtp = general(read('rtp.conf'));
    expect(Number(valueOf(rtp, 'rtpstart'))).toBeLessThan(Number(valueOf(rtp, 'rtpend')));
    expect(valueOf(rtp, 'icesupport')).toBe('yes');
    const moh = effectiveEntries(read('musiconhold.conf'), sectionsNamed(read('musiconhold.conf'), 'default')[0]!);
    expect(valueOf(moh, 'directory')).toMatch(/^\/var\/lib\/asterisk\/sounds\//);
    const mounts = composeConfig().services['asterisk']!.volumes!.map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}`));
    expect(mounts.some((m) => m.split(':')[1] === '/var/lib/asterisk/sounds')).toBe(true);
  });

  it('logger.conf writes a security log (failed authentication, unknown endpoints)', () => {
    expect(valueOf(effectiveEntries(read('logger.conf'), sectionsNamed(read('logger.conf'), 'logfiles')[0]!), 'security.log')).toBe('security');
  });
});
