import { type Detector, fixed, iso, leadDays, margin } from '../detector.ts';
import { demandRate, lumpOf } from '../record-confidence.ts';
import type { DetectorSettings } from '../settings.ts';
import {
  type Cell,
  DAY,
  localDay,
  type PromotionWindow,
  type TransferFlow,
  tradeShareSoFar,
  tradingDaysBetween,
  WorldState,
} from '../state.ts';
import { nbUpperTail } from '../stats.ts';
import { categoryDay, categoryWindow } from './demand.detector.ts';

/**
 * Promotion stock-out risk: for a SKU on (or about to go on) promotion at a location, the
 * demand expected until the promotion ends (usual rate x uplift) is likely to exceed the
 * sellable stock plus what is on its way: it will sell out before the promotion ends.
 */
export function createPromotionStockoutDetector(): Detector {
  return {
    name: 'promotion-stockout',
    types: ['promotion_stockout_risk'],
    sweep(ctx) {
      // Open transfers by destination, read once per sweep and only if a promotion needs them.
      let inbound: Map<string, TransferFlow[]> | undefined;
      // The lead time a store's replenishment shows (its transfers' transit and the next
      // nightly shipment), read once per sweep; the configured one until enough are seen.
      const observedLead = new Map<string, number | undefined>();
      const leadOf = (cell: Cell, s: DetectorSettings) => {
        if (cell.loc.kind !== 'store') return leadDays(cell, s);
        if (!observedLead.has(cell.loc.location))
          observedLead.set(cell.loc.location, ctx.state.observedLeadDays(cell.loc.location));
        return observedLead.get(cell.loc.location) ?? leadDays(cell, s);
      };
      // When a replenishment asked for now would land at a store, as its deliveries show.
      const landings = new Map<string, { at: number; share: number }[] | undefined>();
      const landingsOf = (location: string) => {
        if (!landings.has(location))
          landings.set(location, ctx.state.replenishmentLandings(location, ctx.now));
        return landings.get(location);
      };
      for (const cell of ctx.state.cells.values()) {
        if (cell.promotions.length === 0) continue;
        for (const p of cell.promotions) {
          const key = `promotion_stockout_risk:${cell.loc.location}:${cell.sku.sku}:${p.id}`;
          if (ctx.now >= p.to) {
            if (ctx.open(key))
              ctx.close(key, `promotion ${p.id} ended with ${WorldState.sellable(cell)} sellable`);
            continue;
          }
          if (p.from - ctx.now > 7 * DAY) continue;
          const s = ctx.cellSettings(cell);
          const rate = demandRate(cell, ctx.now, s.history_days);
          if (rate.days < s.min_history_days || rate.dailyUnits <= 0) continue;
          // The usual rate is the weeks before; a season turning since moves the whole
          // category at the store: the last week of the rest of it, over the weeks before
          // that (weekday-adjusted, shrunk to 1 when little is expected), carries it forward.
          const loc = ctx.state.locations.get(cell.loc.location);
          const today = localDay(ctx.now, cell.loc);
          const season = loc ? categoryWindow(loc, cell.sku.category, today - 7, today, cell, 1, 5).ratio : 1;
          const usual = rate.dailyUnits * season;
          const start = Math.max(ctx.now, p.from);
          const promoDays = (p.to - start) / DAY;
          // The promotion's own rate: the planned uplift at first, then what the promotion
          // days so far have actually sold (a gamma-Poisson update: the planned rate counts
          // as `promotion_prior_days` days of evidence).
          const planned = usual * p.uplift;
          const seen = promotionSales(ctx.state, cell, p, ctx.now);
          const promoRate =
            (planned * s.promotion_prior_days + seen.units) / (s.promotion_prior_days + seen.days);
          // Until the promotion starts the usual rate applies; then its own. Replenishment
          // reacts within its lead time: the risk is selling out before the next delivery
          // can land, so demand is projected over the lead time (or to the end, if sooner).
          const lead = leadOf(cell, s);
          const horizon = Math.min(lead, (p.to - ctx.now) / DAY);
          const before = Math.min(horizon, Math.max(0, (p.from - ctx.now) / DAY));
          const during = Math.max(0, horizon - before);
          if (during <= 0) continue;
          let demand = usual * before + promoRate * during;
          // Inbound counts only if it lands within the horizon: a transfer due after the
          // promotion (or after the lead time) does not fill the shelf before it empties.
          inbound ??= openTransfersByDestination(ctx.state);
          const arriving = inboundBy(
            inbound.get(`${cell.loc.location}|${cell.sku.sku}`),
            cell,
            ctx.now + horizon * DAY,
          );
          const sellable = WorldState.sellable(cell);
          const supply = sellable + arriving.landing;
          const tradingDays = (a: number, b: number) =>
            loc ? tradingDaysBetween(loc, a, b) : Math.max(0, (b - a) / DAY);
          // Demand from now to `until`: the usual rate before the promotion, its own during
          // it, over the trading hours in between (not the clock's).
          const demandUntil = (until: number) =>
            usual * tradingDays(ctx.now, Math.min(until, p.from)) +
            promoRate * tradingDays(Math.max(ctx.now, p.from), until);
          // Nothing on its way: the shelf has to last until a replenishment asked for now
          // could land, which the store's deliveries show (each left at its hour of the day
          // and took its hours to come; one leaving tonight lands before the shop opens, or a
          // day later). The chance of selling out first is weighed over those landings;
          // without them, over the lead time.
          const soldOutAbove = Math.max(0, Math.floor(supply)) + 1;
          let landsIn: number | undefined;
          const lands =
            arriving.landing === 0 && cell.loc.kind === 'store' ? landingsOf(cell.loc.location) : undefined;
          let probability = 0;
          if (lands) {
            demand = 0;
            landsIn = 0;
            for (const l of lands) {
              const until = Math.min(l.at, p.to);
              const wanted = demandUntil(until);
              probability +=
                l.share *
                nbUpperTail(
                  soldOutAbove,
                  wanted,
                  s.demand_dispersion * Math.max(1, tradingDays(ctx.now, until)),
                );
              demand += l.share * wanted;
              landsIn += (l.share * (until - ctx.now)) / DAY;
            }
          } else {
            probability = nbUpperTail(soldOutAbove, demand, s.demand_dispersion * Math.max(1, horizon));
          }
          let short = demand - supply;
          // Inbound fills the shelf when it lands, not before: the shelf alone has to carry
          // the promotion's demand until then (the trading hours in between, not the clock's).
          let gap: { until: number; demand: number } | undefined;
          if (arriving.landing > 0 && arriving.firstAt > ctx.now) {
            const until = arriving.firstAt;
            const gapDemand = demandUntil(until);
            const gapProbability = nbUpperTail(
              Math.max(0, Math.floor(sellable)) + 1,
              gapDemand,
              s.demand_dispersion * Math.max(1, tradingDays(ctx.now, until)),
            );
            if (gapProbability > probability && gapDemand - sellable >= s.promotion_cover_margin) {
              gap = { until, demand: gapDemand };
              probability = gapProbability;
              short = Math.max(short, gapDemand - sellable);
            }
          }
          // The shelf already sold out on a promotion day: the day's demand was at least what
          // it sold, and met an empty shelf unless it was exactly that (the hour the last
          // unit went is not weighed). The refill cycle did not keep up once; the exception
          // stays up to the promotion's end.
          let soldOut: (SoldOutReading & { at: number; eventId: string | null }) | undefined;
          // The look-ahead is a forecast, raised at its own bar; the sold-out reading is of
          // what already happened, raised once it is more likely than not. The reading that
          // raises (the more confident, when both do) explains it.
          const foreseen = probability >= s.promotion_stockout_probability;
          if (cell.soldOutAt >= p.from && cell.soldOutAt < p.to) {
            const reading = soldOutReading(
              ctx.state,
              cell,
              cell.soldOutAt,
              {
                usual,
                promoRate,
                lump: lumpOf(rate.dailyUnits, rate.saleDayShare),
                evidence: rate.dailyUnits * rate.days + seen.units,
              },
              s,
            );
            if (
              reading.probability >= s.promotion_sold_out_probability &&
              (!foreseen || reading.probability > probability)
            ) {
              soldOut = { ...reading, at: cell.soldOutAt, eventId: cell.soldOutEventId };
              probability = reading.probability;
              gap = undefined;
              // The shelf should hold at least a promotion day like that one.
              short = Math.max(short, s.promotion_cover_margin, reading.expected - sellable);
            }
          }
          if (short < s.promotion_cover_margin || !(foreseen || soldOut)) {
            if (ctx.open(key) && probability < 0.5)
              ctx.close(key, `stock now covers the promotion (${supply} for ${fixed(demand, 0)} expected)`);
            continue;
          }
          const coverDays = supply / Math.max(0.01, promoRate);
          const why = soldOut
            ? `the shelf sold out on ${iso(soldOut.at)} after ${soldOut.sold} sales that day, against about ${fixed(soldOut.expected, 1)} of promotion demand expected that day${soldOut.categoryFactor !== 1 || soldOut.weekday !== 1 ? ` (a weekday of ${fixed(soldOut.weekday, 2)}x the average, and the rest of ${cell.sku.category} sold ${fixed(soldOut.categoryFactor, 2)}x its usual here that day, on the usual part; included)` : ''}${soldOut.dayShare !== undefined ? `, with ${fixed(100 * (1 - soldOut.dayShare), 0)}% of the day's trade still to come` : ''}${soldOut.emptyingShopperWantedMore >= 0.1 ? `; the last shopper took the last ${soldOut.emptyingLine}, and this SKU's shoppers who take that many take more ${fixed(100 * soldOut.emptyingShopperWantedMore, 0)}% of the time` : ''}: the day's demand met an empty shelf with probability ${fixed(probability, 2)}, and the refills did not keep up.`
            : gap
              ? `about ${fixed(gap.demand, 0)} units of demand before the ${arriving.landing} inbound land (${iso(gap.until)}) against ${sellable} sellable: the shelf empties before they arrive with probability ${fixed(probability, 2)}.`
              : landsIn !== undefined
                ? `about ${fixed(demand, 0)} units of demand before a replenishment asked for now could land (in about ${fixed(landsIn, 1)} days, as this store's deliveries take, or at its end) against ${supply} sellable: it sells out first with probability ${fixed(probability, 2)}.`
                : `about ${fixed(demand, 0)} units of demand in the next ${fixed(horizon, 1)} days (the replenishment lead time, or to its end) against ${supply} sellable and inbound: it sells out before a delivery can land with probability ${fixed(probability, 2)}.`;
          ctx.raise({
            key,
            type: 'promotion_stockout_risk',
            sku: cell.sku.sku,
            location: cell.loc.location,
            channel: null,
            group: `promotion:${p.id}`,
            root_cause: 'business_rule_violation',
            reasoning: `Promotion ${p.id} runs until ${iso(p.to)} (${fixed(promoDays, 1)} days left) at planned uplift ${p.uplift}${seen.days > 0 ? `; its ${fixed(seen.days, 1)} promotion days so far sold ${seen.units} units (${fixed(seen.units / seen.days, 1)} a day)` : ''}: ${why}`,
            confidence: probability,
            evidence: {
              events: [
                {
                  event_id: p.event_id,
                  type: 'promotion',
                  occurred_at: iso(p.from),
                  note: `until ${iso(p.to)}, uplift ${p.uplift}`,
                },
                ...(soldOut?.eventId
                  ? [
                      {
                        event_id: soldOut.eventId,
                        type: 'sale',
                        occurred_at: iso(soldOut.at),
                        note: 'the sale that emptied the shelf',
                      },
                    ]
                  : []),
              ],
              figures: {
                promotion_id: p.id,
                usual_units_per_day: fixed(rate.dailyUnits, 2),
                category_trend: fixed(season, 2),
                uplift: p.uplift,
                promotion_days_seen: fixed(seen.days, 1),
                promotion_units_sold: seen.units,
                promotion_units_per_day: fixed(promoRate, 2),
                days_left: fixed(promoDays, 1),
                expected_demand: fixed(demand, 0),
                sellable,
                in_transit_in: cell.inTransitIn,
                inbound_landing_in_horizon: arriving.landing,
                ...(soldOut
                  ? {
                      sold_out_at: iso(soldOut.at),
                      sold_on_sold_out_day: soldOut.sold,
                      expected_on_sold_out_day: fixed(soldOut.expected, 2),
                      category_factor_on_sold_out_day: fixed(soldOut.categoryFactor, 2),
                      weekday_factor_on_sold_out_day: fixed(soldOut.weekday, 2),
                      emptying_line_units: soldOut.emptyingLine,
                      emptying_shopper_wanted_more: fixed(soldOut.emptyingShopperWantedMore, 2),
                      ...(soldOut.dayShare !== undefined
                        ? { day_traded_when_sold_out: fixed(soldOut.dayShare, 2) }
                        : {}),
                    }
                  : {}),
                ...(gap
                  ? {
                      inbound_first_lands_at: iso(gap.until),
                      demand_before_inbound_lands: fixed(gap.demand, 1),
                    }
                  : {}),
                inbound_due_after_horizon: arriving.late,
                ...(landsIn !== undefined ? { replenishment_lands_in_days: fixed(landsIn, 2) } : {}),
                days_of_cover: fixed(coverDays, 1),
                replenishment_lead_days: fixed(lead, 2),
              },
              thresholds: {
                promotion_cover_margin: s.promotion_cover_margin,
                promotion_stockout_probability: s.promotion_stockout_probability,
                promotion_sold_out_probability: s.promotion_sold_out_probability,
                promotion_prior_days: s.promotion_prior_days,
              },
            },
            explanation: soldOut
              ? `${cell.sku.sku} at ${cell.loc.location} sold out on ${iso(soldOut.at)}, with ${fixed(promoDays, 1)} days of promotion ${p.id} left: its refills are sized for usual demand, not about ${fixed(promoRate, 1)} a day. Raise its order-up-to level for the promotion and send ${Math.ceil(short)} now.`
              : gap
                ? `${cell.sku.sku} at ${cell.loc.location} has ${sellable} units on the shelf for about ${fixed(gap.demand, 0)} of promotion demand before its ${arriving.landing} inbound land (${iso(gap.until)}): it runs empty before they do. Bring them forward or send ${Math.ceil(short)} sooner.`
                : landsIn !== undefined
                  ? `${cell.sku.sku} at ${cell.loc.location} has ${supply} units for about ${fixed(demand, 0)} of promotion demand before a replenishment asked for now could land (in about ${fixed(landsIn, 1)} days): it runs out after about ${fixed(coverDays, 1)} of ${fixed(promoDays, 1)} promotion days. Send ${Math.ceil(short)} more before it does.`
                  : `${cell.sku.sku} at ${cell.loc.location} has ${supply} units (with inbound) for about ${fixed(demand, 0)} of promotion demand: it runs out after about ${fixed(coverDays, 1)} of ${fixed(promoDays, 1)} promotion days. Send ${Math.ceil(short)} more before it does.`,
            actions: [
              {
                kind: 'replenishment_priority',
                detail: `Send ${Math.ceil(short)} units of ${cell.sku.sku} to ${cell.loc.location} for promotion ${p.id}`,
                sku: cell.sku.sku,
                location: cell.loc.location,
                qty: Math.ceil(short),
              },
              {
                kind: 'transfer',
                detail: 'Or move them from a store not on promotion',
                sku: cell.sku.sku,
                location: cell.loc.location,
                qty: Math.ceil(short),
              },
            ],
            impact: {
              units_at_risk: Math.ceil(short),
              lost_units_per_day: short / Math.max(1, promoDays),
              horizon_days: Math.max(1, promoDays),
              unit_margin: margin(cell),
            },
            urgency: Math.min(1, 2 / Math.max(0.5, coverDays)),
          });
        }
      }
    },
  };
}

