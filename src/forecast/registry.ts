import { z } from 'zod';
import { InvexError } from '../core/errors.ts';
import { METHODS } from './auto.ts';
import { GRAINS, type Grain, MAX_HISTORY_DAYS } from './history.repository.ts';

/**
 * The model registry's rules, pure: what a forecast model's configuration is (validated,
 * with its defaults), and how versions move between candidate, active and retired. The
 * repository stores; this decides.
 */

export const MODEL_NAME = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
export const modelNameSchema = z.string().regex(MODEL_NAME, {
  message: 'must be 1-64 lower-case letters, digits, _ . - (starting with a letter or digit)',
});

const codes = z.array(z.string().min(1).max(100)).max(1000);

export const driftSettingsSchema = z.strictObject({
  wape_ratio: z
    .number()
    .min(1)
    .max(10)
    .default(1.5)
    .describe('Drift when the live WAPE exceeds the backtest WAPE by this factor'),
  tracking_limit: z
    .number()
    .min(1)
    .max(20)
    .default(4)
    .describe('Drift when the standardised cumulative error is beyond +/- this many standard deviations'),
  min_bias: z
    .number()
    .min(0)
    .max(10)
    .default(0.1)
    .describe(
      '... and the live bias (total forecast over total actual, minus one) is at least this far from 0',
    ),
  min_periods: z
    .number()
    .int()
    .min(1)
    .max(366)
    .optional()
    .describe('Periods that must have elapsed before drift is judged (default 7 days or 2 weeks)'),
  min_units: z
    .number()
    .min(0)
    .default(50)
    .describe('Units that must have sold in the scope before drift is judged'),
});
export type DriftSettings = Required<z.output<typeof driftSettingsSchema>>;

export const modelConfigSchema = z.strictObject({
  scope: z
    .strictObject({
      categories: codes.optional(),
      regions: codes.optional(),
      skus: codes.optional(),
      locations: codes.optional(),
      channels: codes.optional(),
    })
    .default({}),
  grain: z.enum(GRAINS as [Grain, ...Grain[]]).default('day'),
  horizon: z.number().int().min(1).max(366).optional().describe('Periods ahead (default 28 days or 8 weeks)'),
  history_days: z
    .number()
    .int()
    .min(28)
    .max(MAX_HISTORY_DAYS)
    .optional()
    .describe('Days of history a fit reads when no window is given (default 365, or 728 for weeks)'),
  period: z
    .number()
    .int()
    .min(1)
    .max(53)
    .optional()
    .describe('Seasonal period in periods (default 7 for days, 1 for weeks)'),
  methods: z.array(z.enum(METHODS)).min(1).optional(),
  quantiles: z.array(z.number().gt(0).lt(1)).min(1).max(9).default([0.1, 0.5, 0.9]),
  windows: z.number().int().min(1).max(6).default(3).describe('Backtest origins'),
  criterion: z.enum(['rmsse', 'rmse']).default('rmsse'),
  calibrate: z.boolean().default(true),
  drift: driftSettingsSchema.prefault({}),
});
export type ModelConfigInput = z.input<typeof modelConfigSchema>;

/** A model's configuration with every default filled in: what a version records. */
export interface ModelConfig {
  scope: {
    categories?: string[];
    regions?: string[];
    skus?: string[];
    locations?: string[];
    channels?: string[];
  };
  grain: Grain;
  horizon: number;
  history_days: number;
  period: number;
  methods: (typeof METHODS)[number][];
  quantiles: number[];
  windows: number;
  criterion: 'rmsse' | 'rmse';
  calibrate: boolean;
  drift: DriftSettings;
}

/** Validates a configuration and fills its grain-dependent defaults. */
export function resolveModelConfig(input: unknown): ModelConfig {
  const parsed = modelConfigSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvexError(
      'invalid_input',
      'request_invalid',
      `forecast model configuration: ${issue.path.join('.') || '(root)'} ${issue.message}`,
      { field: issue.path.join('.') },
    );
  }
  const c = parsed.data;
  const day = c.grain === 'day';
  const quantiles = [...new Set(c.quantiles)].sort((a, b) => a - b);
  const scope = Object.fromEntries(
    Object.entries(c.scope).filter(([, v]) => v !== undefined && v.length > 0),
  ) as ModelConfig['scope'];
  return {
    scope,
    grain: c.grain,
    horizon: c.horizon ?? (day ? 28 : 8),
    history_days: c.history_days ?? (day ? 365 : 728),
    period: c.period ?? (day ? 7 : 1),
    methods: c.methods ? [...new Set(c.methods)] : [...METHODS],
    quantiles,
    windows: c.windows,
    criterion: c.criterion,
    calibrate: c.calibrate,
    drift: { ...c.drift, min_periods: c.drift.min_periods ?? (day ? 7 : 2) } as DriftSettings,
  };
}

