import { InvexError } from '../core/errors.ts';
import { autoForecast, type BatchRunner, runInline, type SeriesInput } from './auto.ts';
import { negativeBinomialQuantile } from './distribution.ts';

/**
 * Customer returns as a distributed lag of sales (docs/forecasting.md, "Returns"):
 *
 *   returns(t)  = rate x sum_k lag(k) x sales(t - k)
 *   sellable(t) = share x sum_j delay(j) x returns(t - j)
 *
 * `rate` is returns per unit sold, `lag` the distribution of days from sale to return,
 * `share` the part inspection puts back to sale and `delay` the days from return to that
 * disposition. Each is estimated per category x channel and shrunk towards the channel's
 * all-category estimate, so a category with few returns borrows the others' shape.
 */
export interface ReturnsSeries {
  category: string;
  channel: string;
  /** Set for a per-location series: its rate is shrunk towards its category x channel's. */
  location?: string;
  /** Units sold per day, oldest first; day 0 is the first element, the last is the day before the origin. */
  sales: ArrayLike<number>;
  /** Units returned per day (received, awaiting inspection), the same days. */
  returns: ArrayLike<number>;
  /** Units inspection put back to sale per day, the same days (fits the disposition when no evidence names the return). */
  restocked?: ArrayLike<number>;
}

/** A return that names its sale: `lagDays` from the sale (on day `saleDay` of the series) to the return. */
export interface ReturnLagEvidence {
  category: string;
  channel: string;
  saleDay: number;
  lagDays: number;
  qty?: number;
}

/** An inspection of a return received on `returnDay`, `delayDays` later: back to sale or not. */
export interface DispositionEvidence {
  category: string;
  channel: string;
  returnDay: number;
  delayDays: number;
  sellable: boolean;
  qty?: number;
}

export interface ReturnsHistory {
  series: ReturnsSeries[];
  /** Returns that name their sale; without them the lag is fitted from the daily series. */
  lags?: ReturnLagEvidence[];
  /** Inspections that name their return; without them the disposition is fitted from `restocked`. */
  dispositions?: DispositionEvidence[];
}

export interface ReturnsFitOptions {
  /** Longest sale-to-return lag modelled, in days (default 28; trimmed to the longest seen when returns name their sale). */
  maxLag?: number;
  /** Longest return-to-disposition delay modelled, in days (default 14; trimmed likewise). */
  maxDelay?: number;
  /** Pseudo-returns pulling a category's lag and delay distributions towards its channel's (default 30). */
  shapeStrength?: number;
  /** Pseudo-inspections pulling a category's sellable share towards its channel's (default 20). */
  shareStrength?: number;
  /**
   * Pseudo-units of sales pulling a category's rate towards its channel's. Default: estimated
   * from the spread of the categories' rates (Marshall 1991), so categories that truly differ
   * keep their own rate and only sparse ones are pulled in.
   */
  rateStrength?: number;
}

export type ShapeSource = 'matched' | 'fitted' | 'none';

/** The fitted parameters of one category x channel (or of a channel's all-category pool). */
export interface ReturnsGroup {
  category: string;
  channel: string;
  /** Returns per unit sold. */
  rate: number;
  /** P(return k days after the sale), k = 0..maxLag. */
  lag: Float64Array;
  /** Share of returns inspection puts back to sale. */
  sellableShare: number;
  /** P(back to sale j days after the return), j = 0..maxDelay. */
  delay: Float64Array;
  /** Negative binomial size of daily returns around the model's mean (Infinity = Poisson). */
  dispersion: number;
  /** Units sold, units returned and lag-weighted sales (the exposure) over the fitting days. */
  sales: number;
  returns: number;
  exposure: number;
  lagSource: ShapeSource;
  dispositionSource: ShapeSource;
}

export interface ReturnsModel {
  /** History length in days the model was fitted on; forecasts start the day after. */
  days: number;
  maxLag: number;
  maxDelay: number;
  /** First day whose returns are fully explained by sales in the history (= maxLag). */
  start: number;
  /** Per channel, all categories pooled: the parent of each category x channel. */
  channels: ReturnsGroup[];
  groups: ReturnsGroup[];
  /** Rate per category x channel x location, for series that name a location. */
  locationRates: Map<string, number>;
}

