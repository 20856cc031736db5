import { assertUnreachable, InvexError } from '../core/errors.ts';
import {
  addBasket,
  addShoppers,
  type CategoryTable,
  categoryTables,
  dayFactors,
  drawCategoryDemand,
  shopperRate,
} from './demand.ts';
import { type Climate, seasonality, type TwinNetwork, WEEKDAY } from './network.ts';
import { AliasTable, between, createRandom, negativeBinomial, poisson, type Random } from './random.ts';
import type { FaultType, LabelType, Scenario } from './scenario.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A canonical event as the twin's systems send it, with when it reaches invex. */
export interface TwinEvent {
  arrival: number;
  seq: number;
  body: Record<string, unknown>;
}

/** Ground truth of one injected fault (labels.json). */
export interface FaultLabel {
  id: string;
  type: LabelType;
  sku: string | null;
  location: string | null;
  start: string;
  end: string | null;
  magnitude: number;
  unit: string;
  cause: string;
  events: string[];
  /** For faults of a whole category at a store (demand drop, unplanned promotion). */
  category?: string;
}

/** Where the twin's output goes; the runner writes files, the closed loop feeds invex. */
export interface TwinSink {
  events(events: TwinEvent[]): void;
  truth(date: string, location: string, onHand: Record<string, number>): void;
}

interface Arrival {
  kind: 'transfer' | 'receipt';
  to: number;
  from: number;
  sku: number;
  qty: number;
  ref: Record<string, string>;
  /** A lost transfer never arrives; the label holds it. */
  lost?: boolean;
  /** Units that were on the way, when fewer arrive (a short shipment). */
  ordered?: number;
  /** The fault this arrival is part of: its receipt event joins the label. */
  label?: FaultLabel;
  /** A receipt: the day its purchase order went out, and its supplier. */
  orderedOn?: number;
  supplier?: number;
}

interface ReturnDue {
  store: number;
  sku: number;
  qty: number;
  returnId: string;
  stage: 'return' | 'disposition' | 'disposal';
  damaged: boolean;
  returnEventId?: string;
}

interface PlannedFault {
  type: FaultType;
  day: number;
  cell: number;
  store: number;
  category: number;
  magnitude: number | undefined;
}

/** A planned promotion: uplift while it runs, a dip for a few days after (demand pulled forward). */
interface Promotion {
  id: string;
  region: number;
  sku: number;
  announce: number;
  from: number;
  to: number;
  uplift: number;
}

/** A DC's marketplace listing pauses at this many units or fewer, and resumes above LISTING_RESUME. */
const LISTING_PAUSE = 2;
const LISTING_RESUME = 6;

/** Demand left after a promotion, as a share of usual, for DIP_DAYS days. */
const DIP = 0.6;
const DIP_DAYS = 3;

/**
 * Local hour transfers leave their source: after the day's trading and online order intake,
 * which the simulation serves from the stock before the day's transfers. An earlier hour
 * would put orders the stock covered after a shipment that, in the log, had already taken it.
 */
const SHIP_HOUR = 23;

/** A change to a store's demand for a category (or one SKU) over some days. */
interface DemandShift {
  store: number;
  category: number;
  /** One SKU's extra units (a one-off spike), or -1 for a factor on the whole category. */
  sku: number;
  from: number;
  to: number;
  factor: number;
  units: number;
  label: FaultLabel;
}

/**
 * How replenishment sees stock: `baseline` plans on what the systems record (a static
 * (s, S) with no exception handling), `oracle` on the physical truth.
 */
export type ReplenishmentPolicy = 'baseline' | 'oracle' | 'invex';

/** What a planner sees at the end of a trading day: what the systems recorded, never the truth. */
export interface PlannerView {
  day: number;
  net: TwinNetwork;
  nSkus: number;
  /** Units each cell (location x SKU, see cell()) sold or shipped today, as recorded. */
  sold: Int32Array;
  /** Units customers returned to each cell today, awaiting inspection (recorded `return` events). */
  returned: Int32Array;
  /** Units inspection put back to sale in each cell today (recorded `return_disposition`, sellable). */
  restocked: Int32Array;
  recordedSellable: Int32Array;
  recordedInbound: Int32Array;
  /** Per cell; the planner sets them, the twin orders by them (s, S). */
  reorderPoint: Int32Array;
  orderUpTo: Int32Array;
  /** Promotions announced so far (region index, SKU index, days from..to, announced uplift). */
  promotions: readonly { region: number; sku: number; from: number; to: number; uplift: number }[];
  /** Each receipt so far: its supplier and the days from purchase order to arrival. */
  leadTimes: readonly { supplier: number; days: number }[];
  /** Per location: 1 when a delivery already goes there today. */
  deliveredToday: Uint8Array;
}

/** A replenishment planner in the closed loop (invex's is src/replenish). */
export interface Planner {
  readonly name: ReplenishmentPolicy;
  /** End of each trading day, before orders go out: set reorder points and order-up-to levels. */
  plan(view: PlannerView): void;
  /** A DC short of a SKU: units for each store's request (whole cases; at most the request). */
  allocate?(
    view: PlannerView,
    dc: number,
    sku: number,
    requests: readonly { store: number; qty: number }[],
    available: number,
  ): number[];
  /** After the DC's deliveries: store-to-store transfers. */
  redistribute?(view: PlannerView): { from: number; to: number; sku: number; qty: number }[];
}

/** The baseline's rule when a DC runs short: stores in order, each as much as is left. */
function firstComeFirstServed(requests: readonly { qty: number }[], available: number): number[] {
  let left = available;
  return requests.map((r) => {
    const qty = Math.min(r.qty, left);
    left -= qty;
    return qty;
  });
}

const iso = (ms: number) => new Date(ms).toISOString();
/** Faults that wait for something to happen (a sale, a transfer, an order) before they take effect. */
const NEEDS_TRIGGER = new Set<FaultType>([
  'data_glitch',
  'transfer_lost',
  'transfer_delayed',
  'late_or_missing_asn',
  'receiving_variance',
  'return_without_disposition',
  'negative_on_hand_sequencing',
  'duplicate_events',
  'pos_outage',
  'marketplace_oversell',
]);

/** One lot per regulated SKU: enough for lot-tracked events to balance. */
const lotOf = (sku: string) => `LOT-${sku}-A`;

/**
 * The twin: physical truth per SKU x location, advanced a day at a time, and the events
 * each system reports about it. Truth and what the systems report diverge only through
 * the injected faults, each of which leaves a label.
 */
export class World {
  readonly net: TwinNetwork;
  readonly scenario: Scenario;
  private readonly random: Random;
  private readonly faultRandom: Random;
  private readonly nSkus: number;
  /** Physical units by state, per cell (location x SKU). */
  readonly sellable: Int32Array;
  readonly pending: Int32Array;
  readonly damaged: Int32Array;
  /** Ordered or shipped towards the cell, not yet arrived: the replenishment position. */
  private readonly inbound: Int32Array;
  /**
   * What the systems believe: sellable on-hand and inbound per cell, moved by the events
   * they send. Without faults it equals the truth; the baseline policy plans on it.
   */
  readonly recordedSellable: Int32Array;
  private readonly recordedInbound: Int32Array;
  /** DC marketplace listings paused for low stock (1), per cell. */
  private readonly pausedListing: Uint8Array;
  /** Demand draws come from their own stream, so every policy faces the same customers. */
  private readonly demandRandom: Random;
  readonly policy: ReplenishmentPolicy;
  readonly kpi = {
    demandUnits: 0,

    lostUnits: 0,
    lostValue: 0,
    /** Lost units by where the demand met an empty shelf. */
    lostStoreUnits: 0,
    lostOnlineUnits: 0,
    lostShipFromStoreUnits: 0,
    /** Units stores asked their DC for that the DC did not have. */
    dcShortUnits: 0,
    soldCost: 0,
    cancelledOrders: 0,
    stockoutCellDays: 0,
    inventoryValueDays: 0,
    /** Store deliveries: one per store and day with any transfer, however many SKUs it carries. */
    transfers: 0,
    transferLines: 0,
    transferUnits: 0,
    purchaseOrders: 0,
    counts: 0,
    /** Store-to-store transfer lines (a planner's redistribution). */
    storeTransfers: 0,
  };
  private readonly planner: Planner | undefined;
  private readonly deliveredToday: Uint8Array;
  private readonly soldToday: Int32Array;
  private readonly returnedToday: Int32Array;
  private readonly restockedToday: Int32Array;
  private readonly leadTimesSeen: { supplier: number; days: number }[] = [];
  private readonly reorderPoint: Int32Array;
  private readonly orderUpTo: Int32Array;
  private readonly arrivals = new Map<number, Arrival[]>();
  private readonly returnsDue = new Map<number, ReturnDue[]>();
  private readonly categoryTables: CategoryTable[];
  private readonly onlineTable: AliasTable;
  private readonly startMs: number;
  private readonly idPrefix: string;
  private counter = 0;
  private seq = 0;
  private pendingOut: TwinEvent[] = [];
  /** The last day stepped (-1 before the first). */
  private lastDay = -1;
  private readonly faults: PlannedFault[] = [];
  readonly labels: FaultLabel[] = [];
  /** Today's count plan per store: SKU and count id, best first (directCounts). */
  private directed = new Map<number, { sku: number; countId: string }[]>();
  /** Open phantom-inventory labels per cell, closed by the next count of the cell. */
  private readonly openPhantoms = new Map<number, FaultLabel>();
  private readonly outages: { store: number; from: number; to: number; label: FaultLabel }[] = [];
  /** Unit flows in and out of the network, for the conservation check. */
  readonly flows = {
    writtenOff: 0,
    opening: 0,
    received: 0,
    sold: 0,
    shippedOnline: 0,
    returned: 0,
    disposed: 0,
    stolen: 0,
    lostInTransit: 0,
  };

