import type { InventoryEvent } from '../ingest/index.ts';
import { effectsOf, type LedgerEvent } from '../ledger/index.ts';

/**
 * The detectors' shared view of the world, kept in memory and fed by the event log in
 * arrival order: one record per SKU x location (balances, sales history, reports), one
 * per location (reporting, duplicates, demand per category) and the open flows
 * (transfers, purchase orders, returns). Pure: no I/O; rebuilt from the log on start.
 */

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export interface SkuInfo {
  sku: string;
  category: string;
  unitCost: number;
  unitPrice: number;
}

export interface LocationInfo {
  location: string;
  kind: string;
  region: string;
  /** Offset of local time from UTC, in ms (a fixed offset per location). */
  offsetMs: number;
}

export interface MasterSnapshot {
  skus: Map<string, SkuInfo>;
  locations: Map<string, LocationInfo>;
}

/** One event as the engine sees it: the validated body, its base quantity and log position. */
export interface ObservedEvent {
  seq: number;
  event: InventoryEvent;
  qtyBase: number | null;
  /** occurred_at in ms. */
  at: number;
}

/** A delivery that idempotency turned away: the same event_id again (duplicate) or with another body (conflict). */
export interface ObservedDelivery {
  seq: number;
  kind: 'duplicate' | 'conflict';
  event_id: string;
  type: string;
  sku: string;
  location: string;
  at: number;
}

export interface Report {
  qty: number;
  at: number;
  event_id: string;
}

export interface PromotionWindow {
  id: string;
  from: number;
  to: number;
  uplift: number;
  event_id: string;
}

/** Days of demand history kept per record (a ring, indexed by local day). */
export const HISTORY = 35;

/** Sale line sizes counted per SKU: 1 to 31 units, and 32 or more. */
const LINE_SIZES = 32;

export class DemandHistory {
  /** Units sold per local day. */
  readonly units = new Float64Array(HISTORY);
  /** Newest local day held; -1 before the first sale. */
  day = -1;
  /** First local day this record was seen (history starts here). */
  firstDay = -1;

  add(day: number, qty: number): void {
    if (this.firstDay < 0 || day < this.firstDay) this.firstDay = day;
    this.advance(day);
    if (day <= this.day - HISTORY) return;
    this.units[day % HISTORY]! += qty;
  }

  advance(day: number): void {
    if (this.firstDay < 0) this.firstDay = day;
    if (day <= this.day) return;
    const from = Math.max(this.day + 1, day - HISTORY + 1);
    for (let d = from; d <= day; d++) this.units[d % HISTORY] = 0;
    this.day = day;
  }

  on(day: number): number {
    if (day > this.day || day <= this.day - HISTORY || day < this.firstDay) return 0;
    return this.units[day % HISTORY]!;
  }

  /** Complete days of history before `day` (at most `window`). */
  daysBefore(day: number, window: number): number {
    if (this.firstDay < 0) return 0;
    return Math.max(0, Math.min(window, day - this.firstDay, HISTORY - 1));
  }
}