const ALL = '*';
const key = (category: string, channel: string, location?: string) =>
  location === undefined ? `${category}\u0000${channel}` : `${category}\u0000${channel}\u0000${location}`;

function invalid(message: string, details: Record<string, unknown> = {}): InvexError {
  return new InvexError('invalid_input', 'request_invalid', message, details);
}

function checkSeries(values: ArrayLike<number>, what: string, id: string, length: number): void {
  if (values.length !== length)
    throw invalid(`returns series ${id}: ${what} has ${values.length} days, sales has ${length}`, {
      series: id,
    });
  for (let t = 0; t < values.length; t++) {
    const v = values[t]!;
    if (!Number.isFinite(v) || v < 0)
      throw invalid(`returns series ${id}: ${what}[${t}] is ${v}; expected a finite count >= 0`, {
        series: id,
        day: t,
      });
  }
}

function wholeOption(value: number | undefined, fallback: number, name: string, min: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min)
    throw invalid(`returns option ${name} is ${value}; expected a whole number >= ${min}`);
  return v;
}

function strengthOption(value: number | undefined, fallback: number | undefined, name: string) {
  const v = value ?? fallback;
  if (v !== undefined && !(Number.isFinite(v) && v >= 0))
    throw invalid(`returns option ${name} is ${value}; expected a finite number >= 0`);
  return v;
}

const seriesId = (s: ReturnsSeries) => `${s.category}/${s.channel}${s.location ? `/${s.location}` : ''}`;

/** sum_k pmf(k) x[t - k] over the lags with t - k inside x (before day 0 counts nothing). */
function convolveAt(x: ArrayLike<number>, pmf: ArrayLike<number>, t: number): number {
  let s = 0;
  const top = Math.min(pmf.length - 1, t);
  for (let k = 0; k <= top; k++) s += pmf[k]! * x[t - k]!;
  return s;
}

/**
 * Non-negative coefficients b[0..maxLag] of y(t) ~ Poisson(sum_k b[k] x(t - k)), t = start..n-1,
 * shared by every pair: the maximum likelihood by EM (the multiplicative update of Shepp and
 * Vardi 1982 and Richardson-Lucy deconvolution). Started flat (or from `init`'s shape), a few
 * hundred iterations keep the profile smooth where the data cannot tell lags apart.
 */
export function fitDistributedLag(
  pairs: readonly { x: ArrayLike<number>; y: ArrayLike<number> }[],
  maxLag: number,
  start: number,
  options: { init?: ArrayLike<number>; iterations?: number } = {},
): Float64Array {
  const width = maxLag + 1;
  let totalY = 0;
  const denominator = new Float64Array(width);
  for (const { x, y } of pairs)
    for (let t = start; t < y.length; t++) {
      totalY += y[t]!;
      for (let k = 0; k < width && k <= t; k++) denominator[k]! += x[t - k]!;
    }
  const b = new Float64Array(width);
  let exposure = 0;
  for (let k = 0; k < width; k++) exposure += denominator[k]!;
  if (totalY <= 0 || exposure <= 0) return b;
  const init = options.init;
  let initMass = 0;
  if (init) for (let k = 0; k < width; k++) initMass += init[k] ?? 0;
  for (let k = 0; k < width; k++) {
    // b[k] x sum of x is the expected total; start where it matches the observed total.
    const shape = init && initMass > 0 ? (init[k] ?? 0) / initMass : 1 / width;
    b[k] = (shape * totalY * width) / exposure;
  }
  const numerator = new Float64Array(width);
  const iterations = options.iterations ?? 300;
  for (let it = 0; it < iterations; it++) {
    numerator.fill(0);
    for (const { x, y } of pairs)
      for (let t = start; t < y.length; t++) {
        if (y[t]! <= 0) continue;
        const mu = convolveAt(x, b, t);
        if (mu <= 0) continue;
        const ratio = y[t]! / mu;
        for (let k = 0; k < width && k <= t; k++) numerator[k]! += x[t - k]! * ratio;
      }
    for (let k = 0; k < width; k++)
      b[k] = denominator[k]! > 0 ? (b[k]! * numerator[k]!) / denominator[k]! : 0;
  }
  return b;
}

