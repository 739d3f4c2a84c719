import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock, systemClock } from '../../src/clock.ts';
import { isHotlineError } from '../../src/errors.ts';
import { createLogger } from '../../src/log.ts';
import { createAmiServer, type AmiServer } from '../../src/sim/ami/ami-server.ts';
import { createSimulator } from '../../src/sim/simulator.ts';
import { createTelephony } from '../../src/telephony/create-telephony.ts';
import { createAmiClient, type AmiClient } from '../../src/telephony/ami.ts';
import type { ConnectionState } from '../../src/telephony/port.ts';
import { waitFor } from './support/wait-for.ts';

const logger = createLogger('silent');
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(secret = 'amisecret'): Promise<AmiServer> {
  const ami = await createAmiServer({ port: 0, user: 'hotline', secret });
  cleanups.push(() => ami.close());
  return ami;
}

function client(url: string | undefined, secret = 'amisecret', pingIntervalMs = 10_000): AmiClient {
  const ami = createAmiClient({
    url, user: 'hotline', secret, clock: systemClock, logger, backoffBaseMs: 5, backoffMaxMs: 20,
    actionTimeoutMs: 500, pingIntervalMs,
  });
  cleanups.push(() => ami.close());
  ami.start();
  return ami;
}

const until = (ami: AmiClient, matches: (state: ConnectionState) => boolean): Promise<ConnectionState> =>
  waitFor(() => ami.state(), (listener) => ami.onStateChange(listener), matches);

describe('AMI client', () => {
  describe('when AMI_URL is not set', () => {
    it('reports "not configured" and refuses pings with AMI_UNAVAILABLE', async () => {
      const ami = client(undefined);
      expect(ami.state().status).toBe('not-configured');
      const error = await ami.ping().catch((e: unknown) => e);
      expect(isHotlineError(error, 'AMI_UNAVAILABLE')).toBe(true);
    });
  });

  describe('when the credentials are right', () => {
    it('logs in, goes up and answers ping', async () => {
      const sim = await server();
      const ami = client(sim.url);
      await until(ami, (s) => s.status === 'up');
      await expect(ami.ping()).resolves.toBeGreaterThanOrEqual(0);
      expect(sim.pings()).toBe(1);
    });

    it('passes other actions through and reports Asterisk errors', async () => {
      const sim = await server();
      const ami = client(sim.url);
      await until(ami, (s) => s.status === 'up');
      const error = await ami.action({ Action: 'CoreShowChannels' }).catch((e: unknown) => e);
      expect(isHotlineError(error, 'AMI_UNAVAILABLE')).toBe(true);
      expect((error as Error).message).toContain('Invalid/unknown command');
    });
  });

  describe('when the secret is wrong', () => {
    it('stays down, says why, and keeps retrying', async () => {
      const sim = await server('other');
      const ami = client(sim.url);
      const state = await until(ami, (s) => s.attempts >= 3);
      expect(state.status).toBe('down');
      expect(state.lastError).toContain('Authentication failed');
    });
  });

  describe('when the server drops the connection', () => {
    it('reconnects by itself', async () => {
      const sim = await server();
      const ami = client(sim.url);
      await until(ami, (s) => s.status === 'up');
      const down = until(ami, (s) => s.status === 'down');
      sim.dropConnections();
      expect((await down).lastError).toBe('connection closed');
      await until(ami, (s) => s.status === 'up');
      await expect(ami.ping()).resolves.toBeGreaterThanOrEqual(0);
    });

    it('reconnects after the server was away for more than ten attempts', async () => {
      const sim = await server();
      const port = sim.port;
      const ami = client(sim.url);
      await until(ami, (s) => s.status === 'up');
      await sim.close();
      await until(ami, (s) => s.attempts > 10);
      const again = await createAmiServer({ port, user: 'hotline', secret: 'amisecret' });
      cleanups.push(() => again.close());
      await until(ami, (s) => s.status === 'up');
      await expect(ami.ping()).resolves.toBeGreaterThanOrEqual(0);
    });
  });

  describe('when Asterisk stops answering pings', () => {
    it('declares the connection dead and reconnects', async () => {
      const sim = await server();
      const ami = client(sim.url, 'amisecret', 20);
      await until(ami, (s) => s.status === 'up');
      sim.setUnresponsive(true);
      const down = await until(ami, (s) => s.status === 'down');
      expect(down.lastError).toContain('ping failed');
      sim.setUnresponsive(false);
      await until(ami, (s) => s.status === 'up');
    });
  });

  describe('when closed', () => {
    it('disconnects, leaves no timer behind and does not reconnect', async () => {
      const sim = await server();
      const clock = createManualClock();
      const ami = createAmiClient({ url: sim.url, user: 'hotline', secret: 'amisecret', clock, logger });
      ami.start();
      await until(ami, (s) => s.status === 'up');
      expect(sim.connections()).toBe(1);
      await ami.close();
      expect(ami.state().status).toBe('closed');
      expect(clock.pending()).toBe(0);
      await sim.whenConnections(0);
    });
  });
});

describe('createTelephony', () => {
  describe('when ARI and AMI are both configured', () => {
    it('brings both up from the configuration and closes both without a timer left', async () => {
      const ariSim = await createSimulator({ port: 0, user: 'hotline', password: 'pw', controlToken: 't', logger });
      cleanups.push(() => ariSim.close());
      const amiSim = await server();
      const clock = createManualClock();
      const telephony = createTelephony({
        ARI_URL: ariSim.url, ARI_USER: 'hotline', ARI_PASSWORD: 'pw', ARI_APP: 'hotline',
        AMI_URL: amiSim.url, AMI_USER: 'hotline', AMI_SECRET: 'amisecret',
      }, logger, { clock });
      cleanups.push(() => telephony.close());
      await telephony.start();
      await waitFor(() => telephony.port.state(), (l) => telephony.onStateChange(l), (s) => s.status === 'up');
      await waitFor(() => telephony.amiState(), (l) => telephony.ami.onStateChange(l), (s) => s.status === 'up');
      await expect(telephony.ami.ping()).resolves.toBeGreaterThanOrEqual(0);
      await telephony.close();
      expect(telephony.port.state().status).toBe('closed');
      expect(telephony.amiState().status).toBe('closed');
      expect(clock.pending()).toBe(0);
      await amiSim.whenConnections(0);
    });
  });
});
