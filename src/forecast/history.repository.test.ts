import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTestMaster } from '../catalog/test-fixtures.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { ingestRecords } from '../ingest/index.ts';
import { loadDemandHistory, periodRange, type SalesRow, toSeries } from './history.repository.ts';

let db: Awaited<ReturnType<typeof openTestDatabase>>;
let n = 0;
const sale = (at: string, qty: number, fields: Record<string, unknown> = {}) => ({
  event_id: `h-${++n}`,
  type: 'sale',
  occurred_at: at,
  source: 'pos',
  sku: 'TEE-1',
  location: 'S1',
  qty,
  ...fields,
});

beforeAll(async () => {
  db = await openTestDatabase();
  await loadTestMaster(db);
  const values = [
    // S1 is in New York (UTC-5 in March): 03:00Z on the 2nd is still the 1st there.
    sale('2026-03-02T03:00:00Z', 2),
    sale('2026-03-02T15:00:00Z', 1),
    sale('2026-03-02T16:00:00Z', 4, { channel: 'store' }),
    sale('2026-03-09T12:00:00Z', 5),
    sale('2026-03-03T12:00:00Z', 3, { location: 'S3', channel: 'ecommerce' }),
    sale('2026-03-03T12:00:00Z', 1, { sku: 'COAT-1' }),
    // A receipt is not demand.
    { ...sale('2026-03-03T12:00:00Z', 50), type: 'receipt', source: 'wms' },
    // Online orders: reservations (then pick and shipment, no sale).
    {
      ...sale('2026-03-04T15:00:00Z', 2, { sku: 'COAT-1', location: 'S3', channel: 'ecommerce' }),
      type: 'reservation',
      source: 'oms',
    },
    {
      ...sale('2026-03-05T15:00:00Z', 1, { sku: 'COAT-1', location: 'S3', channel: 'ecommerce' }),
      type: 'reservation',
      source: 'oms',
    },
    // A store-channel reservation (click and collect) is not counted: its sale at the till is.
    { ...sale('2026-03-06T15:00:00Z', 9, { channel: 'store' }), type: 'reservation', source: 'oms' },
  ];
  const result = await ingestRecords(
    db,
    values.map((value, i) => ({ position: i + 1, value })),
    { origin: 'test' },
  );
  expect(result.accepted).toBe(values.length);
});
afterAll(async () => db?.close());

