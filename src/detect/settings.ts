import { z } from 'zod';

/**
 * Detector settings, with their documented defaults (docs/exceptions.md). Every number a
 * detector compares with lives here, so that a retailer can tune it per category and
 * region without touching code.
 */
export const detectorSettingsSchema = z.object({
  currency: z.string().default('USD'),
  /** Days of sales history kept per SKU x location for expected rates. */
  history_days: z.number().int().min(7).max(120).default(28),
  /** Days of history a rate needs before the statistical detectors trust it. */
  min_history_days: z.number().int().min(1).default(7),
  /** Replenishment lead time in days, over which lost margin is estimated. */
  store_lead_days: z.number().positive().default(3),
  dc_lead_days: z.number().positive().default(14),

  /** Phantom inventory: posterior probability the shelf is empty above which it is raised. */
  phantom_min_probability: z.number().min(0.5).max(0.99999).default(0.999),
  /** Prior: share of a store's cells whose shelf empties unrecorded per day since the last count. */
  phantom_daily_prior: z.number().min(0).max(0.5).default(0.0015),
  phantom_prior_floor: z.number().min(0).max(0.5).default(0.002),
  /** Fewest expected sale days missed before a zero-sales run can count as evidence. */
  phantom_min_expected_sale_days: z.number().min(0).default(3),
  /** Days of sales history a record needs before its silence is evidence. */
  phantom_min_history_days: z.number().int().min(1).default(7),
  /**
   * Probability that a picker reports a unit short though it is on the shelf: a short
   * pick at a store whose record shows stock multiplies the odds that the shelf is empty
   * by its inverse.
   */
  phantom_pick_miss_probability: z.number().min(0.0001).max(1).default(0.02),
  /**
   * The bar for a record a picker came up short on: a failed pick is a direct look at the
   * shelf, and the count it calls for is cheap, so it is lower than the bar for silence.
   */
  phantom_pick_min_probability: z.number().min(0.01).max(0.99999).default(0.3),
  /**
   * A count that finds the shelf short of the record by at least this many units and this
   * share of the record is phantom inventory found by the count (raised, then closed by
   * the count's correction): the loss is on record even when the silence was too short to
   * say so first.
   */
  phantom_count_min_units: z.number().min(1).default(2),
  phantom_count_min_share: z.number().min(0).max(1).default(0.5),
  /**
   * The count plan's fast-mover lane: each store's first task goes to the record selling at
   * least `count_plan_fast_mover_units` a day whose silence is least likely with stock on
   * the shelf, once that chance is at most `count_plan_fast_mover_silence`. A fast mover's
   * empty shelf loses most a day, yet its posterior stays small for days under a store's
   * low loss rate; the lane puts it in front of the shelf within a day or two.
   */
  count_plan_fast_mover_units: z.number().min(0).default(1),
  count_plan_fast_mover_silence: z.number().min(0).max(1).default(0.2),
  /** Probability that a count showing such a shortfall is a miscount (the confidence it carries is one minus this). */
  count_error_probability: z.number().min(0.0001).max(0.5).default(0.03),

  /** Record confidence below which available-to-promise is scaled down. */
  atp_confidence_floor: z.number().min(0).max(1).default(0.5),

  /** Sale or movement quantity above max(this, factor x the largest usual) is implausible. */
  glitch_min_qty: z.number().positive().default(200),
  glitch_factor: z.number().positive().default(50),

  /** ERP vs store on-hand: units and consecutive reports that make a mismatch. */
  mismatch_min_units: z.number().positive().default(3),
  mismatch_min_reports: z.number().int().min(1).default(2),

  /** Active listing below this ATP for longer than the grace hours is raised. */
  listing_safety_units: z.number().min(0).default(2),
  listing_grace_hours: z.number().min(0).default(30),

  /** Receipt vs ASN/PO: relative and absolute shortfall tolerated. */
  receiving_tolerance_share: z.number().min(0).max(1).default(0.02),
  receiving_tolerance_units: z.number().min(0).default(0),
  /** Hours after the PO's expected date with no ASN (or goods received first) that make it late. */
  asn_grace_hours: z.number().min(0).default(48),

  /**
   * A transfer this many hours overdue is delayed (on a lane without the history to say
   * better); this many days overdue, lost.
   */
  transfer_grace_hours: z.number().min(0).default(24),
  /**
   * A lane with `transfer_lane_min_transfers` completed transfers sets its own grace: the
   * 90th percentile of its lateness plus 2 hours, within [this, transfer_grace_hours]
   * (a receipt posted at the end of the day is not a delayed transfer).
   */
  transfer_min_grace_hours: z.number().min(0).default(14),
  transfer_lane_min_transfers: z.number().int().min(1).default(10),
  /**
   * Share of a lane's recent transfers that broke the grace at which a transfer still in
   * transit is predicted to break it too (raised before it is due).
   */
  transfer_breach_share: z.number().min(0.01).max(1).default(0.5),
  transfer_lost_after_days: z.number().positive().default(7),

  /** A return pending inspection longer than this many days. */
  return_inspection_days: z.number().positive().default(4),

  /** Duplicates: share of a location's day of events re-sent (noise is about 1%). */
  duplicate_min_share: z.number().min(0).max(1).default(0.25),
  duplicate_min_events: z.number().int().min(1).default(20),

  /** Reporting gap: hours in trading time with no sale from a store that usually sells this many an hour. */
  gap_min_expected_events: z.number().positive().default(25),
  gap_min_hours: z.number().positive().default(4),

  /** Demand spike / drop: tail probability under the expected rate, and the factor. */
  spike_max_tail_probability: z.number().min(0).max(1).default(1e-5),
  spike_min_units: z.number().positive().default(8),
  spike_min_factor: z.number().positive().default(4),
  /** ... and at least this many times the biggest day of the history window. */
  spike_history_factor: z.number().positive().default(2.5),
  /**
   * A one-off buyer shows in one sale line too (a till line is one shopper's units): a line of
   * at least spike_min_units and this many times the record's largest earlier line is tested
   * against the chain's baskets.
   */
  spike_line_factor: z.number().positive().default(1.5),
  /**
   * ... and the tail probability at which such a line is raised. Every big line of every
   * record is a test, and heavy-basket SKUs have many: lower than the day's bar.
   */
  spike_line_max_tail_probability: z.number().min(0).max(1).default(1e-6),
  /**
   * Where the till records baskets, a SKU's day whose excess no single line explains (it came
   * from several shoppers): the tail probability at which it is still raised.
   */
  spike_shoppers_max_tail_probability: z.number().min(0).max(1).default(1e-7),
  category_spike_factor: z.number().positive().default(2),
  category_drop_factor: z.number().min(0).max(1).default(0.45),
  /** ...and the tail probability of the category's days under its usual demand at which it is raised. */
  category_max_tail_probability: z.number().min(0).max(1).default(1e-5),
  /** Negative-binomial dispersion of a SKU's daily demand (smaller = more variable). */
  demand_dispersion: z.number().positive().default(4),
  /**
   * Negative-binomial dispersion of a store-category's daily demand, the most the spike and
   * drop tests take it to be: they use the least of it, the store's own four weeks and the
   * chain's reading. Real stores' categories swing at 11 to 135 (M5; docs/twin.md).
   */
  category_dispersion: z.number().positive().max(1000).default(20),
  /**
   * Negative-binomial dispersion of one SKU's daily sales around its share of what its
   * category sold at the store that day (smaller = more variable, more conservative):
   * used where the category's own trade that day is known (one-off spikes).
   */
  share_dispersion: z.number().positive().max(1000).default(10),

  /** Promotion stock-out risk: units short of the demand projected to the promotion's end. */
  promotion_cover_margin: z.number().min(0).default(1),
  /** ...and the probability of selling out before the end at which it is raised. */
  promotion_stockout_probability: z.number().min(0.5).max(1).default(0.9),
  /**
   * ...and the probability that a promotion day whose shelf sold out met an empty shelf
   * (its demand was more than it sold) at which that is raised: a reading of what happened,
   * not a forecast, raised once it is more likely than not.
   */
  promotion_sold_out_probability: z.number().min(0.5).max(1).default(0.5),
  /** Days of evidence the planned uplift counts as, against the promotion days already sold. */
  promotion_prior_days: z.number().positive().default(2),

  /** Supplier lead-time slip: mean lateness in days over the last receipts. */
  slip_min_days: z.number().positive().default(3),
  slip_min_receipts: z.number().int().min(1).default(2),

  /** Short picks at one location within the window make a pattern. */
  short_pick_min: z.number().int().min(1).default(2),
  short_pick_window_days: z.number().positive().default(3),
});
export type DetectorSettings = z.output<typeof detectorSettingsSchema>;

