import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { InvexError } from '../core/errors.ts';
import { parseJsonText } from '../core/json.ts';
import { describeIssues } from '../core/validation.ts';

/**
 * A scenario: the network to simulate, how long, and what goes wrong in it. Shipped
 * scenarios live in `src/twin/scenarios/NAME.json`; any file in this format can be run.
 * The format is documented in docs/twin.md.
 */
export const FAULT_TYPES = [
  'phantom_inventory',
  'pos_outage',
  'duplicate_events',
  'data_glitch',
  'transfer_lost',
  'transfer_delayed',
  'late_or_missing_asn',
  'receiving_variance',
  'supplier_lead_time_slip',
  'return_without_disposition',
  'negative_on_hand_sequencing',
  'erp_store_mismatch',
  'promotion_spike_unplanned',
  'one_off_demand_spike',
  'demand_drop',
  'marketplace_oversell',
] as const;
export type FaultType = (typeof FAULT_TYPES)[number];

/**
 * Outcomes the twin labels though nobody injects them: a promoted SKU at a store selling
 * out before its promotion ends (what promotion stock-out risk should have predicted).
 */
export const OUTCOME_TYPES = ['promotion_stockout'] as const;
export type LabelType = FaultType | (typeof OUTCOME_TYPES)[number];

const fraction = z.number().min(0).max(1);