export interface Cell {
  key: string;
  sku: SkuInfo;
  loc: LocationInfo;
  onHand: number;
  pending: number;
  damaged: number;
  reserved: number;
  picked: number;
  inTransitIn: number;
  /** The latest count: events that happened before it are already in it. */
  countAt: number;
  countQty: number | null;
  countEventId: string | null;
  /**
   * What the record said at the latest count, just before the count replaced it; null
   * when that count was the record's first (nothing to compare it with).
   */
  countRecord: number | null;
  /** Movements after the count, kept a few days so that a late count re-sums correctly. */
  recent: { at: number; d: number }[];
  demand: DemandHistory;
  /**
   * Sale lines per local day (a till line is one shopper's units of the SKU): a day with any
   * is a sale day (zero-sales likelihoods), and units over lines is the record's basket.
   */
  saleLines: DemandHistory;
  /** The largest sale line before `lineDay`, the largest on it, and the latest local day of a line. */
  largestLine: number;
  dayLargestLine: number;
  dayLargestLineEventId: string | null;
  dayLargestLineAt: number;
  lineDay: number;
  lastSaleAt: number;
  lastSaleEventId: string | null;
  /** When stock last came in (receipt, transfer, found): a restocked shelf restarts the zero-sales clock. */
  lastInboundAt: number;
  /** Largest quantity seen per event type in normal operation. */
  maxQty: Map<string, number>;
  reports: Map<string, Report>;
  promotions: PromotionWindow[];
  /**
   * Phantom evidence (stores): time spent at each sellable record level since the last
   * count, and the lowest level at which a sale still happened (the shelf had stock
   * then, so the record cannot be overstated by that much).
   */
  levelTime: Map<number, number> | null;
  level: number;
  levelSince: number;
  minSaleLevel: number;
  /** When the sellable record last rose from nothing to stock: the silence before it says nothing. */
  stockedSince: number;
  /** The latest sale that took the sellable record from stock to nothing: the shelf sold out. */
  soldOutAt: number;
  soldOutEventId: string | null;
  /** Units of that sale line, and the sellable record just before it (what it took, if equal). */
  soldOutLine: number;
  soldOutBefore: number;
  /** The latest failed pick of the SKU here: a picker looked and did not find it. */
  shortPickAt: number;
  shortPickEventId: string | null;
  /** Listing status per channel, from listing_status events. */
  listings: Map<string, 'active' | 'paused'>;
  lastMarketplaceOrderAt: number;
  lastEventAt: number;
}

export interface LocationState {
  info: LocationInfo;
  /** Latest occurred_at of activity (a sale at a store, a pick elsewhere). */
  lastActivityAt: number;
  lastActivityEventId: string | null;
  /** Activity events per local day (how busy the till or the pickers usually are). */
  activity: DemandHistory;
  /** Activity events per local hour of the day, all history: the trading-hours profile. */
  hourly: Float64Array;
  /** While a reporting gap is open, demand figures of this location are incomplete. */
  gapSince: number;
  /** Units sold per category per local day, promoted SKUs left out. */
  categories: Map<string, DemandHistory>;
  /** Sale lines (a line is one shopper's units) per category per local day, promoted SKUs left out. */
  categoryLines: Map<string, DemandHistory>;
  /** Deliveries per local day: all, and duplicates. */
  deliveries: DemandHistory;
  duplicates: DemandHistory;
  duplicateSamples: { event_id: string; type: string; at: number; kind: string }[];
  shortPicks: { event_id: string; sku: string; at: number; qty: number }[];
}

export interface TransferFlow {
  id: string;
  sku: string;
  from: string;
  to: string;
  qty: number;
  shippedAt: number;
  expectedAt: number;
  received: number;
  receivedAt: number;
  shipEventId: string;
  receiptEventIds: string[];
}

/** What a transfer lane (from > to) has shown: how late its completed transfers were. */
export interface LaneStats {
  from: string;
  to: string;
  completed: number;
  /** Hours from expected arrival to the last receipt, the latest LANE_SAMPLES transfers. */
  lateness: number[];
  /** Hours from shipment to the last receipt, the same transfers. */
  transit: number[];
  /** When each of the same transfers shipped (ms): the hour of day the lane ships at. */
  shipped: number[];
}

/** Completed transfers a lane remembers. */
export const LANE_SAMPLES = 50;

export const laneKey = (from: string, to: string) => `${from}>${to}`;

export interface SupplyFlow {
  /** The PO id (or the ASN id when an ASN names no PO). */
  id: string;
  sku: string;
  location: string;
  supplier: string | null;
  ordered: number;
  orderedAt: number;
  poExpectedAt: number;
  poEventId: string | null;
  asnId: string | null;
  asnQty: number;
  asnAt: number;
  asnExpectedAt: number;
  asnEventId: string | null;
  received: number;
  receivedAt: number;
  receiptEventIds: string[];
}

