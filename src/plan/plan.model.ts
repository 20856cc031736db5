import { z } from 'zod';
import { InvexError } from '../core/errors.ts';
import { describeIssues } from '../core/validation.ts';
import { modelNameSchema } from '../forecast/index.ts';

/**
 * What a plan runs over and how: the scope (which SKU x location cells), the common
 * settings (horizon, history, plan date) and each plan's own options. One zod schema per
 * request validates the API body, the CLI's flags (turned into the same object) and
 * produces the defaults, so the three never disagree.
 */

/** Most SKU x location cells one plan may cover; a larger scope is refused (narrow it by SKU, location, category or region). */
export const MAX_PLAN_CELLS = 20_000;
/** Most recommendations one answer returns. */
export const MAX_PLAN_LIMIT = 10_000;

const CODE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/;
const codes = (what: string) =>
  z
    .array(z.string().regex(CODE, { message: `each ${what} is a code of 1-64 letters, digits or . _ : / -` }))
    .min(1)
    .max(1000)
    .optional();
const names = z.array(z.string().min(1).max(100)).min(1).max(1000).optional();
const isCalendarDate = (d: string) =>
  !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d);
/** A local calendar date, YYYY-MM-DD. */
export const dateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'dates are YYYY-MM-DD' })
  .refine(isCalendarDate, { message: 'not a calendar date' });
const date = dateSchema;

export const scopeSchema = z
  .strictObject({
    skus: codes('sku'),
    locations: codes('location'),
    categories: names,
    regions: names,
  })
  .describe('Which SKU x location cells the plan covers; every filter given must match (none: everything).');
export type PlanScope = z.output<typeof scopeSchema>;

const common = {
  scope: scopeSchema.default({}),
  horizon_days: z
    .number()
    .int()
    .min(1)
    .max(91)
    .optional()
    .describe('forecast horizon in days (default per plan)'),
  history_days: z
    .number()
    .int()
    .min(28)
    .max(730)
    .default(182)
    .describe('days of sales history the forecasts are fitted on'),
  as_of: date
    .optional()
    .describe(
      'the plan date (forecast origin); default: the day of the latest event in the log. Stock is always the current picture',
    ),
  limit: z.number().int().min(1).max(MAX_PLAN_LIMIT).default(500).describe('most recommendations returned'),
  forecast_model: modelNameSchema
    .nullable()
    .optional()
    .describe(
      'forecast model whose active version serves the cells it covers (default: default); null fits every cell afresh. Each recommendation records the version it used',
    ),
};

const perKind = <T extends z.ZodType>(value: T) =>
  z.strictObject({
    store: value.optional(),
    dc: value.optional(),
    dark_store: value.optional(),
    marketplace_node: value.optional(),
  });

export const DEFAULT_LEAD_TIME_DAYS = { store: 2, dark_store: 2, dc: 7, marketplace_node: 3 } as const;

export const reorderRequestSchema = z.strictObject({
  ...common,
  lead_time_days: perKind(z.number().min(0).max(365))
    .default({})
    .describe(
      `lead time per location kind when none is measured (default ${JSON.stringify(DEFAULT_LEAD_TIME_DAYS)})`,
    ),
  measure_lead_times: z
    .boolean()
    .default(true)
    .describe(
      'measure lead times from purchase orders to receipts and transfers shipped to received (90 days)',
    ),
  review_days: z
    .number()
    .int()
    .min(0)
    .max(91)
    .optional()
    .describe("days between reviews (default: the segment's)"),
});
export type ReorderRequest = z.output<typeof reorderRequestSchema>;

export const transfersRequestSchema = z.strictObject({
  ...common,
  cost_per_unit_km: z.number().min(0).max(100).default(0.002).describe('freight per unit per km'),
  handling_cost_per_unit: z.number().min(0).max(1e6).default(0.1),
  shipment_cost: z.number().min(0).max(1e6).default(20).describe('cost of one transfer of one SKU on a lane'),
  max_distance_km: z.number().min(0).max(20_000).default(500).describe('longest lane considered'),
  km_per_lead_day: z
    .number()
    .min(1)
    .max(20_000)
    .default(500)
    .describe('lead time = 1 day + one day per this many km'),
  same_region_km: z
    .number()
    .min(0)
    .max(20_000)
    .default(50)
    .describe('distance assumed between two locations of one region when either has no coordinates'),
  min_benefit: z.number().min(0).max(1e9).default(5).describe('a transfer must earn this much over its cost'),
  min_transfer_units: z.number().int().min(1).max(1e6).default(1),
  source_keep_days: perKind(z.number().min(0).max(91))
    .default({})
    .describe('days of own demand a source keeps (default store 3, dark_store 3, dc 7)'),
  search_seconds: z
    .number()
    .min(0)
    .max(60)
    .default(1)
    .describe('branch-and-bound time per SKU after the heuristic'),
});
export type TransfersRequest = z.output<typeof transfersRequestSchema>;

