import { z } from 'zod';
import { InvexError } from './errors.ts';

/**
 * One typed configuration, validated at start. Each setting names its environment
 * variable, has a description and a default, and says whether it is secret (secrets are
 * never printed). An invalid setting stops start-up with a message naming it.
 */
const channelBuffers = z
  .string()
  .regex(/^(\s*[a-z][a-z0-9_]*\s*=\s*\d+\s*)(,\s*[a-z][a-z0-9_]*\s*=\s*\d+\s*)*$|^$/, {
    message: 'expected a list such as "store=0,ecommerce=1,marketplace=2"',
  })
  .transform((text) => {
    const buffers: Record<string, number> = {};
    for (const part of text.split(',')) {
      const [name, value] = part.split('=');
      if (name && value !== undefined) buffers[name.trim()] = Number(value.trim());
    }
    return buffers;
  });

export const settings = {
  databaseUrl: {
    env: 'DATABASE_URL',
    description: 'PostgreSQL connection string; when unset invex uses its embedded database (PGlite)',
    secret: true,
    schema: z.string().min(1).optional(),
  },
  dataDir: {
    env: 'INVEX_DATA',
    description: 'Data directory of the embedded database (ignored when DATABASE_URL is set)',
    secret: false,
    schema: z.string().min(1).default('./.invex'),
  },
  host: {
    env: 'INVEX_HOST',
    description: 'Address the HTTP server listens on',
    secret: false,
    schema: z.string().min(1).default('127.0.0.1'),
  },
  port: {
    env: 'INVEX_PORT',
    description: 'Port the HTTP server listens on',
    secret: false,
    schema: z.coerce.number().int().min(0).max(65535).default(7410),
  },
  logLevel: {
    env: 'INVEX_LOG_LEVEL',
    description: 'pino log level of the server (fatal, error, warn, info, debug, trace, silent)',
    secret: false,
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  },
  maxBatchEvents: {
    env: 'INVEX_MAX_BATCH_EVENTS',
    description: 'Most events accepted in one POST /v1/events request',
    secret: false,
    schema: z.coerce.number().int().min(1).max(100_000).default(10_000),
  },
  maxBodyBytes: {
    env: 'INVEX_MAX_BODY_BYTES',
    description: 'Largest request body accepted, in bytes',
    secret: false,
    schema: z.coerce
      .number()
      .int()
      .min(1024)
      .max(256 * 1024 * 1024)
      .default(16 * 1024 * 1024),
  },
  publicApiDocs: {
    env: 'INVEX_PUBLIC_API_DOCS',
    description:
      'Serve the API description (/docs) without a token. Off by default: every route but /health needs one. The demo turns it on.',
    secret: false,
    schema: z
      .enum(['true', 'false', '1', '0'])
      .default('false')
      .transform((v) => v === 'true' || v === '1'),
  },
  atpBuffers: {
    env: 'INVEX_ATP_BUFFERS',
    description:
      'Safety buffer in base units held back from each channel’s available-to-promise, e.g. "store=0,ecommerce=1,marketplace=2"',
    secret: false,
    schema: channelBuffers.prefault('store=0,ecommerce=0,marketplace=2'),
  },
  sweepSeconds: {
    env: 'INVEX_SWEEP_SECONDS',
    description:
      'How often `invex serve` runs the exception sweeps (SLA clocks, zero-sales runs, reporting gaps), in seconds; 0 turns the schedule off',
    secret: false,
    schema: z.coerce.number().int().min(0).max(86_400).default(300),
  },
  driftSeconds: {
    env: 'INVEX_DRIFT_SECONDS',
    description:
      'How often `invex serve` scores the active forecast versions on the actuals since their fit and raises or closes forecast_drift exceptions, in seconds; 0 turns it off',
    secret: false,
    schema: z.coerce.number().int().min(0).max(604_800).default(3600),
  },
  clock: {
    env: 'INVEX_CLOCK',
    description:
      'What "now" is for the exception sweeps: `wall` (the machine clock) or `events` (the latest time the events have reached: for replayed or simulated history, as in the demo)',
    secret: false,
    schema: z.enum(['wall', 'events']).default('wall'),
  },
  detectorsFile: {
    env: 'INVEX_DETECTORS',
    description:
      'A JSON file of detector settings: {"defaults": {...}, "overrides": [{"category": "...", "region": "...", "settings": {...}}]} (docs/exceptions.md); unset, the documented defaults',
    secret: false,
    schema: z.string().min(1).optional(),
  },
} as const;

type Settings = typeof settings;
export type Config = { [K in keyof Settings]: z.output<Settings[K]['schema']> };

/** Reads and validates every setting from `env`, with `overrides` (from CLI flags) first. */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<Record<keyof Settings, unknown>> = {},
): Config {
  const config: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(settings)) {
    const raw = overrides[key as keyof Settings] ?? env[setting.env];
    const value = raw === '' ? undefined : raw;
    const parsed = (setting.schema as z.ZodType).safeParse(value);
    if (!parsed.success) {
      const shown = setting.secret ? '(secret)' : JSON.stringify(value);
      throw new InvexError(
        'invalid_input',
        'config_invalid',
        `setting ${setting.env} = ${shown} is invalid: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
        { setting: setting.env },
      );
    }
    config[key] = parsed.data;
  }
  return config as Config;
}