export interface SoldOutReading {
  /** Units the record sold on the day its shelf ran out. */
  sold: number;
  /** The promotion's demand expected that day: its weekday, and its usual part with how its category traded. */
  expected: number;
  /** How the rest of the category traded at the store that day, over its weekday and the week before. */
  categoryFactor: number;
  /** The day's weekday factor at the store. */
  weekday: number;
  /** The share of the day's trade done when the last unit went (undefined: no trading profile yet). */
  dayShare: number | undefined;
  /** Units of the line that emptied the shelf, when it took exactly what the record held (else 0). */
  emptyingLine: number;
  /** That its shopper would have taken more (the SKU's lines of that size or more, or its lump). */
  emptyingShopperWantedMore: number;
  /** That the day's demand was more than it sold: it met an empty shelf. */
  probability: number;
}

/**
 * A shelf that sold out at `at`: the day's demand was at least what it sold, and met an
 * empty shelf unless nobody came for it after the last unit went. The day's demand has
 * two parts. The usual part (`usual` a day) moves with the rest of the category at the
 * store that day (its weekday, and the day's swing against the week before; shrunk to 1
 * when little was expected), with the dispersion of a SKU's share of its category (as for
 * one-off spikes). The promotion's extra (`promoRate` less the usual) moves with the
 * weekday only: shoppers come for the offer, not because the aisle is busy, and it varies
 * as the promotion's days have (`demand_dispersion`).
 *
 * The hour the last unit went says how much of the day was left to meet an empty shelf.
 * The day's rate of purchases (of `lump` units each) is a gamma of that mean and
 * dispersion; what sold by then, in that share of the day's trade, updates it; and the
 * chance that nobody came in the rest of the day is the chance the day's demand was
 * exactly what it sold. A shelf that empties at noon on a promotion day has almost surely
 * turned shoppers away; one that empties as the shop closes, maybe not. Where the store
 * has no trading profile yet, the hour is not weighed: the chance is that the day's
 * demand was more than it sold, given it was at least that.
 */