  constructor(
    net: TwinNetwork,
    scenario: Scenario,
    seed: number,
    policy: ReplenishmentPolicy | Planner = 'baseline',
  ) {
    this.net = net;
    this.scenario = scenario;
    this.planner = typeof policy === 'string' ? undefined : policy;
    this.policy = typeof policy === 'string' ? policy : policy.name;
    this.random = createRandom(seed);
    this.demandRandom = createRandom(seed ^ 0x68e31da4);
    // Faults draw from their own stream, so adding one does not reshuffle the rest.
    this.faultRandom = createRandom(seed ^ 0x2545f491);
    this.nSkus = net.skus.length;
    const cells = net.locations.length * this.nSkus;
    this.sellable = new Int32Array(cells);
    this.pending = new Int32Array(cells);
    this.damaged = new Int32Array(cells);
    this.inbound = new Int32Array(cells);
    this.recordedSellable = new Int32Array(cells);
    this.recordedInbound = new Int32Array(cells);
    this.pausedListing = new Uint8Array(cells);
    this.deliveredToday = new Uint8Array(net.locations.length);
    this.soldToday = new Int32Array(cells);
    this.returnedToday = new Int32Array(cells);
    this.restockedToday = new Int32Array(cells);

    this.reorderPoint = new Int32Array(cells);
    this.orderUpTo = new Int32Array(cells);
    this.startMs = Date.parse(`${scenario.start}T00:00:00Z`);
    this.idPrefix = `${scenario.name}-${seed}-`;
    this.categoryTables = categoryTables(net.skus, net.categories.length);
    this.onlineTable = new AliasTable(net.skus.map((s) => s.baseRate));
    this.setPolicy();
    this.planFaults();
    this.planPromotions();
    this.applyWhatIf();
  }

  cell(location: number, sku: number): number {
    return location * this.nSkus + sku;
  }

  /** Baseline (s, S): reorder when the position covers less than lead time plus review, order up to two weeks. */
  private setPolicy(): void {
    const { net } = this;
    for (const store of net.replenished) {
      for (const sku of net.skus) {
        const daily = sku.baseRate * this.scenario.demand.scale * 1.3;
        const c = this.cell(store, sku.index);
        this.reorderPoint[c] = Math.max(1, Math.ceil(daily * 4 + 2 * Math.sqrt(daily * 4)));
        this.orderUpTo[c] = Math.max(this.reorderPoint[c]! + sku.caseSize, Math.ceil(daily * 14));
      }
    }
    for (const dc of net.dcs) {
      const served = net.replenished.filter((s) => net.locations[s]!.dc === dc).length;
      for (const sku of net.skus) {
        const lead = net.suppliers[sku.supplier]!.leadDays + net.suppliers[sku.supplier]!.leadSpread;
        const daily = sku.baseRate * this.scenario.demand.scale * 1.3 * (served + 1);
        const c = this.cell(dc, sku.index);
        this.reorderPoint[c] = Math.max(sku.caseSize, Math.ceil(daily * (lead + 3)));
        this.orderUpTo[c] = Math.max(this.reorderPoint[c]! + sku.caseSize, Math.ceil(daily * (lead + 21)));
      }
    }
  }

  private planFaults(): void {
    const r = this.faultRandom;
    const { net, scenario } = this;
    for (const spec of scenario.faults) {
      const stores = spec.region
        ? net.stores.filter((st) => net.regions[net.locations[st]!.region]!.region === spec.region)
        : net.stores;
      const category = spec.category ? net.categories.findIndex((c) => c.category === spec.category) : -1;
      const pool = category >= 0 ? net.skus.filter((k) => k.category === category) : net.skus;
      if (stores.length === 0 || pool.length === 0) continue;
      for (let i = 0; i < spec.count; i++) {
        // Faults start after the first week (the network settles) and before the last few days.
        const first = Math.min(7, scenario.days - 1);
        const day = spec.day ?? between(r, first, Math.max(first, scenario.days - 4));
        const store = stores[Math.floor(r() * stores.length)]!;
        // Popular SKUs, so that the fault soon meets a sale, a transfer or an order.
        let pick = r() * pool.reduce((sum, k) => sum + k.baseRate, 0);
        let sku = pool[0]!;
        for (const candidate of pool) {
          sku = candidate;
          pick -= candidate.baseRate;
          if (pick <= 0) break;
        }
        this.faults.push({
          type: spec.type,
          day,
          store,
          cell: this.cell(store, sku.index),
          category: sku.category,
          magnitude: spec.magnitude,
        });
      }
    }
  }

  /** Store closures of the what-ifs: store location index -> [from, to) days. */
  private readonly closures: { store: number; from: number; to: number }[] = [];
  /** Purchase orders and transfers, in order, when recordActions is on (what-if comparisons). */
  readonly actions: {
    day: number;
    kind: 'order' | 'transfer';
    from: number;
    to: number;
    sku: number;
    qty: number;
  }[] = [];
  recordActions = false;

  /** The scenario's what-ifs, by name; an unknown name is an error that says which. */
  private applyWhatIf(): void {
    const { net } = this;
    const whatIf = this.scenario.what_if;
    const find = <T>(what: string, name: string, list: T[], key: (x: T) => string): number => {
      const index = list.findIndex((x) => key(x) === name);
      if (index < 0)
        throw new InvexError(
          'invalid_input',
          'config_invalid',
          `what-if: no ${what} ${name} in this network (${list.slice(0, 5).map(key).join(', ')}${list.length > 5 ? ', ...' : ''})`,
        );
      return index;
    };
    for (const slip of whatIf.supplier_slips) {
      const supplier = find(
        'supplier',
        slip.supplier,
        net.suppliers,
        (s) => net.locations[s.location]!.location,
      );
      this.slips.push({
        supplier,
        from: slip.day,
        to: slip.day + slip.duration_days,
        extra: slip.days,
        label: this.whatIfLabel(),
      });
    }
    whatIf.promotions.forEach((p, i) => {
      this.promotions.push({
        id: `WHATIF-${this.idPrefix}${i + 1}`,
        region: find('region', p.region, net.regions, (r) => r.region),
        sku: find('SKU', p.sku, net.skus, (s) => s.sku),
        announce: Math.max(0, p.day - 7),
        from: p.day,
        to: p.day + p.days,
        uplift: p.uplift,
      });
    });
    for (const c of whatIf.closures) {
      const store = net.stores[find('store', c.store, net.stores, (s) => net.locations[s]!.location)]!;
      this.closures.push({ store, from: c.day, to: c.day + c.days });
    }
  }

  /** A what-if is not a fault: its label collects events but never joins labels.json. */
  private whatIfLabel(): FaultLabel {
    return {
      id: 'what-if',
      type: 'supplier_lead_time_slip',
      sku: null,
      location: null,
      start: '',
      end: null,
      magnitude: 0,
      unit: 'days',
      cause: 'what-if',
      events: [],
    };
  }

  private nextId(): string {
    return `${this.idPrefix}${(this.counter++).toString(36)}`;
  }

  /** Local wall-clock hour of a location on a day, as UTC milliseconds. */
  private at(day: number, location: number, hour: number): number {
    return this.startMs + day * DAY + (hour - this.net.locations[location]!.utcOffset) * HOUR;
  }

  private emit(occurred: number, lagMs: number, body: Record<string, unknown>): string {
    const event_id = this.nextId();
    const full = { event_id, occurred_at: iso(occurred), ...body };
    this.pendingOut.push({ arrival: occurred + lagMs, seq: this.seq++, body: full });
    return event_id;
  }

  /** Opening stock: every cell at its order-up-to level, recorded by an opening count. */
  open(): void {
    const { net } = this;
    for (const location of net.held) {
      for (const sku of net.skus) {
        const c = this.cell(location, sku.index);
        this.sellable[c] = this.orderUpTo[c]!;
        this.recordedSellable[c] = this.sellable[c]!;
        this.flows.opening += this.sellable[c]!;
        if (!this.scenario.reporting.opening_counts) continue;
        this.emit(this.at(0, location, 5), 60_000, {
          type: 'cycle_count',
          source: 'store_ops',
          sku: sku.sku,
          location: net.locations[location]!.location,
          counted_qty: this.sellable[c],
        });
      }
    }
  }

  /** The inventory position replenishment plans on: recorded for the baseline, true for the oracle. */
  private position(c: number): number {
    return this.policy === 'oracle'
      ? this.sellable[c]! + this.inbound[c]!
      : this.recordedSellable[c]! + this.recordedInbound[c]!;
  }