export const VERSION_STATUSES = ['candidate', 'active', 'retired'] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];
export const TRANSITION_ACTIONS = ['fit', 'promote', 'rollback'] as const;
export type TransitionAction = (typeof TRANSITION_ACTIONS)[number];

export interface TransitionRecord {
  seq: number;
  model: string;
  version_id: string;
  action: TransitionAction;
  from_status: VersionStatus | null;
  to_status: VersionStatus;
  previous_active: string | null;
  actor: string;
  at: string;
  reason: string | null;
}

/** A status change to write: the version, its new status, and the transition to record. */
export interface StatusChange {
  version_id: string;
  from_status: VersionStatus;
  to_status: VersionStatus;
}

export interface VersionRef {
  id: string;
  model: string;
  version: number;
  status: VersionStatus;
}

/**
 * The versions a model has been returned to, oldest first: a promotion pushes, a rollback
 * pops. The top is the active version; a rollback returns to the one below it.
 */
export function activationStack(transitions: readonly TransitionRecord[]): string[] {
  const stack: string[] = [];
  for (const t of [...transitions].sort((a, b) => a.seq - b.seq)) {
    if (t.action === 'promote') stack.push(t.version_id);
    else if (t.action === 'rollback') {
      // A rollback activates `version_id`, retiring the top.
      stack.pop();
      if (stack.at(-1) !== t.version_id) stack.push(t.version_id);
    }
  }
  return stack;
}

/** What promoting `target` changes; throws when it is not the model's or already active. */
export function planPromotion(
  versions: readonly VersionRef[],
  target: VersionRef,
  model?: string,
): { changes: StatusChange[]; previous: string | null } {
  if (model !== undefined && target.model !== model)
    throw new InvexError(
      'conflict',
      'forecast_version_model_mismatch',
      `forecast version ${target.id} belongs to model ${target.model}, not ${model}`,
      { version: target.id, model: target.model, asked: model },
    );
  const active = versions.find((v) => v.model === target.model && v.status === 'active');
  if (active?.id === target.id)
    throw new InvexError(
      'conflict',
      'request_invalid',
      `forecast version ${target.id} (${target.model} v${target.version}) is already active`,
      { version: target.id },
    );
  const changes: StatusChange[] = [];
  if (active) changes.push({ version_id: active.id, from_status: 'active', to_status: 'retired' });
  changes.push({ version_id: target.id, from_status: target.status, to_status: 'active' });
  return { changes, previous: active?.id ?? null };
}

/** What a rollback changes: the active version retires and the one it replaced returns. */
export function planRollback(
  model: string,
  versions: readonly VersionRef[],
  transitions: readonly TransitionRecord[],
): { changes: StatusChange[]; from: string; to: string } {
  const active = versions.find((v) => v.model === model && v.status === 'active');
  const stack = activationStack(transitions.filter((t) => t.model === model));
  const previous = stack.length >= 2 ? stack[stack.length - 2] : undefined;
  if (!active || !previous || stack.at(-1) !== active.id)
    throw new InvexError(
      'conflict',
      'forecast_no_previous_version',
      active
        ? `forecast model ${model} has no earlier active version to roll back to (v${active.version} is the first promoted)`
        : `forecast model ${model} has no active version to roll back`,
      { model },
    );
  const back = versions.find((v) => v.id === previous)!;
  return {
    from: active.id,
    to: back.id,
    changes: [
      { version_id: active.id, from_status: 'active', to_status: 'retired' },
      { version_id: back.id, from_status: back.status, to_status: 'active' },
    ],
  };
}

/** A version named by id (`fcv_…`) or as `model@N`. */
export function parseVersionRef(text: string): { id: string } | { model: string; version: number } {
  const at = /^([a-z0-9][a-z0-9_.-]{0,63})@(\d{1,9})$/.exec(text);
  if (at) return { model: at[1]!, version: Number(at[2]) };
  if (/^fcv_[0-9a-z]{26}$/.test(text)) return { id: text };
  throw new InvexError(
    'invalid_input',
    'request_invalid',
    `"${text}" is not a forecast version: give its id (fcv_…) or MODEL@N`,
    { version: text },
  );
}