/** A distribution from counts, pulled towards `parent` with `strength` pseudo-counts. */
function shrinkPmf(counts: Float64Array, parent: Float64Array | null, strength: number): Float64Array {
  let n = 0;
  for (const c of counts) n += c;
  const out = new Float64Array(counts.length);
  const a = parent ? strength : 0;
  if (n + a <= 0) return out;
  for (let k = 0; k < counts.length; k++) out[k] = (counts[k]! + a * (parent?.[k] ?? 0)) / (n + a);
  return out;
}

function normalise(b: Float64Array): Float64Array {
  let s = 0;
  for (const v of b) s += v;
  return s > 0 ? b.map((v) => v / s) : b;
}

/**
 * Empirical Bayes rates for groups sharing a parent (Marshall 1991, "Mapping disease and
 * mortality rates using empirical Bayes estimators"): the between-group variance of the raw
 * rates, less what Poisson noise alone would give, sets how far each is pulled towards the
 * pooled rate. `strength` (pseudo-exposure) replaces the estimate when given.
 */
export function shrinkRates(
  groups: readonly { returns: number; exposure: number }[],
  strength?: number,
): { pooled: number; rates: number[] } {
  let y = 0;
  let x = 0;
  for (const g of groups) {
    y += g.returns;
    x += g.exposure;
  }
  const pooled = x > 0 ? y / x : 0;
  if (strength !== undefined)
    return {
      pooled,
      rates: groups.map((g) =>
        g.exposure + strength > 0 ? (g.returns + strength * pooled) / (g.exposure + strength) : 0,
      ),
    };
  const live = groups.filter((g) => g.exposure > 0);
  let spread = 0;
  for (const g of live) spread += g.exposure * (g.returns / g.exposure - pooled) ** 2;
  const between = live.length > 1 && x > 0 ? spread / x - pooled / (x / live.length) : 0;
  return {
    pooled,
    rates: groups.map((g) => {
      if (g.exposure <= 0) return pooled;
      const own = g.returns / g.exposure;
      if (between <= 0) return pooled;
      const weight = between / (between + pooled / g.exposure);
      return pooled + weight * (own - pooled);
    }),
  };
}

interface GroupData {
  category: string;
  channel: string;
  series: ReturnsSeries[];
  sales: Float64Array;
  returns: Float64Array;
  restocked: Float64Array | null;
}

function aggregate(list: ReturnsSeries[], n: number, category: string, channel: string): GroupData {
  const sales = new Float64Array(n);
  const returns = new Float64Array(n);
  const withRestocks = list.every((s) => s.restocked !== undefined);
  const restocked = withRestocks ? new Float64Array(n) : null;
  for (const s of list)
    for (let t = 0; t < n; t++) {
      sales[t]! += s.sales[t]!;
      returns[t]! += s.returns[t]!;
      if (restocked) restocked[t]! += s.restocked![t]!;
    }
  return { category, channel, series: list, sales, returns, restocked };
}

/** Lag (or delay) counts from evidence whose follow-up is complete by the end of the history. */
function evidenceCounts<T>(
  list: readonly T[],
  width: number,
  days: (e: T) => number,
  lag: (e: T) => number,
  qty: (e: T) => number,
  n: number,
): Float64Array {
  const counts = new Float64Array(width);
  for (const e of list) {
    const l = lag(e);
    // A recent sale's late returns have not come yet: only sales followed for the whole span count.
    if (l < width && days(e) + width - 1 < n) counts[l]! += qty(e);
  }
  return counts;
}

function checkEvidenceDays(value: number, what: string, index: number): void {
  if (!Number.isInteger(value) || value < 0)
    throw invalid(`returns evidence ${index}: ${what} is ${value}; expected a whole number of days >= 0`, {
      index,
    });
}

/**
 * Fits rates, lag and disposition distributions per category x channel (and rates per
 * location when the series name one) from daily history and, where the data has them,
 * returns that name their sale and inspections that name their return. All series cover
 * the same days.
 */
