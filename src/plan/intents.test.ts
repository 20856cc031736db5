import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TransferLane, TransferLocation } from '../optimize/index.ts';
import { applyIntents, inForce, newIntentSchema, type PlanIntent } from './intents.ts';

const ids = ['A', 'B', 'C', 'D'];
const location = (id: string): TransferLocation => ({
  id,
  onHand: 10,
  safetyStock: 1,
  demandMean: 5,
  demandDispersion: Number.POSITIVE_INFINITY,
  unitMargin: 2,
});
const lanes: TransferLane[] = ids.flatMap((from) =>
  ids
    .filter((to) => to !== from)
    .map((to) => ({ from, to, unitCost: 0.1, shipmentCost: 5, leadTimeDays: 1 })),
);
const base = {
  sku: null,
  location: null,
  from_location: null,
  to_location: null,
  min_units: null,
  max_units: null,
  starts_on: null,
  ends_on: null,
  reason: 'r',
  created_by: 't',
  created_at: '2026-01-01T00:00:00Z',
  revoked_at: null,
  revoked_by: null,
};
const intent = fc.oneof(
  fc.record({
    kind: fc.constant('pin' as const),
    sku: fc.constantFrom('X', 'Y'),
    location: fc.constantFrom(...ids, 'ELSEWHERE'),
    min_units: fc.integer({ min: 1, max: 50 }),
  }),
  fc.record({
    kind: fc.constant('freeze' as const),
    sku: fc.constantFrom('X', 'Y', null),
    location: fc.constantFrom(...ids, null),
  }),
  fc.record({
    kind: fc.constant('cap' as const),
    sku: fc.constantFrom('X', 'Y', null),
    from_location: fc.constantFrom(...ids),
    to_location: fc.constantFrom(...ids),
    max_units: fc.integer({ min: 0, max: 30 }),
  }),
);

describe('applying planner intents to a transfer problem', () => {
  it('only tightens: pins never lower a minimum, caps never raise a capacity, nothing unfreezes, no lane is added', () => {
    fc.assert(
      fc.property(fc.array(intent, { maxLength: 8 }), (raw) => {
        const intents: PlanIntent[] = raw.map((r, i) => ({ ...base, ...r, id: `intent_${i}` }));
        const out = applyIntents('X', ids.map(location), lanes, intents);
        for (const l of out.locations) {
          const pins = intents.filter((i) => i.kind === 'pin' && i.sku === 'X' && i.location === l.id);
          expect(l.minStock ?? 0).toBe(Math.max(0, ...pins.map((p) => p.min_units!)));
          const frozen = intents.some(
            (i) =>
              i.kind === 'freeze' &&
              (i.sku === null || i.sku === 'X') &&
              (i.location === null || i.location === l.id),
          );
          expect(l.frozen ?? false).toBe(frozen);
        }
        for (const lane of out.lanes) {
          const caps = intents.filter(
            (i) =>
              i.kind === 'cap' &&
              (i.sku === null || i.sku === 'X') &&
              i.from_location === lane.from &&
              i.to_location === lane.to,
          );
          expect(lane.maxUnits ?? Number.POSITIVE_INFINITY).toBe(
            Math.min(Number.POSITIVE_INFINITY, ...caps.map((c) => c.max_units!)),
          );
          expect(lane.maxUnits ?? 1).toBeGreaterThan(0);
        }
        expect(out.lanes.length).toBeLessThanOrEqual(lanes.length);
        // Intents for another SKU change nothing.
        const other = applyIntents(
          'Z',
          ids.map(location),
          lanes,
          intents.filter((i) => i.sku !== null),
        );
        expect(other.applied).toEqual([]);
        expect(other.locations).toEqual(ids.map(location));
      }),
    );
  });

  it('is in force when its period overlaps the plan window and it is not revoked', () => {
    const i = {
      ...base,
      id: 'i',
      kind: 'freeze' as const,
      sku: 'X',
      starts_on: '2026-03-10',
      ends_on: '2026-03-20',
    };
    expect(inForce(i, '2026-03-01', '2026-03-09')).toBe(false);
    expect(inForce(i, '2026-03-01', '2026-03-10')).toBe(true);
    expect(inForce(i, '2026-03-20', '2026-04-01')).toBe(true);
    expect(inForce(i, '2026-03-21', '2026-04-01')).toBe(false);
    expect(inForce({ ...i, revoked_at: '2026-03-01T00:00:00Z' }, '2026-03-12', '2026-03-12')).toBe(false);
  });

  it('rejects intents that name the wrong fields, with the field', () => {
    const cases: [unknown, string][] = [
      [{ kind: 'pin', sku: 'X', location: 'A', min_units: 0, reason: 'r' }, 'min_units'],
      [{ kind: 'pin', sku: 'X', min_units: 3, reason: 'r' }, 'location'],
      [{ kind: 'cap', from_location: 'A', to_location: 'A', max_units: 3, reason: 'r' }, 'to_location'],
      [{ kind: 'cap', from_location: 'A', to_location: 'B', max_units: 3, reason: '' }, 'reason'],
      [{ kind: 'freeze', sku: 'X', reason: 'r', starts_on: '2026-02-30' }, 'starts_on'],
      [{ kind: 'launch', sku: 'X', reason: 'r' }, 'kind'],
    ];
    for (const [input, field] of cases) {
      const result = newIntentSchema.safeParse(input);
      expect(result.success, JSON.stringify(input)).toBe(false);
      expect(result.error!.issues.map((i) => i.path.join('.'))).toContain(field);
    }
  });
});
