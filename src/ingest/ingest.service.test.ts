import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importMaster } from '../catalog/index.ts';
import { loadTestMaster } from '../catalog/test-fixtures.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { getStock, getStockAt } from '../ledger/index.ts';
import { listDeadLetters, replayDeadLetters } from './index.ts';
import { ingestRecords, type RawRecord } from './ingest.service.ts';

const config = { atpBuffers: { store: 0, ecommerce: 1, marketplace: 2 } };
let db: Awaited<ReturnType<typeof openTestDatabase>>;
let n = 0;

const records = (...values: unknown[]): RawRecord[] => values.map((value, i) => ({ position: i + 1, value }));
const ev = (type: string, fields: Record<string, unknown>) => ({
  event_id: `e-${++n}`,
  type,
  occurred_at: `2026-03-01T10:${String(n % 60).padStart(2, '0')}:00Z`,
  source: 'pos',
  sku: 'TEE-1',
  location: 'S1',
  ...fields,
});

beforeAll(async () => {
  db = await openTestDatabase();
  await loadTestMaster(db);
});
afterAll(async () => db?.close());

describe('ingestion', () => {
  it('applies receipts and sales to the ledger on-hand and ATP', async () => {
    const result = await ingestRecords(
      db,
      records(
        ev('receipt', { qty: 20, source: 'wms' }),
        ev('sale', { qty: 3 }),
        ev('sale', { qty: 2, channel: 'store' }),
      ),
      { origin: 'test' },
    );
    expect(result).toMatchObject({ received: 3, accepted: 3, duplicates: 0, conflicts: 0, rejected: 0 });
    const stock = await getStock(db, config, 'TEE-1', 'S1');
    expect(stock.ledger_on_hand).toBe(15);
    expect(stock.sellable).toBe(15);
    expect(stock.atp).toEqual({ store: { qty: 15, buffer: 0, listing: 'active' } });
  });

  it('applies the same event_id once and reports a different body under it as a conflict', async () => {
    const sale = ev('sale', { qty: 1, sku: 'COAT-1' });
    const first = await ingestRecords(db, records(sale, sale), { origin: 'test' });
    expect(first).toMatchObject({ accepted: 1, duplicates: 1 });
    const again = await ingestRecords(db, records({ ...sale }, { ...sale, qty: 5 }), { origin: 'test' });
    expect(again).toMatchObject({ accepted: 0, duplicates: 1, conflicts: 1, rejected: 0 });
    expect(again.rejections[0]).toMatchObject({
      record: 2,
      reason: 'conflict',
      field: 'event_id',
      event_id: sale.event_id,
    });
    const stock = await getStock(db, config, 'COAT-1', 'S1');
    expect(stock.ledger_on_hand).toBe(-1);
  });

  it('converts cases to base units and rejects fractions of a base unit', async () => {
    const result = await ingestRecords(
      db,
      records(
        ev('receipt', { sku: 'COAT-1', location: 'S2', qty: 2, uom: 'case' }),
        ev('sale', { sku: 'COAT-1', location: 'S2', qty: 0.5, uom: 'case' }),
        ev('sale', { sku: 'COAT-1', location: 'S2', qty: 0.1, uom: 'case' }),
        ev('sale', { sku: 'COAT-1', location: 'S2', qty: 1, uom: 'pallet' }),
      ),
      { origin: 'test' },
    );
    expect(result).toMatchObject({ accepted: 2, rejected: 2 });
    expect(result.rejections.map((r) => [r.record, r.reason, r.field, r.rule])).toEqual([
      [3, 'validation', 'qty', 'whole_base_units'],
      [4, 'unknown_uom', 'uom', 'known'],
    ]);
    expect((await getStock(db, config, 'COAT-1', 'S2')).ledger_on_hand).toBe(18);
  });

  it('names the record, the field and the rule of every bad record and still applies the good ones', async () => {
    const good = ev('sale', { qty: 1, location: 'S3' });
    const result = await ingestRecords(
      db,
      [
        { position: 1, value: undefined, text: '{"event_id": ', parseError: 'Unexpected end of JSON input' },
        { position: 2, value: ev('sale', { qty: -2 }) },
        { position: 3, value: good },
        { position: 4, value: ev('teleport', { qty: 1 }) },
        { position: 5, value: ev('sale', { qty: 1, occurred_at: '2026-03-01 10:00' }) },
        { position: 6, value: ev('sale', { qty: 1, quantity: 1 }) },
        { position: 7, value: ev('sale', { qty: 1, sku: 'NOPE' }) },
        { position: 8, value: ev('sale', { qty: 1, location: 'NOWHERE' }) },
        { position: 9, value: ev('sale', { qty: 1, sku: 'MED-1' }) },
        { position: 10, value: ev('adjustment', { qty: 2, reason: 'theft' }) },
        { position: 11, value: ev('cycle_count', {}) },
        { position: 12, value: [1, 2] },
      ],
      { origin: 'test' },
    );
    expect(result).toMatchObject({ received: 12, accepted: 1, rejected: 11 });
    const byRecord = Object.fromEntries(
      result.rejections.map((r) => [r.record, `${r.reason}/${r.field}/${r.rule}`]),
    );
    expect(byRecord).toEqual({
      1: 'unreadable/(record)/json',
      2: 'validation/qty/minimum',
      4: 'validation/type/allowed_values',
      5: 'validation/occurred_at/format',
      6: 'validation/quantity/unknown_field',
      7: 'unknown_sku/sku/known',
      8: 'unknown_location/location/known',
      9: 'lot_required/lot/required',
      10: 'validation/reason/allowed_values',
      11: 'validation/counted_qty/required',
      12: 'unreadable/(record)/type',
    });
    for (const rejection of result.rejections) {
      expect(rejection.message).toMatch(new RegExp(`^record ${rejection.record}\\b`));
      expect(rejection.dead_letter_id).toMatch(/^dlq_/);
    }
    expect((await getStock(db, config, 'TEE-1', 'S3')).ledger_on_hand).toBe(-1);
  });

  it('keeps an event for an unknown SKU as a dead letter and applies it exactly once after the SKU is added', async () => {
    const sale = ev('sale', { qty: 4, sku: 'NEW-9', location: 'S2' });
    const first = await ingestRecords(db, records(sale), { origin: 'test' });
    expect(first.rejections[0]).toMatchObject({ reason: 'unknown_sku', event_id: sale.event_id });
    const id = first.rejections[0]!.dead_letter_id;
    // The same record again: still one dead letter, attempts counted.
    await ingestRecords(db, records(sale), { origin: 'test' });
    const [letter] = await listDeadLetters(db, { ids: [id], limit: 1 });
    expect(letter).toMatchObject({ status: 'open', attempts: 2, reason: 'unknown_sku' });

    await importMaster(db, [{ sku: 'NEW-9', name: 'New', category: 'tops', unit_cost: 1, unit_price: 2 }]);
    const replay = await replayDeadLetters(db, { ids: [id] });
    expect(replay).toMatchObject({ replayed: 1, accepted: 1 });
    const again = await replayDeadLetters(db, { ids: [id] });
    expect(again).toMatchObject({ replayed: 0, accepted: 0 });
    expect(await listDeadLetters(db, { ids: [id], limit: 1 })).toMatchObject([
      { status: 'resolved', resolution: 'applied' },
    ]);
    expect((await getStock(db, config, 'NEW-9', 'S2')).ledger_on_hand).toBe(-4);
  });
});

