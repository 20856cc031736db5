import { type DetectContext, type Detector, fixed, iso, margin } from '../detector.ts';
import { demandRate, demandRateBefore, lumpOf } from '../record-confidence.ts';
import {
  type Cell,
  DAY,
  DemandHistory,
  HISTORY,
  type LocationState,
  localDay,
  tradeShareSoFar,
  WorldState,
} from '../state.ts';
import { basketAtLeast, compoundNbUpperTail, largestBasketTail, nbLowerTail, nbUpperTail } from '../stats.ts';

const BASELINE_DAYS = 28;

/** The calendar date of a local day number. */
const localDate = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);

/** Day-of-week factors of a location's activity over the last four weeks (1 = average day). */
function weekdayFactors(loc: LocationState, today: number): number[] {
  const sums = new Array<number>(7).fill(0);
  const counts = new Array<number>(7).fill(0);
  const n = loc.activity.daysBefore(today, BASELINE_DAYS);
  for (let d = today - n; d < today; d++) {
    sums[d % 7]! += loc.activity.on(d);
    counts[d % 7]! += 1;
  }
  const means = sums.map((s, i) => (counts[i]! > 0 ? s / counts[i]! : 0));
  const overall = means.reduce((a, b) => a + b, 0) / 7;
  return means.map((m) => (overall > 0 && m > 0 ? m / overall : 1));
}

/** How far above the bar (as a factor of its tail probability) a SKU's day is watched until its day is over. */
const NEAR_SPIKE = 100;
/** The most a shopper's basket is read to grow by (a mean of 10 units). */
const MAX_BASKET = 0.9;
/**
 * A typical real item's daily variance over mean: the median over M5's items selling 0.3 a
 * day or more is 2.2 (docs/twin.md). A SKU's own reading is weighed with it as if it came
 * from this many units more.
 */
const BASKET_PRIOR_INDEX = 2.2;
const BASKET_PRIOR_UNITS = 20;

/**
 * Days of a category's history a shift is judged against at the least: one of each weekday.
 * Fewer than two weeks widen the margin (baselineMargin), so a store's first weeks can
 * still show a competitor opening without a short history raising alarms.
 */
const MIN_BASELINE_DAYS = 7;

/**
 * Windows (days) a category's recent demand is tested over, shortest first. A surge (an
 * unplanned promotion) lasts days and is tested up to a week; a drop (a competitor
 * opening) lasts weeks, and a day of a category is noisy (lumpy buyers, traffic), so two
 * weeks of it say what one cannot.
 */
const SHIFT_WINDOWS = [2, 3, 4, 5, 7, 10, 14];
const SURGE_MAX_DAYS = 7;
/**
 * A drop is tested from five days up: a category's day varies so much (a negative
 * binomial of dispersion about 4 is below a third of its mean one day in thirty) that
 * three slow days in a row happen somewhere in a chain every few months, while the drops
 * worth a planner's time (a competitor, a closure nearby) last weeks.
 */
const DROP_MIN_DAYS = 5;

/**
 * The relative margin a category's usual rate is given on either side: 15% on two weeks
 * of history or more, widened by the square root of how much shorter it is (the error of
 * a mean goes with one over the root of the days behind it).
 */
export function baselineMargin(days: number): number {
  if (days <= 0) return 0.5;
  return Math.min(0.5, 0.15 * Math.sqrt(Math.max(1, 14 / days)));
}

/** What a category surge is tested on: observed and expected (units or sale lines) and the dispersion over the window. */
interface SurgeMeasure {
  observed: number;
  expected: number;
  r: number;
}

/**
 * A category's weekday-adjusted units on each day of up to four weeks before `from` that
 * its history holds.
 */
function adjustedDays(hist: DemandHistory, dow: number[], from: number): number[] {
  const days: number[] = [];
  for (let d = from - BASELINE_DAYS; d < from; d++) {
    if (d < hist.firstDay || d <= hist.day - HISTORY) continue;
    days.push(hist.on(d) / dow[d % 7]!);
  }
  return days;
}

/**
 * Units of a category at a location per usual day (weekday-adjusted) over the days before
 * `from`, and the dispersion those days show: a moment estimate of the negative binomial's
 * r (mean^2 / (variance - mean)), so that a category with lumpy sellers gets the heavier
 * tails it has; with `lump`, the r of its purchases of that many units each.
 */
function baseline(
  hist: DemandHistory,
  dow: number[],
  from: number,
  lump = 1,
): { perDay: number; days: number; dispersion: number } {
  let total = 0;
  let squares = 0;
  const xs = adjustedDays(hist, dow, from);
  const days = xs.length;
  for (const x of xs) {
    total += x;
    squares += x * x;
  }
  const mean = days > 0 ? total / days : 0;
  const variance = days > 1 ? (squares - days * mean * mean) / (days - 1) : 0;
  // In purchases of `lump` units: mean m / lump, variance v / lump^2.
  const dispersion =
    variance > mean * lump ? (mean * mean) / (variance - mean * lump) : Number.POSITIVE_INFINITY;
  return { perDay: mean, days, dispersion };
}

/**
 * A store's reading of how much a category's demand varies from day to day beyond chance:
 * an estimate of 1 / r, the negative binomial's overdispersion (variance = mean x lump +
 * mean^2 / r), over the four weeks before `today`. It is read from successive days'
 * differences (half their mean square), so that a season ramping up over the weeks is not
 * taken for noise. `weight` is what the reading is worth: days, times the share of the
 * variance that is overdispersion rather than counting noise.
 */
