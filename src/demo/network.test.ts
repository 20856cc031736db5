import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importMaster, validateMaster } from '../catalog/index.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { EVENT_TYPES, eventSchema, type IngestResult, ingestRecords } from '../ingest/index.ts';
import { listStock } from '../ledger/index.ts';
import { type EventStreamOptions, type GeneratedEvent, generateEvents, generateMaster } from './network.ts';

const network = { stores: 12, dcs: 3, skus: 400, seed: 42 };
const take = (options: EventStreamOptions, count: number): GeneratedEvent[] => {
  const events: GeneratedEvent[] = [];
  for (const event of generateEvents(options)) {
    events.push(event);
    if (events.length === count) break;
  }
  return events;
};
const sample = take({ ...network, days: 21 }, 40_000);

describe('generated network', () => {
  it('is master data that importMaster accepts, with regions, case units and regulated SKUs', () => {
    const master = generateMaster(network);
    const { skus, locations, rejected } = validateMaster([...master.skus, ...master.locations]);
    expect(rejected).toEqual([]);
    expect(skus).toHaveLength(400);
    expect(locations.filter((l) => l.kind === 'store')).toHaveLength(12);
    expect(locations.filter((l) => l.kind === 'dc')).toHaveLength(3);
    expect(locations.filter((l) => l.kind === 'supplier')).toHaveLength(1);
    expect(new Set(locations.map((l) => l.timezone)).size).toBeGreaterThanOrEqual(3);
    expect(skus.filter((s) => s.uoms.case).length).toBeGreaterThan(50);
    expect(skus.filter((s) => s.regulated).length).toBeGreaterThanOrEqual(3);
    expect(skus.every((s) => s.unit_price > s.unit_cost)).toBe(true);
  });

  it('gives every category, a regulated SKU and a case unit even on a tiny range', () => {
    const { skus } = generateMaster({ stores: 1, dcs: 1, skus: 9, seed: 1 });
    expect(new Set(skus.map((s) => s.category)).size).toBe(9);
    expect(skus.some((s) => s.regulated)).toBe(true);
    expect(skus.some((s) => s.uoms?.case)).toBe(true);
  });

  it('rejects a network size, rate or start date out of range', () => {
    expect(() => generateMaster({ ...network, stores: 0 })).toThrow(/stores must be a whole number/);
    expect(() => generateEvents({ ...network, days: 3, duplicateRate: 1 })).toThrow(/duplicateRate/);
    expect(() => generateEvents({ ...network, days: 3, start: '1969-12-31' })).toThrow(/start must be/);
  });
});