export interface ReturnFlow {
  id: string;
  sku: string;
  location: string;
  qty: number;
  at: number;
  eventId: string;
  settled: number;
}

export const cellKey = (location: string, sku: string) => `${location}\u0000${sku}`;
export const localDay = (at: number, loc: LocationInfo) => Math.floor((at + loc.offsetMs) / DAY);
/** Hour of the local day, 0..24. */
export const localHour = (at: number, loc: LocationInfo) =>
  ((((at + loc.offsetMs) % DAY) + DAY) % DAY) / HOUR;

/** The share of a usual day's activity at a location that happens before `now`'s local hour. */
export function tradeShareSoFar(loc: LocationState, now: number): number {
  let total = 0;
  for (const h of loc.hourly) total += h;
  if (total <= 0) return 0;
  const hour = localHour(now, loc.info);
  const whole = Math.floor(hour) % 24;
  let share = 0;
  for (let h = 0; h < whole; h++) share += loc.hourly[h]!;
  share += loc.hourly[whole]! * (hour - Math.floor(hour));
  return share / total;
}

/**
 * Trading days between two instants at a location: whole local days plus the difference of
 * the shares of a usual day's trade done by each (a closed shop's night is not a day
 * without sales). Calendar days when the location has no trading profile yet.
 */
export function tradingDaysBetween(loc: LocationState, from: number, to: number): number {
  if (!(to > from)) return 0;
  if (!loc.hourly.some((h) => h > 0)) return (to - from) / DAY;
  return (
    localDay(to, loc.info) - localDay(from, loc.info) + tradeShareSoFar(loc, to) - tradeShareSoFar(loc, from)
  );
}

/** A location's history of one category in `histories`, begun with the location's own history. */
function categoryHistory(
  store: LocationState,
  histories: Map<string, DemandHistory>,
  category: string,
): DemandHistory {
  let hist = histories.get(category);
  if (!hist) {
    hist = new DemandHistory();
    hist.firstDay = store.deliveries.firstDay;
    histories.set(category, hist);
  }
  return hist;
}

export class WorldState {
  readonly cells = new Map<string, Cell>();
  readonly locations = new Map<string, LocationState>();
  readonly transfers = new Map<string, TransferFlow>();
  readonly lanes = new Map<string, LaneStats>();
  readonly supply = new Map<string, SupplyFlow>();
  readonly returns = new Map<string, ReturnFlow>();
  /** The records of each SKU, across locations (for peer comparisons). */
  readonly skuCells = new Map<string, Cell[]>();
  /** Per SKU, its sale lines by units (1 to LINE_SIZES, the last holding that and more), over all time. */
  readonly lineSizes = new Map<string, Float64Array>();
  /** The records of each location. */
  readonly locationCells = new Map<string, Cell[]>();

  constructor(readonly master: MasterSnapshot) {}

  location(code: string): LocationState | undefined {
    let state = this.locations.get(code);
    if (!state) {
      const info = this.master.locations.get(code);
      if (!info) return undefined;
      state = {
        info,
        lastActivityAt: Number.NEGATIVE_INFINITY,
        lastActivityEventId: null,
        activity: new DemandHistory(),
        hourly: new Float64Array(24),
        gapSince: Number.NaN,
        categories: new Map(),
        categoryLines: new Map(),
        deliveries: new DemandHistory(),
        duplicates: new DemandHistory(),
        duplicateSamples: [],
        shortPicks: [],
      };
      this.locations.set(code, state);
    }
    return state;
  }

