/**
 * Item segmentation for inventory policy: ABC by annual value, XYZ by the predictability of
 * weekly demand, velocity by the Syntetos-Boylan demand classes and the selling rate,
 * lifecycle from the first and last sale and the recent trend, and a margin band. The ABC x
 * XYZ cell chooses a cycle service level and a review period from a configurable table.
 *
 * Day numbers are whole days on any fixed calendar (for example days since 1970-01-01).
 * `dailySales[i]` is the units sold on day `today - dailySales.length + i`: the history ends
 * yesterday, the last complete day.
 */
import { classifyDemand } from '../forecast/index.ts';
import { checkNumber } from './validate.ts';

export type AbcClass = 'A' | 'B' | 'C';
export type XyzClass = 'X' | 'Y' | 'Z';
export type Velocity = 'fast' | 'medium' | 'slow' | 'intermittent';
export type Lifecycle = 'new' | 'growing' | 'mature' | 'declining' | 'end_of_life';
export type MarginBand = 'high' | 'medium' | 'low';
export type Segment = `${AbcClass}${XyzClass}`;

export interface SegmentItem {
  id: string;
  /** Units expected to sell in a year (or sold in the last year). */
  annualUnits: number;
  unitCost: number;
  /** Selling price minus unit cost; may be negative. */
  unitMargin: number;
  /** Units sold per day, oldest first, ending the day before `today`. */
  dailySales: readonly number[];
  /** Day of the first sale ever; when absent, the first day with a sale in `dailySales`. */
  firstSaleDay?: number;
  /** Day of the most recent sale; when absent, the last day with a sale in `dailySales`. */
  lastSaleDay?: number;
  today: number;
}

export interface SegmentPolicy {
  /** Cycle service level for the reorder point (0 < level < 1). */
  serviceLevel: number;
  /** Days between reviews of the item's replenishment. */
  reviewDays: number;
}

export interface SegmentationOptions {
  /** Cumulative shares of annual value that close classes A and B. */
  abcCuts?: { a: number; b: number };
  /** Weekly coefficients of variation below which an item is X, and Y. */
  xyzCuts?: { x: number; y: number };
  /** Full weeks of history needed to measure the weekly CV; with fewer the item is Z. */
  minWeeks?: number;
  /** Mean units per day (while selling on most days) from which an item is fast, and medium. */
  velocityCuts?: { fast: number; medium: number };
  /** Days after the first sale during which an item is new. */
  newItemDays?: number;
  /** Length of the recent and the earlier window the trend compares, days. */
  trendDays?: number;
  /** Recent / earlier ratio from which an item is growing, and up to which it is declining. */
  trendCuts?: { growing: number; declining: number };
  /** Units over both trend windows below which no trend is read (too few to tell). */
  minTrendUnits?: number;
  /** Days without a sale after which an item is at end of life. */
  endOfLifeDays?: number;
  /** Service level and review period per ABC x XYZ cell; cells given replace the defaults. */
  table?: Partial<Record<Segment, SegmentPolicy>>;
  /** The ladder a service level moves along when raised or lowered one step, ascending. */
  serviceLevelSteps?: readonly number[];
}

export interface SegmentMeasures {
  /** annualUnits x unitCost. */
  annualValue: number;
  /** Share of the total annual value held by items ranked above this one. */
  valueShareBefore: number;
  /** Coefficient of variation of weekly units; NaN with fewer than `minWeeks` full weeks. */
  weeklyCv: number;
  /** Syntetos-Boylan average inter-demand interval of the daily history (days per sale day). */
  adi: number;
  /** Squared coefficient of variation of the non-zero daily sales. */
  cv2: number;
  /** Mean units per day since the first sale (within the history). */
  unitsPerDay: number;
  /** today - first sale day; NaN when no sale is known. */
  ageDays: number;
  /** today - last sale day; a lower bound when no sale is known. */
  daysSinceLastSale: number;
  /** Units in the recent trend window over units in the earlier one; NaN when not read. */
  trendRatio: number;
  /** unitMargin / (unitCost + unitMargin), 0 when the price is not positive. */
  marginRate: number;
}

export interface ItemSegment {
  id: string;
  abc: AbcClass;
  xyz: XyzClass;
  velocity: Velocity;
  lifecycle: Lifecycle;
  marginBand: MarginBand;
  segment: Segment;
  serviceLevel: number;
  reviewDays: number;
  measures: SegmentMeasures;
}

/**
 * Defaults. Service levels fall from AX to CZ: an A item's stock-out loses the most sales,
 * and a Z item's safety stock buys the least service per unit held. A items are reviewed
 * daily, B every 3 days, C weekly.
 */