export function soldOutReading(
  state: WorldState,
  cell: Cell,
  at: number,
  rates: { usual: number; promoRate: number; lump: number; evidence?: number },
  s: DetectorSettings,
): SoldOutReading {
  const day = localDay(at, cell.loc);
  const sold = cell.demand.on(day);
  const loc = state.locations.get(cell.loc.location);
  const category = loc ? categoryDay(loc, cell.sku.category, day, cell) : undefined;
  const categoryFactor = category?.ratio ?? 1;
  const weekday = category?.weekday ?? 1;
  const usual = Math.min(rates.usual, rates.promoRate) * weekday * categoryFactor;
  const extra = Math.max(0, rates.promoRate - rates.usual) * weekday;
  const expected = usual + extra;
  const usualDispersion =
    category && category.expected > 0
      ? 1 / (1 / s.share_dispersion + 1 / (s.category_dispersion + category.observed))
      : s.demand_dispersion;
  // The two parts as one negative binomial of the same mean and variance.
  const excess = (usual * usual) / usualDispersion + (extra * extra) / s.demand_dispersion;
  // The rates are themselves estimates, from `evidence` units (in purchases of `lump`): a
  // gamma of shape evidence / lump around them, which widens the day's spread by as much.
  const lump = Math.max(1, rates.lump);
  const estimate = rates.evidence !== undefined && rates.evidence > 0 ? lump / rates.evidence : 0;
  const dispersion =
    excess > 0 || estimate > 0 ? Math.min(1000, 1 / (excess / (expected * expected) + estimate)) : 1000;
  const share = loc?.hourly.some((h) => h > 0) ? Math.min(1, tradeShareSoFar(loc, at)) : undefined;
  let probability: number;
  if (!(expected > 0)) probability = 0;
  else if (share !== undefined) {
    const shape = dispersion + sold / lump;
    const rate = (dispersion * lump) / expected + share;
    probability = 1 - (rate / (rate + (1 - share))) ** shape;
  } else {
    const atLeast = nbUpperTail(sold, expected, dispersion);
    probability = atLeast > 0 ? nbUpperTail(sold + 1, expected, dispersion) / atLeast : 0;
  }
  // The shopper who took the last units may have wanted more than were left: a buyer of a
  // five-pack who found three, or one of the SKU's big baskets cut short.
  const emptyingLine =
    cell.soldOutAt === at && cell.soldOutLine > 0 && cell.soldOutLine === cell.soldOutBefore
      ? cell.soldOutLine
      : 0;
  const wantedMore = emptyingLine > 0 ? state.wouldTakeMore(cell.sku.sku, emptyingLine) : 0;
  probability = 1 - (1 - probability) * (1 - wantedMore);
  return {
    sold,
    expected,
    categoryFactor,
    weekday,
    dayShare: share,
    emptyingLine,
    emptyingShopperWantedMore: wantedMore,
    probability,
  };
}