describe('lot tracking', () => {
  it('keeps on-hand per lot for a regulated SKU, counts naming a lot anchoring that lot', async () => {
    const base = { sku: 'MED-1', location: 'S2', source: 'wms' };
    const result = await ingestRecords(
      db,
      records(
        {
          ...base,
          event_id: 'lot-1',
          type: 'receipt',
          qty: 10,
          lot: 'L-A',
          occurred_at: '2026-07-01T08:00:00Z',
        },
        {
          ...base,
          event_id: 'lot-2',
          type: 'receipt',
          qty: 6,
          lot: 'L-B',
          occurred_at: '2026-07-01T08:00:00Z',
        },
        {
          ...base,
          event_id: 'lot-3',
          type: 'sale',
          qty: 3,
          lot: 'L-A',
          occurred_at: '2026-07-02T08:00:00Z',
          source: 'pos',
        },
        {
          ...base,
          event_id: 'lot-4',
          type: 'cycle_count',
          counted_qty: 5,
          lot: 'L-B',
          occurred_at: '2026-07-03T08:00:00Z',
        },
        {
          ...base,
          event_id: 'lot-5',
          type: 'sale',
          qty: 1,
          lot: 'L-B',
          occurred_at: '2026-07-04T08:00:00Z',
          source: 'pos',
        },
      ),
      { origin: 'test' },
    );
    expect(result.accepted).toBe(5);
    const stock = await getStock(db, config, 'MED-1', 'S2');
    expect(stock.lots).toEqual({ 'L-A': 7, 'L-B': 4 });
    // The lot's count anchors the lot, not the SKU: the total moves by movements only.
    expect(stock.ledger_on_hand).toBe(12);
    const before = await getStockAt(db, config, 'MED-1', 'S2', '2026-07-02T12:00:00.000000Z');
    expect(before.lots).toEqual({ 'L-A': 7, 'L-B': 6 });
    expect((await getStock(db, config, 'TEE-1', 'S1')).lots).toBeUndefined();
  });
});