export const DEFAULT_SEGMENT_TABLE: Readonly<Record<Segment, SegmentPolicy>> = {
  AX: { serviceLevel: 0.98, reviewDays: 1 },
  AY: { serviceLevel: 0.97, reviewDays: 1 },
  AZ: { serviceLevel: 0.95, reviewDays: 1 },
  BX: { serviceLevel: 0.97, reviewDays: 3 },
  BY: { serviceLevel: 0.95, reviewDays: 3 },
  BZ: { serviceLevel: 0.92, reviewDays: 3 },
  CX: { serviceLevel: 0.92, reviewDays: 7 },
  CY: { serviceLevel: 0.9, reviewDays: 7 },
  CZ: { serviceLevel: 0.85, reviewDays: 7 },
};

export const DEFAULT_SEGMENTATION: Readonly<Required<Omit<SegmentationOptions, 'table'>>> = {
  abcCuts: { a: 0.8, b: 0.95 },
  xyzCuts: { x: 0.5, y: 1 },
  minWeeks: 4,
  velocityCuts: { fast: 5, medium: 2 },
  newItemDays: 56,
  trendDays: 28,
  trendCuts: { growing: 1.2, declining: 0.8 },
  minTrendUnits: 10,
  endOfLifeDays: 42,
  serviceLevelSteps: [0.8, 0.85, 0.9, 0.92, 0.95, 0.97, 0.98, 0.99, 0.995],
};

const SEGMENTS = Object.keys(DEFAULT_SEGMENT_TABLE) as Segment[];

/**
 * Segments a set of items. ABC and the margin band are relative to the set; the other
 * classes are per item. Results are in the input order.
 */
export function segmentItems(
  items: readonly SegmentItem[],
  options: SegmentationOptions = {},
): ItemSegment[] {
  const o = resolveOptions(options);
  const seen = new Set<string>();
  items.forEach((item, i) => {
    validateItem(item, i);
    if (seen.has(item.id)) throw new RangeError(`items[${i}].id must be unique, got ${item.id} twice`);
    seen.add(item.id);
  });

  const abc = abcClasses(items, o.abcCuts);
  const margins = items.map(marginRate);
  const bands = marginBands(margins);

  return items.map((item, i) => {
    const history = historySinceFirstSale(item);
    const weeklyCv = weeklyCoefficientOfVariation(history, o.minWeeks);
    const xyz: XyzClass =
      Number.isNaN(weeklyCv) || weeklyCv >= o.xyzCuts.y ? 'Z' : weeklyCv >= o.xyzCuts.x ? 'Y' : 'X';
    const profile = classifyDemand(history);
    const units = history.reduce((a, b) => a + b, 0);
    const unitsPerDay = history.length > 0 ? units / history.length : 0;
    const intermittent = profile.class === 'intermittent' || profile.class === 'lumpy';
    const velocity: Velocity = intermittent
      ? 'intermittent'
      : unitsPerDay >= o.velocityCuts.fast
        ? 'fast'
        : unitsPerDay >= o.velocityCuts.medium
          ? 'medium'
          : 'slow';
    const life = lifecycle(item, o);
    const segment: Segment = `${abc[i]!.abc}${xyz}`;
    const cell = o.table[segment];
    const marginBand = bands[i]!;
    // End of life wins over a high margin: buying protection for an item being run down
    // is what the lower level is there to prevent.
    const serviceLevel =
      life.lifecycle === 'end_of_life'
        ? stepServiceLevel(cell.serviceLevel, -1, o.serviceLevelSteps)
        : marginBand === 'high'
          ? stepServiceLevel(cell.serviceLevel, 1, o.serviceLevelSteps)
          : cell.serviceLevel;
    return {
      id: item.id,
      abc: abc[i]!.abc,
      xyz,
      velocity,
      lifecycle: life.lifecycle,
      marginBand,
      segment,
      serviceLevel,
      reviewDays: cell.reviewDays,
      measures: {
        annualValue: abc[i]!.value,
        valueShareBefore: abc[i]!.shareBefore,
        weeklyCv,
        adi: profile.adi,
        cv2: profile.cv2,
        unitsPerDay,
        ageDays: life.ageDays,
        daysSinceLastSale: life.daysSinceLastSale,
        trendRatio: life.trendRatio,
        marginRate: margins[i]!,
      },
    };
  });
}

/**
 * The next rung up (or down) the ladder from a level: the smallest rung above it, or the
 * largest below it. A level already at the end of the ladder stays where it is.
 */
export function stepServiceLevel(level: number, direction: 1 | -1, steps: readonly number[]): number {
  if (direction > 0) return steps.find((s) => s > level) ?? level;
  return steps.findLast((s) => s < level) ?? level;
}

type Resolved = Required<SegmentationOptions> & { table: Record<Segment, SegmentPolicy> };