export function overdispersion(
  hist: DemandHistory,
  dow: number[],
  today: number,
  lump: number,
): { inverse: number; weight: number } | undefined {
  const xs = adjustedDays(hist, dow, today);
  if (xs.length < 14) return undefined;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  if (mean <= 0) return undefined;
  let squares = 0;
  for (let i = 1; i < xs.length; i++) squares += (xs[i]! - xs[i - 1]!) ** 2;
  const variance = squares / (2 * (xs.length - 1));
  const signal = mean / (mean + 4 * lump);
  return { inverse: (variance - mean * lump) / (mean * mean), weight: (xs.length - 1) * signal * signal };
}

/**
 * The chain's dispersion of a category's daily demand from its stores' readings: their
 * weighted mean, each capped at four times the median so that a store whose weeks held a
 * real surge or slump does not make every store's days look noisier. Infinity (no
 * overdispersion seen) when readings say so; undefined with fewer than three stores.
 */
export function pooledDispersion(
  readings: Iterable<{ inverse: number; weight: number }>,
): number | undefined {
  const list = [...readings].filter((r) => r.weight > 0);
  if (list.length < 3) return undefined;
  const sorted = list.map((r) => r.inverse).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const cap = median > 0 ? 4 * median : Number.POSITIVE_INFINITY;
  let sum = 0;
  let weight = 0;
  for (const r of list) {
    sum += Math.min(cap, r.inverse) * r.weight;
    weight += r.weight;
  }
  const inverse = sum / weight;
  return inverse > 0 ? 1 / inverse : Number.POSITIVE_INFINITY;
}

/**
 * Observed over expected units of a category at a location over local days [from, to),
 * leaving one SKU's record out (the one under suspicion); 1 when too little is expected to say.
 * `lastDayShare` is the share of the last day's trade already done (a day still running);
 * `pseudo` units at the usual rate are added to both sides (shrinks a short window to 1).
 */
export const categoryRatio = (...args: Parameters<typeof categoryWindow>): number =>
  categoryWindow(...args).ratio;

/** The same, with the units observed and expected behind the ratio. */
export function categoryWindow(
  loc: LocationState,
  category: string,
  from: number,
  to: number,
  exclude?: Cell,
  lastDayShare = 1,
  pseudo = 0,
): { ratio: number; observed: number; expected: number } {
  const none = { ratio: 1, observed: 0, expected: 0 };
  const hist = loc.categories.get(category);
  if (!hist || to <= from) return none;
  const dow = weekdayFactors(loc, from);
  const own = exclude ? exclude.demand : undefined;
  const base = baseline(hist, dow, from);
  const ownBase = own ? baseline(own, dow, from) : { perDay: 0, days: 0 };
  if (base.days < 7 || base.perDay <= 0) return none;
  let observed = 0;
  let expected = 0;
  for (let d = from; d < to; d++) {
    observed += hist.on(d) - (own && !WorldState.promotedOn(exclude!, d) ? own.on(d) : 0);
    expected += (base.perDay - ownBase.perDay) * dow[d % 7]! * (d === to - 1 ? lastDayShare : 1);
  }
  observed = Math.max(0, observed);
  expected = Math.max(0, expected);
  // With pseudo-units the estimate shrinks to 1 by itself; without, too little expected says nothing.
  if (pseudo > 0) return { ratio: (observed + pseudo) / (expected + pseudo), observed, expected };
  return { ratio: expected >= 3 ? observed / expected : 1, observed, expected };
}

/**
 * How a category traded at a location on local day `day`, one SKU's record left out: the
 * day's units over what its weekday and the week before it said (`ratio`, shrunk to 1 when
 * little was expected), and the day's weekday factor. The week before is the level a usual
 * rate read off recent weeks already carries, so the ratio is the day's own swing, not the
 * season's ramp counted a second time.
 */
export function categoryDay(
  loc: LocationState,
  category: string,
  day: number,
  exclude?: Cell,
): { ratio: number; observed: number; expected: number; weekday: number } {
  const today = categoryWindow(loc, category, day, day + 1, exclude, 1, 5);
  const week = categoryWindow(loc, category, day - 7, day, exclude, 1, 5).ratio;
  const weekday = weekdayFactors(loc, day)[day % 7]!;
  return {
    ratio: week > 0 ? today.ratio / week : today.ratio,
    observed: today.observed,
    expected: today.expected,
    weekday,
  };
}

/**
 * A SKU's store records pooled, in one pass: its units per purchase (1 when they sell on most
 * days), and the chance that a shopper takes one more unit, read from how its usual days
 * spread (a geometric basket with that chance has variance over mean (1 + p) / (1 - p);
 * day-to-day swings in traffic read as baskets too, the safe side). Until the chain has
 * sold enough, its spread says little (a variance rests on its rare big days): it is
 * weighed with a typical real item's, as if from BASKET_PRIOR_UNITS units more.
 */
function chainReading(ctx: DetectContext, cell: Cell, day: number, window: number): ChainReading {
  let units = 0;
  let saleDays = 0;
  let days = 0;
  let spread = 0;
  let spreadUnits = 0;
  let lines = 0;
  for (const peer of ctx.state.skuCells.get(cell.sku.sku) ?? []) {
    if (peer.loc.kind !== 'store') continue;
    const r = demandRateBefore(peer, day, window);
    units += r.dailyUnits * r.days;
    saleDays += r.saleDays;
    lines += r.lines;
    days += r.days;
    if (r.days >= 2) {
      spread += r.spread;
      spreadUnits += r.dailyUnits * r.days;
    }
  }
  const index = (spread + BASKET_PRIOR_INDEX * BASKET_PRIOR_UNITS) / (spreadUnits + BASKET_PRIOR_UNITS);
  return {
    lump: days > 0 ? lumpOf(units / days, (saleDays + 0.5) / (days + 1)) : 1,
    basket: index > 1 ? Math.min(MAX_BASKET, (index - 1) / (index + 1)) : 0,
    units,
    lines,
  };
}