describe('generated event stream', () => {
  it('is the same for the same seed and different for another', () => {
    const options = { ...network, days: 5 };
    const first = JSON.stringify(take(options, 5000));
    expect(JSON.stringify(take(options, 5000))).toBe(first);
    expect(JSON.stringify(take({ ...options, seed: 43 }, 5000))).not.toBe(first);
    expect(generateMaster(network)).toEqual(generateMaster(network));
  });

  it('holds only events that validate against the canonical schema, of every type', () => {
    const failures = sample
      .map((event) => ({ event, result: eventSchema.safeParse(event) }))
      .filter(({ result }) => !result.success);
    expect(failures.slice(0, 3)).toEqual([]);
    expect(new Set(sample.map((e) => e.type))).toEqual(new Set(EVENT_TYPES));
  });

  it('names only SKUs, locations and units of its master data', () => {
    const master = generateMaster(network);
    const skus = new Map(master.skus.map((s) => [s.sku, s]));
    const holding = new Set(master.locations.filter((l) => l.kind !== 'supplier').map((l) => l.location));
    for (const event of sample) {
      expect(skus.has(event.sku)).toBe(true);
      expect(holding.has(event.location)).toBe(true);
      if (event.type === 'transfer_shipped') expect(holding.has(event.to_location)).toBe(true);
      if (event.type === 'transfer_received') expect(holding.has(event.from_location)).toBe(true);
      if (event.uom) expect(skus.get(event.sku)?.uoms?.[event.uom]).toBeGreaterThan(0);
    }
    expect(sample.some((e) => e.uom === 'case')).toBe(true);
  });

  it('puts a lot on every event of a regulated SKU', () => {
    const regulated = new Set(
      generateMaster(network)
        .skus.filter((s) => s.regulated)
        .map((s) => s.sku),
    );
    const events = sample.filter((e) => regulated.has(e.sku));
    expect(events.length).toBeGreaterThan(100);
    expect(events.filter((e) => !e.lot)).toEqual([]);
  });

  it('re-sends events at about the duplicate rate, each an identical copy', () => {
    const firstBody = new Map<string, string>();
    let copies = 0;
    for (const event of sample) {
      const body = JSON.stringify(event);
      const seen = firstBody.get(event.event_id);
      if (seen === undefined) firstBody.set(event.event_id, body);
      else {
        copies += 1;
        expect(body).toBe(seen);
      }
    }
    expect(copies / sample.length).toBeGreaterThan(0.04);
    expect(copies / sample.length).toBeLessThan(0.06);
    const none = take({ ...network, days: 5, duplicateRate: 0 }, 10_000);
    expect(new Set(none.map((e) => e.event_id)).size).toBe(none.length);
  });

  it('delivers events in occurred order unless disorder holds some back', () => {
    const inversions = (events: GeneratedEvent[]) =>
      events.filter((e, i) => i > 0 && e.occurred_at < events[i - 1]!.occurred_at).length;
    const ordered = { ...network, days: 5, duplicateRate: 0, openingCounts: false };
    expect(inversions(take({ ...ordered, disorder: 0 }, 10_000))).toBe(0);
    const disordered = take({ ...ordered, disorder: 0.1 }, 10_000);
    expect(inversions(disordered)).toBeGreaterThan(300);
  });

  it('stops at exactly eventsTarget events', () => {
    let count = 0;
    for (const _ of generateEvents({ ...network, days: 2, eventsTarget: 12_345 })) count += 1;
    expect(count).toBe(12_345);
  });
});

describe('generated stream through ingestion', () => {
  const options = { stores: 4, dcs: 2, skus: 60, seed: 7, days: 21 };
  const events = [...generateEvents(options)];
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  let result: IngestResult;
  beforeAll(async () => {
    db = await openTestDatabase();
    const master = generateMaster(options);
    const imported = await importMaster(db, [...master.skus, ...master.locations]);
    expect(imported.rejected).toEqual([]);
    result = await ingestRecords(
      db,
      events.map((value, i) => ({ position: i + 1, value })),
      { origin: 'test', batchSize: 500 },
    );
  });
  afterAll(async () => db?.close());

  it('is applied with no rejection, its copies counted as duplicates', () => {
    expect(result.rejections.slice(0, 3)).toEqual([]);
    expect(result.conflicts).toBe(0);
    expect(result.accepted).toBe(new Set(events.map((e) => e.event_id)).size);
    expect(result.accepted + result.duplicates).toBe(events.length);
  });

  it('leaves stores stocked and every order, ASN and transfer pipeline balanced', async () => {
    const { items } = await listStock(db, { atpBuffers: {} }, { limit: 10_000 });
    const stores = items.filter((p) => p.location.startsWith('S'));
    expect(stores.length).toBeGreaterThan(100);
    expect(stores.filter((p) => p.ledger_on_hand < 0).length / stores.length).toBeLessThan(0.05);
    // Receipts only ever take from what a PO or ASN put on order or in transit, and a
    // transfer is received only after it was shipped: none of these can go negative.
    const negative = items.filter(
      (p) => p.on_order < 0 || p.in_transit_in < 0 || p.in_transit_out < 0 || p.reserved < 0,
    );
    expect(negative.slice(0, 3)).toEqual([]);
  });
});