  cell(location: string, sku: string): Cell | undefined {
    const key = cellKey(location, sku);
    let cell = this.cells.get(key);
    if (!cell) {
      const skuInfo = this.master.skus.get(sku);
      const loc = this.master.locations.get(location);
      if (!skuInfo || !loc) return undefined;
      cell = {
        key,
        sku: skuInfo,
        loc,
        onHand: 0,
        pending: 0,
        damaged: 0,
        reserved: 0,
        picked: 0,
        inTransitIn: 0,
        countAt: Number.NEGATIVE_INFINITY,
        countQty: null,
        countEventId: null,
        countRecord: null,
        recent: [],
        demand: new DemandHistory(),
        saleLines: new DemandHistory(),
        largestLine: 0,
        dayLargestLine: 0,
        dayLargestLineEventId: null,
        dayLargestLineAt: 0,
        lineDay: Number.NEGATIVE_INFINITY,
        lastSaleAt: Number.NEGATIVE_INFINITY,
        lastSaleEventId: null,
        lastInboundAt: Number.NEGATIVE_INFINITY,
        maxQty: new Map(),
        reports: new Map(),
        promotions: [],
        listings: new Map(),
        levelTime: loc.kind === 'store' ? new Map() : null,
        level: 0,
        levelSince: Number.NEGATIVE_INFINITY,
        minSaleLevel: Number.POSITIVE_INFINITY,
        stockedSince: Number.NEGATIVE_INFINITY,
        soldOutAt: Number.NEGATIVE_INFINITY,
        soldOutEventId: null,
        soldOutLine: 0,
        soldOutBefore: 0,
        shortPickAt: Number.NEGATIVE_INFINITY,
        shortPickEventId: null,
        lastMarketplaceOrderAt: Number.NEGATIVE_INFINITY,
        lastEventAt: Number.NEGATIVE_INFINITY,
      };
      this.cells.set(key, cell);
      const peers = this.skuCells.get(sku);
      if (peers) peers.push(cell);
      else this.skuCells.set(sku, [cell]);
      const here = this.locationCells.get(location);
      if (here) here.push(cell);
      else this.locationCells.set(location, [cell]);
    }
    return cell;
  }

  /** Sellable units on record: on hand less returns awaiting inspection and damaged units. */
  static sellable(cell: Cell): number {
    return cell.onHand - cell.pending - cell.damaged;
  }

  /** What channels may still promise: sellable less reserved and picked. */
  static atp(cell: Cell): number {
    return WorldState.sellable(cell) - cell.reserved - cell.picked;
  }

  /** Promotion uplift in force for a cell at a time (1 when none). */
  static uplift(cell: Cell, at: number): number {
    let uplift = 1;
    for (const p of cell.promotions) if (p.from <= at && at < p.to) uplift = Math.max(uplift, p.uplift);
    return uplift;
  }

  /** True when a promotion ran, or its after-dip lasted, on the local day. */
  static promotedOn(cell: Cell, day: number): boolean {
    for (const p of cell.promotions) {
      const from = localDay(p.from, cell.loc);
      const to = localDay(p.to, cell.loc) + 3;
      if (from <= day && day <= to) return true;
    }
    return false;
  }

