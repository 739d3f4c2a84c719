/**
 * Configuration: read once at boot from environment variables, validated against one schema.
 * With no ARI_URL the server runs the built-in Asterisk simulator in-process; with no REDIS_URL it
 * keeps state in memory (embedded mode: one process, nothing survives a restart).
 */
import Type, { type Static } from 'typebox';
import Value from 'typebox/value';
import { HotlineError } from '../errors.ts';

const LogLevel = Type.Union(
  ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
  { default: 'info' },
);

export const EnvSchema = Type.Object({
  HOST: Type.String({ default: '127.0.0.1', minLength: 1, description: 'HTTP listen address' }),
  PORT: Type.Integer({ default: 8080, minimum: 0, maximum: 65535, description: 'HTTP listen port (0 = any free port)' }),
  LOG_LEVEL: LogLevel,
  ARI_URL: Type.Optional(Type.String({ pattern: '^https?://[^\\s/]+', description: 'Asterisk ARI base, e.g. http://127.0.0.1:8088; unset = built-in simulator' })),
  ARI_USER: Type.String({ default: 'hotline', minLength: 1 }),
  ARI_PASSWORD: Type.String({ default: 'hotline', minLength: 1 }),
  ARI_APP: Type.String({ default: 'hotline', pattern: '^[A-Za-z0-9_-]+$', description: 'Stasis application name' }),
  AMI_URL: Type.Optional(Type.String({ pattern: '^tcp://[^\\s:/]+:\\d+$', description: 'Asterisk AMI, e.g. tcp://127.0.0.1:5038; unset = no AMI' })),
  AMI_USER: Type.String({ default: 'hotline', minLength: 1 }),
  AMI_SECRET: Type.String({ default: 'hotline', minLength: 1 }),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://', description: 'Redis, e.g. redis://127.0.0.1:6379; unset = in-memory store' })),
  REDIS_PREFIX: Type.String({ default: 'hotline', pattern: '^[A-Za-z0-9:_-]+$' }),
  IVR_DID_FLOWS: Type.Optional(Type.String({
    pattern: '^\\d{3,20}=[a-z0-9][a-z0-9-]{0,47}(,\\d{3,20}=[a-z0-9][a-z0-9-]{0,47})*$',
    description: 'which flow answers which number, e.g. 12345=12345,12328=12328,12360=12360 (default); other numbers get 12345',
  })),
  IVR_TEST_CALLERS: Type.Optional(Type.String({
    pattern: '^\\+?\\d{3,32}(,\\+?\\d{3,32})*$',
    description: 'caller numbers that hear the staging version of a flow, comma-separated',
  })),
  INSTANCE_ID: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'this server instance, stable across restarts (default: host name)' })),
  SIM_PORT: Type.Integer({ default: 0, minimum: 0, maximum: 65535, description: 'embedded simulator ARI port (0 = any free port)' }),
  SIM_CONTROL_TOKEN: Type.String({ default: 'sim', minLength: 1, description: 'bearer token of the simulator control API' }),
  ADMIN_PASSWORD: Type.Optional(Type.String({ minLength: 12, description: 'creates the user "admin" at first start when no user exists' })),
  SHUTDOWN_GRACE_MS: Type.Integer({ default: 30_000, minimum: 0 }),
  TRANSFER_ALLOW: Type.String({
    default: '110,119,120,122,12315,12366,12369',
    pattern: '^\\d{3,20}(,\\d{3,20})*$',
    description: 'numbers an agent may consult or transfer to over the trunk, comma-separated (default: the emergency services 110/119/120/122 and the sector hotlines 12315, 12366, 12369 as example sub-centres)',
  }),
  RECORDING_RETENTION_DAYS: Type.Integer({ default: 180, minimum: 1, maximum: 3650, description: 'days a call recording is kept (unless an open ticket or a quality review still needs it)' }),
  QUALITY_SAMPLE_PERCENT: Type.Number({ default: 5, minimum: 0, maximum: 100, description: 'share of each agent\'s recorded calls picked for quality review (at least one per agent per day)' }),
  METRICS_TOKEN: Type.Optional(Type.String({ minLength: 16, pattern: '^[A-Za-z0-9._~+/=-]+$', description: 'bearer token Prometheus sends to GET /metrics; unset = /metrics answers loopback clients only' })),
  TRUST_PROXY: Type.Optional(Type.String({
    pattern: '^[0-9A-Fa-f.:/]+(,[0-9A-Fa-f.:/]+)*$',
    description: 'addresses or CIDRs of reverse proxies whose X-Forwarded-For names the client (per-IP login limits need the client address); unset = none',
  })),
  CORS_ORIGINS: Type.Optional(Type.String({
    pattern: '^https?://[^\\s,/]+(,https?://[^\\s,/]+)*$',
    description: 'browser origins allowed to call the API cross-origin, comma-separated (e.g. https://desk.example.gov.cn); unset = same origin only',
  })),
  SIP_WS_URL: Type.Optional(Type.String({ pattern: '^wss?://[^\\s/]+(/\\S*)?$', description: 'SIP-over-WebSocket URL the softphones register to, e.g. wss://pbx.example.gov.cn:8089/ws; unset = demo mode (agents answer through CTI)' })),
  SIP_DOMAIN: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9.-]{1,253}$', description: 'SIP domain of the seats\' AORs; default: the host of SIP_WS_URL' })),
  SIP_SECRET: Type.Optional(Type.String({ minLength: 16, description: 'server secret the per-seat SIP passwords are derived from (HMAC-SHA256 of "sip-seat:" + extension); required with SIP_WS_URL' })),
  SIP_ICE_SERVERS: Type.Optional(Type.String({ pattern: '^(stuns?|turns?):[^\\s,]+(,(stuns?|turns?):[^\\s,]+)*$', description: 'STUN/TURN URLs for the softphones, comma-separated; unset = none (intranet: host candidates only)' })),
  SIP_TURN_USERNAME: Type.Optional(Type.String({ minLength: 1, description: 'user name for the turn:/turns: URLs of SIP_ICE_SERVERS' })),
  SIP_TURN_CREDENTIAL: Type.Optional(Type.String({ minLength: 1, description: 'credential for the turn:/turns: URLs of SIP_ICE_SERVERS' })),
});

