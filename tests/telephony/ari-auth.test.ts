/**
 * Wrong ARI credentials. In a file of its own: swagger-client (inside ari-client) keeps one
 * process-wide Basic-auth setting, so a client with a wrong password would disturb the others.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { createTelephony } from '../../src/telephony/create-telephony.ts';
import { createHarness, credentials, startSimulator } from './support/harness.ts';
import { waitFor } from './support/wait-for.ts';

const harness = createHarness();
afterEach(() => harness.run());

describe('ARI connection', () => {
  describe('when the password is wrong', () => {
    it('stays down, reports the failure, keeps retrying and never crashes', async () => {
      const sim = await startSimulator(harness);
      const telephony = createTelephony({
        ARI_URL: sim.url, ARI_USER: credentials.user, ARI_PASSWORD: 'wrong', ARI_APP: 'hotline',
        AMI_URL: undefined, AMI_USER: 'hotline', AMI_SECRET: 'x',
      }, createLogger('silent'), { backoffBaseMs: 5, backoffMaxMs: 20 });
      harness.cleanups.push(() => telephony.close());
      await telephony.start();
      const state = await waitFor(() => telephony.port.state(), (l) => telephony.onStateChange(l), (s) => s.attempts >= 3);
      expect(state.status).toBe('down');
      expect(state.lastError).toBeTruthy();
      await expect(telephony.port.answer('any')).rejects.toMatchObject({ code: 'ARI_UNAVAILABLE' });
    });
  });
});
