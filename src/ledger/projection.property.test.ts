import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTestMaster } from '../catalog/test-fixtures.ts';
import { toUtcMicros } from '../core/time.ts';
import { openTestDatabase } from '../db/test-database.ts';
import type { InventoryEvent } from '../ingest/event.schema.ts';
import { ingestRecords } from '../ingest/index.ts';
import { getStock, getStockAt, type LedgerEvent, readStates, rebuildProjection, stateKey } from './index.ts';
import { clearEventData, snapshotProjection } from './projection.test-support.ts';
import { foldStock } from './stock-state.ts';

let db: Awaited<ReturnType<typeof openTestDatabase>>;
beforeAll(async () => {
  db = await openTestDatabase();
  await loadTestMaster(db);
});
afterAll(async () => db?.close());

const SKUS = ['TEE-1', 'COAT-1'];
const LOCATIONS = ['S1', 'S2', 'DC1'];

// Few distinct instants, so that ties on occurred_at (broken by event_id) are common.
const instant = fc
  .integer({ min: 0, max: 40 })
  .map((m) => `2026-04-01T0${Math.floor(m / 10)}:${String((m % 10) * 6).padStart(2, '0')}:00Z`);
const qty = fc.integer({ min: 1, max: 30 });

const body = fc.oneof(
  fc.record({ type: fc.constant('sale'), qty }),
  fc.record({
    type: fc.constant('return'),
    qty,
    disposition: fc.constantFrom('sellable', 'damaged', 'pending'),
  }),
  fc.record({
    type: fc.constant('return_disposition'),
    qty,
    disposition: fc.constantFrom('sellable', 'damaged', 'disposed'),
  }),
  fc.record({ type: fc.constant('purchase_order'), qty, ref: fc.constant({ po_id: 'PO-1' }) }),
  fc.record({ type: fc.constant('asn'), qty, ref: fc.constant({ po_id: 'PO-1', asn_id: 'ASN-1' }) }),
  fc.record({
    type: fc.constant('receipt'),
    qty,
    ref: fc.constantFrom({ asn_id: 'ASN-1' }, { po_id: 'PO-1' }, undefined),
  }),
  fc.record({ type: fc.constant('transfer_shipped'), qty, to_location: fc.constantFrom(...LOCATIONS) }),
  fc.record({ type: fc.constant('transfer_received'), qty, from_location: fc.constantFrom(...LOCATIONS) }),
  fc.record({
    type: fc.constantFrom('reservation', 'reservation_released', 'pick', 'short_pick', 'shipment'),
    qty,
  }),
  fc.record({ type: fc.constant('adjustment'), qty, reason: fc.constantFrom('shrink', 'damage', 'found') }),
  fc.record(
    {
      type: fc.constant('cycle_count'),
      counted_qty: fc.integer({ min: 0, max: 50 }),
      lot: fc.constant('L-1'),
    },
    // a count naming a lot anchors only that lot, never the SKU's total
    { requiredKeys: ['type', 'counted_qty'] },
  ),
  fc.record({
    type: fc.constant('stock_snapshot'),
    on_hand: fc.integer({ min: -5, max: 50 }),
    source: fc.constantFrom('erp', 'wms'),
  }),
  fc.record({
    type: fc.constant('listing_status'),
    channel: fc.constant('store'),
    status: fc.constantFrom('active', 'paused'),
  }),
);

const events = fc
  .array(
    fc.record({ body, sku: fc.constantFrom(...SKUS), location: fc.constantFrom(...LOCATIONS), at: instant }),
    {
      minLength: 1,
      maxLength: 60,
    },
  )
  .map((list) =>
    list
      .map(({ body, sku, location, at }, i) => ({
        event_id: `p-${i}`,
        source: 'wms',
        sku,
        location,
        occurred_at: at,
        ...body,
      }))
      // a transfer to or from itself is rejected by validation; keep the property about valid streams
      .filter(
        (e) =>
          !('to_location' in e && e.to_location === e.location) &&
          !('from_location' in e && e.from_location === e.location),
      ),
  );

/** The arrival: a permutation, some events repeated, cut into batches. */
const arrival = (n: number) =>
  fc.record({
    order: fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
    repeats: fc.array(fc.nat({ max: Math.max(n - 1, 0) }), { maxLength: n === 0 ? 0 : 10 }),
    cuts: fc.array(fc.integer({ min: 1, max: 15 }), { minLength: 1, maxLength: 10 }),
  });

describe('stock projection', () => {
  it('equals the reference fold and its own rebuild, whatever the arrival order, batching and repeats', async () => {
    await fc.assert(
      fc.asyncProperty(
        events.chain((list) => fc.tuple(fc.constant(list), arrival(list.length))),
        async ([list, { order, repeats, cuts }]) => {
          await clearEventData(db);
          const stream = [...order.map((i) => list[i]!), ...repeats.map((i) => list[i]!)];
          let position = 0;
          let cut = 0;
          let accepted = 0;
          while (position < stream.length) {
            const size = cuts[cut++ % cuts.length]!;
            const batch = stream
              .slice(position, position + size)
              .map((value, i) => ({ position: position + i + 1, value }));
            const result = await ingestRecords(db, batch, { origin: 'property' });
            expect(result.rejected + result.conflicts).toBe(0);
            accepted += result.accepted;
            position += size;
          }
          expect(accepted).toBe(list.length);

          const ledger: LedgerEvent[] = list.map((e) => ({
            event: e as unknown as InventoryEvent,
            at: toUtcMicros(e.occurred_at)!,
            qtyBase:
              'qty' in e
                ? (e.qty as number)
                : 'counted_qty' in e
                  ? e.counted_qty
                  : 'on_hand' in e
                    ? e.on_hand
                    : null,
          }));
          const keys = SKUS.flatMap((sku) => LOCATIONS.map((location) => ({ sku, location })));
          const states = await readStates(db, keys);
          for (const { sku, location } of keys) {
            const expected = foldStock(
              location,
              ledger.filter((e) => e.event.sku === sku),
            );
            const actual = states.get(stateKey(location, sku));
            if (expected.event_count === 0 && expected.last_event_at === null) expect(actual).toBeUndefined();
            else expect(actual).toEqual(expected);
          }

          // A picture as of a time after every event is the current picture, from the log alone.
          const config = { atpBuffers: { store: 1 } };
          for (const { sku, location } of keys.slice(0, 2)) {
            const atEnd = await getStockAt(db, config, sku, location, '2100-01-01T00:00:00.000000Z');
            expect({ ...atEnd, as_of: null }).toEqual(await getStock(db, config, sku, location));
          }

          const live = await snapshotProjection(db);
          await rebuildProjection(db, undefined, 7);
          expect(await snapshotProjection(db)).toEqual(live);
        },
      ),
      { numRuns: 60 },
    );
  });
});
