/**
 * The root logger. Long-lived objects take `log.child({ callId, channelId })` and the like;
 * untrusted input (caller id, SIP headers, digits) goes under the one key `input`, never as a
 * binding; secrets are redacted wherever they appear.
 */
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/** Secrets: replaced by `[redacted]` wherever these paths appear. */
export const redactPaths = [
  'password', '*.password', 'newPassword', '*.newPassword', 'passwordHash', '*.passwordHash', 'secret', '*.secret', 'token', '*.token',
  'authorization', '*.authorization', 'req.headers.authorization', 'req.headers.cookie', 'req.headers["sec-websocket-protocol"]',
  'headers.authorization', 'headers.cookie', 'res.headers["set-cookie"]',
  'config.ARI_PASSWORD', 'config.AMI_SECRET', 'config.SIM_CONTROL_TOKEN', 'config.ADMIN_PASSWORD', 'config.METRICS_TOKEN',
  'ARI_PASSWORD', 'AMI_SECRET', 'SIM_CONTROL_TOKEN', 'ADMIN_PASSWORD', 'METRICS_TOKEN',
];

/**
 * Personal data (caller numbers): masked, not removed, so a log line still tells calls apart —
 * 13800138000 → 138****8000. `input` (untrusted text, e.g. the caller id at arrival) and request
 * URLs (`/api/callers/<phone>/history`) have every run of 7+ digits masked; other text is kept.
 */
export const maskedPaths = [
  'callerNumber', '*.callerNumber', 'phone', '*.phone', 'caller.number', 'caller.phone', '*.caller.phone', 'number', '*.number',
  'input', 'req.url', 'url',
];

/** 13800138000 → 138****8000: each run of 7+ digits keeps its first 3 and last 4 (2 and 2 when shorter than 11). */
export function maskDigits(value: string): string {
  return value.replace(/\d{7,}/g, (run) => {
    const [head, tail] = run.length >= 11 ? [3, 4] : [2, 2];
    return `${run.slice(0, head)}${'*'.repeat(run.length - head - tail)}${run.slice(-tail)}`;
  });
}

function censor(value: unknown, path: string[]): unknown {
  const key = path.join('.');
  if (maskedPaths.some((p) => p === key || (p.startsWith('*.') && key.endsWith(p.slice(1))))) {
    if (typeof value === 'string') return maskUrlToken(maskDigits(value));
    if (typeof value === 'number') return maskDigits(String(value));
    return value;
  }
  return '[redacted]';
}

/** A `token=` query parameter (the CTI socket's fallback) never reaches a log. */
function maskUrlToken(value: string): string {
  return value.replace(/([?&]token=)[^&#]*/gi, '$1[redacted]');
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'hotline' },
    redact: { paths: [...redactPaths, ...maskedPaths], censor },
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
