import { newId } from '../core/ids.ts';
import { type CountCandidate, type CountTask, isDirectedCount, planCounts } from './count-plan.ts';
import { type DetectContext, type Detector, margin } from './detector.ts';
import { createDetectors, weighSilence } from './detectors/index.ts';
import { bandOf, type ExceptionRecord, type Finding, impactOf, priorityOf } from './exception.ts';
import {
  type ConfidenceReading,
  pickPending,
  readConfidence,
  type StoreErrorRate,
} from './record-confidence.ts';
import { DetectorConfig, type DetectorConfigInput, type DetectorSettings } from './settings.ts';
import {
  type Cell,
  cellKey,
  DAY,
  type MasterSnapshot,
  type ObservedDelivery,
  type ObservedEvent,
  WorldState,
} from './state.ts';

const REOPEN_WINDOW = 3 * DAY;
const MAX_EVIDENCE_EVENTS = 25;

/**
 * The exception engine: feeds events to every detector, keeps one open exception per
 * underlying problem (keyed), reopens a problem that recurs within days instead of
 * opening a new one, and hands the changes to whoever persists them.
 */
export class DetectionEngine {
  readonly state: WorldState;
  readonly config: DetectorConfig;
  private readonly detectors: readonly Detector[];
  private readonly openByKey = new Map<string, ExceptionRecord>();
  private readonly closedByKey = new Map<string, ExceptionRecord>();
  private readonly changed = new Map<string, ExceptionRecord>();
  private readonly storeErrors = new Map<string, StoreErrorRate>();
  private clock = 0;
  /** The latest occurred_at seen (not beyond the clock of the batch that brought it). */
  watermark = 0;
  /** While rebuilding state from the log, detectors run but raise and close nothing. */
  muted = false;

  constructor(
    master: MasterSnapshot,
    config: DetectorConfigInput | DetectorConfig = {},
    detectors: readonly Detector[] = createDetectors(),
  ) {
    this.state = new WorldState(master);
    this.config = config instanceof DetectorConfig ? config : new DetectorConfig(config);
    this.detectors = detectors;
  }

  get now(): number {
    return this.clock;
  }

  /** Open exceptions from the database, so that a restarted engine updates them rather than duplicating. */
  load(records: ExceptionRecord[]): void {
    for (const r of records) {
      if (r.status === 'open') this.openByKey.set(r.key, r);
      else this.closedByKey.set(r.key, r);
    }
  }

  observe(events: ObservedEvent[], deliveries: ObservedDelivery[], now: number): void {
    this.tick(now);
    const ctx = this.context();
    for (const o of events) {
      if (o.at > this.watermark && o.at <= now) this.watermark = o.at;
      const counting = o.event.type === 'cycle_count' && o.event.lot === undefined;
      const settling = counting || o.event.type === 'sale';
      const before = settling ? this.state.cells.get(cellKey(o.event.location, o.event.sku)) : undefined;
      const onHandBefore = before?.onHand;
      const countBefore = before?.countAt ?? Number.NEGATIVE_INFINITY;
      const picked = before !== undefined && before.loc.kind === 'store' && pickPending(before);
      const cell = this.state.apply(o);
      if (picked && cell && onHandBefore !== undefined) {
        this.settlePick(cell, counting ? (o.qtyBase ?? 0) < onHandBefore : false);
      }
      this.state.countDelivery(o.event.location, o.at);
      if (!cell) continue;
      // A count the plan directed looked where a loss was likely: it settles the record but
      // would bias the store's loss rate, which only undirected counts measure.
      if (counting && !isDirectedCount(o.event.ref) && onHandBefore !== undefined && o.at >= countBefore) {
        this.learnFromCount(cell, o.qtyBase ?? 0, onHandBefore, countBefore, o.at);
      }
      for (const d of this.detectors) d.onEvent?.(ctx, o, cell);
    }
    for (const delivery of deliveries) {
      const location = this.state.delivery(delivery);
      if (!location) continue;
      for (const d of this.detectors) d.onDelivery?.(ctx, delivery, location);
    }
  }

  /** Timers and scans: SLA clocks, zero-sales runs, reporting gaps, stale exceptions. */
  sweep(now: number): void {
    this.tick(now);
    const ctx = this.context();
    for (const d of this.detectors) d.sweep?.(ctx);
    this.prune(now);
  }

  /** Exceptions opened, updated or closed since the last call. */
  takeChanges(): ExceptionRecord[] {
    const out = [...this.changed.values()];
    this.changed.clear();
    return out;
  }