describe('demand history from the event log', () => {
  it('sums sales per local day of the location, dense with zeros, one series per SKU x location x channel', async () => {
    const series = await loadDemandHistory(db, { from: '2026-03-01', to: '2026-03-09' });
    expect(series.map((s) => [s.sku, s.location, s.channel])).toEqual([
      ['COAT-1', 'S1', 'store'],
      ['COAT-1', 'S3', 'ecommerce'],
      ['TEE-1', 'S1', 'store'],
      ['TEE-1', 'S3', 'ecommerce'],
    ]);
    const tee = series[2]!;
    expect(tee).toMatchObject({ category: 'tops', region: 'north', grain: 'day', start: '2026-03-01' });
    expect(tee.y).toEqual([2, 5, 0, 0, 0, 0, 0, 0, 5]);
    expect(tee.startIndex).toBe(Date.parse('2026-03-01T00:00:00Z') / 86_400_000);
  });

  it('counts online demand as orders placed, store demand as sales, each unit once', async () => {
    const series = await loadDemandHistory(db, { from: '2026-03-01', to: '2026-03-09', locations: ['S3'] });
    // S3 (Chicago, UTC-6): 15:00Z is 09:00 local, the same day. COAT-1 online has orders: they count.
    expect(series.find((s) => s.sku === 'COAT-1')!.y).toEqual([0, 0, 0, 2, 1, 0, 0, 0, 0]);
    // TEE-1 online has no reservation in the range: its sales stand in.
    expect(series.find((s) => s.sku === 'TEE-1')!.y).toEqual([0, 0, 3, 0, 0, 0, 0, 0, 0]);
  });

  it('keeps only the days in range, in local time', async () => {
    const series = await loadDemandHistory(db, { from: '2026-03-02', to: '2026-03-02', skus: ['TEE-1'] });
    expect(series.map((s) => [s.location, s.y])).toEqual([['S1', [5]]]);
  });

  it('sums Monday-to-Sunday weeks at week grain', async () => {
    const series = await loadDemandHistory(db, {
      from: '2026-03-01',
      to: '2026-03-15',
      grain: 'week',
      skus: ['TEE-1'],
      locations: ['S1'],
    });
    // 2026-03-01 is a Sunday: its week starts on Monday 23 February. Whole weeks are read.
    expect(series).toHaveLength(1);
    expect(series[0]).toMatchObject({ start: '2026-02-23', grain: 'week', y: [2, 5, 5] });
    const partial = await loadDemandHistory(db, {
      from: '2026-03-03',
      to: '2026-03-04',
      grain: 'week',
      skus: ['TEE-1'],
    });
    expect(partial.map((s) => [s.location, s.y])).toEqual([
      ['S1', [5]],
      ['S3', [3]],
    ]);
  });

  it('filters by channel, category and region', async () => {
    const range = { from: '2026-03-01', to: '2026-03-09' };
    expect((await loadDemandHistory(db, { ...range, channels: ['ecommerce'] })).map((s) => s.sku)).toEqual([
      'COAT-1',
      'TEE-1',
    ]);
    expect(
      (await loadDemandHistory(db, { ...range, categories: ['outerwear'] })).map((s) => s.location),
    ).toEqual(['S1', 'S3']);
    expect((await loadDemandHistory(db, { ...range, regions: ['south'] })).map((s) => s.sku)).toEqual([
      'COAT-1',
      'TEE-1',
    ]);
  });

  it('rejects malformed dates, a reversed range and an unknown grain with specific errors', async () => {
    await expect(loadDemandHistory(db, { from: '2026-02-30', to: '2026-03-01' })).rejects.toThrow(
      /from must be a calendar date/,
    );
    await expect(loadDemandHistory(db, { from: '2026-03-09', to: '2026-03-01' })).rejects.toThrow(
      /to \(2026-03-01\) is before from/,
    );
    expect(() => periodRange({ from: '2026-03-01', to: '2026-03-02', grain: 'month' as 'day' })).toThrow(
      /grain must be one of day, week/,
    );
    expect(() => periodRange({ from: '2000-01-01', to: '2026-03-02' })).toThrow(/at most 3660 days/);
  });

  it('loses no unit in range and counts none twice, at either grain (property)', () => {
    const day = fc.integer({ min: 0, max: 59 }).map((d) => new Date(Date.UTC(2026, 0, 1) + d * 86_400_000));
    const row = fc.record({
      sku: fc.constantFrom('A', 'B'),
      location: fc.constantFrom('S1', 'S2'),
      channel: fc.constantFrom('store', 'ecommerce'),
      day: day.map((d) => d.toISOString().slice(0, 10)),
      units: fc.integer({ min: 1, max: 20 }),
    });
    fc.assert(
      fc.property(
        fc.array(row, { maxLength: 40 }),
        fc.constantFrom('day' as const, 'week' as const),
        (raw, grain) => {
          const rows: SalesRow[] = raw.map((r) => ({ ...r, category: 'c', region: 'r' }));
          const range = periodRange({ from: '2026-01-10', to: '2026-02-20', grain });
          const inRange = rows.filter((r) => r.day >= (grain === 'day' ? '2026-01-10' : '2026-01-05'));
          const kept = inRange.filter((r) => r.day <= (grain === 'day' ? '2026-02-20' : '2026-02-22'));
          const series = toSeries(rows, range);
          const total = series.reduce((sum, s) => sum + s.y.reduce((a, b) => a + b, 0), 0);
          expect(total).toBe(kept.reduce((sum, r) => sum + r.units, 0));
          for (const s of series) expect(s.y).toHaveLength(range.periods);
        },
      ),
    );
  });
});
