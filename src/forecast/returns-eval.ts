import { InvexError } from '../core/errors.ts';
import { buildNetwork, type Scenario, twinEvents } from '../twin/index.ts';
import { autoForecast, type BatchRunner, runInline } from './auto.ts';
import { AccuracyTotals } from './metrics.ts';
import {
  type DispositionEvidence,
  fitReturns,
  forecastReturnSeries,
  forecastReturns,
  type ReturnLagEvidence,
  type ReturnsModel,
  type ReturnsSeries,
} from './returns.ts';

/**
 * `invex eval returns`: a twin scenario's event stream, cut 28 days before its end; each
 * model is fitted on the days before the cut and forecasts the returns of the last 28, per
 * category x channel x location, scored against the returns the twin then sent. The twin's
 * own return process (a category's rate per sale line, returned 1 to 10 days later, 80%
 * back to sale 1 to 3 days after that) applied to the sales that actually happened is the
 * floor: what no forecast of returns can beat.
 */
export const RETURNS_METHODS = [
  'time_series',
  'lag_model',
  'lag_model_fitted_profile',
  'lag_model_known_sales',
  'true_rate',
] as const;
export type ReturnsMethod = (typeof RETURNS_METHODS)[number];

export interface ReturnsAccuracy {
  forecast: number;
  wape: number | null;
  bias: number | null;
}

