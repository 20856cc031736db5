import { type DetectContext, type Detector, fixed, iso, leadDays, margin } from '../detector.ts';
import {
  type ConfidenceContext,
  type ConfidenceReading,
  demandRate,
  demandRateBefore,
  readConfidence,
} from '../record-confidence.ts';
import type { DetectorSettings } from '../settings.ts';
import { type Cell, DAY, localDay, WorldState } from '../state.ts';
import { categoryWindow } from './demand.detector.ts';

/**
 * Phantom inventory: the record says there is stock, the sales say the shelf is empty.
 * The posterior probability that the shelf is empty (record-confidence.ts) must pass the
 * threshold, with enough missed sale days behind it, while the store reports normally and
 * its category sells as usual (a silent till or a demand drop explains silence better).
 * A picker who comes up short on the record (a ship-from-store or click-and-collect order)
 * is direct evidence, weighed by the picker miss rate, and is checked when it arrives.
 * A sale proves the shelf had stock; a count settles it either way.
 */
export const phantomKey = (cell: Cell) => `phantom_inventory:${cell.loc.location}:${cell.sku.sku}`;

/** The record's last sale, as evidence (none if it never sold). */
const lastSaleEvidence = (cell: Cell) =>
  cell.lastSaleEventId
    ? [{ event_id: cell.lastSaleEventId, type: 'sale', occurred_at: iso(cell.lastSaleAt), note: 'last sale' }]
    : [];

/** What every phantom finding of a record shares, whatever found it. */
const phantomIdentity = (cell: Cell) => ({
  key: phantomKey(cell),
  type: 'phantom_inventory' as const,
  sku: cell.sku.sku,
  location: cell.loc.location,
  channel: 'store' as const,
  group: `location:${cell.loc.location}`,
  root_cause: 'physical_discrepancy' as const,
});

export function createPhantomInventoryDetector(): Detector {
  return {
    name: 'phantom-inventory',
    types: ['phantom_inventory'],
    onEvent(ctx, o, cell) {
      const e = o.event;
      if (e.type === 'short_pick') {
        considerPhantom(ctx, cell);
        return;
      }
      if (e.type !== 'sale' && e.type !== 'cycle_count') return;
      const key = phantomKey(cell);
      const open = ctx.open(key);
      if (!open) {
        if (e.type === 'cycle_count' && e.lot === undefined) foundByCount(ctx, cell, e.event_id);
        return;
      }
      if (e.type === 'sale')
        ctx.close(key, `sale ${e.event_id} at ${e.occurred_at} shows the shelf had stock`);
      else {
        const recorded = Number(open.evidence.figures.record_sellable ?? 0);
        ctx.close(
          key,
          `count ${e.event_id} found ${o.qtyBase} (the record said ${recorded})${(o.qtyBase ?? 0) < recorded ? ': confirmed and corrected' : ''}`,
        );
      }
    },
    sweep(ctx) {
      for (const cell of ctx.state.cells.values()) considerPhantom(ctx, cell);
    },
  };
}

/**
 * A count that finds the shelf well short of the record, with no phantom exception open:
 * the units left unrecorded before the sales could say so (a slow seller, a theft just
 * before the count). The count has already corrected the record, so the exception is
 * raised and closed at once: the loss, its cost and the store's shrink are on record, and
 * the replenishment the corrected record now calls for is its next action.
 */
