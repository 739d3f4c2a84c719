/**
 * The root logger. Long-lived objects take `log.child({ callId, channelId })` and the like;
 * untrusted input (caller id, SIP headers, digits) goes under the one key `input`, never as a
 * binding; secrets are redacted wherever they appear.
 */
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

export const redactPaths = [
  'password', '*.password', 'secret', '*.secret', 'token', '*.token', 'authorization',
  'req.headers.authorization', 'req.headers.cookie', 'config.ARI_PASSWORD', 'config.AMI_SECRET',
  'config.SIM_CONTROL_TOKEN', 'config.ADMIN_PASSWORD', 'ARI_PASSWORD', 'AMI_SECRET', 'SIM_CONTROL_TOKEN', 'ADMIN_PASSWORD',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'hotline' },
    redact: { paths: redactPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Strips control characters and bounds length, for logging values a caller controls. */
export function untrusted(value: unknown, max = 200): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
