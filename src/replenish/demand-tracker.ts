/**
 * Daily demand per cell (location x SKU), learned as sales are recorded, for replenishment
 * that has to decide every day over tens of thousands of cells.
 *
 * A cell's rate is its group's level (location x category, exponentially smoothed with a
 * damped trend: a season's ramp is seen within days) times the cell's share of the group
 * (smoothed slowly: shares are stable, single days are noisy), times the location's weekday
 * profile. Sales a promotion lifted are divided by its announced uplift before they teach
 * the model, and a cell that ended the day with nothing on the shelf does not teach its
 * share (its sales were censored by the stock-out). Dispersion is pooled: one negative
 * binomial size per location kind, by the method of moments on the one-day-ahead errors.
 */
export interface DemandTrackerOptions {
  /** Smoothing of group levels (default 0.2). */
  levelAlpha?: number;
  /** Smoothing of the group trend (default 0.05) and its damping per day (default 0.9). */
  trendBeta?: number;
  damping?: number;
  /** Smoothing of shares within a group (default 0.03). */
  shareAlpha?: number;
  /** Smoothing of the weekday profile (default 0.05). */
  weekdayAlpha?: number;
}

export interface DemandTrackerShape {
  locations: number;
  skus: number;
  /** Category of each SKU. */
  category: Int32Array;
  categories: number;
  /** Kind of each location (for pooling dispersion): 0 = store-like, 1 = DC. */
  kind: Uint8Array;
  /** Prior daily rate per cell (e.g. last season's average), before any sale is seen. */
  prior: Float64Array;
}

export class DemandTracker {
  private readonly level: Float64Array;
  private readonly trend: Float64Array;
  private readonly shareCell: Float64Array;
  private readonly shareGroup: Float64Array;
  private readonly weekday: Float64Array;
  /** Method-of-moments sums per location kind: sum mu^2, sum ((x - mu)^2 - mu). */
  private readonly dispersionSums = [
    [0, 0],
    [0, 0],
  ];
  private readonly groupSales: Float64Array;
  /** Per SKU, over stores: smoothed units and count of days with a sale. */
  private readonly saleDayUnits: Float64Array;
  private readonly saleDays: Float64Array;
  private readonly alpha: number;
  private readonly beta: number;
  private readonly phi: number;
  private readonly shareAlpha: number;
  private readonly weekdayAlpha: number;

  constructor(
    readonly shape: DemandTrackerShape,
    options: DemandTrackerOptions = {},
  ) {
    const { locations, skus, categories, category, prior } = shape;
    this.alpha = options.levelAlpha ?? 0.2;
    this.beta = options.trendBeta ?? 0.05;
    this.phi = options.damping ?? 0.9;
    this.shareAlpha = options.shareAlpha ?? 0.03;
    this.weekdayAlpha = options.weekdayAlpha ?? 0.05;
    this.level = new Float64Array(locations * categories);
    this.trend = new Float64Array(locations * categories);
    this.shareCell = new Float64Array(locations * skus);
    this.shareGroup = new Float64Array(locations * categories);
    this.groupSales = new Float64Array(locations * categories);
    this.weekday = new Float64Array(locations * 7).fill(1);
    this.saleDayUnits = new Float64Array(skus);
    this.saleDays = new Float64Array(skus);
    for (let l = 0; l < locations; l++) {
      for (let s = 0; s < skus; s++) {
        const rate = prior[l * skus + s]!;
        const g = l * categories + category[s]!;
        this.level[g] = this.level[g]! + rate;
        this.shareCell[l * skus + s] = rate;
        this.shareGroup[g] = this.shareGroup[g]! + rate;
      }
    }
  }

  /** Expected demand of a cell on a day `ahead` days from the last observed one. */
  rate(location: number, sku: number, weekday: number, ahead = 1): number {
    const { skus, categories, category } = this.shape;
    const g = location * categories + category[sku]!;
    const group = this.shareGroup[g]!;
    if (group <= 0) return 0;
    // phi + phi^2 + ... + phi^ahead
    const damped = this.phi === 1 ? ahead : (this.phi * (1 - this.phi ** ahead)) / (1 - this.phi);
    const level = Math.max(0, this.level[g]! + damped * this.trend[g]!);
    return (level * this.shareCell[location * skus + sku]! * this.weekday[location * 7 + weekday]!) / group;
  }