function resolveOptions(options: SegmentationOptions): Resolved {
  const o = { ...DEFAULT_SEGMENTATION, ...options, table: { ...DEFAULT_SEGMENT_TABLE, ...options.table } };
  const fraction = { min: 0, minExclusive: true, max: 1 };
  checkNumber('abcCuts.a', o.abcCuts.a, fraction);
  checkNumber('abcCuts.b', o.abcCuts.b, { min: o.abcCuts.a, max: 1 });
  checkNumber('xyzCuts.x', o.xyzCuts.x, { min: 0, minExclusive: true });
  checkNumber('xyzCuts.y', o.xyzCuts.y, { min: o.xyzCuts.x });
  checkNumber('minWeeks', o.minWeeks, { min: 2, integer: true });
  checkNumber('velocityCuts.medium', o.velocityCuts.medium, { min: 0 });
  checkNumber('velocityCuts.fast', o.velocityCuts.fast, { min: o.velocityCuts.medium });
  checkNumber('newItemDays', o.newItemDays, { min: 0 });
  checkNumber('trendDays', o.trendDays, { min: 1, integer: true });
  checkNumber('trendCuts.declining', o.trendCuts.declining, { min: 0 });
  checkNumber('trendCuts.growing', o.trendCuts.growing, { min: o.trendCuts.declining });
  checkNumber('minTrendUnits', o.minTrendUnits, { min: 0 });
  checkNumber('endOfLifeDays', o.endOfLifeDays, { min: 0 });
  o.serviceLevelSteps.forEach((s, i) => {
    checkNumber(`serviceLevelSteps[${i}]`, s, {
      min: i > 0 ? o.serviceLevelSteps[i - 1]! : 0,
      minExclusive: true,
      max: 1,
      maxExclusive: true,
    });
  });
  for (const segment of SEGMENTS) {
    const cell = o.table[segment];
    checkNumber(`table.${segment}.serviceLevel`, cell.serviceLevel, {
      min: 0,
      minExclusive: true,
      max: 1,
      maxExclusive: true,
    });
    checkNumber(`table.${segment}.reviewDays`, cell.reviewDays, { min: 0 });
  }
  return o;
}

function validateItem(item: SegmentItem, i: number): void {
  const at = `items[${i}]`;
  if (typeof item.id !== 'string' || item.id === '') {
    throw new RangeError(`${at}.id must be a non-empty string, got ${String(item.id)}`);
  }
  checkNumber(`${at}.annualUnits`, item.annualUnits, { min: 0 });
  checkNumber(`${at}.unitCost`, item.unitCost, { min: 0 });
  checkNumber(`${at}.unitMargin`, item.unitMargin);
  const today = checkNumber(`${at}.today`, item.today, { integer: true });
  item.dailySales.forEach((v, d) => {
    checkNumber(`${at}.dailySales[${d}]`, v, { min: 0 });
  });
  if (item.firstSaleDay !== undefined) {
    checkNumber(`${at}.firstSaleDay`, item.firstSaleDay, { integer: true, max: today });
  }
  if (item.lastSaleDay !== undefined) {
    checkNumber(`${at}.lastSaleDay`, item.lastSaleDay, {
      integer: true,
      min: item.firstSaleDay ?? Number.NEGATIVE_INFINITY,
      max: today,
    });
  }
}

/**
 * ABC: items ranked by annual value (annual units x unit cost), ties by id. An item is A
 * while the items ranked above it hold less than the A cut of the total (so the item that
 * crosses 80% is still A: a single item holding 90% of the value is A, not B), B while they
 * hold less than the B cut, C after. With no value at all every item is C.
 */
function abcClasses(
  items: readonly SegmentItem[],
  cuts: { a: number; b: number },
): { abc: AbcClass; value: number; shareBefore: number }[] {
  const values = items.map((item) => item.annualUnits * item.unitCost);
  const total = values.reduce((a, b) => a + b, 0);
  const order = items.map((_, i) => i).sort((x, y) => values[y]! - values[x]! || compareIds(items, x, y));
  const out = new Array<{ abc: AbcClass; value: number; shareBefore: number }>(items.length);
  let before = 0;
  for (const i of order) {
    const value = values[i]!;
    const shareBefore = total > 0 ? before / total : 1;
    const abc: AbcClass =
      value > 0 && shareBefore < cuts.a ? 'A' : value > 0 && shareBefore < cuts.b ? 'B' : 'C';
    out[i] = { abc, value, shareBefore };
    before += value;
  }
  return out;
}

function compareIds(items: readonly SegmentItem[], x: number, y: number): number {
  const a = items[x]!.id;
  const b = items[y]!.id;
  return a < b ? -1 : a > b ? 1 : 0;
}