export function fitReturns(history: ReturnsHistory, options: ReturnsFitOptions = {}): ReturnsModel {
  const { series } = history;
  if (series.length === 0) throw invalid('fitReturns needs at least one series of sales and returns');
  const n = series[0]!.sales.length;
  for (const s of series) {
    const id = seriesId(s);
    checkSeries(s.sales, 'sales', id, n);
    checkSeries(s.returns, 'returns', id, n);
    if (s.restocked) checkSeries(s.restocked, 'restocked', id, n);
  }
  const lagEvidence = history.lags ?? [];
  const dispositionEvidence = history.dispositions ?? [];
  lagEvidence.forEach((e, i) => {
    checkEvidenceDays(e.saleDay, 'saleDay', i);
    checkEvidenceDays(e.lagDays, 'lagDays', i);
  });
  dispositionEvidence.forEach((e, i) => {
    checkEvidenceDays(e.returnDay, 'returnDay', i);
    checkEvidenceDays(e.delayDays, 'delayDays', i);
  });
  const qty = (e: { qty?: number }) => e.qty ?? 1;
  // The longest lag: as configured, or the longest a complete follow-up shows.
  let maxLag = wholeOption(options.maxLag, 28, 'maxLag', 0);
  let maxDelay = wholeOption(options.maxDelay, 14, 'maxDelay', 0);
  if (lagEvidence.length > 0)
    maxLag = Math.min(
      maxLag,
      lagEvidence.reduce((m, e) => Math.max(m, e.lagDays), 0),
    );
  if (dispositionEvidence.length > 0)
    maxDelay = Math.min(
      maxDelay,
      dispositionEvidence.reduce((m, e) => Math.max(m, e.delayDays), 0),
    );
  const start = maxLag;
  if (n < start + 7)
    throw invalid(
      `returns history of ${n} days is too short for lags up to ${maxLag} days: it needs at least ${start + 7}`,
      { days: n, maxLag },
    );
  const shapeStrength = strengthOption(options.shapeStrength, 30, 'shapeStrength')!;
  const shareStrength = strengthOption(options.shareStrength, 20, 'shareStrength')!;
  const rateStrength = strengthOption(options.rateStrength, undefined, 'rateStrength');

  const byGroup = new Map<string, ReturnsSeries[]>();
  for (const s of series) {
    const list = byGroup.get(key(s.category, s.channel)) ?? [];
    list.push(s);
    byGroup.set(key(s.category, s.channel), list);
  }
  const groupsData = [...byGroup.values()].map((list) =>
    aggregate(list, n, list[0]!.category, list[0]!.channel),
  );
  const channelNames = [...new Set(groupsData.map((g) => g.channel))];

  const channels: ReturnsGroup[] = [];
  const groups: ReturnsGroup[] = [];
  const locationRates = new Map<string, number>();
  for (const channel of channelNames) {
    const members = groupsData.filter((g) => g.channel === channel);
    const parentData = aggregate(
      members.flatMap((g) => g.series),
      n,
      ALL,
      channel,
    );
    const inChannel = <T extends { channel: string }>(list: readonly T[]) =>
      list.filter((e) => e.channel === channel);
    const lagsHere = inChannel(lagEvidence);
    const dispHere = inChannel(dispositionEvidence);
    const sellableHere = dispHere.filter((e) => e.sellable);

    // Lag distributions: counted from returns that name their sale, else fitted to the series.
    const lagSource: ShapeSource = lagsHere.length > 0 ? 'matched' : 'fitted';
    const lagCounts = (list: readonly ReturnLagEvidence[]) =>
      evidenceCounts(
        list,
        maxLag + 1,
        (e) => e.saleDay,
        (e) => e.lagDays,
        qty,
        n,
      );
    const fittedLag = (data: GroupData, init?: Float64Array) =>
      fitDistributedLag(
        data.series.map((s) => ({ x: s.sales, y: s.returns })),
        maxLag,
        start,
        init ? { init } : {},
      );
    const parentLag =
      lagSource === 'matched' ? normalise(lagCounts(lagsHere)) : normalise(fittedLag(parentData));
    // A channel with no returns at all: any shape will do (its rate is 0); a flat one.
    if (!parentLag.some((p) => p > 0)) parentLag.fill(1 / (maxLag + 1));
    const lagOf = (g: GroupData): Float64Array => {
      if (lagSource === 'matched')
        return shrinkPmf(
          lagCounts(lagsHere.filter((e) => e.category === g.category)),
          parentLag,
          shapeStrength,
        );
      // The fitted profile's weight is the returns it was fitted on.
      const own = fittedLag(g, parentLag);
      let mass = 0;
      for (let t = start; t < n; t++) mass += g.returns[t]!;
      return shrinkPmf(
        normalise(own).map((p) => p * mass),
        parentLag,
        shapeStrength,
      );
    };

    // Dispositions: the sellable share and the delay to resale.
    const dispositionSource: ShapeSource =
      dispHere.length > 0 ? 'matched' : parentData.restocked ? 'fitted' : 'none';
    const delayCounts = (list: readonly DispositionEvidence[]) =>
      evidenceCounts(
        list,
        maxDelay + 1,
        (e) => e.returnDay,
        (e) => e.delayDays,
        qty,
        n,
      );
    const shareCounts = (list: readonly DispositionEvidence[]) => {
      let sellable = 0;
      let all = 0;
      for (const e of list) {
        all += qty(e);
        if (e.sellable) sellable += qty(e);
      }
      return { sellable, all };
    };
    const fittedDisposition = (data: GroupData, init?: Float64Array) =>
      fitDistributedLag(
        data.series.map((s) => ({ x: s.returns, y: s.restocked! })),
        maxDelay,
        maxDelay,
        init ? { init } : {},
      );
    let parentShare = 1;
    let parentDelay: Float64Array = new Float64Array(maxDelay + 1);
    parentDelay[0] = 1;
    if (dispositionSource === 'matched') {
      const c = shareCounts(dispHere);
      parentShare = c.all > 0 ? c.sellable / c.all : 1;
      parentDelay = normalise(delayCounts(sellableHere));
    } else if (dispositionSource === 'fitted') {
      const parentFitted = fittedDisposition(parentData);
      parentShare = Math.min(
        1,
        parentFitted.reduce((a, b) => a + b, 0),
      );
      parentDelay = normalise(parentFitted.slice());
    }
    const dispositionOf = (g: GroupData): { share: number; delay: Float64Array } => {
      if (dispositionSource === 'matched') {
        const mine = dispHere.filter((e) => e.category === g.category);
        const c = shareCounts(mine);
        return {
          share: (c.sellable + shareStrength * parentShare) / (c.all + shareStrength),
          delay: shrinkPmf(delayCounts(mine.filter((e) => e.sellable)), parentDelay, shapeStrength),
        };
      }
      if (dispositionSource === 'fitted') {
        const own = fittedDisposition(g, parentDelay);
        let returned = 0;
        for (let t = maxDelay; t < n; t++) returned += g.returns[t]!;
        const share = own.reduce((a, b) => a + b, 0);
        const delayMass = normalise(own.slice()).map((p) => p * returned * Math.min(1, share));
        return {
          share: Math.min(1, (share * returned + shareStrength * parentShare) / (returned + shareStrength)),
          delay: shrinkPmf(delayMass, parentDelay, shapeStrength),
        };
      }
      return { share: parentShare, delay: parentDelay };
    };

    // Rates: returns over lag-weighted sales, shrunk towards the channel's.
    const lags = members.map(lagOf);
    const evidence = members.map((g, i) => exposureOf(g.sales, g.returns, lags[i]!, start));
    const { pooled, rates } = shrinkRates(evidence, rateStrength);
    const parentEvidence = exposureOf(parentData.sales, parentData.returns, parentLag, start);
    const parentGroup: ReturnsGroup = {
      category: ALL,
      channel,
      rate: pooled,
      lag: parentLag,
      sellableShare: parentShare,
      delay: parentDelay,
      dispersion: Number.POSITIVE_INFINITY,
      sales: parentEvidence.sales,
      returns: parentEvidence.returns,
      exposure: parentEvidence.exposure,
      lagSource,
      dispositionSource,
    };
    const fitted = members.map((g, i): ReturnsGroup => {
      const d = dispositionOf(g);
      return {
        category: g.category,
        channel,
        rate: rates[i]!,
        lag: lags[i]!,
        sellableShare: d.share,
        delay: d.delay,
        dispersion: Number.POSITIVE_INFINITY,
        ...evidence[i]!,
        lagSource,
        dispositionSource,
      };
    });
    // Per-location rates, shrunk towards their category x channel's.
    members.forEach((g, i) => {
      const located = g.series.filter((s) => s.location !== undefined);
      if (located.length === 0) return;
      const own = located.map((s) => exposureOf(s.sales, s.returns, fitted[i]!.lag, start));
      const shrunk = shrinkRates(own, rateStrength);
      // Centred on the group's (shrunk) rate, not the locations' raw pool.
      const scale = shrunk.pooled > 0 ? fitted[i]!.rate / shrunk.pooled : 0;
      located.forEach((s, j) => {
        locationRates.set(
          key(s.category, s.channel, s.location),
          shrunk.pooled > 0 ? shrunk.rates[j]! * scale : fitted[i]!.rate,
        );
      });
    });
    // Dispersion of daily returns about the fitted mean, by the method of moments.
    const allResiduals = { excess: 0, squares: 0 };
    members.forEach((g, i) => {
      const sums = { excess: 0, squares: 0 };
      for (const s of g.series) {
        const rate = locationRates.get(key(s.category, s.channel, s.location)) ?? fitted[i]!.rate;
        for (let t = start; t < n; t++) {
          const mu = rate * convolveAt(s.sales, fitted[i]!.lag, t);
          sums.excess += (s.returns[t]! - mu) ** 2 - mu;
          sums.squares += mu * mu;
        }
      }
      allResiduals.excess += sums.excess;
      allResiduals.squares += sums.squares;
      fitted[i]!.dispersion = sizeFrom(sums);
    });
    parentGroup.dispersion = sizeFrom(allResiduals);
    channels.push(parentGroup);
    groups.push(...fitted);
  }
  return { days: n, maxLag, maxDelay, start, channels, groups, locationRates };
}

