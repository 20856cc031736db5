import { importMaster } from '../catalog/index.ts';
import { loadTestMaster } from '../catalog/test-fixtures.ts';
import type { Database } from '../db/index.ts';
import { ingestRecords } from '../ingest/index.ts';

/**
 * A small network for plan tests, on top of the catalog's test master data: four stores
 * a few km apart (P1 sells out, P2 and P3 are overstocked, P4 is a flagship that sells
 * nothing yet), a store P5 that sells through three channels, and a DC. Days run from
 * 2026-01-01 for `DAYS` days; plans are run as of the day after.
 */
export const DAYS = 56;
export const FIRST_DAY = '2026-01-01';
export const AS_OF = '2026-02-26';

export const PLACES = {
  P1: { lat: 40.75, lon: -73.99 },
  P2: { lat: 40.78, lon: -73.95 },
  P3: { lat: 40.7, lon: -74.01 },
  P4: { lat: 40.76, lon: -73.98 },
  P5: { lat: 40.73, lon: -73.99 },
  PDC: { lat: 40.9, lon: -74.2 },
} as const;

const dayAt = (day: number, hour: number) =>
  new Date(Date.parse(`${FIRST_DAY}T00:00:00Z`) + day * 86_400_000 + hour * 3_600_000).toISOString();

export async function loadPlanNetwork(db: Database): Promise<void> {
  await loadTestMaster(db);
  const master = await importMaster(db, [
    ...(['P1', 'P2', 'P3', 'P4'] as const).map((location) => ({
      location,
      kind: 'store',
      region: 'east',
      timezone: 'UTC',
      ...PLACES[location],
    })),
    {
      location: 'P5',
      kind: 'store',
      region: 'east',
      timezone: 'UTC',
      channels: ['store', 'ecommerce', 'marketplace'],
      ...PLACES.P5,
    },
    { location: 'PDC', kind: 'dc', region: 'east', timezone: 'UTC', ...PLACES.PDC },
  ]);
  if (master.rejected.length > 0)
    throw new Error(`plan test master rejected: ${JSON.stringify(master.rejected)}`);
  let n = 0;
  const events: Record<string, unknown>[] = [];
  const add = (type: string, day: number, fields: Record<string, unknown>) =>
    events.push({
      event_id: `plan-${++n}`,
      type,
      occurred_at: dayAt(day, 12),
      source: type === 'sale' ? 'pos' : 'wms',
      ...fields,
    });
  // P1 sells 5 T-shirts a day and is down to 5; P2 and P3 sell 1 a day and hold 200.
  add('receipt', 0, { sku: 'TEE-1', location: 'P1', qty: 5 * DAYS + 5 });
  add('receipt', 0, { sku: 'TEE-1', location: 'P2', qty: 200 + DAYS });
  add('receipt', 0, { sku: 'TEE-1', location: 'P3', qty: 200 + DAYS });
  add('receipt', 0, { sku: 'TEE-1', location: 'P4', qty: 1 });
  // Coats: P2 sells one a day and holds 150 (overstocked for a season that ends soon).
  add('receipt', 0, { sku: 'COAT-1', location: 'P2', qty: 150 + DAYS });
  // P5: 100 coats, sold through three channels.
  add('receipt', 0, { sku: 'COAT-1', location: 'P5', qty: 100 + 3 * DAYS });
  for (let day = 0; day < DAYS; day++) {
    add('sale', day, { sku: 'TEE-1', location: 'P1', qty: 5 });
    add('sale', day, { sku: 'TEE-1', location: 'P2', qty: 1 });
    add('sale', day, { sku: 'TEE-1', location: 'P3', qty: 1 });
    add('sale', day, { sku: 'COAT-1', location: 'P2', qty: 1 });
    for (const channel of ['store', 'ecommerce', 'marketplace'])
      add('sale', day, { sku: 'COAT-1', location: 'P5', qty: 1, channel });
  }
  const result = await ingestRecords(
    db,
    events.map((value, i) => ({ position: i + 1, value })),
    { origin: 'test' },
  );
  if (result.accepted !== events.length)
    throw new Error(`plan test events rejected: ${JSON.stringify(result.rejections)}`);
}