  openExceptions(): ExceptionRecord[] {
    return [...this.openByKey.values()];
  }

  confidence(location: string, sku: string, now = this.clock): ConfidenceReading | undefined {
    const cell = this.state.cells.get(cellKey(location, sku));
    if (!cell) return undefined;
    return readConfidence(cell, now, this.config.for(cell.sku.category, cell.loc.region), {
      storeRate: this.storeErrors.get(location),
      location: this.state.locations.get(location),
      peers: this.state.skuCells.get(sku),
    });
  }

  /**
   * Today's count plan (count-plan.ts): the store records most worth counting, up to
   * `perLocation` a store, best first. A store whose till is silent is left out: its
   * silence says nothing about its shelves.
   */
  countPlan(options: { perLocation: number; location?: string | undefined; now?: number }): CountTask[] {
    const now = options.now ?? this.clock;
    const candidates: CountCandidate[] = [];
    for (const cell of this.state.cells.values()) {
      if (cell.loc.kind !== 'store') continue;
      if (options.location !== undefined && cell.loc.location !== options.location) continue;
      const location = this.state.locations.get(cell.loc.location);
      if (location && !Number.isNaN(location.gapSince)) continue;
      const sellable = WorldState.sellable(cell);
      if (sellable <= 0) continue;
      const settings = this.config.for(cell.sku.category, cell.loc.region);
      const context = {
        storeRate: this.storeErrors.get(cell.loc.location),
        location,
        peers: this.state.skuCells.get(cell.sku.sku),
      };
      let reading = readConfidence(cell, now, settings, context);
      // A silence of a day or more is weighed as the phantom detector weighs it: against
      // how the category and the same SKU elsewhere sold meanwhile. A season's end would
      // otherwise fill the plan with slow sellers whose silence it explains.
      if (reading.zeroRunDays >= 1) {
        const weighed = weighSilence(this.state, cell, now, settings, context, reading);
        if (!weighed) continue;
        reading = weighed.reading;
      }
      candidates.push({
        location: cell.loc.location,
        sku: cell.sku.sku,
        reading,
        unitMargin: margin(cell),
        recordSellable: sellable,
        fastMover: settings,
      });
    }
    return planCounts(candidates, new Date(now).toISOString().slice(0, 10), options.perLocation);
  }

  /** Record confidence of every store record that is in doubt or was in doubt (for the stock picture). */
  confidenceChanges(previous: Map<string, number>, now = this.clock) {
    const out: { location: string; sku: string; confidence: number; probability_empty: number }[] = [];
    for (const cell of this.state.cells.values()) {
      if (cell.loc.kind !== 'store') continue;
      const reading = readConfidence(cell, now, this.config.for(cell.sku.category, cell.loc.region), {
        storeRate: this.storeErrors.get(cell.loc.location),
        location: this.state.locations.get(cell.loc.location),
        peers: this.state.skuCells.get(cell.sku.sku),
      });
      const before = previous.get(cell.key);
      const value = Number(reading.confidence.toFixed(3));
      if (
        (before === undefined && value < 0.95) ||
        (before !== undefined && Math.abs(before - value) >= 0.02)
      ) {
        previous.set(cell.key, value);
        out.push({
          location: cell.loc.location,
          sku: cell.sku.sku,
          confidence: value,
          probability_empty: Number(reading.emptyProbability.toFixed(4)),
        });
      }
    }
    return out;
  }

  private tick(now: number): void {
    if (now > this.clock) this.clock = now;
  }

  /**
   * A short pick settles when the shelf is next seen: a count below the record says the
   * picker was right, a sale or a count at the record says the units were there.
   */
  private settlePick(cell: Cell, confirmed: boolean): void {
    const rate = this.storeErrors.get(cell.loc.location) ?? { errors: 0, exposureDays: 0 };
    if (confirmed) rate.picksConfirmed = (rate.picksConfirmed ?? 0) + 1;
    else rate.picksMissed = (rate.picksMissed ?? 0) + 1;
    this.storeErrors.set(cell.loc.location, rate);
  }

  /**
   * A count is the only direct look at the shelf: a count below the record is an
   * observed record error, which raises the store's error rate (record-confidence.ts).
   */
  private learnFromCount(
    cell: Cell,
    counted: number,
    recorded: number,
    previousCount: number,
    at: number,
  ): void {
    const rate = this.storeErrors.get(cell.loc.location) ?? { errors: 0, exposureDays: 0 };
    rate.exposureDays += Number.isFinite(previousCount) ? Math.min(120, (at - previousCount) / DAY) : 30;
    if (counted < recorded) rate.errors += 1;
    this.storeErrors.set(cell.loc.location, rate);
  }

