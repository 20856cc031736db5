import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lumpOf } from './record-confidence.ts';

describe('lumpOf', () => {
  it('recovers the units per purchase of a Poisson purchase process from its sale-day share', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.02, max: 1.5, noNaN: true }),
        fc.integer({ min: 1, max: 8 }),
        (purchasesPerDay, lump) => {
          const saleDayShare = 1 - Math.exp(-purchasesPerDay);
          expect(lumpOf(purchasesPerDay * lump, saleDayShare)).toBeCloseTo(lump, 6);
        },
      ),
    );
  });

  it('calls a record that sells on most days, or never, single-unit', () => {
    expect(lumpOf(12, 0.95)).toBe(1);
    expect(lumpOf(3, 0)).toBe(1);
    // Fewer units than sale days can account for is never below one a purchase.
    expect(lumpOf(0.1, 0.5)).toBe(1);
  });
});
