import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTestMaster } from '../catalog/test-fixtures.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { clearEventData } from '../ledger/projection.test-support.ts';
import { ingestRecords, type RawRecord } from './index.ts';

let db: Awaited<ReturnType<typeof openTestDatabase>>;
beforeAll(async () => {
  db = await openTestDatabase();
  await loadTestMaster(db);
});
afterAll(async () => db?.close());

const valid = fc.record({
  type: fc.constantFrom('sale', 'receipt', 'reservation', 'adjustment'),
  qty: fc.integer({ min: 1, max: 100 }),
  sku: fc.constantFrom('TEE-1', 'COAT-1'),
  location: fc.constantFrom('S1', 'S2', 'DC1'),
  minute: fc.integer({ min: 0, max: 59 }),
});

type Corruption = (event: Record<string, unknown>) => unknown;
/** Ways real feeds go wrong; each yields a record that must be rejected, never applied. */
const corruptions: [string, Corruption][] = [
  ['missing event_id', ({ event_id: _, ...rest }) => rest],
  ['missing type', ({ type: _, ...rest }) => rest],
  ['missing occurred_at', ({ occurred_at: _, ...rest }) => rest],
  ['missing source', ({ source: _, ...rest }) => rest],
  ['missing qty', ({ qty: _, ...rest }) => rest],
  ['negative qty', (e) => ({ ...e, qty: -3 })],
  ['text qty', (e) => ({ ...e, qty: 'three' })],
  ['null qty', (e) => ({ ...e, qty: null })],
  ['huge qty', (e) => ({ ...e, qty: 1e12 })],
  ['time without zone', (e) => ({ ...e, occurred_at: '2026-06-01T10:00:00' })],
  ['impossible date', (e) => ({ ...e, occurred_at: '2026-02-30T10:00:00Z' })],
  ['not a time', (e) => ({ ...e, occurred_at: 'yesterday' })],
  ['unknown type', (e) => ({ ...e, type: 'teleport' })],
  ['unknown source', (e) => ({ ...e, source: 'fax' })],
  ['unknown field', (e) => ({ ...e, quantity: 3 })],
  ['unknown ref kind', (e) => ({ ...e, ref: { invoice_id: 'I-1' } })],
  ['unknown sku', (e) => ({ ...e, sku: 'GHOST-1' })],
  ['unknown location', (e) => ({ ...e, location: 'NOWHERE' })],
  ['unknown unit', (e) => ({ ...e, uom: 'pallet' })],
  ['unknown channel', (e) => ({ ...e, channel: 'telepathy' })],
  ['fraction of a base unit', (e) => ({ ...e, qty: 0.5 })],
  ['bad event_id', (e) => ({ ...e, event_id: 'has space' })],
  ['a number', () => 42],
  ['null', () => null],
  ['an array', (e) => [e]],
];

const input = fc.array(
  fc.record({
    base: valid,
    corruption: fc.option(fc.integer({ min: 0, max: corruptions.length }), { freq: 2 }),
  }),
  { minLength: 1, maxLength: 80 },
);

describe('bad input', () => {
  it('is rejected record by record with field and rule, while every valid record is applied exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(input, fc.integer({ min: 1, max: 30 }), async (items, batchSize) => {
        await clearEventData(db);
        const records: RawRecord[] = items.map(({ base, corruption }, i) => {
          const event: Record<string, unknown> = {
            event_id: `b-${i}`,
            type: base.type,
            occurred_at: `2026-06-01T10:${String(base.minute).padStart(2, '0')}:00Z`,
            source: 'wms',
            sku: base.sku,
            location: base.location,
            qty: base.qty,
            ...(base.type === 'adjustment' ? { reason: 'found' } : {}),
          };
          if (corruption === null) return { position: i + 1, value: event };
          if (corruption === corruptions.length) {
            return {
              position: i + 1,
              value: undefined,
              text: '{"event_id": "b-',
              parseError: 'Unexpected end of JSON input',
            };
          }
          return { position: i + 1, value: corruptions[corruption]![1](event) };
        });
        const expectedValid = items.map((item, i) => (item.corruption === null ? i + 1 : 0)).filter(Boolean);
        const result = await ingestRecords(db, records, { origin: 'property', batchSize });

        expect(result.received).toBe(records.length);
        expect(result.accepted).toBe(expectedValid.length);
        expect(result.duplicates + result.conflicts).toBe(0);
        expect(result.rejected).toBe(records.length - expectedValid.length);
        const rejectedPositions = new Set(result.rejections.map((r) => r.record));
        for (const position of expectedValid) expect(rejectedPositions.has(position)).toBe(false);
        for (const rejection of result.rejections) {
          expect(rejection.field).not.toBe('');
          expect(rejection.rule).not.toBe('');
          expect(rejection.message.startsWith(`record ${rejection.record}`)).toBe(true);
          expect(rejection.dead_letter_id).toMatch(/^dlq_/);
        }
        const { rows } = await db.query<{ n: number }>('select count(*)::int8 as n from events');
        expect(rows[0]!.n).toBe(expectedValid.length);
        const letters = await db.query<{ n: number }>(
          "select count(*)::int8 as n from dead_letters where status = 'open'",
        );
        expect(letters.rows[0]!.n).toBe(new Set(result.rejections.map((r) => r.dead_letter_id)).size);
      }),
      { numRuns: 40 },
    );
  });
});
