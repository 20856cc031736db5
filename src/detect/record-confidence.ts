import type { DetectorSettings } from './settings.ts';
import { type Cell, DAY, type LocationState, localDay, tradingDaysBetween, WorldState } from './state.ts';

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
 *  - a short pick since the last sale, count or restock (a picker looked and found
 *    nothing) has likelihood 1 if the shelf is empty and m, the picker miss rate, if not;
 *  - posterior: P(empty | run) = p / (p + (1 - p) q0^t m).
 */
export interface ConfidenceReading {
  /** P(record right). */
  confidence: number;
  /** P(shelf empty though the record shows stock); 0 when the record shows none. */
  emptyProbability: number;
  prior: number;
  /** The store's rate of unrecorded losses, per record and day (what the prior grows by). */
  dailyLossRate: number;
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
  /** A picker came up short on this record since the last sale, count or restock. */
  shortPicked: boolean;
  /** The store's picker miss rate, learned from how its short picks were settled. */
  pickMiss: number;
}

export interface StoreErrorRate {
  errors: number;
  exposureDays: number;
  /** Short picks settled since: by a count below the record (the picker was right)... */
  picksConfirmed?: number;
  /** ...or by a sale or a count at the record (the units were there: the picker missed). */
  picksMissed?: number;
}

/** How many settled picks the configured miss probability is worth. */
const PICK_PRIOR_WEIGHT = 10;

/**
 * The store's picker miss rate: the configured probability, updated by how the store's
 * earlier short picks were settled (a Beta-Binomial mean).
 */
export function pickMissRate(settings: DetectorSettings, storeRate: StoreErrorRate | undefined): number {
  const confirmed = storeRate?.picksConfirmed ?? 0;
  const missed = storeRate?.picksMissed ?? 0;
  return (
    (missed + settings.phantom_pick_miss_probability * PICK_PRIOR_WEIGHT) /
    (confirmed + missed + PICK_PRIOR_WEIGHT)
  );
}

/** A short pick of the record not yet settled by a sale, a count or a restock. */
export function pickPending(cell: Cell): boolean {
  return cell.shortPickAt > Math.max(cell.lastSaleAt, cell.countAt, cell.lastInboundAt);
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
  let squares = 0;
  let saleDays = 0;
  let lines = 0;
  let counted = 0;
  for (let d = today - days; d < today; d++) {
    // Promotion days (and their after-dip) say little about a usual day.
    if (WorldState.promotedOn(cell, d)) continue;
    const sold = cell.demand.on(d);
    units += sold;
    squares += sold * sold;
    const dayLines = cell.saleLines.on(d);
    saleDays += dayLines > 0 ? 1 : 0;
    lines += dayLines;
    counted += 1;
  }
  return {
    days: counted,
    dailyUnits: counted > 0 ? units / counted : 0,
    /**
     * How those days spread around their mean: the sum of squared deviations, sample
     * (n - 1) corrected, 0 under two days. Pooled over records, over their units, it is
     * the variance over mean of a usual day.
     */
    spread: counted >= 2 ? ((squares - (units * units) / counted) * counted) / (counted - 1) : 0,
    saleDays,
    /** Sale lines on those days (a line is one shopper's units). */
    lines,
    saleDayShare: (saleDays + 1) / (counted + 2),
  };
}

/** What a reading draws on beyond the record itself. */
export interface ConfidenceContext {
  storeRate?: StoreErrorRate | undefined;
  /** The same SKU's records at other locations: how intermittent the item is elsewhere. */
  peers?: Cell[] | undefined;
  /** The store, for its trading hours: the current run is counted in trading days. */
  location?: LocationState | undefined;
  /**
   * How the rest of the SKU's category has sold at the store during the silence, over its
   * usual (1 = as usual). Below 1 the shelf was expected to sell less (a season ending): a
   * day without a sale is that much likelier whatever the shelf holds.
   */
  demandLevel?: number | undefined;
}