function marginRate(item: SegmentItem): number {
  const price = item.unitCost + item.unitMargin;
  return price > 0 ? item.unitMargin / price : 0;
}

/**
 * Terciles by mid-rank: an item's position is (items below it + half the items tied with it)
 * / n, low under 1/3, high over 2/3. Ties share a band, and a set of equal margins is all
 * medium. Integer arithmetic keeps the thirds exact.
 */
function marginBands(rates: readonly number[]): MarginBand[] {
  const n = rates.length;
  return rates.map((r) => {
    let below = 0;
    let tied = 0;
    for (const other of rates) {
      if (other < r) below++;
      else if (other === r) tied++;
    }
    const twiceRank = 2 * below + tied; // position x 2n
    if (3 * twiceRank < 2 * n) return 'low';
    if (3 * twiceRank > 4 * n) return 'high';
    return 'medium';
  });
}

/** The daily history from the first sale on: leading days before the item sold are not demand. */
function historySinceFirstSale(item: SegmentItem): readonly number[] {
  const sales = item.dailySales;
  const firstDay = item.today - sales.length;
  if (item.firstSaleDay !== undefined) return sales.slice(Math.max(0, item.firstSaleDay - firstDay));
  const first = sales.findIndex((v) => v > 0);
  return first < 0 ? [] : sales.slice(first);
}

/**
 * Coefficient of variation (sample standard deviation / mean) of weekly totals over the
 * full weeks at the end of the history. Summing to weeks removes the weekday pattern, the
 * seasonality a short history shows; a partial oldest week is dropped. NaN with fewer than
 * `minWeeks` weeks, Infinity with no sales.
 */
function weeklyCoefficientOfVariation(history: readonly number[], minWeeks: number): number {
  const weeks = Math.floor(history.length / 7);
  if (weeks < minWeeks) return Number.NaN;
  const start = history.length - weeks * 7;
  const totals: number[] = [];
  for (let w = 0; w < weeks; w++) {
    let s = 0;
    for (let d = 0; d < 7; d++) s += history[start + w * 7 + d]!;
    totals.push(s);
  }
  const mean = totals.reduce((a, b) => a + b, 0) / weeks;
  if (mean <= 0) return Number.POSITIVE_INFINITY;
  const variance = totals.reduce((a, t) => a + (t - mean) ** 2, 0) / (weeks - 1);
  return Math.sqrt(variance) / mean;
}

/**
 * In order: end of life when the last sale is more than `endOfLifeDays` ago (with no sale
 * known, the whole history counts as days without one); new when no sale is known or the
 * first sale is less than `newItemDays` ago; otherwise the units of the last `trendDays`
 * against the `trendDays` before decide growing, declining or mature. The trend is read
 * only when both windows lie after the first sale and hold `minTrendUnits` between them.
 */
function lifecycle(
  item: SegmentItem,
  o: Resolved,
): { lifecycle: Lifecycle; ageDays: number; daysSinceLastSale: number; trendRatio: number } {
  const sales = item.dailySales;
  const firstDay = item.today - sales.length;
  const firstIndex = sales.findIndex((v) => v > 0);
  const lastIndex = sales.findLastIndex((v) => v > 0);
  const firstSale = item.firstSaleDay ?? (firstIndex >= 0 ? firstDay + firstIndex : undefined);
  const lastSale = item.lastSaleDay ?? (lastIndex >= 0 ? firstDay + lastIndex : undefined);
  const daysSinceLastSale = lastSale !== undefined ? item.today - lastSale : sales.length + 1;
  const ageDays = firstSale !== undefined ? item.today - firstSale : Number.NaN;
  const result = (lifecycle: Lifecycle, trendRatio = Number.NaN) => ({
    lifecycle,
    ageDays,
    daysSinceLastSale,
    trendRatio,
  });

  if (daysSinceLastSale > o.endOfLifeDays) return result('end_of_life');
  if (firstSale === undefined || ageDays < o.newItemDays) return result('new');
  const window = o.trendDays;
  const earlierStart = sales.length - 2 * window;
  if (earlierStart < 0 || firstDay + earlierStart < firstSale) return result('mature');
  let recent = 0;
  let earlier = 0;
  for (let d = 0; d < window; d++) {
    earlier += sales[earlierStart + d]!;
    recent += sales[earlierStart + window + d]!;
  }
  if (recent + earlier < o.minTrendUnits) return result('mature');
  const ratio = earlier > 0 ? recent / earlier : Number.POSITIVE_INFINITY;
  if (ratio >= o.trendCuts.growing) return result('growing', ratio);
  if (ratio <= o.trendCuts.declining) return result('declining', ratio);
  return result('mature', ratio);
}