export interface ReturnsEvalReport {
  scenario: string;
  seed: number;
  days: number;
  horizon: number;
  origin: string;
  /** Fitted parameters per category x channel next to the twin's. */
  fit: {
    category: string;
    channel: string;
    sales: number;
    returns: number;
    rate: number;
    true_rate: number | null;
    mean_lag_days: number;
    sellable_share: number;
    mean_delay_days: number;
    dispersion: number | null;
  }[];
  /** Per category x channel over the test days: actual returns and each method's accuracy. */
  rows: {
    category: string;
    channel: string;
    actual: number;
    methods: Record<ReturnsMethod, ReturnsAccuracy>;
  }[];
  /** All category x channel series pooled (daily errors per category x channel). */
  overall: Record<ReturnsMethod, ReturnsAccuracy>;
  /** Daily errors per category x channel x location, pooled. */
  locations: Record<ReturnsMethod, ReturnsAccuracy>;
  /** Share of location-days whose returns fell in the 10%-90% interval. */
  interval_coverage: { time_series: number | null; lag_model: number | null };
  /** Units back to sale after inspection, per category x channel, pooled. */
  sellable: { actual: number } & Record<Exclude<ReturnsMethod, 'time_series'>, ReturnsAccuracy>;
  seconds: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The twin's return process (src/twin/world.ts): lags and delays are drawn evenly. */
const TWIN_LAG = { from: 1, to: 10 };
const TWIN_DELAY = { from: 1, to: 3 };
const TWIN_SELLABLE = 0.8;

interface Cell {
  category: string;
  channel: string;
  location: string;
  sales: Float64Array;
  returns: Float64Array;
  restocked: Float64Array;
  /** Sale lines (events): the twin returns at most one unit per line. */
  lines: Float64Array;
  returnRate: number;
}

function accuracy(totals: AccuracyTotals, forecast: number): ReturnsAccuracy {
  return {
    forecast,
    wape: totals.actual > 0 ? totals.wape : null,
    bias: totals.actual > 0 ? totals.bias : null,
  };
}

const sum = (a: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
};

export async function evaluateReturns(
  scenario: Scenario,
  seed: number,
  options: { horizon?: number; runner?: BatchRunner } = {},
): Promise<ReturnsEvalReport> {
  const started = performance.now();
  const horizon = options.horizon ?? 28;
  const days = scenario.days;
  const origin = days - horizon;
  if (!Number.isInteger(horizon) || horizon < 1 || origin < 28)
    throw new InvexError(
      'invalid_input',
      'request_invalid',
      `scenario ${scenario.name} has ${days} days: a ${horizon}-day test needs at least ${horizon + 28}`,
    );
  const runner = options.runner ?? runInline;
  const net = buildNetwork(scenario, seed);
  const skuCategory = new Map(net.skus.map((s) => [s.sku, net.categories[s.category]!]));
  const locations = new Map(net.locations.map((l) => [l.location, l]));
  const startMs = Date.parse(`${scenario.start}T00:00:00Z`);

  // 1. The event stream, bucketed by the location's local day.
  const cells = new Map<string, Cell>();
  const seen = new Set<string>();
  const sales = new Map<string, { day: number; cell: Cell }>();
  const returned = new Map<string, { day: number; cell: Cell }>();
  const lagEvidence: ReturnLagEvidence[] = [];
  const dispositionEvidence: DispositionEvidence[] = [];
  const saleLines: { cell: Cell; day: number; qty: number }[] = [];
  const cellOf = (event: Record<string, unknown>, channel: string): Cell | undefined => {
    const category = skuCategory.get(event.sku as string);
    const location = event.location as string;
    if (!category || !locations.has(location)) return undefined;
    const id = `${category.category}|${channel}|${location}`;
    let cell = cells.get(id);
    if (!cell) {
      cell = {
        category: category.category,
        channel,
        location,
        sales: new Float64Array(days),
        returns: new Float64Array(days),
        restocked: new Float64Array(days),
        lines: new Float64Array(days),
        returnRate: channel === 'store' ? category.returnRate : 0,
      };
      cells.set(id, cell);
    }
    return cell;
  };
  const dayOf = (event: Record<string, unknown>) =>
    Math.floor(
      (Date.parse(event.occurred_at as string) +
        locations.get(event.location as string)!.utcOffset * HOUR -
        startMs) /
        DAY,
    );
  for (const event of twinEvents(scenario, seed)) {
    const id = event.event_id as string;
    // At-least-once delivery: a re-sent event counts once.
    if (seen.has(id)) continue;
    seen.add(id);
    const type = event.type as string;
    if (type !== 'sale' && type !== 'shipment' && type !== 'return' && type !== 'return_disposition')
      continue;
    const day = dayOf(event);
    if (day < 0 || day >= days) continue;
    const ref = (event.ref ?? {}) as Record<string, string>;
    if (type === 'sale' || type === 'shipment') {
      const cell = cellOf(event, (event.channel as string) ?? 'store');
      if (!cell) continue;
      sales.set(id, { day, cell });
      saleLines.push({ cell, day, qty: Number(event.qty) });
      cell.lines[day]! += 1;
    } else if (type === 'return') {
      const sale = sales.get((ref.return_id ?? '').replace(/^RET-/, ''));
      const cell = sale?.cell ?? cellOf(event, 'store');
      if (!cell) continue;
      cell.returns[day]! += Number(event.qty);
      returned.set(ref.return_id ?? id, { day, cell });
      if (sale && day < origin)
        lagEvidence.push({
          category: cell.category,
          channel: cell.channel,
          saleDay: sale.day,
          lagDays: day - sale.day,
          qty: Number(event.qty),
        });
    } else {
      const disposition = event.disposition as string;
      if (disposition === 'disposed') continue;
      const back = returned.get(ref.return_id ?? '');
      if (!back) continue;
      if (disposition === 'sellable') back.cell.restocked[day]! += Number(event.qty);
      if (day < origin)
        dispositionEvidence.push({
          category: back.cell.category,
          channel: back.cell.channel,
          returnDay: back.day,
          delayDays: day - back.day,
          sellable: disposition === 'sellable',
          qty: Number(event.qty),
        });
    }
  }
  // A POS glitch (1000 times the quantity) is a data error the exception engine raises, not
  // sales: a line over 100 times the category's median line is left out.
  const medians = new Map<string, number>();
  for (const category of new Set(saleLines.map((l) => l.cell.category))) {
    const qty = saleLines
      .filter((l) => l.cell.category === category)
      .map((l) => l.qty)
      .sort((a, b) => a - b);
    medians.set(category, qty[Math.floor(qty.length / 2)] ?? 1);
  }
  for (const line of saleLines)
    if (line.qty <= 100 * medians.get(line.cell.category)!) line.cell.sales[line.day]! += line.qty;

  const all = [...cells.values()].sort(
    (a, b) =>
      a.category.localeCompare(b.category) ||
      a.channel.localeCompare(b.channel) ||
      a.location.localeCompare(b.location),
  );
  const cut = (c: Cell): ReturnsSeries => ({
    category: c.category,
    channel: c.channel,
    location: c.location,
    sales: c.sales.subarray(0, origin),
    returns: c.returns.subarray(0, origin),
    restocked: c.restocked.subarray(0, origin),
  });
  // Channels with no return before the cut are forecast zero by every method.
  const returningChannels = new Set(
    all.filter((c) => sum(c.returns.subarray(0, origin)) > 0).map((c) => c.channel),
  );
  const live = all.filter((c) => returningChannels.has(c.channel));

  // 2. The models.
  const matched = fitReturns({ series: all.map(cut), lags: lagEvidence, dispositions: dispositionEvidence });
  // Without the sale references the profile is fitted over 3 weeks of lags (less on a short history).
  const fitted = fitReturns({ series: all.map(cut) }, { maxLag: Math.min(21, origin - 14) });
  const salesForecast = await autoForecast(
    live.map((c, i) => ({ id: String(i), y: c.sales.subarray(0, origin), group: c.location })),
    { horizon, period: 7, quantiles: [] },
    runner,
  );
  const futureOf = new Map(live.map((c, i) => [c, salesForecast.forecasts[i]!.mean]));
  const zeros = new Float64Array(horizon);
  const lagForecast = (model: ReturnsModel, known: boolean) =>
    forecastReturns(
      model,
      all.map((c) => ({
        ...cut(c),
        futureSales: known ? c.sales.subarray(origin) : (futureOf.get(c) ?? zeros),
      })),
      { horizon },
    );
  const lag = lagForecast(matched, false);
  const lagFitted = lagForecast(fitted, false);
  const lagKnown = lagForecast(matched, true);
  const timeSeries = await forecastReturnSeries(live.map(cut), { horizon, runner });
  const timeSeriesOf = new Map(live.map((c, i) => [c, timeSeries[i]!]));
  // The group-level time series: each category x channel's daily returns forecast on their own.
  const groupKeys = [...new Set(all.map((c) => `${c.category}|${c.channel}`))];
  const groupCells = groupKeys.map((k) => all.filter((c) => `${c.category}|${c.channel}` === k));
  const liveGroups = groupCells.filter((g) => returningChannels.has(g[0]!.channel));
  const groupTimeSeries = await forecastReturnSeries(
    liveGroups.map((g) => {
      const returns = new Float64Array(origin);
      for (const c of g) for (let t = 0; t < origin; t++) returns[t]! += c.returns[t]!;
      return { category: g[0]!.category, channel: g[0]!.channel, sales: returns, returns };
    }),
    { horizon, runner },
  );
  const groupTimeSeriesOf = new Map(liveGroups.map((g, i) => [g, groupTimeSeries[i]!.returns]));

  // The twin's own process on the sales that happened: expected returns and restocks.
  const truth = new Map(
    all.map((c) => {
      const expectedReturns = new Float64Array(days);
      const lagDays = TWIN_LAG.to - TWIN_LAG.from + 1;
      for (let t = 0; t < days; t++)
        for (let k = TWIN_LAG.from; k <= TWIN_LAG.to && k <= t; k++)
          expectedReturns[t]! += (c.returnRate * c.lines[t - k]!) / lagDays;
      const restocks = new Float64Array(days);
      const delayDays = TWIN_DELAY.to - TWIN_DELAY.from + 1;
      for (let t = 0; t < days; t++)
        for (let j = TWIN_DELAY.from; j <= TWIN_DELAY.to && j <= t; j++)
          restocks[t]! += (TWIN_SELLABLE * expectedReturns[t - j]!) / delayDays;
      return [c, { returns: expectedReturns.subarray(origin), sellable: restocks.subarray(origin) }];
    }),
  );

  // 3. Scores.
  const byMethod = (c: Cell, i: number): Record<ReturnsMethod, ArrayLike<number>> => ({
    time_series: timeSeriesOf.get(c)?.returns ?? zeros,
    lag_model: lag[i]!.returns,
    lag_model_fitted_profile: lagFitted[i]!.returns,
    lag_model_known_sales: lagKnown[i]!.returns,
    true_rate: truth.get(c)!.returns,
  });
  const sellableByMethod = (
    c: Cell,
    i: number,
  ): Record<Exclude<ReturnsMethod, 'time_series'>, ArrayLike<number>> => ({
    lag_model: lag[i]!.sellable,
    lag_model_fitted_profile: lagFitted[i]!.sellable,
    lag_model_known_sales: lagKnown[i]!.sellable,
    true_rate: truth.get(c)!.sellable,
  });
  const index = new Map(all.map((c, i) => [c, i]));
  const totals = () =>
    Object.fromEntries(RETURNS_METHODS.map((m) => [m, new AccuracyTotals()])) as Record<
      ReturnsMethod,
      AccuracyTotals
    >;
  const overall = totals();
  const atLocations = totals();
  const sellableTotals = totals();
  const coverage = { time_series: new AccuracyTotals(), lag_model: new AccuracyTotals() };
  const rows: ReturnsEvalReport['rows'] = [];
  let sellableActual = 0;
  for (const group of groupCells) {
    const own = totals();
    const sums = Object.fromEntries(RETURNS_METHODS.map((m) => [m, new Float64Array(horizon)])) as Record<
      ReturnsMethod,
      Float64Array
    >;
    const sellableSums = Object.fromEntries(
      RETURNS_METHODS.map((m) => [m, new Float64Array(horizon)]),
    ) as Record<ReturnsMethod, Float64Array>;
    const actual = new Float64Array(horizon);
    const actualSellable = new Float64Array(horizon);
    for (const c of group) {
      const i = index.get(c)!;
      const a = c.returns.subarray(origin);
      const methods = byMethod(c, i);
      for (const m of RETURNS_METHODS) {
        atLocations[m].add(a, methods[m]);
        for (let j = 0; j < horizon; j++) sums[m][j]! += methods[m][j]!;
      }
      const sellable = sellableByMethod(c, i);
      for (const m of Object.keys(sellable) as (keyof typeof sellable)[])
        for (let j = 0; j < horizon; j++) sellableSums[m][j]! += sellable[m][j]!;
      for (let j = 0; j < horizon; j++) {
        actual[j]! += a[j]!;
        actualSellable[j]! += c.restocked[origin + j]!;
      }
      const ts = timeSeriesOf.get(c);
      const low = (q: { level: number; values: Float64Array }[] | undefined) =>
        q?.find((x) => x.level === 0.1)?.values ?? zeros;
      const high = (q: { level: number; values: Float64Array }[] | undefined) =>
        q?.find((x) => x.level === 0.9)?.values ?? zeros;
      coverage.time_series.add(a, methods.time_series, low(ts?.quantiles), high(ts?.quantiles));
      coverage.lag_model.add(a, methods.lag_model, low(lag[i]!.quantiles), high(lag[i]!.quantiles));
    }
    // The group's own time series, not the sum of its locations'.
    sums.time_series = Float64Array.from(groupTimeSeriesOf.get(group) ?? zeros);
    for (const m of RETURNS_METHODS) {
      own[m].add(actual, sums[m]);
      overall[m].add(actual, sums[m]);
      if (m !== 'time_series') sellableTotals[m].add(actualSellable, sellableSums[m]);
    }
    sellableActual += sum(actualSellable);
    rows.push({
      category: group[0]!.category,
      channel: group[0]!.channel,
      actual: sum(actual),
      methods: Object.fromEntries(RETURNS_METHODS.map((m) => [m, accuracy(own[m], sum(sums[m]))])) as Record<
        ReturnsMethod,
        ReturnsAccuracy
      >,
    });
  }
  const report = (t: Record<ReturnsMethod, AccuracyTotals>) =>
    Object.fromEntries(RETURNS_METHODS.map((m) => [m, accuracy(t[m], t[m].actual + t[m].error)])) as Record<
      ReturnsMethod,
      ReturnsAccuracy
    >;
  const { time_series: _ts, ...sellable } = report(sellableTotals);
  const meanOf = (pmf: ArrayLike<number>) => {
    let m = 0;
    for (let k = 0; k < pmf.length; k++) m += k * pmf[k]!;
    return m;
  };
  return {
    scenario: scenario.name,
    seed,
    days,
    horizon,
    origin: new Date(startMs + origin * DAY).toISOString().slice(0, 10),
    fit: matched.groups.map((g) => {
      const group = all.filter((c) => c.category === g.category && c.channel === g.channel);
      // The twin's rate per unit: its rate per sale line over the units a line holds.
      let lines = 0;
      let units = 0;
      for (const c of group) {
        lines += sum(c.lines.subarray(0, origin));
        units += sum(c.sales.subarray(0, origin));
      }
      const twinRate = group[0]?.returnRate ?? 0;
      return {
        category: g.category,
        channel: g.channel,
        sales: g.sales,
        returns: g.returns,
        rate: g.rate,
        true_rate: units > 0 ? (twinRate * lines) / units : null,
        mean_lag_days: meanOf(g.lag),
        sellable_share: g.sellableShare,
        mean_delay_days: meanOf(g.delay),
        dispersion: Number.isFinite(g.dispersion) ? g.dispersion : null,
      };
    }),
    rows,
    overall: report(overall),
    locations: report(atLocations),
    interval_coverage: {
      time_series: coverage.time_series.points > 0 ? coverage.time_series.coverage : null,
      lag_model: coverage.lag_model.points > 0 ? coverage.lag_model.coverage : null,
    },
    sellable: { actual: sellableActual, ...sellable },
    seconds: (performance.now() - started) / 1000,
  };
}