  /**
   * A few units a day are found damaged on store shelves and written off, recorded as they
   * happen (`adjustment`, damage): a recorded loss, unlike theft.
   */
  private writeOffs(day: number): void {
    const { net, random } = this;
    for (const store of net.stores) {
      if (random() >= 0.3) continue;
      const sku = Math.floor(random() * this.nSkus);
      const c = this.cell(store, sku);
      if (this.sellable[c]! < 1) continue;
      this.sellable[c] = this.sellable[c]! - 1;
      this.flows.writtenOff += 1;
      const item = net.skus[sku]!;
      const at = this.at(day, store, 12) + Math.floor(random() * 6 * HOUR);
      this.recordOut(c, 1, at);
      this.emit(at, 5 * 60_000, {
        type: 'adjustment',
        source: 'store_ops',
        sku: item.sku,
        location: net.locations[store]!.location,
        qty: 1,
        reason: 'damage',
        ...(item.regulated ? { lot: lotOf(item.sku) } : {}),
      });
    }
  }

  /**
   * The marketplace channel manager pauses a DC's listing when its stock falls to the
   * safety threshold and lists it again once replenished (`listing_status`).
   */
  private manageListings(day: number): void {
    const { net } = this;
    for (const dc of net.dcs) {
      for (let sku = 0; sku < this.nSkus; sku++) {
        const c = this.cell(dc, sku);
        const paused = this.pausedListing[c] === 1;
        const units = this.sellable[c]!;
        if (paused ? units <= LISTING_RESUME : units > LISTING_PAUSE) continue;
        this.pausedListing[c] = paused ? 0 : 1;
        this.emit(this.at(day, dc, 23), 10 * 60_000, {
          type: 'listing_status',
          source: 'marketplace',
          sku: net.skus[sku]!.sku,
          location: net.locations[dc]!.location,
          channel: 'marketplace',
          status: paused ? 'active' : 'paused',
        });
      }
    }
  }

  /** Units of DC-to-store transfers on their way; a lost one counts until the day it fails to arrive. */
  inTransit(): number {
    let units = 0;
    for (const list of this.arrivals.values()) {
      for (const a of list) if (a.kind === 'transfer') units += a.qty;
    }
    return units;
  }

  onHand(c: number): number {
    return this.sellable[c]! + this.pending[c]! + this.damaged[c]!;
  }

  /** Simulates one day and hands the events that have reached invex by its end to the sink. */
  step(day: number, sink: TwinSink): void {
    this.lastDay = day;
    this.soldToday.fill(0);
    this.returnedToday.fill(0);
    this.restockedToday.fill(0);
    this.announcePromotions(day);
    this.morningCounts(day);
    this.nightlySnapshots(day);
    this.receiveArrivals(day);
    this.injectFaults(day);
    this.storeSales(day);
    this.onlineOrders(day);
    this.processReturns(day);
    this.writeOffs(day);
    this.replenish(day);
    this.manageListings(day);
    this.settleSequencing(day);
    this.flush(day, sink);
    this.writeTruth(day, sink);
    this.endOfDayKpis();
  }

  private endOfDayKpis(): void {
    for (const location of this.net.held) {
      const store = this.net.locations[location]!.kind === 'store';
      for (let sku = 0; sku < this.nSkus; sku++) {
        const c = this.cell(location, sku);
        if (store && this.sellable[c] === 0) this.kpi.stockoutCellDays += 1;
        this.kpi.inventoryValueDays += this.onHand(c) * this.net.skus[sku]!.unitCost;
      }
    }
  }

  /**
   * The count plan stores follow on the next morning: per store location code, the SKUs
   * to count, best first, with the count id the plan gave each. Up to
   * `reporting.directed_count_share` of a store's counts follow it; the rest stay random.
   * Unknown codes are ignored, as a store would ignore a task for a SKU it does not stock.
   */
  directCounts(plan: Iterable<{ location: string; sku: string; count_id: string }>): void {
    const { net } = this;
    const locations = new Map(net.locations.map((l, i) => [l.location, i]));
    const skus = new Map(net.skus.map((s) => [s.sku, s.index]));
    this.directed = new Map();
    for (const task of plan) {
      const store = locations.get(task.location);
      const sku = skus.get(task.sku);
      if (store === undefined || sku === undefined || net.locations[store]!.kind !== 'store') continue;
      const list = this.directed.get(store) ?? [];
      list.push({ sku, countId: task.count_id });
      this.directed.set(store, list);
    }
  }

  private morningCounts(day: number): void {
    const { net, random } = this;
    const counts = Math.round(net.stores.length * this.nSkus * this.scenario.reporting.count_share);
    const share = this.scenario.reporting.directed_count_share;
    const countsAt = new Map<number, number>();
    const directed = this.directed;
    this.directed = new Map();
    for (let i = 0; i < counts; i++) {
      const store = net.stores[Math.floor(random() * net.stores.length)]!;
      let sku = Math.floor(random() * this.nSkus);
      let countId = `CNT-${this.idPrefix}${day}-${i}`;
      // The store's j-th count follows the plan when the directed share steps up at j.
      const j = countsAt.get(store) ?? 0;
      countsAt.set(store, j + 1);
      const plan = directed.get(store);
      if (plan && plan.length > 0 && Math.ceil((j + 1) * share) > Math.ceil(j * share)) {
        const task = plan.shift()!;
        sku = task.sku;
        countId = task.countId;
      }
      const c = this.cell(store, sku);
      const occurred = this.at(day, store, 6);
      // Counters count what is on the shelf and in the back room, returns included.
      const id = this.emit(occurred, 5 * 60_000, {
        type: 'cycle_count',
        source: 'store_ops',
        sku: net.skus[sku]!.sku,
        location: net.locations[store]!.location,
        counted_qty: this.onHand(c),
        ref: { count_id: countId },
      });
      this.recordedSellable[c] = this.sellable[c]!;
      this.uninspectedOnShelf.delete(c);
      this.kpi.counts += 1;
      const phantom = this.openPhantoms.get(c);
      if (phantom) {
        phantom.end = iso(occurred);
        phantom.events.push(id);
        this.openPhantoms.delete(c);
      }
    }
  }

  /**
   * 02:00: the ERP and the store system each report on-hand for a rotating share of cells
   * (the store system for stores only, on other days), as of the end of the previous day.
   */
  private nightlySnapshots(day: number): void {
    const { net } = this;
    const every = this.scenario.reporting.snapshot_every_days;
    const report = (location: number, sku: number, source: 'erp' | 'store_ops', onHand: number) =>
      this.emit(this.at(day, location, 2), source === 'erp' ? 2 * HOUR : 20 * 60_000, {
        type: 'stock_snapshot',
        source,
        sku: net.skus[sku]!.sku,
        location: net.locations[location]!.location,
        on_hand: onHand,
      });
    for (const location of net.held) {
      for (let sku = day % every; sku < this.nSkus; sku += every) {
        if (!this.erpOffsets.has(this.cell(location, sku)))
          report(location, sku, 'erp', this.recordedOnHand(this.cell(location, sku)));
      }
    }
    for (const store of net.stores) {
      for (let sku = (day + Math.floor(every / 2)) % every; sku < this.nSkus; sku += every) {
        if (!this.erpOffsets.has(this.cell(store, sku)))
          report(store, sku, 'store_ops', this.recordedOnHand(this.cell(store, sku)));
      }
    }
    // A stale sync: the ERP reports too many; both systems report the cell daily meanwhile.
    for (const [c, mismatch] of this.erpOffsets) {
      const location = Math.floor(c / this.nSkus);
      const sku = c % this.nSkus;
      if (day > mismatch.to) {
        this.erpOffsets.delete(c);
        continue;
      }
      mismatch.label.events.push(report(location, sku, 'erp', this.recordedOnHand(c) + mismatch.offset));
      report(location, sku, 'store_ops', this.recordedOnHand(c));
    }
  }

