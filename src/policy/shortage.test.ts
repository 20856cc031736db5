import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateShortage, type ShortageRequest } from './shortage.ts';

const units = (allocations: ReturnType<typeof allocateShortage>) =>
  Object.fromEntries(allocations.map((a) => [a.id, a.units]));

describe('shortage allocation', () => {
  it('serves every request when stock covers them all', () => {
    const out = allocateShortage(100, [
      { id: 'a', units: 24, packSize: 6, valuePerUnit: 1 },
      { id: 'b', units: 36, packSize: 12, valuePerUnit: 2 },
    ]);
    expect(out).toEqual([
      { id: 'a', units: 24, packs: 4, shortfall: 0 },
      { id: 'b', units: 36, packs: 3, shortfall: 0 },
    ]);
  });

  it('gives stock to the highest value per unit first, ties by id', () => {
    // b and c tie at 8: b first (12), then c (the 8 left of its 10), nothing for a.
    const out = allocateShortage(20, [
      { id: 'a', units: 12, packSize: 6, valuePerUnit: 5 },
      { id: 'c', units: 10, packSize: 1, valuePerUnit: 8 },
      { id: 'b', units: 12, packSize: 4, valuePerUnit: 8 },
    ]);
    expect(units(out)).toEqual({ a: 0, b: 12, c: 8 });
    expect(out.map((a) => a.id)).toEqual(['a', 'c', 'b']);
  });

  it('skips a request whose pack no longer fits and serves a later one', () => {
    const out = allocateShortage(10, [
      { id: 'a', units: 12, packSize: 12, valuePerUnit: 9 },
      { id: 'b', units: 6, packSize: 2, valuePerUnit: 3 },
    ]);
    expect(units(out)).toEqual({ a: 0, b: 6 });
  });

  it('serves minimum shares before ranking by value', () => {
    // b's 30% of 20 is 6 units (3 packs); the remaining 14 go to a.
    const out = allocateShortage(20, [
      { id: 'a', units: 20, packSize: 2, valuePerUnit: 10 },
      { id: 'b', units: 20, packSize: 2, valuePerUnit: 1, minimumShare: 0.3 },
    ]);
    expect(units(out)).toEqual({ a: 14, b: 6 });
  });

  it('rounds a minimum share up to whole packs', () => {
    // 25% of 12 in packs of 6 is one pack, not half of one.
    const out = allocateShortage(12, [
      { id: 'a', units: 12, packSize: 6, valuePerUnit: 10 },
      { id: 'b', units: 12, packSize: 6, valuePerUnit: 1, minimumShare: 0.25 },
    ]);
    expect(units(out)).toEqual({ a: 6, b: 6 });
  });

  it('deals out minimums a pack at a time when stock cannot cover them all', () => {
    // Minimums of 10 units each (5 packs of 2) against 10 units: a (higher value) 6, b 4, and
    // c, which asked for no minimum, nothing despite its value.
    const out = allocateShortage(10, [
      { id: 'a', units: 20, packSize: 2, valuePerUnit: 5, minimumShare: 0.5 },
      { id: 'b', units: 20, packSize: 2, valuePerUnit: 3, minimumShare: 0.5 },
      { id: 'c', units: 10, packSize: 1, valuePerUnit: 9 },
    ]);
    expect(units(out)).toEqual({ a: 6, b: 4, c: 0 });
  });

  it('rejects bad requests with the field and value', () => {
    const ok: ShortageRequest = { id: 'a', units: 12, packSize: 6, valuePerUnit: 1 };
    expect(() => allocateShortage(-1, [ok])).toThrow(/available .* got -1/);
    expect(() => allocateShortage(10, [{ ...ok, units: 10 }])).toThrow(
      /requests\[0\]\.units must be a whole number of packs of 6, got 10/,
    );
    expect(() => allocateShortage(10, [ok, ok])).toThrow(/requests\[1\]\.id must be unique, got a twice/);
    expect(() => allocateShortage(10, [{ ...ok, minimumShare: 1.5 }])).toThrow(/minimumShare .* got 1.5/);
    expect(() => allocateShortage(10, [{ ...ok, valuePerUnit: -2 }])).toThrow(/valuePerUnit .* got -2/);
  });
});

const requestSet = fc
  .uniqueArray(
    fc.record({
      id: fc.string({ minLength: 1, maxLength: 4 }),
      packs: fc.integer({ min: 0, max: 10 }),
      packSize: fc.integer({ min: 1, max: 12 }),
      valuePerUnit: fc.double({ min: 0, max: 20, noNaN: true }),
      minimumShare: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
    }),
    { selector: (r) => r.id, maxLength: 8 },
  )
  .map((rs) =>
    rs.map(
      (r): ShortageRequest => ({
        id: r.id,
        units: r.packs * r.packSize,
        packSize: r.packSize,
        valuePerUnit: r.valuePerUnit,
        ...(r.minimumShare === undefined ? {} : { minimumShare: r.minimumShare }),
      }),
    ),
  );

describe('shortage allocation, properties', () => {
  it('allocates whole packs, no more than requested in total or per request', () => {
    fc.assert(
      fc.property(requestSet, fc.integer({ min: 0, max: 600 }), (requests, available) => {
        const out = allocateShortage(available, requests);
        const total = out.reduce((a, o) => a + o.units, 0);
        expect(total).toBeLessThanOrEqual(available);
        out.forEach((o, i) => {
          const r = requests[i]!;
          expect(o.id).toBe(r.id);
          expect(o.units).toBeLessThanOrEqual(r.units);
          expect(o.units % r.packSize).toBe(0);
          expect(o.units + o.shortfall).toBe(r.units);
          // Nothing is held back that would still fit an unfilled request.
          if (o.shortfall > 0) expect(available - total).toBeLessThan(r.packSize);
        });
        const requested = requests.reduce((a, r) => a + r.units, 0);
        if (available >= requested) expect(out.every((o) => o.shortfall === 0)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('meets every minimum share when stock covers the minimums', () => {
    fc.assert(
      fc.property(requestSet, fc.integer({ min: 0, max: 600 }), (requests, available) => {
        const minimum = (r: ShortageRequest) =>
          Math.min(r.units, Math.ceil(((r.minimumShare ?? 0) * r.units) / r.packSize - 1e-9) * r.packSize);
        fc.pre(requests.reduce((a, r) => a + minimum(r), 0) <= available);
        const out = allocateShortage(available, requests);
        out.forEach((o, i) => {
          expect(o.units).toBeGreaterThanOrEqual(minimum(requests[i]!));
        });
      }),
      { numRuns: 300 },
    );
  });

  it('does not depend on the order of the requests', () => {
    fc.assert(
      fc.property(requestSet, fc.integer({ min: 0, max: 600 }), fc.nat(), (requests, available, seed) => {
        const shuffled = [...requests];
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = (seed + i * 7919) % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
        expect(units(allocateShortage(available, shuffled))).toEqual(
          units(allocateShortage(available, requests)),
        );
      }),
    );
  });
});