function sizeFrom(sums: { excess: number; squares: number }): number {
  return sums.excess > 0 && sums.squares > 0 ? sums.squares / sums.excess : Number.POSITIVE_INFINITY;
}

function exposureOf(
  sales: ArrayLike<number>,
  returns: ArrayLike<number>,
  lag: ArrayLike<number>,
  start: number,
): { sales: number; returns: number; exposure: number } {
  let sold = 0;
  let returned = 0;
  let exposure = 0;
  for (let t = start; t < returns.length; t++) {
    sold += sales[t]!;
    returned += returns[t]!;
    exposure += convolveAt(sales, lag, t);
  }
  return { sales: sold, returns: returned, exposure };
}

/** The parameters a series forecasts with: its category x channel's, else its channel's pool. */
export function returnsGroupOf(model: ReturnsModel, category: string, channel: string): ReturnsGroup {
  const group = model.groups.find((g) => g.category === category && g.channel === channel);
  if (group) return group;
  const parent = model.channels.find((g) => g.channel === channel);
  if (parent) return parent;
  throw invalid(
    `no returns history for channel ${channel} (the model knows ${model.channels.map((c) => c.channel).join(', ')})`,
    { channel },
  );
}

export interface ReturnsForecastInput extends ReturnsSeries {
  /** Expected sales per future day over the horizon; default the mean of the last 28 days. */
  futureSales?: ArrayLike<number>;
}

