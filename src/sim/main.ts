/**
 * `npm run sim`: runs the ARI simulator alone (SIM_HOST / SIM_PORT, default 127.0.0.1:8088;
 * ARI_USER / ARI_PASSWORD, default hotline/hotline; SIM_CONTROL_TOKEN, default sim).
 */
import { createLogger } from '../log.ts';
import { createSimulator } from './simulator.ts';

const log = createLogger(process.env.LOG_LEVEL ?? 'info');
const sim = await createSimulator({
  host: process.env.SIM_HOST ?? '127.0.0.1',
  port: Number(process.env.SIM_PORT ?? 8088),
  user: process.env.ARI_USER ?? 'hotline',
  password: process.env.ARI_PASSWORD ?? 'hotline',
  controlToken: process.env.SIM_CONTROL_TOKEN ?? 'sim',
  logger: log,
});
log.info({ url: sim.url, ari: `${sim.url}/ari`, control: `${sim.url}/sim` }, 'simulator ready');

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log.info({ signal }, 'simulator shutting down');
    sim.close().then(() => process.exit(0), (error: unknown) => {
      log.error({ err: error }, 'simulator close failed');
      process.exit(1);
    });
  });
}