/** Transfers still on their way (not fully received), by destination and SKU. */
function openTransfersByDestination(state: WorldState): Map<string, TransferFlow[]> {
  const byCell = new Map<string, TransferFlow[]>();
  for (const t of state.transfers.values()) {
    if (t.received >= t.qty) continue;
    const key = `${t.to}|${t.sku}`;
    const list = byCell.get(key);
    if (list) list.push(t);
    else byCell.set(key, [t]);
  }
  return byCell;
}

/**
 * A record's inbound split by when it is due: units of open transfers expected after
 * `until` are late for it; the rest of its in-transit lands in time (transfers already
 * overdue are due now; units no known transfer explains have no date, and are given the
 * benefit of the doubt rather than raise a risk on stock that may well arrive).
 */
function inboundBy(
  flows: TransferFlow[] | undefined,
  cell: Cell,
  until: number,
): { landing: number; late: number; firstAt: number } {
  let late = 0;
  let firstAt = Number.POSITIVE_INFINITY;
  let known = 0;
  for (const t of flows ?? []) {
    if (t.expectedAt > until) late += t.qty - t.received;
    else {
      firstAt = Math.min(firstAt, t.expectedAt);
      known += t.qty - t.received;
    }
  }
  // The record's in-transit is the authority on how much; the transfers say when.
  const total = Math.max(0, cell.inTransitIn);
  const dueLate = Math.min(late, total);
  // Units in transit no transfer dates may land any time: no wait before them is assumed.
  if (total - dueLate > known) firstAt = Number.NEGATIVE_INFINITY;
  return { landing: total - dueLate, late: dueLate, firstAt };
}

/**
 * Units sold on a promotion's days up to `now`, and how many trading days that covers:
 * complete days count whole, today by the share of a usual day's trade already done.
 */
export function promotionSales(state: WorldState, cell: Cell, p: PromotionWindow, now: number) {
  const first = localDay(p.from, cell.loc);
  const today = localDay(now, cell.loc);
  const last = Math.min(today, localDay(p.to - 1, cell.loc));
  // Not started yet: no promotion day has traded (today's trade is a usual day's).
  if (today < first) return { units: 0, days: 0 };
  let units = 0;
  let days = 0;
  for (let d = first; d <= last; d++) {
    units += cell.demand.on(d);
    days += d < today ? 1 : 0;
  }
  if (last === today) {
    const loc = state.locations.get(cell.loc.location);
    days += loc ? tradeShareSoFar(loc, now) : 0;
  }
  return { units, days };
}