  /** Applies one event to the balances and histories. Returns the cell it touched. */
  apply(o: ObservedEvent): Cell | undefined {
    const e = o.event;
    const cell = this.cell(e.location, e.sku);
    if (!cell) return undefined;
    const ledger: LedgerEvent = { event: e, at: '', qtyBase: o.qtyBase };
    const q = o.qtyBase ?? 0;
    if (o.at > cell.lastEventAt) cell.lastEventAt = o.at;
    const levelBefore = WorldState.sellable(cell);
    for (const effect of effectsOf(ledger)) {
      if (effect.kind === 'delta') {
        const target = effect.primary ? cell : this.cell(effect.location, e.sku);
        if (!target) continue;
        const d = effect.delta;
        if (d.on_hand) this.moveOnHand(target, o.at, d.on_hand);
        target.pending += d.returns_pending ?? 0;
        target.damaged += d.damaged ?? 0;
        target.reserved += d.reserved ?? 0;
        target.picked += d.picked ?? 0;
        target.inTransitIn += d.in_transit_in ?? 0;
      } else if (effect.kind === 'count' && effect.lot === undefined) {
        this.count(cell, o.at, effect.qty, e.event_id);
      } else if (effect.kind === 'snapshot') {
        const prev = cell.reports.get(effect.source);
        if (!prev || prev.at <= o.at)
          cell.reports.set(effect.source, { qty: effect.onHand, at: o.at, event_id: e.event_id });
      } else if (effect.kind === 'listing') {
        cell.listings.set(effect.channel, effect.status);
      }
    }
    if (e.type === 'sale') this.recordSale(cell, o, q);
    if (cell.levelTime) this.trackLevel(cell, o, levelBefore);
    if (e.type === 'sale' || (e.type === 'pick' && cell.loc.kind !== 'store')) this.recordActivity(cell, o);
    if (
      e.type === 'receipt' ||
      e.type === 'transfer_received' ||
      (e.type === 'adjustment' && e.reason === 'found')
    ) {
      if (o.at > cell.lastInboundAt) cell.lastInboundAt = o.at;
    }
    if (e.type === 'promotion') {
      const from = Date.parse(e.starts_at);
      const to = Date.parse(e.ends_at);
      if (!cell.promotions.some((p) => p.from === from && p.to === to)) {
        cell.promotions.push({
          id: e.ref?.promotion_id ?? e.event_id,
          from,
          to,
          uplift: e.uplift ?? 1.5,
          event_id: e.event_id,
        });
      }
      cell.promotions = cell.promotions.filter((p) => p.to > o.at - 40 * DAY);
    }
    if (e.type === 'short_pick' && o.at > cell.shortPickAt) {
      cell.shortPickAt = o.at;
      cell.shortPickEventId = e.event_id;
    }
    if (e.type === 'reservation' && e.channel === 'marketplace' && o.at > cell.lastMarketplaceOrderAt) {
      cell.lastMarketplaceOrderAt = o.at;
    }
    this.trackFlows(o, q);
    return cell;
  }

  private moveOnHand(cell: Cell, at: number, d: number): void {
    // A movement that happened before the latest count is already in the count.
    if (at < cell.countAt) return;
    cell.onHand += d;
    cell.recent.push({ at, d });
    if (cell.recent.length > 64) cell.recent.splice(0, cell.recent.length - 32);
  }

  private count(cell: Cell, at: number, qty: number, eventId: string): void {
    if (at < cell.countAt) return;
    let after = 0;
    for (const m of cell.recent) if (m.at > at) after += m.d;
    cell.recent = cell.recent.filter((m) => m.at > at);
    cell.countRecord = Number.isFinite(cell.countAt) ? cell.onHand - after : null;
    cell.onHand = qty + after;
    cell.countAt = at;
    cell.countQty = qty;
    cell.countEventId = eventId;
  }

  private recordSale(cell: Cell, o: ObservedEvent, q: number): void {
    const day = localDay(o.at, cell.loc);
    this.countLine(cell, q, 1);
    cell.demand.add(day, q);
    cell.saleLines.add(day, 1);
    if (day > cell.lineDay) {
      cell.largestLine = Math.max(cell.largestLine, cell.dayLargestLine);
      cell.dayLargestLine = 0;
      cell.lineDay = day;
    }
    if (day === cell.lineDay && q > cell.dayLargestLine) {
      cell.dayLargestLine = q;
      cell.dayLargestLineEventId = o.event.event_id;
      cell.dayLargestLineAt = o.at;
    } else if (day < cell.lineDay) cell.largestLine = Math.max(cell.largestLine, q);
    if (o.at > cell.lastSaleAt) {
      cell.lastSaleAt = o.at;
      cell.lastSaleEventId = o.event.event_id;
    }
    const store = this.location(cell.loc.location);
    if (!store) return;
    if (!WorldState.promotedOn(cell, day)) {
      categoryHistory(store, store.categories, cell.sku.category).add(day, q);
      categoryHistory(store, store.categoryLines, cell.sku.category).add(day, 1);
    }
  }

