/**
 * Entry point: configuration, logger, start, banner, and a graceful stop on SIGTERM/SIGINT.
 * Everything else is composed in server.ts.
 */
import { loadConfig } from './config/config.ts';
import { isHotlineError } from './errors.ts';
import { createLogger } from './log.ts';
import { startHotline } from './server.ts';
import { demoPassword } from './auth/seed-users.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!isHotlineError(error, 'CONFIG_INVALID')) throw error;
    process.stderr.write(`hotline: ${error.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  const logger = createLogger(config.LOG_LEVEL);
  const hotline = await startHotline(config, logger);

  const lines = [
    '',
    `  Hotline is running: ${hotline.url}`,
    `  Softphone (browser): ${hotline.url}/${hotline.demoUsers.length > 0 ? '   (demo citizen phone: ' + hotline.url + '/#/phone)' : ''}`,
    `  API docs (OpenAPI):  ${hotline.url}/docs`,
    `  Health:              ${hotline.url}/health`,
    `  Asterisk:            ${config.embeddedAsterisk ? `built-in simulator, ARI at ${hotline.ariUrl}/ari (control API: ${hotline.ariUrl}/sim)` : hotline.ariUrl}`,
    `  Store:               ${config.embeddedStore ? 'in memory (embedded mode: state is lost on restart)' : 'Redis'}`,
  ];
  if (hotline.demoUsers.length > 0) {
    lines.push(`  Demo logins (password "${demoPassword}"): ${hotline.demoUsers.map((u) => u.username).join(', ')}`);
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stop requested');
    hotline.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`hotline: failed to start: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