export interface ReturnsForecastOptions {
  horizon: number;
  /** Quantile levels (default 0.1, 0.5, 0.9). */
  quantiles?: readonly number[];
}

export interface ReturnsForecast {
  category: string;
  channel: string;
  location?: string;
  /** Expected units returned per future day. */
  returns: Float64Array;
  /** Expected units back to sale per future day (after inspection). */
  sellable: Float64Array;
  quantiles: { level: number; values: Float64Array }[];
  sellableQuantiles: { level: number; values: Float64Array }[];
}

function checkForecastOptions(options: ReturnsForecastOptions): number[] {
  if (!Number.isInteger(options.horizon) || options.horizon < 1)
    throw invalid(`returns forecast horizon is ${options.horizon}; expected a whole number of days >= 1`);
  const levels = [...(options.quantiles ?? [0.1, 0.5, 0.9])];
  for (const level of levels)
    if (!(level > 0 && level < 1)) throw invalid(`quantile level ${level} is outside (0, 1)`);
  return levels;
}

/**
 * Expected returns and sellable units back per future day for each series, from its own
 * history at the origin (the day after its last) and its expected sales: observed sales feed
 * the first lags, forecast sales the rest; returns already received but not yet inspected
 * feed the sellable forecast through the disposition delay.
 */