/**
 * The chance of one more unit in a geometric basket whose mean is the units per sale line
 * (0 without lines, or when every line is one unit).
 */
const lineBasketOf = (units: number, lines: number) =>
  lines > 0 && units > lines ? Math.min(MAX_BASKET, 1 - lines / units) : 0;

interface ChainReading {
  lump: number;
  basket: number;
  /** The chain's units and sale lines over the window (usual days): units per line is the mean basket. */
  units: number;
  lines: number;
}

/**
 * Demand spikes and drops, seasonality- and promotion-aware:
 *  - a SKU's day far above its usual rate (promotion uplift included), raised as it
 *    happens: the film crew buying 60 coats;
 *  - a category's demand at a location several times (or a fraction of) its usual over
 *    the last days, promoted SKUs left out: an unplanned local promotion, a competitor
 *    opening. Usual is the weekday-adjusted mean of the four weeks before, so a season
 *    ramping up is not a spike.
 * A one-off spike stays open until a person annotates it, because until then it sits in
 * the demand history and inflates next season's forecast.
 */
export function createDemandDetector(): Detector {
  const evaluatedDay = new Map<string, number>();
  /** Per SKU, the biggest day any store had (lumpy sellers show their lumps somewhere). */
  const networkBiggest = new Map<string, DemandHistory>();
  /** Units and sale lines of one-off SKU spikes per location, category and day, kept out of category tests. */
  const oneOff = new Map<string, { units: number; lines: number }>();
  const oneOffKey = (location: string, category: string, day: number) => `${location}|${category}|${day}`;
  /** A category's day at a location less its one-off spikes, in units or in sale lines. */
  const withoutOneOffs = (
    loc: LocationState,
    category: string,
    hist: DemandHistory,
    d: number,
    of: 'units' | 'lines',
  ) => Math.max(0, hist.on(d) - (oneOff.get(oneOffKey(loc.info.location, category, d))?.[of] ?? 0));
  /** The chain's units per purchase and basket chance per SKU and day (read once a day, not at every sale). */
  const chainReadings = new Map<string, ChainReading>();
  /** Per category, each store's latest reading of its day-to-day overdispersion. */
  const readings = new Map<string, Map<string, { inverse: number; weight: number }>>();
  /**
   * SKU days that came near the bar, tested again at each sweep until their day is over:
   * a shelf emptied in the morning sells nothing more that day, and only the rest of the
   * category's day says whether the morning was busy or the SKU's day was its own.
   */
  const nearSpikes = new Map<string, { cell: Cell; day: number; eventId: string }>();
  /** The chain's dispersion per category, pooled from the readings once per sweep. */
  const pooled = new Map<string, number | undefined>();
  /** How a category's days vary in the chain (Infinity: no more than chance, or too few stores to say). */
  function chainDispersion(category: string): number {
    if (!pooled.has(category)) pooled.set(category, pooledDispersion(readings.get(category)?.values() ?? []));
    return pooled.get(category) ?? Number.POSITIVE_INFINITY;
  }

  function cellSpike(ctx: DetectContext, cell: Cell, at: number, eventId: string) {
    const s = ctx.cellSettings(cell);
    const day = localDay(at, cell.loc);
    const units = cell.demand.on(day);
    // A one-off buyer shows twice: in the day's units, and in one sale line far bigger than
    // the record's lines so far (the crew took what the shelf held, in one go).
    const line = cell.lineDay === day ? cell.dayLargestLine : 0;
    const lineCandidate = line >= s.spike_min_units && line >= s.spike_line_factor * cell.largestLine;
    if (units < s.spike_min_units) return;
    const rate = demandRate(cell, at, s.history_days);
    if (rate.days < s.min_history_days) return;
    const uplift = WorldState.uplift(cell, at);
    const usual = Math.max(0.25, rate.dailyUnits) * uplift;
    let dayCandidate = units >= s.spike_min_factor * usual;
    if (!dayCandidate && !lineCandidate) return;
    // A busy day lifts the whole category (weather, a payday, the season turning): the SKU
    // is judged against how the rest of its category sells here today so far.
    const loc = ctx.state.locations.get(cell.loc.location);
    const today = loc
      ? categoryWindow(loc, cell.sku.category, day, day + 1, cell, tradeShareSoFar(loc, at), 5)
      : undefined;
    const categoryToday = Math.max(1, today?.ratio ?? 1);
    const expected = usual * categoryToday;
    // Lumpy sellers (a builder buying six at a time) have big days: beat the biggest usual
    // day too, each day read against how its category sold then (a busy Saturday's 12 is a
    // usual day at twice the traffic, not a lump).
    const busy = (d: number) =>
      loc ? Math.max(1, categoryRatio(loc, cell.sku.category, d, d + 1, cell, 1, 5)) : 1;
    let biggest = 0;
    for (let d = day - s.history_days; d < day; d++) {
      const units = cell.demand.on(d);
      if (units > biggest && !WorldState.promotedOn(cell, d)) biggest = Math.max(biggest, units / busy(d));
    }
    biggest *= categoryToday;
    // A record with little history of its own, or one that sells in lumps (two or more
    // units a purchase), borrows the SKU's biggest day elsewhere: an intermittent item's
    // lump shows at the stores that sold it.
    const ownLump = lumpOf(rate.dailyUnits, rate.saleDayShare);
    const network = networkBiggest.get(cell.sku.sku);
    if (network && (rate.saleDayShare * rate.days < 5 || ownLump >= 2)) {
      for (let d = day - s.history_days; d < day; d++) biggest = Math.max(biggest, network.on(d));
    }
    if (units < s.spike_history_factor * biggest * uplift) dayCandidate = false;
    if (!dayCandidate && !lineCandidate) return;
    // Given how the rest of the category sells here today, one SKU's day varies by its
    // share's dispersion plus what is still uncertain about the category's day (a Gamma
    // with the category's dispersion updated by the units it sold today).
    // Before its day is seen, the category is taken to be as noisy as a SKU's day can be
    // (the lesser dispersion): a morning says little of whether the whole aisle is busy.
    const categoryDispersion = Math.min(
      s.demand_dispersion,
      s.category_dispersion,
      chainDispersion(cell.sku.category),
    );
    const dispersion =
      today && today.expected > 0
        ? 1 / (1 / s.share_dispersion + 1 / (categoryDispersion + today.observed))
        : categoryDispersion;
    // Shoppers take varied quantities: the day is tested as shoppers with geometric
    // baskets, whose mean is the largest of three readings: the units per purchase (the
    // record's own or, pooled over the SKU's stores, the chain's: a sparse record cannot
    // tell), the chain's units per sale line, and how the chain's usual days spread. Three
    // buyers of a three-pack are three shoppers, and one buyer of twelve is a basket seen
    // before, or not.
    const chain = chainOf(ctx, cell, day, s.history_days);
    const lump = Math.max(ownLump, chain.lump);
    const lineBasket = lineBasketOf(chain.units, chain.lines);
    const basket = Math.max(1 - 1 / lump, chain.basket, lineBasket);
    // The usual rate is itself an estimate, from the shoppers the record's history saw: a
    // gamma of that shape (and a half) around it, which widens the day's spread by as much.
    // A record of a few weeks and a handful of sales has a loose usual.
    const shoppersSeen = rate.dailyUnits * rate.days * (1 - basket);
    const spread = 1 / (1 / dispersion + 1 / (shoppersSeen + 0.5));
    const dayTail = dayCandidate ? compoundNbUpperTail(units, expected * (1 - basket), spread, basket) : 1;
    // The line: the chance that any of today's shoppers takes that many, their baskets as
    // the chain's lines show them (the record's own among them), with what is still unknown
    // of them after the lines seen. A record's own few lines would leave almost any basket
    // possible; a store whose shoppers do take more has had big lines before, and the line
    // must beat its largest by spike_line_factor.
    const lineTail = lineCandidate
      ? largestBasketTail(
          expected * (1 - lineBasket),
          spread,
          basketAtLeast(line, chain.units - chain.lines, chain.lines),
        )
      : 1;
    const tail = Math.min(dayTail, lineTail);
    const byLine = lineTail < dayTail;
    // Where the till records baskets (the chain's lines hold more than one unit), a one-off
    // buyer shows in a line. A day whose lines show none had its excess from several
    // shoppers: not one buyer, and as often a rare day of a heavy-basket seller (a handful of
    // big baskets) as anything else, so it is held to a bar of its own. A till that records
    // one line per unit scanned says nothing of baskets: the day test is all there is.
    const lineBar = s.spike_line_max_tail_probability;
    const dayBar =
      chain.units > chain.lines && lineTail > lineBar
        ? s.spike_shoppers_max_tail_probability
        : s.spike_max_tail_probability;
    const key = `demand_spike:${cell.loc.location}:${cell.sku.sku}:${day}`;
    if (lineTail > lineBar && dayTail > dayBar) {
      if (Math.min(lineTail / lineBar, dayTail / dayBar) <= NEAR_SPIKE)
        nearSpikes.set(key, { cell, day, eventId });
      return;
    }
    nearSpikes.delete(key);
    if (loc && ctx.open(`demand_spike:${cell.loc.location}:category:${cell.sku.category}`)) return;
    const extra = units - expected;
    // One buyer is one line; a day of several shoppers, the lines beyond the usual shoppers'.
    oneOff.set(oneOffKey(cell.loc.location, cell.sku.category, day), {
      units: extra,
      lines: byLine ? 1 : Math.max(0, cell.saleLines.on(day) - expected * (1 - basket)),
    });
    ctx.raise({
      key,
      type: 'demand_spike',
      sku: cell.sku.sku,
      location: cell.loc.location,
      channel: 'store',
      group: `location:${cell.loc.location}`,
      root_cause: 'business_rule_violation',
      reasoning: `${units} units sold in one day against ${fixed(expected, 1)} expected${uplift > 1 ? ` (promotion uplift ${uplift} included)` : ''}${categoryToday > 1 ? ` (the rest of ${cell.sku.category} sells ${fixed(categoryToday, 1)}x its usual here today, included)` : ''}${byLine ? `, ${line} of them in one sale line where a shopper takes ${fixed(1 / (1 - lineBasket), 1)} on average (the largest line here before: ${cell.largestLine})` : `, in ${cell.saleLines.on(day)} sale lines`}: the chance of that under usual demand is ${tail.toExponential(1)}. ${byLine ? 'A one-off purchase' : 'A one-off day'}, not a trend.`,
      confidence: Math.min(0.99, 1 - Math.sqrt(tail)),
      evidence: {
        events: [
          { event_id: eventId, type: 'sale', occurred_at: iso(at), note: 'latest sale of the spike' },
          ...(lineCandidate && cell.dayLargestLineEventId && cell.dayLargestLineEventId !== eventId
            ? [
                {
                  event_id: cell.dayLargestLineEventId,
                  type: 'sale',
                  occurred_at: iso(cell.dayLargestLineAt),
                  qty: line,
                  note: 'the largest sale line of the day',
                },
              ]
            : []),
        ],
        figures: {
          units_that_day: units,
          expected_units: fixed(expected, 2),
          category_factor_today: fixed(categoryToday, 2),
          factor: fixed(units / expected, 1),
          tail_probability: tail,
          biggest_usual_day: fixed(biggest, 1),
          units_per_purchase: fixed(lump, 2),
          basket_mean_units: fixed(1 / (1 - basket), 2),
          sale_lines_that_day: cell.saleLines.on(day),
          largest_line: line,
          largest_earlier_line: cell.largestLine,
          line_basket_mean_units: fixed(1 / (1 - lineBasket), 2),
          day_tail_probability: dayTail,
          line_tail_probability: lineTail,
          dispersion: fixed(dispersion, 2),
          usual_rate_shoppers_seen: fixed(shoppersSeen, 1),
          promotion_uplift: uplift,
          next_season_forecast_risk_units: fixed(extra, 0),
          day: localDate(day),
          category: cell.sku.category,
        },
        thresholds: {
          spike_min_units: s.spike_min_units,
          spike_min_factor: s.spike_min_factor,
          spike_max_tail_probability: s.spike_max_tail_probability,
          spike_line_factor: s.spike_line_factor,
          spike_line_max_tail_probability: s.spike_line_max_tail_probability,
          spike_shoppers_max_tail_probability: s.spike_shoppers_max_tail_probability,
          share_dispersion: s.share_dispersion,
        },
      },
      explanation: `${cell.sku.sku} at ${cell.loc.location} sold ${units} on ${localDate(day)}, ${fixed(units / expected, 0)}x a usual day (${fixed(expected, 1)}). Until someone marks it as a one-off, it stays in the demand history: next year's forecast for the same weeks would carry about ${fixed(extra, 0)} extra units. Replenish what it took, and annotate it.`,
      actions: [
        {
          kind: 'annotate_demand',
          detail: `Mark ${localDate(day)} as a one-off for ${cell.sku.sku} at ${cell.loc.location} so it leaves the demand history`,
          sku: cell.sku.sku,
          location: cell.loc.location,
        },
        {
          kind: 'replenishment_priority',
          detail: `Refill ${cell.sku.sku} at ${cell.loc.location}: the spike took ${fixed(extra, 0)} units`,
          sku: cell.sku.sku,
          location: cell.loc.location,
          qty: Math.round(extra),
        },
      ],
      impact: {
        units_at_risk: Math.round(extra),
        lost_units_per_day: WorldState.sellable(cell) <= 0 ? rate.dailyUnits : 0,
        horizon_days: s.store_lead_days,
        unit_margin: margin(cell),
      },
      urgency: WorldState.sellable(cell) <= 0 ? 0.7 : 0.3,
    });
  }

  /** Observed and expected units of a category at a location over its last n complete local days. */
  function windowOf(loc: LocationState, category: string, n: number, today: number) {
    return measuredWindow(loc, category, 'units', weekdayFactors(loc, today - 7), today - n, today);
  }

  /**
   * How the category moved at the other stores over the same days (their pooled observed
   * over expected): a season turning or a chain-wide event moves them all, a local cause
   * moves one. Stores of the same region when there are two or more, else all.
   */
  function peerFactor(ctx: DetectContext, loc: LocationState, category: string, n: number): number {
    const stores = [...ctx.state.locations.values()].filter((l) => l !== loc && l.info.kind === 'store');
    const region = stores.filter((l) => l.info.region === loc.info.region);
    const peers = region.length >= 2 ? region : stores;
    let observed = 0;
    let expected = 0;
    for (const peer of peers) {
      if (!Number.isNaN(peer.gapSince)) continue;
      const w = windowOf(peer, category, n, localDay(ctx.now, peer.info));
      if (!w) continue;
      observed += w.observed;
      expected += w.expected;
    }
    return expected >= 10 ? observed / expected : 1;
  }

  /** The records of a category's SKUs at a location. */
  function categoryCells(ctx: DetectContext, loc: LocationState, category: string): Cell[] {
    return (ctx.state.locationCells.get(loc.info.location) ?? []).filter((c) => c.sku.category === category);
  }

  /**
   * The share of a category's usual demand at a location (each SKU's rate over the weeks
   * before local day `before`) that its records had stock for since `since` (ms): a record
   * empty now counts as empty all along, one restocked from empty counts from the restock.
   * 1 when the category has no usual demand there.
   */
  function stockedShare(
    ctx: DetectContext,
    loc: LocationState,
    category: string,
    before: number,
    since: number,
  ): number {
    let usual = 0;
    let stocked = 0;
    const span = Math.max(1, ctx.now - since);
    for (const cell of categoryCells(ctx, loc, category)) {
      const rate = demandRateBefore(cell, before, BASELINE_DAYS).dailyUnits;
      usual += rate;
      if (WorldState.sellable(cell) <= 0) continue;
      const from = Math.max(since, Number.isFinite(cell.stockedSince) ? cell.stockedSince : since);
      stocked += rate * Math.max(0, Math.min(1, (ctx.now - from) / span));
    }
    return usual > 0 ? stocked / usual : 1;
  }

  /**
   * The units per purchase of a category at a location before local day `before` (the
   * days under test say nothing of it), as its units fall: each SKU's
   * lump (its own or, pooled over its stores, the chain's, whichever is larger) weighted by
   * the units it sells. A sum of purchases of these sizes varies as that many purchases of
   * this one size would (a size-biased mean: sum u L / sum u).
   */
  function categoryLump(
    ctx: DetectContext,
    loc: LocationState,
    category: string,
    before: number,
    window: number,
  ): number {
    let units = 0;
    let weighted = 0;
    for (const cell of categoryCells(ctx, loc, category)) {
      const rate = demandRateBefore(cell, before, window);
      if (rate.dailyUnits <= 0) continue;
      // A week or more of history says how an item sells; less says nothing of lumps.
      const lump =
        rate.days < 7
          ? 1
          : Math.max(lumpOf(rate.dailyUnits, rate.saleDayShare), chainOf(ctx, cell, before, window).lump);
      units += rate.dailyUnits;
      weighted += rate.dailyUnits * lump;
    }
    return units > 0 ? Math.max(1, weighted / units) : 1;
  }

  /** The chain's reading of a SKU on a day: the same for every store of it, so read once. */
  function chainOf(ctx: DetectContext, cell: Cell, day: number, window: number): ChainReading {
    const key = `${cell.sku.sku}|${day}`;
    let chain = chainReadings.get(key);
    if (chain === undefined) {
      if (chainReadings.size > 10_000) chainReadings.clear();
      chain = chainReading(ctx, cell, day, window);
      chainReadings.set(key, chain);
    }
    return chain;
  }

  /**
   * The SKU that sold most above its own usual over local days [from, to) at a location:
   * its units and its usual over those days (none above its usual: both 0); with `inLines`,
   * its sale lines and their usual.
   */
  function biggestExcess(
    ctx: DetectContext,
    loc: LocationState,
    category: string,
    from: number,
    to: number,
    inLines = false,
  ): { units: number; usual: number } {
    let biggest = { units: 0, usual: 0 };
    for (const cell of categoryCells(ctx, loc, category)) {
      const rate = demandRateBefore(cell, from, BASELINE_DAYS);
      const hist = inLines ? cell.saleLines : cell.demand;
      let units = 0;
      for (let d = from; d < to; d++) if (!WorldState.promotedOn(cell, d)) units += hist.on(d);
      const perDay = inLines ? (rate.days > 0 ? rate.lines / rate.days : 0) : rate.dailyUnits;
      const usual = perDay * (to - from);
      if (units - usual > biggest.units - biggest.usual) biggest = { units, usual };
    }
    return biggest;
  }

  /**
   * A category's units or sale lines at a location over local days [from, to): observed
   * (one-off spikes left out), expected from the weeks before (weekday-adjusted), and the
   * dispersion those weeks show; none without a week of history.
   */
  function measuredWindow(
    loc: LocationState,
    category: string,
    of: 'units' | 'lines',
    dow: number[],
    from: number,
    to: number,
  ) {
    const hist = (of === 'units' ? loc.categories : loc.categoryLines).get(category);
    if (!hist) return undefined;
    const base = baseline(hist, dow, from);
    if (base.days < MIN_BASELINE_DAYS || base.perDay <= 0) return undefined;
    let observed = 0;
    let expected = 0;
    for (let d = from; d < to; d++) {
      observed += withoutOneOffs(loc, category, hist, d, of);
      expected += base.perDay * dow[d % 7]!;
    }
    return { observed, expected, dispersion: base.dispersion };
  }

  function categoryShift(
    ctx: DetectContext,
    loc: LocationState,
    category: string,
    hist: DemandHistory,
    today: number,
  ) {
    const s = ctx.settings(category, loc.info.region);
    // Weekday shape from before the windows under test.
    const dow = weekdayFactors(loc, today - 7);
    const spikeKey = `demand_spike:${loc.info.location}:category:${category}`;
    const dropKey = `demand_drop:${loc.info.location}:category:${category}`;
    let raised = false;
    let stocked: number | undefined;
    // A drop is tested in purchases, not units: a category whose items sell six at a time
    // moves in steps of six, and its days vary that much more.
    const lump = categoryLump(ctx, loc, category, today - SHIFT_WINDOWS.at(-1)!, s.history_days);
    // This store's reading of how its days vary joins the chain's: a store's four weeks say
    // little of a category's dispersion, thirty stores' say it well.
    let byStore = readings.get(category);
    if (!byStore) {
      byStore = new Map();
      readings.set(category, byStore);
    }
    const reading = overdispersion(hist, dow, today, lump);
    if (reading) byStore.set(loc.info.location, reading);
    else byStore.delete(loc.info.location);
    const chain = chainDispersion(category);
    for (const n of SHIFT_WINDOWS) {
      const from = today - n;
      const base = baseline(hist, dow, from, lump);
      const unitBase = lump === 1 ? base : baseline(hist, dow, from);
      if (base.days < MIN_BASELINE_DAYS || base.perDay <= 0) continue;
      let observed = 0;
      let expected = 0;
      // The window's first half, for whether a drop held through it.
      let firstObserved = 0;
      let firstExpected = 0;
      for (let d = from; d < today; d++) {
        const units = withoutOneOffs(loc, category, hist, d, 'units');
        observed += units;
        expected += base.perDay * dow[d % 7]!;
        if (d < from + Math.floor(n / 2)) {
          firstObserved += units;
          firstExpected += base.perDay * dow[d % 7]!;
        }
      }
      if (expected < 5) continue;
      // What the peers did over the same days can explain a move here, never make one: a
      // surge is judged against peers that rose too, a drop against peers that fell too.
      const peers = peerFactor(ctx, loc, category, n);
      const raisedBar = expected * Math.max(1, peers);
      let loweredBar = expected * Math.min(1, peers);
      if (loweredBar < 5) continue;
      if (observed <= s.category_drop_factor * loweredBar) {
        // Sales cannot outrun the shelves: the usual demand of SKUs now out of stock on
        // record (a supplier slipping, a DC short) did not fall, it was not served.
        stocked = stockedShare(ctx, loc, category, from, ctx.now - n * DAY);
        loweredBar *= stocked;
      }
      // The day-to-day dispersion is the least of the setting, this store's four weeks and
      // the chain's (a category whose days vary more than the setting assumes in every
      // store is noisier there, not surging or slumping everywhere).
      const dayDispersion = Math.max(0.5, Math.min(s.category_dispersion, base.dispersion, chain));
      const r = dayDispersion * n;
      // A surge is tested in units: its guard against lumps is the second test below,
      // without the biggest single SKU's excess. In units, lumps add (lump - 1) / mean to 1 / r.
      const chainInUnits = 1 / (1 / chain + (lump - 1) / unitBase.perDay);
      const surgeR = Math.max(0.5, Math.min(s.category_dispersion, unitBase.dispersion, chainInUnits)) * n;
      // The baseline is itself an estimate: test against a margin on either side, wider
      // when it rests on few days (early in a store's history).
      const slack = baselineMargin(base.days);
      // A surge is tested in units and, as it is more shoppers, in sale lines (one shopper's
      // units each): free of the lumps that make a category's units noisy, and a bulk buyer
      // is one line. Where the till records a line per unit, lines are units and the two agree.
      const surgeTail = (m: SurgeMeasure) =>
        n <= SURGE_MAX_DAYS && m.expected >= 5 && m.observed >= s.category_spike_factor * m.expected
          ? nbUpperTail(Math.round(m.observed), m.expected * (1 + slack), m.r)
          : 1;
      const inUnits: SurgeMeasure = { observed, expected: raisedBar, r: surgeR };
      const shoppers =
        n <= SURGE_MAX_DAYS ? measuredWindow(loc, category, 'lines', dow, from, today) : undefined;
      const inShoppers: SurgeMeasure | undefined = shoppers && {
        observed: shoppers.observed,
        expected: shoppers.expected * Math.max(1, peers),
        r: Math.max(0.5, Math.min(s.category_dispersion, shoppers.dispersion, chain)) * n,
      };
      const upUnits = surgeTail(inUnits);
      const upLines = inShoppers ? surgeTail(inShoppers) : 1;
      // The measure the surge was found in: sale lines where they tell more.
      const found = inShoppers && upLines < upUnits ? inShoppers : inUnits;
      const inLines = found !== inUnits;
      const up = Math.min(upUnits, upLines);
      // A drop is a level that holds: each half of its window fell to the drop factor. A
      // slump of a few days is a drop only once it has lasted through a window of its own,
      // and a window it only crosses is not one.
      const held = (part: number, of: number) =>
        part <= s.category_drop_factor * of * (loweredBar / expected);
      const down =
        n >= DROP_MIN_DAYS &&
        loweredBar >= 5 &&
        observed <= s.category_drop_factor * loweredBar &&
        held(firstObserved, firstExpected) &&
        held(observed - firstObserved, expected - firstExpected)
          ? nbLowerTail(Math.round(observed / lump), (loweredBar * (1 - slack)) / lump, r)
          : 1;
      expected = up < down ? raisedBar : loweredBar;
      let tail = Math.min(up, down);
      if (tail > s.category_max_tail_probability) continue;
      const spike = up < down;
      if (spike) {
        // A surge lifts the category; one SKU's lump lifts one SKU. Test again without the
        // biggest single excess: that SKU at its usual, and the rest of the category above
        // the factor on its own (its usual is the category's less that SKU's). In the
        // measure the surge was found in.
        const big = biggestExcess(ctx, loc, category, from, today, inLines);
        const trimmed = found.observed - (big.units - big.usual);
        const rest = {
          observed: found.observed - big.units,
          expected: Math.max(0, found.expected - big.usual),
        };
        tail = nbUpperTail(Math.round(trimmed), found.expected * (1 + slack), found.r);
        if (rest.observed < s.category_spike_factor * rest.expected || tail > s.category_max_tail_probability)
          continue;
      }
      raised = true;
      const ratio = observed / expected;
      const items = categoryCells(ctx, loc, category);
      const unitMargin = items.length > 0 ? items.reduce((sum, c) => sum + margin(c), 0) / items.length : 0;
      ctx.raise({
        key: spike ? spikeKey : dropKey,
        type: spike ? 'demand_spike' : 'demand_drop',
        sku: null,
        location: loc.info.location,
        channel: 'store',
        group: `location:${loc.info.location}`,
        root_cause: 'business_rule_violation',
        reasoning: `${category} at ${loc.info.location} sold ${fixed(observed, 0)} units over the last ${n} days against ${fixed(expected, 0)} usual for those weekdays (x${fixed(ratio, 2)})${spike && inLines ? `, to ${fixed(found.observed, 0)} shoppers (sale lines) against ${fixed(found.expected, 0)} usual` : ''}, promoted items left out; under usual demand the chance is ${tail.toExponential(1)}. ${spike ? 'No planned promotion explains it.' : 'Seasonality is in the baseline; this is a break from it.'}`,
        confidence: Math.min(0.99, 1 - Math.sqrt(tail) * 10),
        evidence: {
          events: [],
          figures: {
            category,
            days: n,
            observed_units: fixed(observed, 0),
            expected_units: fixed(expected, 1),
            ratio: fixed(ratio, 2),
            tail_probability: tail,
            peer_stores_ratio: fixed(peers, 2),
            ...(spike && inShoppers
              ? {
                  tested_in: inLines ? 'sale_lines' : 'units',
                  observed_sale_lines: inShoppers.observed,
                  expected_sale_lines: fixed(inShoppers.expected, 1),
                }
              : {}),
            units_per_purchase: fixed(lump, 2),
            ...(spike || stocked === undefined ? {} : { usual_demand_in_stock_share: fixed(stocked, 2) }),
            usual_per_day: fixed(base.perDay, 1),
            dispersion: fixed(spike ? surgeR / n : dayDispersion, 2),
            ...(Number.isFinite(chain) ? { chain_dispersion: fixed(chain, 2) } : {}),
            from_day: iso(from * 86_400_000).slice(0, 10),
          },
          thresholds: {
            category_spike_factor: s.category_spike_factor,
            category_drop_factor: s.category_drop_factor,
            tail_probability: s.category_max_tail_probability,
          },
        },
        explanation: spike
          ? `${category} demand at ${loc.info.location} is running ${fixed(ratio, 1)}x usual for ${n} days with no promotion in the calendar (a local event or an unlisted promotion). Replenish ahead of the plan, and annotate it so it does not distort the forecast.`
          : `${category} demand at ${loc.info.location} has fallen to ${fixed(ratio, 2)}x usual for ${n} days (a competitor, a closure, a display problem). Slow replenishment to avoid overstock and look for the cause.`,
        actions: spike
          ? [
              {
                kind: 'replenishment_priority',
                detail: `Raise ${category} replenishment at ${loc.info.location} while it lasts`,
                location: loc.info.location,
              },
              {
                kind: 'annotate_demand',
                detail: `Annotate the ${category} surge at ${loc.info.location} (one-off or new level)`,
                location: loc.info.location,
              },
            ]
          : [
              {
                kind: 'review_forecast',
                detail: `Review the ${category} forecast and open orders for ${loc.info.location}`,
                location: loc.info.location,
              },
              {
                kind: 'annotate_demand',
                detail: `Record the cause of the ${category} drop at ${loc.info.location}`,
                location: loc.info.location,
              },
            ],
        impact: {
          units_at_risk: Math.abs(observed - expected),
          lost_units_per_day: spike ? (observed - expected) / n / 2 : 0,
          horizon_days: s.store_lead_days,
          unit_margin: unitMargin,
          // A drop strands stock: carrying it a lead time longer costs about a tenth of its margin.
          expedite_cost: spike ? 0 : ((expected - observed) / n) * s.store_lead_days * unitMargin * 0.1,
        },
        urgency: spike ? 0.7 : 0.3,
      });
      break;
    }
    if (!raised) {
      // Cleared when the last complete day is back within range.
      const ratio = categoryRatio(loc, category, today - 1, today);
      if (ctx.open(spikeKey) && ratio < 1.5)
        ctx.close(spikeKey, `${category} demand back to ${fixed(ratio, 2)}x usual`);
      if (ctx.open(dropKey) && ratio > 0.7)
        ctx.close(dropKey, `${category} demand back to ${fixed(ratio, 2)}x usual`);
    }
  }

  return {
    name: 'demand',
    types: ['demand_spike', 'demand_drop'],
    onEvent(ctx, o, cell) {
      if (o.event.type !== 'sale' || cell.loc.kind !== 'store') return;
      if (
        ctx.open(`data_glitch:${cell.loc.location}:${cell.sku.sku}`) &&
        (o.qtyBase ?? 0) >= ctx.cellSettings(cell).glitch_min_qty
      )
        return;
      cellSpike(ctx, cell, o.at, o.event.event_id);
      // After the test, so that a spike does not raise its own bar.
      const day = localDay(o.at, cell.loc);
      const units = cell.demand.on(day);
      if (!ctx.open(`demand_spike:${cell.loc.location}:${cell.sku.sku}:${day}`)) {
        let hist = networkBiggest.get(cell.sku.sku);
        if (!hist) {
          hist = new DemandHistory();
          networkBiggest.set(cell.sku.sku, hist);
        }
        hist.advance(day);
        if (units > hist.on(day)) hist.add(day, units - hist.on(day));
      }
    },
    sweep(ctx) {
      pooled.clear();
      for (const [key, near] of nearSpikes) {
        // Tested as of now, or as of the day's last moment once it is over (then for the last time).
        const end = (near.day + 1) * DAY - near.cell.loc.offsetMs - 1;
        if (!ctx.open(key)) cellSpike(ctx, near.cell, Math.min(ctx.now, end), near.eventId);
        if (ctx.now >= end) nearSpikes.delete(key);
      }
      for (const loc of ctx.state.locations.values()) {
        if (loc.info.kind !== 'store') continue;
        // Complete days only, once each, and never while the till is silent.
        if (!Number.isNaN(loc.gapSince)) continue;
        const today = localDay(ctx.now, loc.info);
        if (evaluatedDay.get(loc.info.location) === today) continue;
        evaluatedDay.set(loc.info.location, today);
        for (const [category, hist] of loc.categories) categoryShift(ctx, loc, category, hist, today);
      }
    },
  };
}