  private receiveArrivals(day: number): void {
    const { net } = this;
    const arrivals = this.arrivals.get(day) ?? [];
    // A store flagged for a late posting: an arrival at a shelf its record shows empty is
    // posted at 20:00, after the day's sales of what it brought. A record already below zero
    // (a glitched sale's, say) would read negative however the receipt was posted: the late
    // posting would be blamed for what it did not do.
    const latePosted = new Set<Arrival>();
    for (const [store, label] of this.latePostings) {
      const pick = arrivals.find(
        (a) =>
          a.to === store &&
          !a.lost &&
          a.kind === 'transfer' &&
          this.recordedSellable[this.cell(store, a.sku)] === 0,
      );
      if (!pick) continue;
      latePosted.add(pick);
      this.sequencingWatches.push({
        cell: this.cell(store, pick.sku),
        before: 0,
        postedAt: this.at(day, store, 20),
        moves: [],
        label,
        eventId: '',
      });
    }
    for (const a of arrivals) {
      const c = this.cell(a.to, a.sku);
      this.inbound[c] = this.inbound[c]! - (a.ordered ?? a.qty);
      if (a.lost) {
        this.flows.lostInTransit += a.qty;
        continue;
      }
      if (a.kind === 'receipt') {
        this.flows.received += a.qty;
        if (a.orderedOn !== undefined)
          this.leadTimesSeen.push({ supplier: a.supplier!, days: day - a.orderedOn });
      }
      // Another delivery of the same SKU posted on time that morning covers the day's sales
      // too: the late posting leaves the record negative only if the sales outrun both.
      for (const watch of this.sequencingWatches)
        if (watch.cell === c && !latePosted.has(a)) watch.before += a.qty;
      this.sellable[c] = this.sellable[c]! + a.qty;
      // The receipt clears what the records had on the way (a lost transfer's never clears).
      this.recordedSellable[c] = this.recordedSellable[c]! + a.qty;
      this.recordedInbound[c] = this.recordedInbound[c]! - a.qty;
      const sku = net.skus[a.sku]!;
      const qty =
        sku.caseSize > 1 && a.qty % sku.caseSize === 0
          ? { qty: a.qty / sku.caseSize, uom: 'case' }
          : { qty: a.qty };
      const id = this.emit(this.at(day, a.to, latePosted.has(a) ? 20 : 7), 10 * 60_000, {
        type: a.kind === 'transfer' ? 'transfer_received' : 'receipt',
        source: 'wms',
        sku: sku.sku,
        location: net.locations[a.to]!.location,
        ...qty,
        ...(a.kind === 'transfer' ? { from_location: net.locations[a.from]!.location } : {}),
        ref: a.ref,
        ...(sku.regulated ? { lot: lotOf(sku.sku) } : {}),
      });
      a.label?.events.push(id);
      if (latePosted.has(a))
        for (const watch of this.sequencingWatches) if (watch.cell === c) watch.eventId = id;
    }
    this.arrivals.delete(day);
  }

  /**
   * A late-posted receipt leaves the record negative if the moves before it (sales,
   * shipments, write-offs, less restocked returns) take the record below zero at any
   * moment: one watch per store posting late that day (several stores can on one day).
   */
  private sequencingWatches: {
    cell: number;
    before: number;
    postedAt: number;
    moves: { at: number; qty: number }[];
    label: FaultLabel;
    eventId: string;
  }[] = [];

  /**
   * Units leave the shelf and its record at `at`: a late-posted receipt's watch counts them
   * if they left before the posting (a sale, a ship-from-store shipment, a write-off).
   */
  private recordOut(c: number, qty: number, at: number): void {
    this.recordedSellable[c] = this.recordedSellable[c]! - qty;
    this.watchMove(c, -qty, at);
  }

  /** A move of a watched cell's record before its late posting (out negative, in positive). */
  private watchMove(c: number, qty: number, at: number): void {
    for (const watch of this.sequencingWatches)
      if (watch.cell === c && at < watch.postedAt) watch.moves.push({ at, qty });
  }

  private settleSequencing(day: number): void {
    const watches = this.sequencingWatches;
    this.sequencingWatches = [];
    for (const watch of watches) {
      // The moves happened through the day in time order, whatever order the twin drew them in.
      let record = watch.before;
      let lowest = record;
      for (const move of watch.moves.sort((a, b) => a.at - b.at)) {
        record += move.qty;
        lowest = Math.min(lowest, record);
      }
      const depth = -lowest;
      if (depth <= 0) continue;
      const store = Math.floor(watch.cell / this.nSkus);
      Object.assign(watch.label, {
        sku: this.net.skus[watch.cell % this.nSkus]!.sku,
        start: iso(this.at(day, store, 9)),
        end: iso(this.at(day, store, 20)),
        magnitude: depth,
        events: [watch.eventId],
      });
      this.latePostings.delete(store);
    }
  }

  private injectFaults(day: number): void {
    const { net } = this;
    const r = this.faultRandom;
    for (const fault of this.faults) {
      if (fault.day !== day) continue;
      let sku = fault.cell % this.nSkus;
      const store = net.locations[fault.store]!;
      const dc = store.dc;
      const label: FaultLabel = {
        id: `flt-${this.labels.length + 1}`,
        type: fault.type,
        sku: net.skus[sku]!.sku,
        location: store.location,
        start: iso(this.at(day, fault.store, 8)),
        end: null,
        magnitude: 0,
        unit: 'units',
        cause: '',
        events: [],
      };
      const dcLabel = () =>
        Object.assign(label, { location: net.locations[dc]!.location, start: iso(this.at(day, dc, 8)) });
      const categoryLabel = () =>
        Object.assign(label, { sku: null, category: net.categories[fault.category]!.category });
      switch (fault.type) {
        case 'phantom_inventory': {
          // Theft nobody records: the shelf loses units, every system still counts them.
          if (this.sellable[fault.cell]! < 1) {
            fault.cell = this.bestCell(fault.store, (c, best) => this.sellable[c]! > this.sellable[best]!);
          }
          if (this.sellable[fault.cell]! < 1) continue;
          sku = fault.cell % this.nSkus;
          label.sku = net.skus[sku]!.sku;
          const stolen = Math.min(this.sellable[fault.cell]!, fault.magnitude ?? this.sellable[fault.cell]!);
          this.sellable[fault.cell] = this.sellable[fault.cell]! - stolen;
          this.flows.stolen += stolen;
          Object.assign(label, {
            magnitude: stolen,
            cause: 'unrecorded theft: units left the shelf with no event',
          });
          const open = this.openPhantoms.get(fault.cell);
          if (open) {
            open.magnitude += stolen;
            continue;
          }
          this.openPhantoms.set(fault.cell, label);
          break;
        }
        case 'pos_outage': {
          const days = fault.magnitude ?? between(r, 1, 3);
          Object.assign(label, {
            sku: null,
            end: iso(this.at(day + days, fault.store, 8)),
            unit: 'events',
            cause: `the store's POS stopped sending for ${days} day(s); its sales arrive late in bulk`,
          });
          this.outages.push({
            store: fault.store,
            from: this.at(day, fault.store, 8),
            to: this.at(day + days, fault.store, 8),
            label,
          });
          break;
        }
        case 'data_glitch':
          // Applied to the next sale of the cell (storeSales).
          Object.assign(label, {
            unit: 'factor',
            magnitude: 1000,
            cause: 'a POS sent a quantity 1000 times too large',
          });
          this.glitches.set(fault.cell, label);
          break;
        case 'duplicate_events':
          Object.assign(label, {
            sku: null,
            unit: 'events',
            end: iso(this.at(day + 1, fault.store, 8)),
            cause: "a store system re-sent a day's events",
          });
          this.duplicateBursts.set(fault.store, label);
          break;
        case 'transfer_lost':
          Object.assign(label, { cause: 'a DC-to-store transfer was shipped and never arrived' });
          this.lostTransfers.set(fault.cell, label);
          break;
        case 'transfer_delayed':
          Object.assign(label, {
            unit: 'days',
            magnitude: fault.magnitude ?? between(r, 2, 5),
            cause: 'a DC-to-store transfer arrived days after it was due',
          });
          this.delayedTransfers.set(fault.cell, label);
          break;
        case 'late_or_missing_asn': {
          dcLabel();
          const missing = r() < 0.5;
          Object.assign(label, {
            cause: missing ? "the supplier's ASN never came" : "the supplier's ASN came after the goods",
          });
          this.asnFaults.set(this.cell(dc, sku), { missing, label });
          break;
        }
        case 'receiving_variance':
          dcLabel();
          Object.assign(label, {
            cause: 'the supplier shipped fewer units than its ASN says; the receipt counts what came',
          });
          this.varianceFaults.set(this.cell(dc, sku), {
            share: Math.min(0.9, (fault.magnitude ?? 25) / 100),
            label,
          });
          break;
        case 'supplier_lead_time_slip': {
          const supplier = net.skus[sku]!.supplier;
          const extra = fault.magnitude ?? between(r, 5, 10);
          // A supplier already slipping slips further: one fault, lasting a month from now
          // and as late as the worse of the two (as the same supplier's thefts on one shelf
          // are one phantom). From outside it is one slip, and one exception should say so.
          const going = this.slips.find(
            (x) => x.supplier === supplier && x.from <= day && day < x.to && x.label.id !== 'what-if',
          );
          if (going) {
            going.to = day + 30;
            going.extra = Math.max(going.extra, extra);
            Object.assign(going.label, {
              end: iso(this.at(going.to, dc, 8)),
              magnitude: going.extra,
              cause: `the supplier's lead time slipped by up to ${going.extra} days for ${going.to - going.from} days; goods arrive after the ASN's expected date`,
            });
            continue;
          }
          Object.assign(label, {
            sku: null,
            location: net.locations[net.suppliers[supplier]!.location]!.location,
            start: iso(this.at(day, dc, 8)),
            end: iso(this.at(day + 30, dc, 8)),
            unit: 'days',
            magnitude: extra,
            cause: `the supplier's lead time slipped by ${extra} days for a month; goods arrive after the ASN's expected date`,
          });
          this.slips.push({ supplier, from: day, to: day + 30, extra, label });
          break;
        }
        case 'return_without_disposition':
          Object.assign(label, {
            sku: null,
            magnitude: 1,
            cause: 'a returned unit went back on the shelf without an inspection being recorded',
          });
          this.undispositioned.set(fault.store, label);
          break;
        case 'negative_on_hand_sequencing':
          Object.assign(label, {
            sku: null,
            cause: "the store's receipt was posted hours after the sales of what it brought",
          });
          this.latePostings.set(fault.store, label);
          break;
        case 'erp_store_mismatch': {
          const offset = fault.magnitude ?? between(r, 5, 20);
          Object.assign(label, {
            end: iso(this.at(day + 14, fault.store, 8)),
            magnitude: offset,
            cause: `the ERP reports ${offset} units more than the store system (a stale sync) for two weeks`,
          });
          this.erpOffsets.set(fault.cell, { offset, to: day + 14, label });
          break;
        }
        case 'promotion_spike_unplanned':
        case 'demand_drop': {
          categoryLabel();
          const spike = fault.type === 'promotion_spike_unplanned';
          const days = spike ? between(r, 3, 5) : between(r, 7, 14);
          const factor = fault.magnitude ?? (spike ? 3 : 0.25);
          Object.assign(label, {
            end: iso(this.at(day + days, fault.store, 8)),
            unit: 'factor',
            magnitude: factor,
            cause: spike
              ? `a local promotion not in the calendar multiplied demand by ${factor} for ${days} days`
              : `demand fell to ${factor} times its usual level for ${days} days (a competitor opened nearby)`,
          });
          this.demandShifts.push({
            store: fault.store,
            category: fault.category,
            sku: -1,
            from: day,
            to: day + days,
            factor,
            units: 0,
            label,
          });
          break;
        }
        case 'one_off_demand_spike': {
          const units = fault.magnitude ?? between(r, 20, 60);
          Object.assign(label, {
            start: iso(this.at(day, fault.store, 9)),
            end: iso(this.at(day, fault.store, 21)),
            unit: 'units demanded',
            magnitude: units,
            cause: 'a one-off bulk purchase (a film crew buying the whole rail)',
          });
          this.demandShifts.push({
            store: fault.store,
            category: fault.category,
            sku,
            from: day,
            to: day + 1,
            factor: 1,
            units,
            label,
          });
          break;
        }
        case 'marketplace_oversell': {
          const days = fault.magnitude ?? between(r, 3, 7);
          Object.assign(label, {
            sku: null,
            end: iso(this.at(day + days, fault.store, 8)),
            unit: 'units oversold',
            cause: `the marketplace stock feed of the store lagged a day behind its sales for ${days} days; orders came in for units already sold`,
          });
          // The feed still shows the last units of an item the store has just sold out of.
          // The emptiest shelf whose record is right (a shelf already emptied by an
          // unrecorded loss is another fault), the more popular SKU on a tie.
          const right = (c: number) => this.recordedSellable[c] === this.sellable[c];
          const cell = this.bestCell(
            fault.store,
            (c, best) =>
              right(c) &&
              (!right(best) ||
                this.sellable[c]! < this.sellable[best]! ||
                (this.sellable[c] === this.sellable[best] &&
                  this.net.skus[c % this.nSkus]!.baseRate > this.net.skus[best % this.nSkus]!.baseRate)),
          );
          label.sku = net.skus[cell % this.nSkus]!.sku;
          this.feedLags.push({
            store: fault.store,
            cell,
            listed: Math.max(3, this.sellable[cell]!),
            from: day,
            to: day + days,
            label,
          });
          break;
        }
        default:
          assertUnreachable(fault.type, 'fault type');
      }
      this.labels.push(label);
    }
  }