function foundByCount(ctx: DetectContext, cell: Cell, eventId: string): void {
  if (cell.loc.kind !== 'store' || cell.countRecord === null || cell.countQty === null) return;
  // A store whose till is silent has sales still to arrive: its record reads high.
  const loc = ctx.state.locations.get(cell.loc.location);
  if (loc && !Number.isNaN(loc.gapSince)) return;
  const s = ctx.cellSettings(cell);
  const recorded = cell.countRecord;
  const counted = cell.countQty;
  const missing = recorded - counted;
  if (missing < s.phantom_count_min_units || missing < s.phantom_count_min_share * recorded) return;
  const key = phantomKey(cell);
  const rate = demandRate(cell, ctx.now, s.history_days);
  const lead = leadDays(cell, s);
  const silentDays = Number.isFinite(cell.lastSaleAt) ? Math.max(0, (ctx.now - cell.lastSaleAt) / DAY) : null;
  ctx.raise({
    ...phantomIdentity(cell),
    reasoning: `Count ${eventId} found ${counted} where the record said ${recorded}: ${missing} units (${fixed((missing / recorded) * 100, 0)}% of the record) left the shelf with no event, at least ${s.phantom_count_min_units} units and ${fixed(s.phantom_count_min_share * 100, 0)}% of the record being the bar for more than a miscount.${silentDays === null ? '' : ` The last sale was ${fixed(silentDays, 1)} days before the count.`}`,
    confidence: 1 - s.count_error_probability,
    evidence: {
      events: [
        {
          event_id: eventId,
          type: 'cycle_count',
          occurred_at: iso(cell.countAt),
          qty: counted,
          note: 'the count',
        },
        ...lastSaleEvidence(cell),
      ],
      figures: {
        record_before_count: recorded,
        counted,
        missing_units: missing,
        missing_share: fixed(missing / Math.max(1, recorded), 2),
        expected_units_per_day: fixed(rate.dailyUnits, 2),
        days_without_sale: silentDays === null ? 'never sold' : fixed(silentDays, 1),
        found_by: 'count',
      },
      thresholds: {
        phantom_count_min_units: s.phantom_count_min_units,
        phantom_count_min_share: s.phantom_count_min_share,
        count_error_probability: s.count_error_probability,
      },
    },
    explanation: `A count of ${cell.sku.sku} at ${cell.loc.location} found ${counted} of the ${recorded} units on record: ${missing} went missing without a trace (theft, misplacement or an unrecorded write-off). The count has corrected the record; ${counted === 0 ? 'the shelf is empty, so replenish it first, and' : ''} look into the loss.`,
    actions: [
      {
        kind: 'replenishment_priority',
        detail: `Replenish ${cell.sku.sku} at ${cell.loc.location}: ${missing} units short of what the record promised`,
        sku: cell.sku.sku,
        location: cell.loc.location,
        qty: missing,
      },
    ],
    impact: {
      units_at_risk: missing,
      lost_units_per_day: counted === 0 ? rate.dailyUnits : 0,
      horizon_days: lead,
      unit_margin: margin(cell),
    },
    urgency: counted === 0 ? Math.min(1, rate.dailyUnits / 2) : 0.1,
  });
  ctx.close(
    key,
    `found by count ${eventId}: the record (${recorded}) was corrected to the ${counted} counted`,
  );
}