export const scenarioSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
  description: z.string().max(2000).default(''),
  start: z.iso.date().describe('First simulated day (UTC), e.g. 2026-03-02'),
  days: z.number().int().min(1).max(3660),
  network: z.strictObject({
    stores: z.number().int().min(1).max(5000),
    dcs: z.number().int().min(1).max(100),
    /** Dark stores: ecommerce-only sites replenished like stores, serving quick orders. */
    dark_stores: z.number().int().min(0).max(100).default(0),
    skus: z.number().int().min(1).max(100_000),
    suppliers: z.number().int().min(1).max(100).default(3),
  }),
  demand: z
    .strictObject({
      /** Multiplies every SKU's base rate. */
      scale: z.number().positive().max(100).default(1),
      /**
       * Gamma shape k of a store-category-day's own swing (variance 1 / k around 1): smaller
       * is noisier. On M5 a store's category, over and above its traffic, swings at 40 to 260.
       */
      dispersion: z.number().positive().max(1000).default(90),
      /**
       * Gamma shape k of a store-day's traffic, which all its categories share: on M5, 42 to 392
       * (median about 92) between a store's categories.
       */
      store_dispersion: z.number().positive().max(1000).default(90),
      /** Online orders per DC and day, at scale 1. */
      online_orders_per_dc: z.number().min(0).max(1_000_000).default(200),
      /** Ecommerce orders per dark store and day, at scale 1. */
      dark_store_orders: z.number().min(0).max(1_000_000).default(80),
      /** Marketplace orders shipped from each store per day (ship-from-store), at scale 1. */
      ship_from_store_orders: z.number().min(0).max(100_000).default(0),
    })
    .default({
      scale: 1,
      dispersion: 90,
      store_dispersion: 90,
      online_orders_per_dc: 200,
      dark_store_orders: 80,
      ship_from_store_orders: 0,
    }),
  reporting: z
    .strictObject({
      /** Share of store cells counted each morning. */
      count_share: fraction.default(0.01),
      /** Every how many days each cell gets an ERP snapshot. */
      snapshot_every_days: z.number().int().min(1).max(365).default(7),
      /** Share of events re-sent by their system (at-least-once delivery), without a fault label. */
      resend_share: fraction.default(0.01),
      /** Every how many days truth.ndjson gets the true on-hand (1: daily; large networks may thin it). */
      truth_every_days: z.number().int().min(1).max(365).default(1),
      /**
       * Record the opening stock with a count of every cell on the first morning. Turned off
       * only by volume benchmarks, where a million opening counts would swamp the mix.
       */
      opening_counts: z.boolean().default(true),
      /**
       * Share of each store's morning counts taken from invex's count plan, when the run is
       * given one (World.directCounts); the rest stay random, which keeps the store's loss
       * rate measurable.
       */
      directed_count_share: fraction.default(0.5),
    })
    .default({
      count_share: 0.01,
      snapshot_every_days: 7,
      resend_share: 0.01,
      truth_every_days: 1,
      opening_counts: true,
      directed_count_share: 0.5,
    }),
  /** Planned promotions: a popular SKU in every store of a region, announced a week ahead. */
  promotions: z.number().int().min(0).max(10_000).default(0),
  faults: z
    .array(
      z.strictObject({
        type: z.enum(FAULT_TYPES),
        /** How many, at random places and times (narrowed by the fields below). */
        count: z.number().int().min(1).max(10_000).default(1),
        /** The day it starts (0 = the first day); default: a random day after the first week. */
        day: z.number().int().min(0).optional(),
        /** Only at stores of this region, e.g. florida. */
        region: z.string().max(64).optional(),
        /** Only SKUs of this category, e.g. outerwear. */
        category: z.string().max(64).optional(),
        /** Its size, in the fault's own unit (units demanded, days of delay, ...); default: a typical size. */
        magnitude: z.number().positive().max(1_000_000).optional(),
      }),
    )
    .default([]),
  /**
   * What-ifs (`invex scenario`): changes a planner knows about or lives through, applied on
   * top of the scenario. Names are the twin's own: suppliers SUP01.., regions as in
   * docs/twin.md, SKUs SKU00001.., stores S001...
   */
  what_if: z
    .strictObject({
      /** A supplier's lead time grows by `days` for orders placed from `day` for `duration_days`. */
      supplier_slips: z
        .array(
          z.strictObject({
            supplier: z.string().max(64),
            day: z.number().int().min(0),
            days: z.number().int().min(1).max(365),
            duration_days: z.number().int().min(1).max(3660).default(30),
          }),
        )
        .max(1000)
        .default([]),
      /** A promotion added: the SKU in every store of the region, announced a week ahead. */
      promotions: z
        .array(
          z.strictObject({
            sku: z.string().max(64),
            region: z.string().max(64),
            day: z.number().int().min(0),
            days: z.number().int().min(1).max(365),
            uplift: z.number().min(1).max(20),
          }),
        )
        .max(1000)
        .default([]),
      /** A store closed: no sales there (its customers' demand is lost) for `days` from `day`. */
      closures: z
        .array(
          z.strictObject({
            store: z.string().max(64),
            day: z.number().int().min(0),
            days: z.number().int().min(1).max(3660).default(1),
          }),
        )
        .max(1000)
        .default([]),
    })
    .default({ supplier_slips: [], promotions: [], closures: [] }),
});
export type Scenario = z.output<typeof scenarioSchema>;
export type WhatIf = Scenario['what_if'];

const SCENARIO_DIR = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');

/** The scenarios shipped with invex, by name. */
export function shippedScenarios(): Scenario[] {
  return readdirSync(SCENARIO_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => loadScenario(f.slice(0, -'.json'.length)));
}

/** A shipped scenario by name, or a scenario file by path. */
export function loadScenario(nameOrPath: string): Scenario {
  const path = /[/\\.]/.test(nameOrPath) ? nameOrPath : join(SCENARIO_DIR, `${nameOrPath}.json`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new InvexError(
      'invalid_input',
      'input_unreadable',
      `no scenario ${nameOrPath} (looked for ${path})`,
    );
  }
  const parsed = scenarioSchema.safeParse(parseJsonText(text, path));
  if (!parsed.success) {
    const problems = describeIssues(parsed.error).map((p) => p.message);
    throw new InvexError('invalid_input', 'config_invalid', `scenario ${path}: ${problems.join('; ')}`);
  }
  return parsed.data;
}