  /** The store's cell that `better` prefers over every other (the first on a tie). */
  private bestCell(store: number, better: (candidate: number, best: number) => boolean): number {
    let best = this.cell(store, 0);
    for (let sku = 1; sku < this.nSkus; sku++) {
      const c = this.cell(store, sku);
      if (better(c, best)) best = c;
    }
    return best;
  }

  private readonly glitches = new Map<number, FaultLabel>();
  private readonly duplicateBursts = new Map<number, FaultLabel>();
  private readonly lostTransfers = new Map<number, FaultLabel>();
  private readonly delayedTransfers = new Map<number, FaultLabel>();
  private readonly asnFaults = new Map<number, { missing: boolean; label: FaultLabel }>();
  private readonly varianceFaults = new Map<number, { share: number; label: FaultLabel }>();
  private readonly slips: { supplier: number; from: number; to: number; extra: number; label: FaultLabel }[] =
    [];
  private readonly undispositioned = new Map<number, FaultLabel>();
  /** Returned units back on the shelf with no inspection recorded: still pending in the records. */
  private readonly uninspectedOnShelf = new Map<number, number>();

  /**
   * On-hand as the systems record it (what their snapshots report): the truth, less what
   * left unrecorded or was recorded wrongly (the sellable gap), plus returned units the
   * records still hold as pending though they are back on the shelf.
   */
  private recordedOnHand(c: number): number {
    return (
      this.onHand(c) - (this.sellable[c]! - this.recordedSellable[c]!) + (this.uninspectedOnShelf.get(c) ?? 0)
    );
  }
  private readonly latePostings = new Map<number, FaultLabel>();
  private readonly erpOffsets = new Map<number, { offset: number; to: number; label: FaultLabel }>();
  private readonly demandShifts: DemandShift[] = [];
  private readonly promotions: Promotion[] = [];

  private planPromotions(): void {
    const r = this.faultRandom;
    const { net, scenario } = this;
    for (let i = 0; i < scenario.promotions; i++) {
      const from = between(r, Math.min(3, scenario.days - 1), Math.max(0, scenario.days - 5));
      this.promotions.push({
        id: `PROMO-${this.idPrefix}${i + 1}`,
        region: net.locations[net.stores[Math.floor(r() * net.stores.length)]!]!.region,
        sku: this.onlineTable.draw(r),
        announce: Math.max(0, from - 7),
        from,
        to: from + between(r, 5, 10),
        uplift: 1.5 + Math.round(r() * 15) / 10,
      });
    }
  }

  /** Promotions are announced a week ahead: one event per store of the region. */
  private announcePromotions(day: number): void {
    const { net } = this;
    for (const promo of this.promotions) {
      if (promo.announce !== day) continue;
      for (const store of net.stores) {
        if (net.locations[store]!.region !== promo.region) continue;
        this.emit(this.at(day, store, 3), HOUR, {
          type: 'promotion',
          source: 'erp',
          sku: net.skus[promo.sku]!.sku,
          location: net.locations[store]!.location,
          channel: 'store',
          starts_at: iso(this.at(promo.from, store, 0)),
          ends_at: iso(this.at(promo.to, store, 0)),
          uplift: promo.uplift,
          ref: { promotion_id: promo.id },
        });
      }
    }
  }

  private storeSales(day: number): void {
    const { net, random, scenario } = this;
    const date = new Date(this.startMs + day * DAY);
    const dayOfYear = Math.floor((date.getTime() - Date.UTC(date.getUTCFullYear(), 0, 1)) / DAY) + 1;
    const weekday = WEEKDAY[(date.getUTCDay() + 6) % 7]!;
    const demand = new Map<number, number[]>();
    for (const store of net.stores) {
      const climate: Climate = net.regions[net.locations[store]!.region]!.climate;
      demand.clear();
      const shifts = this.demandShifts.filter((d) => d.store === store && d.from <= day && day < d.to);
      const region = net.locations[store]!.region;
      const promoted = this.promotions.filter((p) => p.region === region && p.from <= day && day < p.to);
      const dipping = new Set(
        this.promotions
          .filter((p) => p.region === region && p.to <= day && day < p.to + DIP_DAYS)
          .map((p) => p.sku),
      );
      // The day's traffic at the store, which all its categories share, and each category's
      // own swing on top of it (docs/twin.md, calibrated on M5).
      const factors = dayFactors(this.demandRandom, this.categoryTables.length, scenario.demand);
      const means = this.categoryTables.map((category, c) => {
        let factor = 1;
        for (const shift of shifts) if (shift.sku < 0 && shift.category === c) factor *= shift.factor;
        return (
          category.baseTotal *
          seasonality(net, c, climate, dayOfYear) *
          weekday *
          scenario.demand.scale *
          factor
        );
      });
      drawCategoryDemand(
        this.demandRandom,
        this.categoryTables,
        net.skus,
        means,
        factors,
        demand,
        (sku) => dipping.has(sku) && this.demandRandom() > DIP,
      );
      // A one-off buyer (the film crew) is one shopper with one big basket.
      for (const shift of shifts) if (shift.sku >= 0) addBasket(demand, shift.sku, shift.units);
      for (const promo of promoted) {
        const item = net.skus[promo.sku]!;
        const mean =
          shopperRate(item) *
          seasonality(net, item.category, climate, dayOfYear) *
          weekday *
          scenario.demand.scale *
          (promo.uplift - 1) *
          factors.traffic *
          factors.swing[item.category]!;
        addShoppers(this.demandRandom, demand, item, poisson(this.demandRandom, mean));
      }
      const skus = [...demand.keys()].sort((a, b) => a - b);
      for (const sku of skus) {
        const c = this.cell(store, sku);
        const closed = this.closures.some((x) => x.store === store && x.from <= day && day < x.to);
        const baskets = demand.get(sku)!;
        const wanted = baskets.reduce((a, b) => a + b, 0);
        // Shoppers come through the trading day (9:00 to 21:00), each at their own time; the
        // shelf serves them in turn until it is empty, and those after it find nothing. The
        // till records one line per shopper: their basket, or what was left of the shelf.
        const visits = baskets
          .map((qty) => ({ qty, at: Math.floor(random() * 12 * HOUR) }))
          .sort((a, b) => a.at - b.at);
        let shelf = closed ? 0 : this.sellable[c]!;
        const lines: typeof visits = [];
        for (const visit of visits) {
          if (shelf <= 0) break;
          const qty = Math.min(visit.qty, shelf);
          shelf -= qty;
          lines.push({ qty, at: visit.at });
        }
        const units = lines.reduce((a, b) => a + b.qty, 0);
        if (units < wanted) this.promotionStockout(day, store, sku, promoted);
        this.kpi.lostUnits += wanted - units;
        this.kpi.lostStoreUnits += wanted - units;
        this.kpi.lostValue += (wanted - units) * net.skus[sku]!.unitPrice;
        this.kpi.demandUnits += wanted;

        this.kpi.soldCost += units * net.skus[sku]!.unitCost;
        this.sellable[c] = this.sellable[c]! - units;
        this.soldToday[c] = this.soldToday[c]! + units;
        this.flows.sold += units;
        for (const line of lines) {
          const id = this.sale(day, store, sku, line.qty, line.at);
          for (const shift of shifts) if (shift.sku === sku) shift.label.events.push(id);
        }
      }
    }
  }

