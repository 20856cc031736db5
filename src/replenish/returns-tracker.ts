import { fitReturns, type ReturnsGroup } from '../forecast/index.ts';

/**
 * Sellable returns a store can count on, learned in the closed loop from what the systems
 * record: each day's sales, returns received and units inspection put back to sale per cell.
 * Per category (stores pooled) the distributed-lag model of src/forecast/returns.ts is refitted
 * every week; the lag is fitted from the daily counts (the planner's view carries no sale
 * references). A cell's expected units back to sale on a coming day are its category's share
 * x delay convolved with its returns: those already received (recorded, still in inspection)
 * and those still to come from its recent sales (rate x lag).
 */
export interface ReturnsTrackerShape {
  locations: number;
  skus: number;
  /** Category of each SKU. */
  category: Int32Array;
  categories: number;
  /** Locations whose customers return goods (stores). */
  stores: readonly number[];
}

export interface ReturnsTrackerOptions {
  /** Longest sale-to-return lag modelled (default 14 days). */
  maxLag?: number;
  /** Longest return-to-resale delay modelled (default 7 days). */
  maxDelay?: number;
  /** Days of history before the first fit (default 28) and between refits (default 7). */
  warmUpDays?: number;
  refitDays?: number;
}

export class ReturnsTracker {
  private readonly maxLag: number;
  private readonly maxDelay: number;
  private readonly warmUp: number;
  private readonly refit: number;
  private readonly span: number;
  /** Ring buffers per cell, `span` days deep: units sold and returned. */
  private readonly sold: Int32Array;
  private readonly returned: Int32Array;
  /** Per category and day, stores pooled: the series the model is fitted on. */
  private readonly history: { sales: number[]; returns: number[]; restocked: number[] }[];
  private readonly isStore: Uint8Array;
  private groups: (ReturnsGroup | undefined)[] = [];
  private lastDay = -1;
  private lastFit = Number.NEGATIVE_INFINITY;

  constructor(
    readonly shape: ReturnsTrackerShape,
    options: ReturnsTrackerOptions = {},
  ) {
    this.maxLag = options.maxLag ?? 14;
    this.maxDelay = options.maxDelay ?? 7;
    this.warmUp = options.warmUpDays ?? 28;
    this.refit = options.refitDays ?? 7;
    this.span = this.maxLag + this.maxDelay + 1;
    const cells = shape.locations * shape.skus;
    this.sold = new Int32Array(cells * this.span);
    this.returned = new Int32Array(cells * this.span);
    this.history = Array.from({ length: shape.categories }, () => ({
      sales: [],
      returns: [],
      restocked: [],
    }));
    this.isStore = new Uint8Array(shape.locations);
    for (const s of shape.stores) this.isStore[s] = 1;
  }

  /** True once a model is fitted: before that no return is counted on. */
  get ready(): boolean {
    return this.groups.length > 0;
  }

  /** The fitted parameters of a category (undefined before the first fit). */
  group(category: number): ReturnsGroup | undefined {
    return this.groups[category];
  }

  /** One day's recorded sales, returns and restocks per cell (location x SKU). */
  observe(day: number, sold: Int32Array, returned: Int32Array, restocked: Int32Array): void {
    const { skus, category, categories } = this.shape;
    const slot = day % this.span;
    const totals = {
      sales: new Float64Array(categories),
      returns: new Float64Array(categories),
      restocked: new Float64Array(categories),
    };
    for (const store of this.shape.stores)
      for (let s = 0; s < skus; s++) {
        const c = store * skus + s;
        this.sold[c * this.span + slot] = sold[c]!;
        this.returned[c * this.span + slot] = returned[c]!;
        const g = category[s]!;
        totals.sales[g]! += sold[c]!;
        totals.returns[g]! += returned[c]!;
        totals.restocked[g]! += restocked[c]!;
      }
    for (let g = 0; g < categories; g++) {
      this.history[g]!.sales.push(totals.sales[g]!);
      this.history[g]!.returns.push(totals.returns[g]!);
      this.history[g]!.restocked.push(totals.restocked[g]!);
    }
    this.lastDay = day;
    const days = this.history[0]?.sales.length ?? 0;
    if (days >= this.warmUp && day - this.lastFit >= this.refit) {
      this.lastFit = day;
      const model = fitReturns(
        {
          series: this.history.map((h, g) => ({
            category: String(g),
            channel: 'store',
            sales: h.sales,
            returns: h.returns,
            restocked: h.restocked,
          })),
        },
        { maxLag: Math.min(this.maxLag, days - 14), maxDelay: this.maxDelay },
      );
      this.groups = Array.from({ length: categories }, (_, g) =>
        model.groups.find((x) => x.category === String(g)),
      );
    }
  }

  /**
   * Expected units back to sale in a cell on each of the next `days` days (index 0 = tomorrow),
   * given expected sales on the days after today (`salesAhead(h)`, h = 1..days).
   */
  sellableAhead(
    location: number,
    sku: number,
    days: number,
    salesAhead: (h: number) => number,
  ): Float64Array {
    const out = new Float64Array(days);
    const group = this.groups[this.shape.category[sku]!];
    if (!group || !this.isStore[location] || group.rate <= 0 || group.sellableShare <= 0) return out;
    const c = location * this.shape.skus + sku;
    const today = this.lastDay;
    const soldOn = (u: number) =>
      u > today
        ? salesAhead(u - today)
        : u > today - this.span && u >= 0
          ? this.sold[c * this.span + (u % this.span)]!
          : 0;
    // Returns expected on days after today, from sales made and still to come.
    const futureReturns = new Float64Array(days + 1);
    for (let h = 1; h <= days; h++) {
      let mu = 0;
      for (let k = 0; k < group.lag.length; k++) mu += group.lag[k]! * soldOn(today + h - k);
      futureReturns[h] = group.rate * mu;
    }
    const returnedOn = (u: number) =>
      u > today
        ? futureReturns[u - today]!
        : u > today - this.span && u >= 0
          ? this.returned[c * this.span + (u % this.span)]!
          : 0;
    for (let h = 1; h <= days; h++) {
      let units = 0;
      for (let j = 0; j < group.delay.length; j++) units += group.delay[j]! * returnedOn(today + h - j);
      out[h - 1] = group.sellableShare * units;
    }
    return out;
  }
}
