import type { InventoryEvent } from '../ingest/index.ts';
import { DetectionEngine } from './engine.ts';
import type { ExceptionRecord, ExceptionType } from './exception.ts';
import { masterSnapshot } from './master.ts';
import type { DetectorConfigInput } from './settings.ts';
import type { ObservedDelivery } from './state.ts';

export const T0 = Date.parse('2026-03-02T00:00:00Z');
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/**
 * A tiny network for hand-built detector cases: stores S1..S4 (region east, UTC), a DC and
 * a supplier; SKUs A..F in two categories. Events are fed to the engine as the log would.
 */
export class DetectHarness {
  readonly engine: DetectionEngine;
  private seq = 0;
  private ids = 0;

  constructor(config: DetectorConfigInput = {}) {
    const skus = ['A', 'B', 'C', 'D', 'E', 'F'].map((sku, i) => ({
      sku,
      category: i < 4 ? 'toys' : 'food',
      unit_cost: 5,
      unit_price: 12,
    }));
    const locations = [
      ...['S1', 'S2', 'S3', 'S4'].map((location) => ({
        location,
        kind: 'store' as const,
        region: 'east',
        timezone: 'UTC',
      })),
      { location: 'DC1', kind: 'dc' as const, region: 'east', timezone: 'UTC' },
      { location: 'SUP1', kind: 'supplier' as const, region: 'east', timezone: 'UTC' },
    ];
    this.engine = new DetectionEngine(masterSnapshot(skus, locations, T0), config);
  }

  /** Feeds events (occurred at T0 + `at` ms) that arrive at `now` (default: the latest of them). */
  feed(events: (Record<string, unknown> & { at: number })[], now?: number): void {
    const observed = events.map(({ at, ...body }) => {
      const event = {
        event_id: `e${++this.ids}`,
        occurred_at: new Date(T0 + at).toISOString(),
        source: 'pos',
        ...body,
      } as unknown as InventoryEvent;
      const qty = (body.qty ?? body.counted_qty ?? body.on_hand) as number | undefined;
      return { seq: ++this.seq, event, qtyBase: qty ?? null, at: T0 + at };
    });
    const latest = Math.max(...observed.map((o) => o.at));
    this.engine.observe(observed, [], now ?? latest);
  }

  deliveries(list: Omit<ObservedDelivery, 'seq'>[], now: number): void {
    this.engine.observe(
      [],
      list.map((d) => ({ ...d, seq: ++this.seq })),
      now,
    );
  }

  sweep(at: number): void {
    this.engine.sweep(T0 + at);
  }

  /** Every exception the engine has opened, updated or closed so far, latest state. */
  all(): ExceptionRecord[] {
    const all = new Map<string, ExceptionRecord>();
    for (const r of this.engine.takeChanges()) all.set(r.id, r);
    for (const r of this.history) if (!all.has(r.id)) all.set(r.id, r);
    this.history = [...all.values()];
    return this.history;
  }

  private history: ExceptionRecord[] = [];

  of(type: ExceptionType): ExceptionRecord[] {
    return this.all().filter((r) => r.type === type);
  }

  open(type: ExceptionType): ExceptionRecord[] {
    return this.of(type).filter((r) => r.status === 'open');
  }

  /**
   * Daily store sales of `perDay` units for days [from, to): spread over trading hours (one
   * every 12 / n hours from 9:00), or with `hours` evenly from its first to its last hour.
   */
  sales(
    location: string,
    sku: string,
    from: number,
    to: number,
    perDay: (day: number) => number,
    hours?: [number, number],
  ): void {
    for (let d = from; d < to; d++) {
      const n = perDay(d);
      const events = [];
      for (let i = 0; i < n; i++)
        events.push({
          type: 'sale',
          sku,
          location,
          channel: 'store',
          qty: 1,
          at:
            d * DAY +
            (hours
              ? hours[0] + ((hours[1] - hours[0]) * i) / Math.max(1, n - 1)
              : 9 + (12 * i) / Math.max(1, n)) *
              HOUR,
        });
      if (events.length > 0) this.feed(events, T0 + d * DAY + 21 * HOUR);
    }
  }

  /** A promotion of `sku` at `location` over days [from, to), announced at `at`. */
  promotion(
    location: string,
    sku: string,
    id: string,
    from: number,
    to: number,
    uplift: number,
    at: number,
  ): void {
    this.feed([
      {
        type: 'promotion',
        source: 'erp',
        sku,
        location,
        starts_at: new Date(T0 + from * DAY).toISOString(),
        ends_at: new Date(T0 + to * DAY).toISOString(),
        uplift,
        ref: { promotion_id: id },
        at,
      },
    ]);
  }

  /** A picker could not find one unit of `sku` at `location` for a marketplace order. */
  shortPick(location: string, sku: string, at: number): void {
    this.feed([
      { type: 'short_pick', source: 'store_ops', sku, location, channel: 'marketplace', qty: 1, at },
    ]);
  }

  /** `qty` of `sku` shipped from `from` to `to` at `at`, expected at `dueAt` (ms from T0). */
  transferShipped(o: {
    id: string;
    sku: string;
    from: string;
    to: string;
    qty: number;
    at: number;
    dueAt: number;
  }): void {
    this.feed([
      {
        type: 'transfer_shipped',
        source: 'wms',
        sku: o.sku,
        location: o.from,
        to_location: o.to,
        qty: o.qty,
        expected_at: new Date(T0 + o.dueAt).toISOString(),
        ref: { transfer_id: o.id },
        at: o.at,
      },
    ]);
  }

  count(location: string, sku: string, qty: number, at: number): void {
    this.feed([{ type: 'cycle_count', source: 'store_ops', sku, location, counted_qty: qty, at }]);
  }
}