export function forecastReturns(
  model: ReturnsModel,
  series: readonly ReturnsForecastInput[],
  options: ReturnsForecastOptions,
): ReturnsForecast[] {
  const levels = checkForecastOptions(options);
  const h = options.horizon;
  return series.map((s) => {
    const id = seriesId(s);
    const n = s.sales.length;
    checkSeries(s.sales, 'sales', id, n);
    checkSeries(s.returns, 'returns', id, n);
    const group = returnsGroupOf(model, s.category, s.channel);
    const rate = model.locationRates.get(key(s.category, s.channel, s.location)) ?? group.rate;
    let future: ArrayLike<number>;
    if (s.futureSales) {
      if (s.futureSales.length < h)
        throw invalid(`returns series ${id}: futureSales has ${s.futureSales.length} days, the horizon ${h}`);
      checkSeries(Array.prototype.slice.call(s.futureSales, 0, h) as number[], 'futureSales', id, h);
      future = s.futureSales;
    } else {
      const window = Math.min(28, n);
      let sum = 0;
      for (let t = n - window; t < n; t++) sum += s.sales[t]!;
      future = new Float64Array(h).fill(window > 0 ? sum / window : 0);
    }
    const sales = new Float64Array(n + h);
    sales.set(Array.from(s.sales));
    for (let j = 0; j < h; j++) sales[n + j] = future[j]!;
    const returns = new Float64Array(n + h);
    returns.set(Array.from(s.returns));
    const expected = new Float64Array(h);
    for (let j = 0; j < h; j++) {
      expected[j] = rate * convolveAt(sales, group.lag, n + j);
      returns[n + j] = expected[j]!;
    }
    const sellable = new Float64Array(h);
    for (let j = 0; j < h; j++) sellable[j] = group.sellableShare * convolveAt(returns, group.delay, n + j);
    const quantilesOf = (mean: Float64Array) =>
      levels.map((level) => ({
        level,
        values: mean.map((mu) => negativeBinomialQuantile(level, mu, group.dispersion)),
      }));
    return {
      category: s.category,
      channel: s.channel,
      ...(s.location !== undefined ? { location: s.location } : {}),
      returns: expected,
      sellable,
      quantiles: quantilesOf(expected),
      sellableQuantiles: quantilesOf(sellable),
    };
  });
}

/**
 * The plain time-series alternative: the automatic selection (ETS, intermittent methods,
 * seasonal level, benchmarks; period 7) applied to each daily return series on its own.
 */
export async function forecastReturnSeries(
  series: readonly ReturnsSeries[],
  options: ReturnsForecastOptions & { runner?: BatchRunner },
): Promise<{ returns: Float64Array; quantiles: { level: number; values: Float64Array }[] }[]> {
  const levels = checkForecastOptions(options);
  const inputs: SeriesInput[] = series.map((s, i) => ({ id: String(i), y: s.returns, group: s.channel }));
  const result = await autoForecast(
    inputs,
    { horizon: options.horizon, period: 7, quantiles: levels },
    options.runner ?? runInline,
  );
  return result.forecasts.map((f) => ({ returns: f.mean, quantiles: f.quantiles }));
}

export interface SellableProjectionInput {
  /** Sellable units on hand at the end of today. */
  onHand: number;
  /**
   * Units returned and awaiting inspection: a total (ages unknown: spread as a steady flow
   * would leave them), or units by days since their return (index 0 = returned today).
   */
  pendingInspection: number | ArrayLike<number>;
  /** Expected demand per future day (day 1 first). */
  demand: ArrayLike<number>;
  /** Expected new returns per future day, awaiting inspection when they arrive. */
  returns: ArrayLike<number>;
  /** Replenishment arriving per future day, before the day's trading (default none). */
  inbound?: ArrayLike<number>;
  /** Share of inspected returns put back to sale, and P(back to sale j days after the return). */
  disposition: { sellableShare: number; delay: ArrayLike<number> };
}