  /**
   * Units on a store day with a sale of this SKU, on average: for lumpy items (one customer
   * takes several) the shelf must hold at least this to serve a sale whole.
   */
  saleSize(sku: number): number {
    return this.saleDays[sku]! > 0 ? this.saleDayUnits[sku]! / this.saleDays[sku]! : 1;
  }

  /** Negative binomial size of one day's demand at a location of this kind (Infinity = Poisson). */
  dispersion(kind: number): number {
    const [num, den] = this.dispersionSums[kind]!;
    if (den! <= 0 || num! <= 0) return 3;
    return Math.min(1e6, Math.max(0.3, num! / den!));
  }

  /**
   * One day's recorded sales. `lift(l, s)` is the announced uplift of a promotion running
   * that day (1 when none); `censored(l, s)` tells a cell that ended the day with an empty
   * shelf.
   */
  observe(
    weekday: number,
    sold: Int32Array,
    lift: (location: number, sku: number) => number,
    censored: (location: number, sku: number) => boolean,
  ): void {
    const { locations, skus, categories, category, kind } = this.shape;
    this.groupSales.fill(0);
    // Each cell's uplift and censoring, asked once a day: both are looked up, not stored.
    const lifts = new Float64Array(skus);
    const empty = new Uint8Array(skus);
    for (let l = 0; l < locations; l++) {
      let total = 0;
      let expected = 0;
      const sums = this.dispersionSums[kind[l]!]!;
      for (let s = 0; s < skus; s++) {
        lifts[s] = lift(l, s);
        empty[s] = censored(l, s) ? 1 : 0;
      }
      for (let s = 0; s < skus; s++) {
        const c = l * skus + s;
        const x = sold[c]! / lifts[s]!;
        const mu = this.rate(l, s, weekday, 1) * lifts[s]!;
        if (mu > 0) {
          sums[0]! += mu * mu;
          sums[1]! += (sold[c]! - mu) ** 2 - mu;
        }
        this.groupSales[l * categories + category[s]!] = this.groupSales[l * categories + category[s]!]! + x;
        total += x;
        expected += mu / lifts[s]!;
      }
      // Weekday profile: today's total against what the level alone expected.
      const w = l * 7 + weekday;
      if (expected > 0) {
        const base = expected / this.weekday[w]!;
        const ratio = Math.min(3, Math.max(0.2, total / base));
        this.weekday[w] = this.weekday[w]! + this.weekdayAlpha * (ratio - this.weekday[w]!);
        // Keep the profile's mean at 1, so it does not absorb the level.
        let mean = 0;
        for (let d = 0; d < 7; d++) mean += this.weekday[l * 7 + d]!;
        mean /= 7;
        for (let d = 0; d < 7; d++) this.weekday[l * 7 + d] = this.weekday[l * 7 + d]! / mean;
      }
      for (let g = l * categories; g < (l + 1) * categories; g++) {
        const observed = this.groupSales[g]! / this.weekday[w]!;
        const previous = this.level[g]!;
        const predicted = previous + this.phi * this.trend[g]!;
        const next = predicted + this.alpha * (observed - predicted);
        this.trend[g] = this.phi * this.trend[g]! + this.beta * (next - predicted);
        this.level[g] = Math.max(0, next);
      }
      for (let s = 0; s < skus; s++) {
        const c = l * skus + s;
        if (kind[l] === 0 && sold[c]! > 0) {
          // A day that emptied the shelf only says the customer wanted at least that much:
          // it counts half again, so the estimate climbs until the shelf holds a whole sale
          // and days stop ending empty (then the true size is seen).
          const size = (sold[c]! / lifts[s]!) * (empty[s] ? 1.5 : 1);
          this.saleDayUnits[s] = this.saleDayUnits[s]! * 0.99 + size;
          this.saleDays[s] = this.saleDays[s]! * 0.99 + 1;
        }
        if (empty[s]) continue;
        this.shareCell[c] =
          this.shareCell[c]! + this.shareAlpha * (sold[c]! / lifts[s]! - this.shareCell[c]!);
      }
      // The group's share denominator is the sum of its cells' shares.
      this.shareGroup.fill(0, l * categories, (l + 1) * categories);
      for (let s = 0; s < skus; s++) {
        const g = l * categories + category[s]!;
        this.shareGroup[g] = this.shareGroup[g]! + this.shareCell[l * skus + s]!;
      }
    }
  }
}