  private trackLevel(cell: Cell, o: ObservedEvent, before: number): void {
    const times = cell.levelTime!;
    if (o.event.type === 'cycle_count' && o.event.lot === undefined && o.at >= cell.countAt) {
      times.clear();
      cell.minSaleLevel = Number.POSITIVE_INFINITY;
      cell.level = WorldState.sellable(cell);
      cell.levelSince = o.at;
      return;
    }
    if (o.event.type === 'sale' && o.at >= cell.countAt && before < cell.minSaleLevel)
      cell.minSaleLevel = before;
    const after = WorldState.sellable(cell);
    if (after === cell.level) return;
    if (cell.level <= 0 && after > 0 && o.at > cell.stockedSince) cell.stockedSince = o.at;
    if (o.event.type === 'sale' && before > 0 && after <= 0 && o.at > cell.soldOutAt) {
      cell.soldOutAt = o.at;
      cell.soldOutEventId = o.event.event_id;
      cell.soldOutLine = Math.abs(o.qtyBase ?? 0);
      cell.soldOutBefore = before;
    }
    if (o.at > cell.levelSince && Number.isFinite(cell.levelSince) && cell.level > 0 && cell.level <= 1000) {
      const store = this.locations.get(cell.loc.location);
      const spent = store ? tradingDaysBetween(store, cell.levelSince, o.at) * DAY : o.at - cell.levelSince;
      times.set(cell.level, (times.get(cell.level) ?? 0) + spent);
    }
    cell.level = after;
    if (o.at > cell.levelSince || !Number.isFinite(cell.levelSince)) cell.levelSince = o.at;
  }

  /**
   * Days since the last count in which the record showed stock no sale has disproved:
   * at or below the largest overstatement the sales still allow (one less than the
   * lowest level a sale happened at).
   */
  static unexplainedDays(cell: Cell, now: number, store?: LocationState): { days: number; bound: number } {
    if (!cell.levelTime) return { days: 0, bound: 0 };
    const bound = cell.minSaleLevel - 1;
    let ms = 0;
    for (const [level, t] of cell.levelTime) if (level <= bound) ms += t;
    if (cell.level > 0 && cell.level <= bound && Number.isFinite(cell.levelSince) && now > cell.levelSince)
      ms += store ? tradingDaysBetween(store, cell.levelSince, now) * DAY : now - cell.levelSince;
    return { days: ms / DAY, bound };
  }

