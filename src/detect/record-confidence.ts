import type { DetectorSettings } from './settings.ts';
import { type Cell, DAY, localDay, WorldState } from './state.ts';

/**
 * Inventory record confidence: the probability that a SKU x location's on-hand record is
 * right, and its complement for a record showing stock, the probability that the shelf
 * is in fact empty (phantom inventory).
 *
 * The model follows DeHoratius, Mersereau and Schrage (2008), "Retail inventory
 * management when records are inaccurate": the record is a noisy observation of the
 * shelf, and sales are evidence about it. Here:
 *  - prior: the shelf empties unrecorded (theft, misplacement) at a store-level rate
 *    lambda per day since the last count; lambda starts at the configured prior and is
 *    updated from count outcomes (a count below the record is an observed error) as a
 *    Gamma-Poisson rate (errors + a) / (exposure days + b) (DeHoratius and Raman 2008 find
 *    record errors grow with time since the last audit and with store-level factors);
 *  - likelihood: a shelf that has stock sells on a day with the probability seen in the
 *    record's own recent history (sale days over days, Beta(1, 1)-smoothed; this absorbs
 *    over-dispersion and lumpy demand that a Poisson rate would not), so a run of t days
 *    without a sale has likelihood q0^t if the record is right, and 1 if the shelf is
 *    empty;
 *  - posterior: P(empty | run) = p q0^... = p / (p + (1 - p) q0^t).
 */
export interface ConfidenceReading {
  /** P(record right). */
  confidence: number;
  /** P(shelf empty though the record shows stock); 0 when the record shows none. */
  emptyProbability: number;
  prior: number;
  /** Probability of a day without sales when the shelf has stock. */
  zeroSaleDay: number;
  /**
   * Days since the last count the record showed stock at levels no sale has disproved
   * (the current run without a sale, and earlier runs that ended in a restock).
   */
  zeroRunDays: number;
  /** The largest overstatement of the record the sales still allow. */
  overstatementBound: number;
  /** Days of sales history behind zeroSaleDay. */
  historyDays: number;
  expectedDailyUnits: number;
  /** Sale days expected in the run if the shelf had stock. */
  expectedSaleDays: number;
  daysSinceCount: number;
}

export interface StoreErrorRate {
  errors: number;
  exposureDays: number;
}

/** Expected units a day and the share of days with a sale, over the last `window` complete days. */
export function demandRate(cell: Cell, now: number, window: number) {
  const today = localDay(now, cell.loc);
  return demandRateBefore(cell, today, window);
}

/** The same, over the `window` complete days before local day `today`. */
export function demandRateBefore(cell: Cell, today: number, window: number) {
  const days = cell.demand.daysBefore(today, window);
  let units = 0;
  let saleDays = 0;
  let counted = 0;
  for (let d = today - days; d < today; d++) {
    // Promotion days (and their after-dip) say little about a usual day.
    if (WorldState.promotedOn(cell, d)) continue;
    units += cell.demand.on(d);
    saleDays += cell.saleDays.on(d) > 0 ? 1 : 0;
    counted += 1;
  }
  return {
    days: counted,
    dailyUnits: counted > 0 ? units / counted : 0,
    saleDayShare: (saleDays + 1) / (counted + 2),
  };
}

export function readConfidence(
  cell: Cell,
  now: number,
  settings: DetectorSettings,
  storeRate: StoreErrorRate | undefined,
  /** Share of days without a sale of the same SKU at other stores: how intermittent the item is. */
  peerZeroShare = 0,
): ConfidenceReading {
  const sellable = WorldState.sellable(cell);
  // The usual rate comes from before the current silence, which is what is being tested.
  const since = Math.max(
    cell.lastSaleAt,
    cell.countAt,
    Number.isFinite(cell.lastSaleAt) ? Number.NEGATIVE_INFINITY : now,
  );
  const rate = demandRateBefore(
    cell,
    Math.min(localDay(now, cell.loc), localDay(since, cell.loc) + 1),
    settings.history_days,
  );
  const daysSinceCount = Number.isFinite(cell.countAt) ? Math.max(0, (now - cell.countAt) / DAY) : 60;
  const lambda = storeRate
    ? (storeRate.errors + settings.phantom_daily_prior * 50) / (storeRate.exposureDays + 50)
    : settings.phantom_daily_prior;
  const prior = Math.min(
    0.5,
    Math.max(settings.phantom_prior_floor, 1 - Math.exp(-lambda * Math.min(daysSinceCount, 120))),
  );
  // Two readings of the silence: the current run without a sale (the whole shelf gone),
  // and the time spent at levels no sale has disproved since the count (part of it gone,
  // the rest sold, restocks masking it). The stronger one counts.
  const evidence = WorldState.unexplainedDays(cell, now);
  // The current run starts at the last sale or count, or when an empty record was restocked.
  const lastLook = Math.max(cell.lastSaleAt, cell.countAt, cell.stockedSince);
  const currentRun = Number.isFinite(lastLook) && sellable > 0 ? Math.max(0, (now - lastLook) / DAY) : 0;
  const zeroRunDays = Math.max(evidence.days, currentRun);
  // A day without a sale, taken conservatively: the larger of the negative-binomial zero
  // probability at the usual rate and an upper (90%) bound of the share of such days seen.
  const zeros = rate.days - Math.round(rate.saleDayShare * (rate.days + 2) - 1);
  const a = zeros + 1;
  const b = rate.days - zeros + 1;
  const betaMean = a / (a + b);
  const betaSd = Math.sqrt((a * b) / ((a + b) ** 2 * (a + b + 1)));
  const k = settings.demand_dispersion;
  const q0 = Math.min(
    0.999,
    Math.max((1 + rate.dailyUnits / k) ** -k, betaMean + 1.28 * betaSd, peerZeroShare),
  );
  const base = {
    prior,
    zeroSaleDay: q0,
    zeroRunDays,
    historyDays: rate.days,
    expectedDailyUnits: rate.dailyUnits,
    expectedSaleDays: rate.saleDayShare * zeroRunDays,
    daysSinceCount,
    overstatementBound: Number.isFinite(evidence.bound) ? evidence.bound : sellable,
  };
  if (cell.onHand < 0) return { ...base, confidence: 0, emptyProbability: 0 };
  if (sellable <= 0 || rate.days < settings.phantom_min_history_days) {
    return { ...base, confidence: 1 - prior, emptyProbability: 0 };
  }
  const likelihood = q0 ** zeroRunDays;
  const empty = prior / (prior + (1 - prior) * likelihood);
  return { ...base, confidence: 1 - empty, emptyProbability: empty };
}

/**
 * Available-to-promise under doubt: where the record's confidence is below the floor,
 * channels that promise ahead of the shelf (all but the store's own till) may promise
 * only that share of it, rounded down. The store channel sells what is physically there.
 */
export function applyRecordConfidence<
  P extends {
    atp: Record<string, { qty: number; confidence_factor?: number }>;
    record_confidence?: { confidence: number; probability_empty: number; updated_at: string } | null;
  },
>(
  picture: P,
  reading: { confidence: number; probability_empty: number; updated_at: string } | undefined,
  floor: number,
): P {
  picture.record_confidence = reading ?? null;
  if (!reading || reading.confidence >= floor) return picture;
  for (const [channel, a] of Object.entries(picture.atp)) {
    if (channel === 'store') continue;
    a.confidence_factor = Number(reading.confidence.toFixed(3));
    a.qty = Math.floor(a.qty * reading.confidence);
  }
  return picture;
}