export function readConfidence(
  cell: Cell,
  now: number,
  settings: DetectorSettings,
  context: ConfidenceContext = {},
): ConfidenceReading {
  const { storeRate, peers, location } = context;
  const level = Math.min(1, Math.max(0, context.demandLevel ?? 1));
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
  const evidence = WorldState.unexplainedDays(cell, now, location);
  // The current run starts at the last sale or count, or when an empty record was restocked.
  const lastLook = Math.max(cell.lastSaleAt, cell.countAt, cell.stockedSince);
  const currentRun =
    Number.isFinite(lastLook) && sellable > 0
      ? location
        ? tradingDaysBetween(location, lastLook, now)
        : Math.max(0, (now - lastLook) / DAY)
      : 0;
  const zeroRunDays = Math.max(evidence.days, currentRun);
  // A day without a sale, taken conservatively: the larger of the negative-binomial zero
  // probability at the usual rate and an upper (90%) bound of the share of such days seen.
  const zeros = rate.days - Math.round(rate.saleDayShare * (rate.days + 2) - 1);
  const a = zeros + 1;
  const b = rate.days - zeros + 1;
  const betaMean = a / (a + b);
  const betaSd = Math.sqrt((a * b) / ((a + b) ** 2 * (a + b + 1)));
  const k = settings.demand_dispersion;
  // At a demand level below usual, a Poisson day is empty with probability q0^level; a
  // negative binomial one less often than that, so the power is the safe side.
  const q0 = Math.min(
    0.999,
    Math.max(
      (1 + rate.dailyUnits / k) ** -k,
      betaMean + 1.28 * betaSd,
      peers ? peerZeroShare(peers, cell, now, settings.history_days) : 0,
    ) ** level,
  );
  const shortPicked = sellable > 0 && pickPending(cell);
  const pickMiss = pickMissRate(settings, storeRate);
  const base = {
    prior,
    dailyLossRate: lambda,
    zeroSaleDay: q0,
    zeroRunDays,
    historyDays: rate.days,
    expectedDailyUnits: rate.dailyUnits * level,
    expectedSaleDays: (1 - (1 - rate.saleDayShare) ** level) * zeroRunDays,
    daysSinceCount,
    shortPicked,
    pickMiss,
    overstatementBound: Number.isFinite(evidence.bound) ? evidence.bound : sellable,
  };
  if (cell.onHand < 0) return { ...base, confidence: 0, emptyProbability: 0 };
  if (sellable <= 0 || rate.days < settings.phantom_min_history_days) {
    return { ...base, confidence: 1 - prior, emptyProbability: 0 };
  }
  const likelihood = q0 ** zeroRunDays * (shortPicked ? pickMiss : 1);
  const empty = prior / (prior + (1 - prior) * likelihood);
  return { ...base, confidence: 1 - empty, emptyProbability: empty };
}

/**
 * Units per purchase of a record selling `dailyUnits` a day on `saleDayShare` of its
 * days (at least 1): a Poisson count of purchases shows a sale day with probability
 * 1 - exp(-rate), so the share of sale days gives the purchase rate, and the units the
 * lump. Day-to-day swings in traffic make it read a little high, the safe side. A record
 * selling on most days cannot tell (the share saturates): 1.
 */
export function lumpOf(dailyUnits: number, saleDayShare: number): number {
  if (!(saleDayShare > 0) || saleDayShare >= LUMP_MAX_SALE_DAY_SHARE) return 1;
  return Math.max(1, dailyUnits / -Math.log(1 - saleDayShare));
}

const LUMP_MAX_SALE_DAY_SHARE = 0.8;

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

/**
 * The share of days without a sale of the same SKU at the other stores over their last
 * `window` days: an intermittent item is intermittent everywhere, and a short history of
 * its own should not make a silence look stranger than that.
 */
export function peerZeroShare(peers: Cell[], cell: Cell, now: number, window: number): number {
  // Every store record of the SKU is read once per hour and window; each cell then takes
  // its own days back out (the sweep asks for every record of the SKU in turn).
  const key = `${Math.floor(now / HOUR)}:${window}`;
  let tally = peerTallies.get(peers);
  if (tally?.key !== key) {
    tally = { key, days: 0, zeros: 0, own: new Map() };
    for (const peer of peers) {
      if (peer.loc.kind !== 'store') continue;
      const today = localDay(now, peer.loc);
      const n = peer.saleLines.daysBefore(today, window);
      if (n < 7) continue;
      let zeros = 0;
      for (let d = today - n; d < today; d++) if (peer.saleLines.on(d) <= 0) zeros += 1;
      tally.days += n;
      tally.zeros += zeros;
      tally.own.set(peer, [n, zeros]);
    }
    peerTallies.set(peers, tally);
  }
  const [ownDays, ownZeros] = tally.own.get(cell) ?? [0, 0];
  const days = tally.days - ownDays;
  return days >= 14 ? (tally.zeros - ownZeros) / days : 0;
}

const HOUR = 3_600_000;
const peerTallies = new WeakMap<
  Cell[],
  { key: string; days: number; zeros: number; own: Map<Cell, [number, number]> }
>();