/** Settings for some categories or regions, over the defaults. */
export const detectorConfigSchema = z.object({
  defaults: detectorSettingsSchema.partial().default({}),
  overrides: z
    .array(
      z.object({
        category: z.string().optional(),
        region: z.string().optional(),
        settings: detectorSettingsSchema.partial(),
      }),
    )
    .default([]),
});
export type DetectorConfigInput = z.input<typeof detectorConfigSchema>;

/** Resolves settings per category and region, most specific override last. */
export class DetectorConfig {
  readonly base: DetectorSettings;
  private readonly overrides: z.output<typeof detectorConfigSchema>['overrides'];
  private readonly cache = new Map<string, DetectorSettings>();

  constructor(input: DetectorConfigInput = {}) {
    const parsed = detectorConfigSchema.parse(input);
    this.base = detectorSettingsSchema.parse(parsed.defaults);
    this.overrides = parsed.overrides;
  }

  for(category: string | null, region: string | null): DetectorSettings {
    const key = `${category ?? ''}\u0000${region ?? ''}`;
    let settings = this.cache.get(key);
    if (!settings) {
      settings = { ...this.base };
      const matching = this.overrides
        .filter(
          (o) =>
            (o.category === undefined || o.category === category) &&
            (o.region === undefined || o.region === region),
        )
        .sort((a, b) => specificity(a) - specificity(b));
      for (const o of matching) Object.assign(settings, o.settings);
      this.cache.set(key, settings);
    }
    return settings;
  }
}

const specificity = (o: { category?: string; region?: string }) =>
  (o.category === undefined ? 0 : 2) + (o.region === undefined ? 0 : 1);