export const DEFAULT_KEEP_DAYS = { store: 3, dark_store: 3, dc: 7, marketplace_node: 3 } as const;

export const DEFAULT_OVERSELL_COST_SHARE: Record<string, number> = {
  store: 0,
  ecommerce: 0.3,
  marketplace: 0.6,
};

export const allocateRequestSchema = z.strictObject({
  ...common,
  max_oversell_risk: z
    .number()
    .min(0)
    .max(0.5)
    .default(0.02)
    .describe('largest acceptable probability that the true stock is below what is committed'),
  oversell_cost_share: z
    .record(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/), z.number().min(0).max(100))
    .default({})
    .describe(
      'cost of a cancelled order per unit, as a share of the unit price, per channel (default store 0, ecommerce 0.3, marketplace 0.6, others 0.3)',
    ),
  shrink_dispersion: z.number().positive().max(1e6).default(1),
});
export type AllocateRequest = z.output<typeof allocateRequestSchema>;

export const markdownRequestSchema = z.strictObject({
  ...common,
  season_end: date.describe('the last selling day of the season'),
  weeks_of_cover_threshold: z
    .number()
    .min(0)
    .max(520)
    .optional()
    .describe('mark down only above this many weeks of cover (default: the weeks left to the season end)'),
  elasticity: z.number().min(-20).max(0).default(-2.5),
  steps: z.array(z.number().min(0).lt(1)).min(1).max(20).default([0.1, 0.2, 0.3, 0.4, 0.5]),
  salvage_share_of_cost: z
    .number()
    .min(0)
    .max(10)
    .default(0.25)
    .describe('what a unit left at the season end fetches, as a share of its cost'),
});
export type MarkdownRequest = z.output<typeof markdownRequestSchema>;

export const PLAN_KINDS = ['reorder', 'transfers', 'allocate', 'markdown'] as const;
export type PlanKind = (typeof PLAN_KINDS)[number];

export const DEFAULT_HORIZON: Record<PlanKind, number> = {
  reorder: 28,
  transfers: 14,
  allocate: 7,
  markdown: 28,
};

export const requestSchemas = {
  reorder: reorderRequestSchema,
  transfers: transfersRequestSchema,
  allocate: allocateRequestSchema,
  markdown: markdownRequestSchema,
} as const;

/** Validates a plan request (from the CLI; the API validates with the same schema), naming every bad field. */
export function parsePlanRequest<K extends PlanKind>(
  kind: K,
  input: unknown,
): z.output<(typeof requestSchemas)[K]> {
  const result = requestSchemas[kind].safeParse(input);
  if (!result.success) {
    const problems = describeIssues(result.error);
    throw new InvexError(
      'invalid_input',
      'plan_option_invalid',
      `${kind} plan: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
      { errors: problems },
    );
  }
  return result.data as z.output<(typeof requestSchemas)[K]>;
}

/** The forecast a recommendation used: the method the class selection chose, and the registry version (none yet). */
export interface ForecastUsed {
  method: string;
  demand_class: string | null;
  model_version: string | null;
}

export interface PlanSku {
  sku: string;
  category: string;
  unitCost: number;
  unitPrice: number;
  /** Units per case from master data (uoms.case), 1 without one. */
  caseSize: number;
}

export type PlanLocationKind = 'store' | 'dc' | 'dark_store' | 'marketplace_node';

export interface PlanLocation {
  location: string;
  kind: PlanLocationKind;
  region: string;
  lat: number | null;
  lon: number | null;
  channels: string[];
}

/** The stock of one SKU x location as the ledger shows it now, with its record confidence. */
export interface CellStock {
  sku: string;
  location: string;
  ledgerOnHand: number;
  sellable: number;
  reserved: number;
  picked: number;
  onOrder: number;
  inTransitIn: number;
  /** Ledger ATP per channel (buffers and paused listings applied). */
  atp: Record<string, { qty: number; listing: 'active' | 'paused' }>;
  /** P(record right) from the exception engine; null when it has no doubt recorded (taken as 1). */
  recordConfidence: number | null;
}

/** One channel's forecast at one SKU x location, day by day over the horizon. */
export interface ChannelForecast {
  sku: string;
  location: string;
  channel: string;
  /** Mean units per day, day 1 = the plan date. */
  daily: number[];
  /** Negative binomial size of one day's demand (variance = mean + mean^2 / r); Infinity = Poisson. */
  dispersion: number;
  forecast: ForecastUsed;
}

/** Days since 1970-01-01 of a YYYY-MM-DD date. */
export const dayNumber = (day: string): number => Date.parse(`${day}T00:00:00Z`) / 86_400_000;
export const dayText = (n: number): string => new Date(n * 86_400_000).toISOString().slice(0, 10);
export const cellKey = (sku: string, location: string): string => `${sku}\u0000${location}`;
export const channelKey = (sku: string, location: string, channel: string): string =>
  `${sku}\u0000${location}\u0000${channel}`;