  private learnLane(t: TransferFlow): void {
    const key = laneKey(t.from, t.to);
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { from: t.from, to: t.to, completed: 0, lateness: [], transit: [], shipped: [] };
      this.lanes.set(key, lane);
    }
    lane.completed += 1;
    lane.lateness.push((t.receivedAt - t.expectedAt) / HOUR);
    if (lane.lateness.length > LANE_SAMPLES) lane.lateness.shift();
    lane.transit.push((t.receivedAt - t.shippedAt) / HOUR);
    if (lane.transit.length > LANE_SAMPLES) lane.transit.shift();
    lane.shipped.push(t.shippedAt);
    if (lane.shipped.length > LANE_SAMPLES) lane.shipped.shift();
  }

  /**
   * When a replenishment of `location` asked for now would land, as its completed inbound
   * transfers show: each left at its hour of the day and took its hours to come, so one
   * asked for now leaves at the next such hour and takes as long. The landings with their
   * shares (to the quarter hour); undefined with fewer than `min` transfers seen.
   */
  replenishmentLandings(location: string, now: number, min = 5): { at: number; share: number }[] | undefined {
    const landings = new Map<number, number>();
    let n = 0;
    for (const lane of this.lanes.values()) {
      if (lane.to !== location) continue;
      lane.transit.forEach((hours, i) => {
        const shipped = lane.shipped[i];
        if (shipped === undefined) return;
        const leaves = shipped + Math.ceil((now - shipped) / DAY) * DAY;
        const at = Math.round((leaves + hours * HOUR) / (15 * 60_000)) * 15 * 60_000;
        landings.set(at, (landings.get(at) ?? 0) + 1);
        n += 1;
      });
    }
    if (n < min) return undefined;
    return [...landings].sort((a, b) => a[0] - b[0]).map(([at, k]) => ({ at, share: k / n }));
  }

  /**
   * Days a replenishment of `location` takes to land, as its completed inbound transfers
   * show: the median hours from shipment to receipt over every lane into it, plus a day
   * for the next shipment to leave (replenishment reviews daily). Undefined with fewer
   * than `min` transfers seen.
   */
  observedLeadDays(location: string, min = 5): number | undefined {
    const hours: number[] = [];
    for (const lane of this.lanes.values()) if (lane.to === location) hours.push(...lane.transit);
    if (hours.length < min) return undefined;
    hours.sort((a, b) => a - b);
    return hours[Math.floor(hours.length / 2)]! / 24 + 1;
  }

  private countLine(cell: Cell, qty: number, n: number): void {
    if (!(qty >= 1)) return;
    let sizes = this.lineSizes.get(cell.sku.sku);
    if (!sizes) {
      sizes = new Float64Array(LINE_SIZES);
      this.lineSizes.set(cell.sku.sku, sizes);
    }
    sizes[Math.min(LINE_SIZES, Math.floor(qty)) - 1]! += n;
  }

  /**
   * The chance that a shopper whose line was `qty` units would have taken more had the shelf
   * held it: of the SKU's lines of at least `qty`, the share of more (a geometric basket's p;
   * 1 below a fixed lump; a quarter before any such line). A till that records one line
   * per unit scanned shows no baskets: 0 for one unit. The line asked about is already
   * counted, cut short: it is left out.
   */
  wouldTakeMore(sku: string, qty: number): number {
    const sizes = this.lineSizes.get(sku);
    if (!sizes || !(qty >= 1) || qty >= LINE_SIZES) return 0;
    let atLeast = -1;
    for (let i = Math.floor(qty) - 1; i < LINE_SIZES; i++) atLeast += sizes[i]!;
    const more = atLeast + 1 - sizes[Math.floor(qty) - 1]!;
    return (more + 0.5) / (Math.max(0, atLeast) + 2);
  }

  /**
   * Takes a sale back out of the demand histories (a quantity found to be a glitch). Its line
   * is forgotten too; so is the day's largest line, or the earlier largest, when it was that.
   */
  retractSale(cell: Cell, at: number, qty: number): void {
    const day = localDay(at, cell.loc);
    this.countLine(cell, qty, -1);
    cell.demand.add(day, -qty);
    cell.saleLines.add(day, -1);
    if (day === cell.lineDay && cell.dayLargestLine === qty) cell.dayLargestLine = 0;
    else if (cell.largestLine === qty) cell.largestLine = 0;
    const store = this.locations.get(cell.loc.location);
    if (store && !WorldState.promotedOn(cell, day)) {
      store.categories.get(cell.sku.category)?.add(day, -qty);
      store.categoryLines.get(cell.sku.category)?.add(day, -1);
    }
  }

  private recordActivity(cell: Cell, o: ObservedEvent): void {
    const loc = this.location(cell.loc.location);
    if (!loc) return;
    loc.activity.add(localDay(o.at, loc.info), 1);
    loc.hourly[Math.floor(localHour(o.at, loc.info)) % 24]! += 1;
    if (o.at > loc.lastActivityAt) {
      loc.lastActivityAt = o.at;
      loc.lastActivityEventId = o.event.event_id;
    }
  }

  private trackFlows(o: ObservedEvent, q: number): void {
    const e = o.event;
    const ref = e.ref ?? {};
    switch (e.type) {
      case 'transfer_shipped': {
        const id = ref.transfer_id ?? e.event_id;
        const t = this.transfers.get(id);
        const expectedAt = e.expected_at ? Date.parse(e.expected_at) : o.at + 2 * DAY;
        if (t) {
          t.qty += q;
          t.shipEventId ||= e.event_id;
        } else {
          this.transfers.set(id, {
            id,
            sku: e.sku,
            from: e.location,
            to: e.to_location,
            qty: q,
            shippedAt: o.at,
            expectedAt,
            received: 0,
            receivedAt: Number.NaN,
            shipEventId: e.event_id,
            receiptEventIds: [],
          });
        }
        break;
      }
      case 'transfer_received': {
        const id = ref.transfer_id;
        const t = id ? this.transfers.get(id) : undefined;
        if (t) {
          const complete = t.received >= t.qty;
          t.received += q;
          t.receivedAt = o.at;
          t.receiptEventIds.push(e.event_id);
          if (!complete && t.received >= t.qty) this.learnLane(t);
        }
        break;
      }
      case 'purchase_order': {
        const id = ref.po_id ?? e.event_id;
        const f = this.supplyFlow(id, e.sku, e.location);
        f.ordered += q;
        f.orderedAt = o.at;
        f.supplier = e.supplier ?? f.supplier;
        f.poExpectedAt = e.expected_at ? Date.parse(e.expected_at) : Number.NaN;
        f.poEventId = e.event_id;
        break;
      }
      case 'asn': {
        const id = ref.po_id ?? ref.asn_id ?? e.event_id;
        const f = this.supplyFlow(id, e.sku, e.location);
        f.asnId = ref.asn_id ?? e.event_id;
        f.asnQty += q;
        f.asnAt = o.at;
        f.asnExpectedAt = e.expected_at ? Date.parse(e.expected_at) : Number.NaN;
        f.asnEventId = e.event_id;
        f.supplier = e.supplier ?? f.supplier;
        break;
      }
      case 'receipt': {
        const id = ref.po_id ?? ref.asn_id;
        if (!id) break;
        const f = this.supplyFlow(id, e.sku, e.location);
        f.received += q;
        f.receivedAt = o.at;
        f.receiptEventIds.push(e.event_id);
        if (ref.asn_id && !f.asnId) f.asnId = ref.asn_id;
        break;
      }
      case 'return': {
        if (e.disposition !== 'pending') break;
        const id = ref.return_id ?? e.event_id;
        const r = this.returns.get(id);
        if (r) r.qty += q;
        else
          this.returns.set(id, {
            id,
            sku: e.sku,
            location: e.location,
            qty: q,
            at: o.at,
            eventId: e.event_id,
            settled: 0,
          });
        break;
      }
      case 'return_disposition': {
        if (e.from !== 'pending') break;
        const id = ref.return_id;
        const r = id ? this.returns.get(id) : undefined;
        if (r) r.settled += q;
        break;
      }
      default:
    }
  }

  private supplyFlow(id: string, sku: string, location: string): SupplyFlow {
    let f = this.supply.get(id);
    if (!f) {
      f = {
        id,
        sku,
        location,
        supplier: null,
        ordered: 0,
        orderedAt: Number.NaN,
        poExpectedAt: Number.NaN,
        poEventId: null,
        asnId: null,
        asnQty: 0,
        asnAt: Number.NaN,
        asnExpectedAt: Number.NaN,
        asnEventId: null,
        received: 0,
        receivedAt: Number.NaN,
        receiptEventIds: [],
      };
      this.supply.set(id, f);
    }
    return f;
  }

  /** Records a delivery idempotency turned away. */
  delivery(d: ObservedDelivery): LocationState | undefined {
    const loc = this.location(d.location);
    if (!loc) return undefined;
    const day = localDay(d.at, loc.info);
    loc.duplicates.add(day, 1);
    loc.duplicateSamples.push({ event_id: d.event_id, type: d.type, at: d.at, kind: d.kind });
    if (loc.duplicateSamples.length > 200) loc.duplicateSamples.splice(0, 100);
    return loc;
  }

  /** Counts every accepted event per location per day (the base of duplicate shares). */
  countDelivery(location: string, at: number): void {
    const loc = this.location(location);
    if (loc) loc.deliveries.add(localDay(at, loc.info), 1);
  }
}
