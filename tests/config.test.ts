import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.ts';
import { isHotlineError } from '../src/errors.ts';

describe('loadConfig', () => {
  describe('when nothing is set', () => {
    it('runs embedded on loopback port 8080 with the simulator and an in-memory store', () => {
      const config = loadConfig({});
      expect(config).toMatchObject({ HOST: '127.0.0.1', PORT: 8080, ARI_APP: 'hotline', embeddedAsterisk: true, embeddedStore: true });
    });
  });

  describe('when ARI and Redis are given', () => {
    it('uses them and leaves embedded mode', () => {
      const config = loadConfig({ ARI_URL: 'http://10.0.0.5:8088', ARI_PASSWORD: 'long-random-secret', REDIS_URL: 'redis://127.0.0.1:6379', PORT: '9000' });
      expect(config).toMatchObject({ PORT: 9000, embeddedAsterisk: false, embeddedStore: false });
    });
  });

  describe('when the DID map is given', () => {
    it('accepts number=flow pairs and refuses anything else, naming the variable', () => {
      expect(loadConfig({ IVR_DID_FLOWS: '12345=12345,12319=12328' }).IVR_DID_FLOWS).toBe('12345=12345,12319=12328');
      expect(() => loadConfig({ IVR_DID_FLOWS: '12345:12345' })).toThrow(/IVR_DID_FLOWS="12345:12345"/);
      expect(() => loadConfig({ IVR_TEST_CALLERS: '13800138000, evil' })).toThrow(/IVR_TEST_CALLERS/);
    });
  });

  describe('when a real Asterisk is named without its password', () => {
    it('refuses to fall back to the simulator default password', () => {
      expect(() => loadConfig({ ARI_URL: 'http://10.0.0.5:8088' })).toThrow(/ARI_PASSWORD must be set when ARI_URL is/);
      expect(() => loadConfig({ AMI_URL: 'tcp://10.0.0.5:5038' })).toThrow(/AMI_SECRET must be set when AMI_URL is/);
    });
  });

  describe('when a value is malformed', () => {
    it('stops with CONFIG_INVALID naming every bad variable', () => {
      let error: unknown;
      try {
        loadConfig({ PORT: 'eighty', REDIS_URL: 'localhost:6379', LOG_LEVEL: 'loud' });
      } catch (e) {
        error = e;
      }
      expect(isHotlineError(error, 'CONFIG_INVALID')).toBe(true);
      const message = (error as Error).message;
      expect(message).toContain('PORT="eighty"');
      expect(message).toContain('REDIS_URL="localhost:6379"');
      expect(message).toContain('LOG_LEVEL');
    });

    it('never echoes a secret in the message', () => {
      const attempt = () => loadConfig({ ARI_PASSWORD: 's3cr3t-value', ARI_APP: 'bad app', AMI_SECRET: 'other-s3cr3t' });
      expect(attempt).toThrow(/ARI_APP="bad app"/);
      expect(attempt).not.toThrow(/s3cr3t/);
    });
  });
});