  /**
   * A promoted SKU's demand at a store met an empty shelf before the promotion ended: an
   * outcome label (once per promotion and store), from the announcement, when it could
   * first be foreseen, to the promotion's end.
   */
  private promotionStockout(day: number, store: number, sku: number, promoted: Promotion[]): void {
    const promo = promoted.find((p) => p.sku === sku);
    if (!promo) return;
    const key = `${promo.id}|${store}`;
    if (this.promotionStockouts.has(key)) return;
    this.promotionStockouts.add(key);
    this.labels.push({
      id: `out-${this.promotionStockouts.size}`,
      type: 'promotion_stockout',
      sku: this.net.skus[sku]!.sku,
      location: this.net.locations[store]!.location,
      start: iso(this.at(promo.announce, store, 3)),
      end: iso(this.at(promo.to, store, 0)),
      magnitude: day - promo.from,
      unit: 'days into the promotion',
      cause: `promotion ${promo.id} (uplift ${promo.uplift}) sold the shelf out ${day - promo.from} day(s) after it started`,
      events: [],
    });
  }

  private readonly promotionStockouts = new Set<string>();

  /** A store sale (one till line) `offset` after the trading day opens at 9:00. */
  private sale(day: number, store: number, sku: number, qty: number, offset: number): string {
    const { net, random } = this;
    const occurred = this.at(day, store, 9) + offset;
    let lag = Math.floor(random() * 120_000);
    const outage = this.outages.find((o) => o.store === store && occurred >= o.from && occurred < o.to);
    if (outage) lag = outage.to - occurred + Math.floor(random() * HOUR);
    const c = this.cell(store, sku);
    const glitch = this.glitches.get(c);
    const item = net.skus[sku]!;
    const body = {
      type: 'sale',
      source: 'pos',
      sku: item.sku,
      location: net.locations[store]!.location,
      channel: 'store',
      qty: glitch ? qty * 1000 : qty,
      ...(item.regulated ? { lot: lotOf(item.sku) } : {}),
    };
    const id = this.emit(occurred, lag, body);
    this.recordOut(c, qty, occurred);
    // A glitch records a thousand times the sale; the watch counts what left the shelf.
    if (glitch) this.recordedSellable[c] = this.recordedSellable[c]! - (body.qty - qty);
    if (outage) {
      outage.label.events.push(id);
      outage.label.magnitude += 1;
    }
    if (glitch) {
      glitch.events.push(id);
      glitch.end = iso(occurred);
      this.glitches.delete(c);
    }
    // Returns come back days later, most of them to be resold after inspection.
    if (random() < net.categories[item.category]!.returnRate) {
      this.due(day + between(random, 1, 10), {
        store,
        sku,
        qty: 1,
        returnId: `RET-${id}`,
        stage: 'return',
        damaged: random() < 0.2,
      });
    }
    return id;
  }

  private due(day: number, entry: ReturnDue): void {
    const list = this.returnsDue.get(day) ?? [];
    list.push(entry);
    this.returnsDue.set(day, list);
  }

  private processReturns(day: number): void {
    const { net, random } = this;
    for (const r of this.returnsDue.get(day) ?? []) {
      const c = this.cell(r.store, r.sku);
      const item = net.skus[r.sku]!;
      const common = {
        source: 'store_ops',
        sku: item.sku,
        location: net.locations[r.store]!.location,
        qty: r.qty,
        ref: { return_id: r.returnId },
        ...(item.regulated ? { lot: lotOf(item.sku) } : {}),
      };
      const occurred = this.at(day, r.store, 10) + Math.floor(random() * 8 * HOUR);
      if (r.stage === 'return') {
        this.pending[c] = this.pending[c]! + r.qty;
        this.returnedToday[c] = this.returnedToday[c]! + r.qty;
        this.flows.returned += r.qty;
        const returnEventId = this.emit(occurred, 60_000, {
          type: 'return',
          ...common,
          source: 'pos',
          disposition: 'pending',
        });
        this.due(day + between(random, 1, 3), { ...r, stage: 'disposition', returnEventId });
      } else if (r.stage === 'disposition') {
        this.pending[c] = this.pending[c]! - r.qty;
        const unrecorded = r.damaged ? undefined : this.undispositioned.get(r.store);
        if (unrecorded) {
          // Back on the shelf with no inspection recorded: sellable in fact, pending in the records.
          this.sellable[c] = this.sellable[c]! + r.qty;
          this.uninspectedOnShelf.set(c, (this.uninspectedOnShelf.get(c) ?? 0) + r.qty);
          Object.assign(unrecorded, {
            sku: item.sku,
            start: iso(occurred),
            end: null,
            events: [r.returnEventId ?? ''],
          });
          this.undispositioned.delete(r.store);
          continue;
        }
        if (r.damaged) this.damaged[c] = this.damaged[c]! + r.qty;
        else {
          this.sellable[c] = this.sellable[c]! + r.qty;
          this.recordedSellable[c] = this.recordedSellable[c]! + r.qty;
          this.watchMove(c, r.qty, occurred);
          this.restockedToday[c] = this.restockedToday[c]! + r.qty;
        }
        this.emit(occurred, 60_000, {
          type: 'return_disposition',
          ...common,
          disposition: r.damaged ? 'damaged' : 'sellable',
        });
        if (r.damaged) this.due(day + between(random, 3, 10), { ...r, stage: 'disposal' });
      } else {
        this.damaged[c] = this.damaged[c]! - r.qty;
        this.flows.disposed += r.qty;
        this.emit(occurred, 60_000, {
          type: 'return_disposition',
          ...common,
          disposition: 'disposed',
          from: 'damaged',
        });
      }
    }
    this.returnsDue.delete(day);
  }

  private onlineOrders(day: number): void {
    const { net, random, scenario } = this;
    // Units held today by orders that will be withdrawn: the OMS promised them, so it does
    // not promise them again while they are held (it never promises past the stock).
    const held = new Map<number, number>();
    for (const dc of [...net.dcs, ...net.darkStores]) {
      const dark = net.locations[dc]!.kind === 'dark_store';
      const perDay = dark ? scenario.demand.dark_store_orders : scenario.demand.online_orders_per_dc;
      const orders = negativeBinomial(this.demandRandom, perDay * scenario.demand.scale, 8);
      for (let i = 0; i < orders; i++) {
        const sku = this.onlineTable.draw(this.demandRandom);
        const c = this.cell(dc, sku);
        const qty = 1 + (this.demandRandom() < 0.2 ? 1 : 0);
        const channel = dark || this.demandRandom() < 0.7 ? 'ecommerce' : 'marketplace';
        // Some customers cancel before the pick: the reservation is released, nothing ships,
        // and it was never demand that could be lost.
        const withdrawn = this.demandRandom() < 0.04;
        const price = net.skus[sku]!.unitPrice;
        if (!withdrawn) this.kpi.demandUnits += qty;
        // A paused marketplace listing takes no orders: the buyer goes elsewhere.
        const unlisted = channel === 'marketplace' && this.pausedListing[c] === 1;
        if (unlisted || this.sellable[c]! - (held.get(c) ?? 0) < qty) {
          if (withdrawn) continue;
          // Out of stock at the DC: the order is cancelled.
          this.kpi.lostUnits += qty;
          this.kpi.lostOnlineUnits += qty;
          this.kpi.lostValue += qty * price;
          if (!unlisted) this.kpi.cancelledOrders += 1;
          continue;
        }
        const item = net.skus[sku]!;
        if (withdrawn) held.set(c, (held.get(c) ?? 0) + qty);
        else {
          this.kpi.soldCost += qty * item.unitCost;
          this.sellable[c] = this.sellable[c]! - qty;
          this.recordedSellable[c] = this.recordedSellable[c]! - qty;
          this.soldToday[c] = this.soldToday[c]! + qty;
          this.flows.shippedOnline += qty;
        }
        const common = {
          sku: item.sku,
          location: net.locations[dc]!.location,
          channel,
          qty,
          ref: { order_id: `ORD-${this.idPrefix}${day}-${dc}-${i}` },
          ...(item.regulated ? { lot: lotOf(item.sku) } : {}),
        };
        // Orders come in after the DC's nightly ERP snapshot (02:00), so the snapshot is the
        // stock at the end of the previous day.
        const placed = this.at(day, dc, 8) + Math.floor(random() * 14 * HOUR);
        const { lot: _lot, ...reservation } = common;
        this.emit(placed, 30_000, {
          type: 'reservation',
          source: channel === 'marketplace' ? 'marketplace' : 'oms',
          ...reservation,
        });
        if (withdrawn) {
          this.emit(placed + HOUR, 30_000, {
            type: 'reservation_released',
            source: channel === 'marketplace' ? 'marketplace' : 'oms',
            ...reservation,
          });
          continue;
        }
        this.emit(placed + 2 * HOUR, 5 * 60_000, { type: 'pick', source: 'wms', ...common });
        this.emit(placed + 3 * HOUR, 5 * 60_000, { type: 'shipment', source: 'wms', ...common });
      }
    }
    if (net.shipFromStore) this.shipFromStoreOrders(day);
  }