/** Raises (or updates) the phantom exception of a store record when its evidence is strong enough. */
function considerPhantom(ctx: DetectContext, cell: Cell): void {
  if (cell.loc.kind !== 'store') return;
  const sellable = WorldState.sellable(cell);
  if (sellable <= 0) return;
  const s = ctx.cellSettings(cell);
  const loc = ctx.state.locations.get(cell.loc.location);
  if (loc && !Number.isNaN(loc.gapSince)) return;
  const context = {
    storeRate: ctx.storeErrorRate(cell.loc.location),
    peers: ctx.state.skuCells.get(cell.sku.sku),
    location: loc,
  };
  const strongEnough = (r: ConfidenceReading) =>
    r.emptyProbability >= (r.shortPicked ? s.phantom_pick_min_probability : s.phantom_min_probability) &&
    // A failed pick is a look at the shelf; silence alone needs enough missed sale days.
    (r.shortPicked || r.expectedSaleDays >= s.phantom_min_expected_sale_days);
  let reading = readConfidence(cell, ctx.now, s, context);
  if (!strongEnough(reading)) return;
  const weighed = weighSilence(ctx.state, cell, ctx.now, s, context, reading);
  if (!weighed) return;
  const { ratio, level, peers } = weighed;
  reading = weighed.reading;
  if (!strongEnough(reading)) return;
  const lead = leadDays(cell, s);
  const overstated = Math.min(sellable, reading.overstatementBound);
  const emptyNow = sellable <= reading.overstatementBound;
  ctx.raise({
    ...phantomIdentity(cell),
    reasoning: `Since the last count (${fixed(reading.daysSinceCount, 0)} days ago) the record spent ${fixed(reading.zeroRunDays, 1)} days at ${reading.overstatementBound} units or fewer without a single sale, where a day without a sale has probability ${fixed(reading.zeroSaleDay, 3)}${level < 1 ? ` (with ${cell.sku.category} here selling ${fixed(ratio * 100, 0)}% of its usual, read as ${fixed(level * 100, 0)}%)` : ''}; sales happen above that level and stop below it.${reading.shortPicked ? ` A picker came up short on it at ${iso(cell.shortPickAt)}, which happens with probability ${fixed(reading.pickMiss, 3)} when the units are there (this store's pickers, from how their earlier short picks were settled).` : ''} With a prior of ${fixed(reading.prior, 4)} that stock left unrecorded since the count, the record overstates the shelf by up to ${overstated} units with probability ${fixed(reading.emptyProbability, 4)}.`,
    confidence: reading.emptyProbability,
    evidence: {
      events: [
        ...(reading.shortPicked && cell.shortPickEventId
          ? [
              {
                event_id: cell.shortPickEventId,
                type: 'short_pick',
                occurred_at: iso(cell.shortPickAt),
                note: 'a picker did not find it',
              },
            ]
          : []),
        ...lastSaleEvidence(cell),
        ...(cell.countEventId
          ? [
              {
                event_id: cell.countEventId,
                type: 'cycle_count',
                occurred_at: iso(cell.countAt),
                qty: cell.countQty ?? 0,
                note: 'last count',
              },
            ]
          : []),
      ],
      figures: {
        record_sellable: sellable,
        overstated_units_up_to: overstated,
        shelf_probably_empty_now: emptyNow ? 'yes' : 'no',
        short_picked: reading.shortPicked ? 'yes' : 'no',
        picker_miss_probability: fixed(reading.pickMiss, 4),
        days_without_sale: fixed(reading.zeroRunDays, 2),
        expected_units_per_day: fixed(reading.expectedDailyUnits, 2),
        zero_sale_day_probability: fixed(reading.zeroSaleDay, 4),
        expected_sale_days_missed: fixed(reading.expectedSaleDays, 1),
        prior_empty: fixed(reading.prior, 4),
        probability_empty: fixed(reading.emptyProbability, 4),
        days_since_count: fixed(reading.daysSinceCount, 1),
        category_demand_ratio: fixed(ratio, 2),
        demand_level_read: fixed(level, 2),
        same_sku_other_stores_ratio: fixed(peers, 2),
      },
      thresholds: {
        phantom_min_probability: s.phantom_min_probability,
        phantom_min_expected_sale_days: s.phantom_min_expected_sale_days,
        phantom_pick_miss_probability: s.phantom_pick_miss_probability,
        phantom_pick_min_probability: s.phantom_pick_min_probability,
      },
    },
    explanation: `${cell.sku.sku} at ${cell.loc.location} usually sells ${fixed(reading.expectedDailyUnits, 1)} a day, but whenever its record falls to ${reading.overstatementBound} or fewer the sales stop (${fixed(reading.zeroRunDays, 1)} days so far)${reading.shortPicked ? ', and a picker could not find it' : ''}. About ${overstated} of the ${sellable} units on record are probably not there (p = ${fixed(reading.emptyProbability, 3)})${emptyNow ? ', and the shelf is probably empty now' : ''}: count it; replenishment plans on a record that looks stocked.`,
    actions: [
      {
        kind: 'count_task',
        detail: `Count ${cell.sku.sku} at ${cell.loc.location} today`,
        sku: cell.sku.sku,
        location: cell.loc.location,
      },
      {
        kind: 'availability_hold',
        detail: `Stop promising ${cell.sku.sku} at ${cell.loc.location} online until counted`,
        sku: cell.sku.sku,
        location: cell.loc.location,
      },
      {
        kind: 'replenishment_priority',
        detail: `Replenish ${cell.sku.sku} at ${cell.loc.location} if the count confirms`,
        sku: cell.sku.sku,
        location: cell.loc.location,
      },
    ],
    impact: {
      units_at_risk: overstated,
      lost_units_per_day: reading.expectedDailyUnits,
      horizon_days: lead,
      unit_margin: margin(cell),
    },
    urgency: Math.min(1, reading.expectedDailyUnits / 2),
  });
}

/**
 * A record's reading with its silence weighed against demand (silenceDemand): null when
 * the demand explains the silence, the reading again at the category's level when that is
 * below usual, else the reading as it was. The phantom detector and the count plan both
 * weigh a silence this way.
 */
export function weighSilence(
  state: WorldState,
  cell: Cell,
  now: number,
  s: DetectorSettings,
  context: ConfidenceContext,
  reading: ConfidenceReading,
): { reading: ConfidenceReading; ratio: number; level: number; peers: number } | null {
  const demand = silenceDemand(state, cell, now, s, reading.zeroRunDays);
  if (!demand.usual) return null;
  return {
    ...demand,
    reading:
      demand.level < 1 ? readConfidence(cell, now, s, { ...context, demandLevel: demand.level }) : reading,
  };
}

/**
 * How demand stood while the record was silent, against its usual:
 *  - `ratio`, the rest of the SKU's category at the store over the silence (up to 14 days);
 *  - `level`, that ratio read generously (one standard deviation of a negative binomial
 *    window above it, at most 1): a category's days are noisy, and a slow seller's silence
 *    is long enough that a dip read too deep would hide it;
 *  - `peers`, the same SKU's sales at the other stores since (peerRatio);
 *  - `usual`, false when the silence is explained without an empty shelf: a quiet category
 *    (under half its usual) explains a quiet SKU, and the same SKU gone quiet elsewhere
 *    says its season or its demand ended. A slower category explains part of the silence,
 *    which `level` weighs.
 */
function silenceDemand(
  state: WorldState,
  cell: Cell,
  now: number,
  s: DetectorSettings,
  zeroRunDays: number,
): { ratio: number; level: number; peers: number; usual: boolean } {
  const loc = state.locations.get(cell.loc.location);
  const from = localDay(now - Math.min(14, zeroRunDays + 1) * DAY, cell.loc);
  const to = localDay(now, cell.loc);
  const category = loc ? categoryWindow(loc, cell.sku.category, from, to, cell) : undefined;
  const ratio = category?.ratio ?? 1;
  const level =
    category && category.expected > 0
      ? Math.min(
          1,
          ratio *
            (1 + Math.sqrt(1 / category.expected + 1 / (s.category_dispersion * Math.max(1, to - from)))),
        )
      : 1;
  if (ratio < 0.5) return { ratio, level, peers: 1, usual: false };
  const peers = peerRatio(state.skuCells.get(cell.sku.sku) ?? [], cell, now, s.history_days);
  return { ratio, level, peers, usual: peers >= 0.6 };
}

/**
 * Sales of the same SKU at the other stores since this record went silent, over what
 * their own usual rates predicted (1 = business as usual; 1 when there are no peers).
 */
export function peerRatio(peers: Cell[], cell: Cell, now: number, window: number): number {
  const silentSince = Math.max(cell.lastSaleAt, cell.countAt);
  if (!Number.isFinite(silentSince)) return 1;
  let observed = 0;
  let expected = 0;
  for (const peer of peers) {
    if (peer === cell || peer.loc.kind !== 'store') continue;
    const from = localDay(silentSince, peer.loc);
    const to = localDay(now, peer.loc);
    if (to - from < 1) continue;
    const rate = demandRateBefore(peer, from, window);
    if (rate.days < 7) continue;
    for (let d = from; d < to; d++) observed += peer.demand.on(d);
    expected += rate.dailyUnits * (to - from);
  }
  return expected >= 3 ? observed / expected : 1;
}