export type Env = Static<typeof EnvSchema>;

export interface Config extends Env {
  /** True when running on the built-in simulator (no ARI_URL). */
  readonly embeddedAsterisk: boolean;
  /** True when state is in memory (no REDIS_URL). */
  readonly embeddedStore: boolean;
}

/** Secrets that must never reach a log line. */
export const secretKeys = ['ARI_PASSWORD', 'AMI_SECRET', 'SIM_CONTROL_TOKEN', 'ADMIN_PASSWORD', 'METRICS_TOKEN', 'SIP_SECRET', 'SIP_TURN_CREDENTIAL'] as const;

/**
 * Validates `env` (process.env by default) and returns the typed configuration.
 * Throws CONFIG_INVALID naming every bad variable and why.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const known = Object.keys(EnvSchema.properties);
  const picked: Record<string, string> = {};
  for (const key of known) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const value = Value.Default(EnvSchema, Value.Convert(EnvSchema, { ...picked }));
  if (!Value.Check(EnvSchema, value)) {
    const problems = Object.entries(EnvSchema.properties)
      .filter(([name]) => name in picked || (EnvSchema.required as string[] | undefined)?.includes(name))
      .filter(([name, schema]) => !Value.Check(schema, (value as Record<string, unknown>)[name]))
      .map(([name, schema]) => `${name}=${JSON.stringify(isSecret(name) ? '…' : picked[name])}: ${describe(schema)}`);
    throw new HotlineError('CONFIG_INVALID', `invalid configuration: ${problems.join('; ')}`);
  }
  for (const [url, secret] of [['ARI_URL', 'ARI_PASSWORD'], ['AMI_URL', 'AMI_SECRET']] as const) {
    if (picked[url] !== undefined && picked[secret] === undefined) {
      throw new HotlineError('CONFIG_INVALID', `invalid configuration: ${secret} must be set when ${url} is (the default is for the built-in simulator only)`);
    }
  }
  if (picked.SIP_WS_URL !== undefined && picked.SIP_SECRET === undefined) {
    throw new HotlineError('CONFIG_INVALID', 'invalid configuration: SIP_SECRET must be set when SIP_WS_URL is (the seats\' SIP passwords derive from it)');
  }
  return { ...value, embeddedAsterisk: value.ARI_URL === undefined, embeddedStore: value.REDIS_URL === undefined };
}

function isSecret(name: string): boolean {
  return (secretKeys as readonly string[]).includes(name);
}

function describe(schema: { description?: string; anyOf?: Array<{ const?: unknown }>; type?: string; pattern?: string }): string {
  const expected = schema.anyOf
    ? `must be one of ${schema.anyOf.map((s) => String(s.const)).join(', ')}`
    : schema.pattern
      ? `must match ${schema.pattern}`
      : `must be ${schema.type === 'integer' ? 'a whole number in range' : `a ${schema.type}`}`;
  return schema.description ? `${expected} (${schema.description})` : expected;
}