  /**
   * Marketplace orders shipped from stores. The marketplace accepts an order when its stock
   * feed shows the units; a fresh feed shows the shelf, a lagging one yesterday's. When the
   * feed lags behind the store's own sales, the picker finds the shelf empty: a short pick,
   * and a cancelled order.
   */
  private shipFromStoreOrders(day: number): void {
    const { net, random, scenario } = this;
    for (const store of net.stores) {
      const lagging = this.feedLags.find((f) => f.store === store && f.from <= day && day < f.to);
      const orders = negativeBinomial(
        this.demandRandom,
        scenario.demand.ship_from_store_orders * scenario.demand.scale,
        8,
      );
      // Buyers keep ordering the item the frozen feed still offers.
      const targeted = lagging ? between(this.faultRandom, 1, 3) : 0;
      for (let i = 0; i < orders + targeted; i++) {
        const sku = i < orders ? this.onlineTable.draw(this.demandRandom) : lagging!.cell % this.nSkus;
        const c = this.cell(store, sku);
        const item = net.skus[sku]!;
        this.kpi.demandUnits += 1;
        const stale = lagging !== undefined && c === lagging.cell;
        const listed = stale ? lagging.listed : this.recordedSellable[c]!;
        if (stale) lagging.listed -= 1;
        if (listed < 1) {
          // Not listed as available: the customer buys elsewhere.
          this.kpi.lostUnits += 1;
          this.kpi.lostShipFromStoreUnits += 1;
          this.kpi.lostValue += item.unitPrice;
          continue;
        }
        const placed = this.at(day, store, 10) + Math.floor(random() * 10 * HOUR);
        const common = {
          sku: item.sku,
          location: net.locations[store]!.location,
          channel: 'marketplace',
          qty: 1,
          ref: { order_id: `MKT-${this.idPrefix}${day}-${store}-${i}` },
        };
        this.emit(placed, 30_000, { type: 'reservation', source: 'marketplace', ...common });
        const lot = item.regulated ? { lot: lotOf(item.sku) } : {};
        if (this.sellable[c]! < 1) {
          const id = this.emit(placed + 2 * HOUR, 5 * 60_000, {
            type: 'short_pick',
            source: 'store_ops',
            ...common,
            ...lot,
          });
          this.kpi.lostUnits += 1;
          this.kpi.lostShipFromStoreUnits += 1;
          this.kpi.lostValue += item.unitPrice;
          this.kpi.cancelledOrders += 1;
          if (stale) {
            lagging.label.magnitude += 1;
            lagging.label.events.push(id);
          }
          continue;
        }
        this.sellable[c] = this.sellable[c]! - 1;
        this.recordOut(c, 1, placed + 4 * HOUR);
        this.soldToday[c] = this.soldToday[c]! + 1;
        this.flows.shippedOnline += 1;

        this.kpi.soldCost += item.unitCost;
        this.emit(placed + 2 * HOUR, 5 * 60_000, { type: 'pick', source: 'store_ops', ...common, ...lot });
        this.emit(placed + 4 * HOUR, 5 * 60_000, {
          type: 'shipment',
          source: 'store_ops',
          ...common,
          ...lot,
        });
      }
    }
  }

  private readonly feedLags: {
    store: number;
    cell: number;
    /** What the frozen feed still offers. */
    listed: number;
    from: number;
    to: number;
    label: FaultLabel;
  }[] = [];

  private replenish(day: number): void {
    const { net, random } = this;
    this.deliveredToday.fill(0);
    if (this.planner) {
      this.replenishPlanned(day, this.planner);
    } else {
      // Stores from their DC, at the end of the trading day, first come first served.
      for (const store of net.replenished) {
        const dc = net.locations[store]!.dc;
        for (let sku = 0; sku < this.nSkus; sku++) {
          const c = this.cell(store, sku);
          const position = this.position(c);
          if (position > this.reorderPoint[c]!) continue;
          const item = net.skus[sku]!;
          const dcCell = this.cell(dc, sku);
          let qty = this.orderUpTo[c]! - position;
          qty = Math.ceil(qty / item.caseSize) * item.caseSize;
          const wanted = qty;
          qty = Math.min(qty, Math.floor(this.sellable[dcCell]! / item.caseSize) * item.caseSize);
          this.kpi.dcShortUnits += wanted - Math.max(0, qty);
          if (qty <= 0) continue;
          this.dispatch(day, dc, store, sku, qty);
        }
      }
    }
    // DCs from suppliers: purchase order, ASN when the goods leave, receipt on arrival.
    for (const dc of net.dcs) {
      for (let sku = 0; sku < this.nSkus; sku++) {
        const c = this.cell(dc, sku);
        const position = this.position(c);
        if (position > this.reorderPoint[c]!) continue;
        const item = net.skus[sku]!;
        const supplier = net.suppliers[item.supplier]!;
        const qty = Math.ceil((this.orderUpTo[c]! - position) / item.caseSize) * item.caseSize;
        this.inbound[c] = this.inbound[c]! + qty;
        this.recordedInbound[c] = this.recordedInbound[c]! + qty;
        this.kpi.purchaseOrders += 1;
        if (this.recordActions)
          this.actions.push({ day, kind: 'order', from: supplier.location, to: dc, sku, qty });
        const poId = `PO-${this.idPrefix}${this.counter.toString(36)}`;
        const asnId = `ASN-${this.idPrefix}${this.counter.toString(36)}`;
        const lead = Math.max(
          2,
          supplier.leadDays + between(random, -supplier.leadSpread, supplier.leadSpread),
        );
        const inUnits = item.caseSize > 1 ? { qty: qty / item.caseSize, uom: 'case' } : { qty };
        const common = {
          sku: item.sku,
          location: net.locations[dc]!.location,
          supplier: net.locations[supplier.location]!.location,
        };
        const slip = this.slips.find((x) => x.supplier === item.supplier && x.from <= day && day < x.to);
        const asnFault = this.asnFaults.get(c);
        const variance = this.varianceFaults.get(c);
        const arrival = day + lead + (slip?.extra ?? 0);
        const poEvent = this.emit(this.at(day, dc, 18), 30 * 60_000, {
          type: 'purchase_order',
          source: 'erp',
          ...common,
          ...inUnits,
          expected_at: iso(this.at(day + supplier.leadDays, dc, 7)),
          ref: { po_id: poId },
        });
        slip?.label.events.push(poEvent);
        // When the supplier sends its ASN on time: two days before the goods are due.
        const asnDue = this.at(day + Math.max(1, lead - 2), dc, 12);
        if (!asnFault?.missing) {
          // A late ASN is sent the day after the goods came.
          const sent = asnFault ? this.at(arrival + 1, dc, 12) : asnDue;
          const asnEvent = this.emit(sent, HOUR, {
            type: 'asn',
            source: 'supplier',
            ...common,
            ...inUnits,
            expected_at: iso(this.at(day + lead, dc, 7)),
            ref: { po_id: poId, asn_id: asnId },
          });
          asnFault?.label.events.push(asnEvent);
          variance?.label.events.push(asnEvent);
        }
        if (asnFault) {
          // Nothing is wrong before the ASN was due.
          Object.assign(asnFault.label, {
            magnitude: qty,
            start: iso(asnDue),
            end: iso(this.at(arrival + 1, dc, 12)),
          });
          asnFault.label.events.unshift(poEvent);
          this.asnFaults.delete(c);
        }
        // A short shipment: fewer units come than the ASN says; the receipt counts what came.
        const short = variance ? Math.min(qty - 1, Math.max(1, Math.round(qty * variance.share))) : 0;
        if (variance) {
          Object.assign(variance.label, {
            magnitude: short,
            start: iso(this.at(arrival, dc, 7)),
            end: iso(this.at(arrival, dc, 7)),
          });
          this.varianceFaults.delete(c);
        }
        const list = this.arrivals.get(arrival) ?? [];
        list.push({
          kind: 'receipt',
          to: dc,
          from: supplier.location,
          sku,
          qty: qty - short,
          ordered: qty,
          orderedOn: day,
          supplier: item.supplier,
          ref: asnFault?.missing ? { po_id: poId } : { po_id: poId, asn_id: asnId },
          ...(variance ? { label: variance.label } : {}),
        });
        this.arrivals.set(arrival, list);
      }
    }
  }

