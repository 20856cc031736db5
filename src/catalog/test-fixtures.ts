import type { Queryable } from '../db/index.ts';
import { importMaster } from './master-import.ts';

/** A small network for tests: three stores in two regions, a DC, a supplier, three SKUs. */
export async function loadTestMaster(db: Queryable): Promise<void> {
  const result = await importMaster(db, [
    {
      sku: 'COAT-1',
      name: 'Winter coat',
      category: 'outerwear',
      unit_cost: 40,
      unit_price: 120,
      uoms: { case: 12 },
    },
    { sku: 'TEE-1', name: 'T-shirt', category: 'tops', unit_cost: 3, unit_price: 15, gtin: '4006381333931' },
    { sku: 'MED-1', name: 'Pain relief', category: 'pharmacy', unit_cost: 2, unit_price: 6, regulated: true },
    { location: 'S1', kind: 'store', region: 'north', timezone: 'America/New_York' },
    { location: 'S2', kind: 'store', region: 'north', timezone: 'America/New_York' },
    {
      location: 'S3',
      kind: 'store',
      region: 'south',
      timezone: 'America/Chicago',
      channels: ['store', 'ecommerce'],
    },
    { location: 'DC1', kind: 'dc', region: 'north', timezone: 'America/New_York' },
    { location: 'SUP1', kind: 'supplier', region: 'asia', timezone: 'Asia/Shanghai' },
  ]);
  if (result.rejected.length > 0)
    throw new Error(`test master data rejected: ${JSON.stringify(result.rejected)}`);
}