  private context(): DetectContext {
    return {
      now: this.clock,
      state: this.state,
      settings: (category, region) => this.config.for(category, region),
      cellSettings: (cell) => this.config.for(cell.sku.category, cell.loc.region),
      settingsAt: (sku, location) =>
        this.config.for(
          this.state.master.skus.get(sku)?.category ?? null,
          this.state.master.locations.get(location)?.region ?? null,
        ),
      raise: (f) => this.raise(f),
      close: (key, reason) => this.close(key, reason),
      open: (key) => this.openByKey.get(key),
      openWithPrefix: (prefix) => [...this.openByKey.values()].filter((r) => r.key.startsWith(prefix)),
      storeErrorRate: (location) => this.storeErrors.get(location),
    };
  }

  private raise(f: Finding): void {
    if (this.muted) return;
    const now = this.clock;
    const at = new Date(now).toISOString();
    const settings: DetectorSettings = this.config.base;
    const impact = impactOf(f.impact, settings.currency);
    const confidence = Math.min(0.999, Math.max(0.001, f.confidence));
    const priority = priorityOf(impact, confidence, f.urgency);
    const evidence = {
      ...f.evidence,
      events: f.evidence.events.slice(-MAX_EVIDENCE_EVENTS),
      figures: { ...f.evidence.figures, evidence_events_total: f.evidence.events.length },
    };
    let record = this.openByKey.get(f.key);
    if (!record) {
      const closed = this.closedByKey.get(f.key);
      if (closed?.closed_at && now - Date.parse(closed.closed_at) <= REOPEN_WINDOW) {
        record = closed;
        this.closedByKey.delete(f.key);
        record.status = 'open';
        record.closed_at = null;
        record.close_reason = null;
      }
    }
    const sku = f.sku ? this.state.master.skus.get(f.sku) : undefined;
    const loc = f.location ? this.state.master.locations.get(f.location) : undefined;
    const fields = {
      type: f.type,
      sku: f.sku,
      location: f.location,
      channel: f.channel,
      region: loc?.region ?? null,
      category: sku?.category ?? (f.evidence.figures.category as string | undefined) ?? null,
      group: f.group,
      updated_at: at,
      root_cause: f.root_cause,
      reasoning: f.reasoning,
      confidence: Number(confidence.toFixed(4)),
      impact,
      urgency: Number(f.urgency.toFixed(3)),
      priority,
      priority_band: bandOf(priority),
      evidence,
      explanation: f.explanation,
      actions: f.actions,
    };
    if (record) {
      Object.assign(record, fields);
      record.updates += 1;
    } else {
      record = {
        id: newId('exc', now),
        key: f.key,
        status: 'open',
        opened_at: at,
        closed_at: null,
        close_reason: null,
        updates: 0,
        ...fields,
      };
    }
    this.openByKey.set(f.key, record);
    this.changed.set(record.id, record);
  }

  private close(key: string, reason: string): void {
    if (this.muted) return;
    const record = this.openByKey.get(key);
    if (!record) return;
    this.openByKey.delete(key);
    record.status = 'closed';
    record.closed_at = new Date(this.clock).toISOString();
    record.close_reason = reason;
    record.updated_at = record.closed_at;
    this.closedByKey.set(key, record);
    this.changed.set(record.id, record);
  }

  /** Forgets finished flows and long-closed exceptions, so memory follows the open work. */
  private prune(now: number): void {
    const horizon = now - 21 * DAY;
    for (const [id, t] of this.state.transfers) {
      if (t.received >= t.qty && t.receivedAt < horizon) this.state.transfers.delete(id);
    }
    for (const [id, f] of this.state.supply) {
      if (f.received >= Math.max(f.ordered, f.asnQty) && f.receivedAt < horizon) this.state.supply.delete(id);
    }
    for (const [id, r] of this.state.returns) {
      if (r.settled >= r.qty && r.at < horizon) this.state.returns.delete(id);
    }
    for (const [key, r] of this.closedByKey) {
      if (r.closed_at && Date.parse(r.closed_at) < now - REOPEN_WINDOW) this.closedByKey.delete(key);
    }
  }
}

export { WorldState };