  /** Ships a transfer of one SKU from a DC or store to a store: it arrives a day or two later. */
  private dispatch(day: number, from: number, store: number, sku: number, qty: number): void {
    const { net, random } = this;
    const c = this.cell(store, sku);
    const fromCell = this.cell(from, sku);
    const item = net.skus[sku]!;
    this.sellable[fromCell] = this.sellable[fromCell]! - qty;
    this.recordOut(fromCell, qty, this.at(day, from, SHIP_HOUR));
    this.inbound[c] = this.inbound[c]! + qty;
    this.recordedInbound[c] = this.recordedInbound[c]! + qty;
    if (this.deliveredToday[store] === 0) this.kpi.transfers += 1;
    this.deliveredToday[store] = 1;
    this.kpi.transferLines += 1;
    this.kpi.transferUnits += qty;
    if (this.recordActions) this.actions.push({ day, kind: 'transfer', from, to: store, sku, qty });
    const transferId = `TR-${this.idPrefix}${this.counter.toString(36)}`;
    const lost = this.lostTransfers.get(c);
    const due = day + between(random, 1, 2);
    const id = this.emit(this.at(day, from, SHIP_HOUR), 10 * 60_000, {
      type: 'transfer_shipped',
      source: net.locations[from]!.kind === 'dc' ? 'wms' : 'store_ops',
      sku: item.sku,
      location: net.locations[from]!.location,
      to_location: net.locations[store]!.location,
      qty,
      expected_at: iso(this.at(due, store, 7)),
      ref: { transfer_id: transferId },
      ...(item.regulated ? { lot: lotOf(item.sku) } : {}),
    });
    const delayed = this.delayedTransfers.get(c);
    const arrive = due + (delayed?.magnitude ?? 0);
    if (delayed) {
      Object.assign(delayed, {
        start: iso(this.at(due, store, 7)),
        end: iso(this.at(arrive, store, 7)),
        events: [id],
      });
      this.delayedTransfers.delete(c);
    }
    const list = this.arrivals.get(arrive) ?? [];
    list.push({
      kind: 'transfer',
      to: store,
      from,
      sku,
      qty,
      ref: { transfer_id: transferId },
      lost: lost !== undefined,
      ...(delayed ? { label: delayed } : {}),
    });
    this.arrivals.set(arrive, list);
    if (lost) {
      Object.assign(lost, { magnitude: qty, start: iso(this.at(day, from, SHIP_HOUR)), events: [id] });
      this.lostTransfers.delete(c);
    }
  }

  /**
   * A planner's day: it sees what the systems recorded (today's sales, positions, announced
   * promotions, receipts' lead times), sets each cell's reorder point and order-up-to level,
   * splits a DC's short stock among the stores asking for it, and may move stock between
   * stores. Deliveries and their faults follow the same rules as the baseline's.
   */
  private replenishPlanned(day: number, planner: Planner): void {
    const { net } = this;
    const view = this.plannerView(day);
    planner.plan(view);
    for (const dc of net.dcs) {
      const stores = net.replenished.filter((s) => net.locations[s]!.dc === dc);
      for (let sku = 0; sku < this.nSkus; sku++) {
        const item = net.skus[sku]!;
        const requests: { store: number; qty: number }[] = [];
        for (const store of stores) {
          const c = this.cell(store, sku);
          const position = this.position(c);
          if (position > this.reorderPoint[c]!) continue;
          const qty = Math.ceil((this.orderUpTo[c]! - position) / item.caseSize) * item.caseSize;
          if (qty > 0) requests.push({ store, qty });
        }
        if (requests.length === 0) continue;
        const dcCell = this.cell(dc, sku);
        const available = Math.floor(this.sellable[dcCell]! / item.caseSize) * item.caseSize;
        const wanted = requests.reduce((a, r) => a + r.qty, 0);
        this.kpi.dcShortUnits += Math.max(0, wanted - available);
        const given =
          wanted <= available
            ? requests.map((r) => r.qty)
            : planner.allocate
              ? planner.allocate(view, dc, sku, requests, available)
              : firstComeFirstServed(requests, available);
        let left = available;
        requests.forEach((r, i) => {
          const qty = Math.min(left, Math.floor(Math.max(0, given[i] ?? 0) / item.caseSize) * item.caseSize);
          if (qty <= 0) return;
          left -= qty;
          this.dispatch(day, dc, r.store, sku, qty);
        });
      }
    }
    for (const move of planner.redistribute?.(view) ?? []) {
      const from = this.cell(move.from, move.sku);
      const qty = Math.min(Math.floor(move.qty), this.sellable[from]!, this.recordedSellable[from]!);
      if (qty <= 0 || move.from === move.to || net.locations[move.to]!.kind === 'dc') continue;
      this.kpi.storeTransfers += 1;
      this.dispatch(day, move.from, move.to, move.sku, qty);
    }
  }

  private plannerView(day: number): PlannerView {
    return {
      day,
      net: this.net,
      nSkus: this.nSkus,
      sold: this.soldToday,
      returned: this.returnedToday,
      restocked: this.restockedToday,
      recordedSellable: this.recordedSellable,
      recordedInbound: this.recordedInbound,
      reorderPoint: this.reorderPoint,
      orderUpTo: this.orderUpTo,
      promotions: this.promotions
        .filter((p) => p.announce <= day)
        .map(({ region, sku, from, to, uplift }) => ({ region, sku, from, to, uplift })),
      leadTimes: this.leadTimesSeen,
      deliveredToday: this.deliveredToday,
    };
  }

  /** Events that have reached invex by the end of the day, in arrival order; the rest wait. */
  private flush(day: number, sink: TwinSink): void {
    const end = this.startMs + (day + 1) * DAY;
    const ready: TwinEvent[] = [];
    const waiting: TwinEvent[] = [];
    for (const event of this.pendingOut) (event.arrival < end ? ready : waiting).push(event);
    this.pendingOut = waiting;
    this.resend(ready, day);
    ready.sort((a, b) => a.arrival - b.arrival || a.seq - b.seq);
    sink.events(ready);
  }

  /** At-least-once delivery: some events arrive twice (noise), a burst re-sends a store's day (a fault). */
  private resend(ready: TwinEvent[], day: number): void {
    const { random } = this;
    const share = this.scenario.reporting.resend_share;
    const copies: TwinEvent[] = [];
    for (const event of ready) {
      const location = event.body.location as string;
      const burst = [...this.duplicateBursts.entries()].find(
        ([store]) => this.net.locations[store]!.location === location,
      );
      if (burst && event.body.type === 'sale') {
        burst[1].events.push(event.body.event_id as string);
        burst[1].magnitude += 1;
        copies.push({ arrival: event.arrival + HOUR, seq: this.seq++, body: event.body });
      } else if (random() < share) {
        copies.push({
          arrival: event.arrival + Math.floor(random() * HOUR),
          seq: this.seq++,
          body: event.body,
        });
      }
    }
    for (const [store, label] of this.duplicateBursts) {
      if (label.end && Date.parse(label.end) <= this.startMs + (day + 1) * DAY)
        this.duplicateBursts.delete(store);
    }
    for (const copy of copies)
      (copy.arrival < this.startMs + (day + 1) * DAY ? ready : this.pendingOut).push(copy);
  }

  /** Everything still in flight at the end of the run (late events) is delivered. */
  /**
   * Hands over every event still on its way. With `livedOnly`, only those of the days the
   * world lived (up to half a day past its last, for the far west's evening): what it had
   * scheduled beyond them (an ASN due next week, tomorrow's pick) never happens when the
   * network stops there, and would move an event-time clock past transfers in flight.
   */
  drain(sink: TwinSink, options: { livedOnly?: boolean } = {}): void {
    let rest = this.pendingOut.sort((a, b) => a.arrival - b.arrival || a.seq - b.seq);
    this.pendingOut = [];
    if (options.livedOnly) {
      const stopped = this.startMs + (this.lastDay + 1.5) * DAY;
      rest = rest.filter((e) => Date.parse(String(e.body.occurred_at)) <= stopped);
    }
    sink.events(rest);
    for (const label of this.openPhantoms.values()) label.end = null;
    // A fault whose trigger never came (no sale, transfer, order or return for it) changed nothing.
    for (let i = this.labels.length - 1; i >= 0; i--) {
      const label = this.labels[i]!;
      if (NEEDS_TRIGGER.has(label.type as FaultType) && label.events.length === 0) this.labels.splice(i, 1);
    }
  }

  private writeTruth(day: number, sink: TwinSink): void {
    const every = this.scenario.reporting.truth_every_days;
    if ((day + 1) % every !== 0 && day !== this.scenario.days - 1) return;
    const date = iso(this.startMs + day * DAY).slice(0, 10);
    for (const location of this.net.held) {
      const onHand: Record<string, number> = {};
      for (let sku = 0; sku < this.nSkus; sku++) {
        const units = this.onHand(this.cell(location, sku));
        if (units !== 0) onHand[this.net.skus[sku]!.sku] = units;
      }
      sink.truth(date, this.net.locations[location]!.location, onHand);
    }
  }
}
