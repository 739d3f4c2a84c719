import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compose, composeConfig, repoRoot } from './compose.ts';

const mounts = (volumes: NonNullable<ReturnType<typeof composeConfig>['services'][string]['volumes']>) =>
  volumes.map((v) => (typeof v === 'string' ? v.replace(/:rw$/, '') : `${v.source}:${v.target}${v.read_only ? ':ro' : ''}`));

describe('docker-compose.yml', () => {
  it('is accepted by docker-compose config, with Redis persisting through AOF', () => {
    const output = compose(['config']);
    expect(output).toContain('hotline:');
    expect(output).toMatch(/appendonly/);
  });

  it('runs a prebuilt Asterisk 22 pinned to a version with the 2026 ARI fixes (≥ 22.10.1), never a floating tag', () => {
    const image = composeConfig().services['asterisk']!.image!;
    const match = /^andrius\/asterisk:(22)\.(\d+)\.(\d+)_debian-[a-z]+$/.exec(image);
    expect(match, image).not.toBeNull();
    const [minor, patch] = [Number(match![2]), Number(match![3])];
    expect(minor > 10 || (minor === 10 && patch >= 1), image).toBe(true);
    expect(composeConfig().services['asterisk']!.build).toBeUndefined();
  });

  it('mounts the configuration read-only, the generated includes, certificates, prompts, recordings and logs', () => {
    const asterisk = mounts(composeConfig().services['asterisk']!.volumes!);
    expect(asterisk).toContain(`${path.join(repoRoot, 'asterisk-config')}:/etc/asterisk:ro`);
    expect(asterisk).toContain('asterisk-generated:/etc/asterisk/generated:ro');
    for (const target of ['/etc/asterisk-tls', '/var/lib/asterisk/sounds', '/var/spool/asterisk/recording', '/var/log/asterisk']) {
      expect(asterisk.some((m) => m.split(':')[1] === target), target).toBe(true);
    }
    expect(mounts(composeConfig().services['hotline']!.volumes!)).toContain('asterisk-generated:/app/var/asterisk');
  });

  it('starts Asterisk only after its includes were rendered, and checks every long-running service\'s health', () => {
    const { services } = composeConfig();
    expect(services['asterisk']!.depends_on).toEqual({ 'asterisk-render': { condition: 'service_completed_successfully' } });
    expect(services['asterisk-render']!.command).toEqual(['node_modules/.bin/tsx', 'scripts/asterisk-render.ts']);
    expect(services['asterisk-render']!.restart).toBe('no');
    for (const name of ['redis', 'asterisk', 'hotline']) expect(services[name]!.healthcheck, name).toBeDefined();
  });

  it('uses the host network with every control port on loopback (no published ports)', () => {
    const { services } = composeConfig();
    for (const [name, service] of Object.entries(services)) {
      expect(service.network_mode, name).toBe('host');
      expect(service.ports, name).toBeUndefined();
    }
    expect(services['redis']!.command).toEqual(expect.arrayContaining(['--bind', '127.0.0.1']));
    expect(services['hotline']!.environment!['HOST']).toBe('127.0.0.1');
  });

  it('takes every secret from the environment (.env), none written in the file', () => {
    const secrets = { ARI_PASSWORD: 'a'.repeat(24), AMI_SECRET: 'b'.repeat(24), SIP_SECRET: 'c'.repeat(40), ADMIN_PASSWORD: 'd'.repeat(16) };
    const { services } = composeConfig(secrets);
    for (const [key, value] of Object.entries(secrets)) expect(services['hotline']!.environment![key], key).toBe(value);
    for (const key of ['ARI_PASSWORD', 'AMI_SECRET', 'SIP_SECRET']) expect(services['asterisk-render']!.environment![key], key).toBe(secrets[key as keyof typeof secrets]);
    const text = readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8');
    for (const key of Object.keys(secrets)) expect(text).toMatch(new RegExp(`${key}: \\$\\{${key}:-\\}`));
    const example = readFileSync(path.join(repoRoot, '.env.example'), 'utf8');
    for (const key of Object.keys(secrets)) expect(example).toMatch(new RegExp(`^${key}=$`, 'm'));
  });
});