export interface SellableProjection {
  /** Expected sellable units at the end of each future day. */
  sellable: Float64Array;
  /** Units inspection puts back to sale each day (they serve demand from the next day). */
  restocked: Float64Array;
  /** Demand the shelf cannot meet each day. */
  short: Float64Array;
}

/**
 * Projects sellable stock day by day over the horizon of `demand`: arrivals first, then the
 * day's demand (what the shelf lacks is short), then the returns inspection puts back to sale
 * that day, which serve demand from the next (inspection finishes after trading, as in the
 * twin). A deterministic projection of expected flows: the stock-out risk around it is the
 * reorder point's business.
 */
export function projectSellable(input: SellableProjectionInput): SellableProjection {
  const h = input.demand.length;
  const { sellableShare, delay } = input.disposition;
  const nonNegative = (v: number, what: string) => {
    if (!Number.isFinite(v) || v < 0)
      throw invalid(`projectSellable: ${what} is ${v}; expected a finite number >= 0`);
  };
  nonNegative(input.onHand, 'onHand');
  if (!(sellableShare >= 0 && sellableShare <= 1))
    throw invalid(`projectSellable: sellableShare is ${sellableShare}; expected a share from 0 to 1`);
  let delayMass = 0;
  for (let j = 0; j < delay.length; j++) {
    nonNegative(delay[j]!, `delay[${j}]`);
    delayMass += delay[j]!;
  }
  if (Math.abs(delayMass - 1) > 1e-6)
    throw invalid(`projectSellable: the delay distribution sums to ${delayMass}; expected 1`);
  const arrays: [ArrayLike<number> | undefined, string][] = [
    [input.demand, 'demand'],
    [input.returns, 'returns'],
    [input.inbound, 'inbound'],
  ];
  for (const [values, what] of arrays) {
    if (!values) continue;
    if (values !== input.demand && values.length < h)
      throw invalid(`projectSellable: ${what} has ${values.length} days, demand ${h}`);
    for (let j = 0; j < h; j++) nonNegative(values[j]!, `${what}[${j}]`);
  }
  // P(D >= d) for the delay D.
  const atLeast = (d: number) => {
    let s = 0;
    for (let j = Math.max(0, d); j < delay.length; j++) s += delay[j]!;
    return s;
  };
  const restocked = new Float64Array(h);
  const pending = input.pendingInspection;
  if (typeof pending === 'number') {
    nonNegative(pending, 'pendingInspection');
    // In a steady flow, units pending at the end of a day are inspected h days later with
    // probability P(D >= h) / E[D] (the forward recurrence time).
    let meanDelay = 0;
    for (let j = 1; j < delay.length; j++) meanDelay += j * delay[j]!;
    for (let d = 1; d <= h; d++)
      restocked[d - 1]! +=
        sellableShare * pending * (meanDelay > 0 ? atLeast(d) / meanDelay : d === 1 ? 1 : 0);
  } else {
    for (let age = 0; age < pending.length; age++) {
      const units = pending[age]!;
      nonNegative(units, `pendingInspection[${age}]`);
      if (units === 0) continue;
      // Returned `age` days ago and still waiting: its delay is at least age + 1.
      const waiting = atLeast(age + 1);
      for (let d = 1; d <= h; d++) {
        const p = waiting > 0 ? (delay[age + d] ?? 0) / waiting : d === 1 ? 1 : 0;
        restocked[d - 1]! += sellableShare * units * p;
      }
    }
  }
  // Returns still to come, back to sale after their delay (the same day when it is 0).
  for (let r = 1; r <= h; r++) {
    const units = input.returns[r - 1]!;
    for (let d = r; d <= h; d++) restocked[d - 1]! += sellableShare * units * (delay[d - r] ?? 0);
  }
  const sellable = new Float64Array(h);
  const short = new Float64Array(h);
  let stock = input.onHand;
  for (let d = 0; d < h; d++) {
    const available = stock + (input.inbound?.[d] ?? 0);
    const demand = input.demand[d]!;
    short[d] = Math.max(0, demand - available);
    stock = Math.max(0, available - demand) + restocked[d]!;
    sellable[d] = stock;
  }
  return { sellable, restocked, short };
}
