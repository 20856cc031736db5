import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cdfAt,
  countDistribution,
  expectedSales,
  firstAccepted,
  lossAt,
  matchedDistribution,
  topCount,
} from './count-distribution.ts';

describe('count distributions', () => {
  it('tabulates the Poisson around its mode, not from zero, for a very large mean', () => {
    // Poisson(10^8): sd 10^4; the 95% point is 10^8 + 1.6449 x 10^4 (normal to within a unit or two).
    const d = countDistribution(1e8, Number.POSITIVE_INFINITY);
    expect(d.offset).toBeGreaterThan(1e8 - 20e4);
    expect(d.survival.length).toBeLessThan(4e5);
    const q = firstAccepted(d, (k) => cdfAt(d, k) >= 0.95);
    expect(Math.abs(q - (1e8 + 16_449))).toBeLessThanOrEqual(2);
    expect(lossAt(d, 0)).toBeCloseTo(1e8, 0);
    expect(cdfAt(d, 0)).toBe(0);
  });

  it('gives the geometric its closed forms', () => {
    // Mean 2, r = 1: P(D > k) = (2/3)^(k+1), E[(D - k)^+] = 3 (2/3)^(k+1).
    const d = matchedDistribution(2, 6);
    expect(d.kind).toBe('negative_binomial');
    expect(d.dispersion).toBeCloseTo(1, 12);
    for (const k of [0, 1, 5, 20]) {
      expect(cdfAt(d, k)).toBeCloseTo(1 - (2 / 3) ** (k + 1), 14);
      expect(lossAt(d, k) / (3 * (2 / 3) ** (k + 1))).toBeCloseTo(1, 10);
    }
  });

  it('holds the mean in the loss at zero and agrees on expected sales both ways', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-6, max: 2000, noNaN: true }),
        fc.oneof(fc.double({ min: 0.05, max: 200, noNaN: true }), fc.constant(Number.POSITIVE_INFINITY)),
        fc.integer({ min: 0, max: 8000 }),
        (mean, r, n) => {
          const d = countDistribution(mean, r);
          expect(lossAt(d, 0) / mean).toBeCloseTo(1, 9);
          // E[min(D, n)] = mean - E[(D - n)^+]: forwards from P(0) against the table's top-down sums.
          expect(expectedSales(mean, r, n)).toBeCloseTo(mean - lossAt(d, n), 6);
          expect(topCount(d)).toBeGreaterThanOrEqual(mean);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('computes expected sales from a very wide distribution without tabulating it', () => {
    // Mean 7 x 10^7 with r = 180: the window would be millions wide, but only counts below
    // 1,000 are visited, and all of them are certain to sell.
    expect(expectedSales(7e7, 180, 1000)).toBe(1000);
  });

  it('refuses a distribution too wide to tabulate, naming mean and variance', () => {
    expect(() => matchedDistribution(100, 1e9)).toThrow(/demand with mean 100 and variance .* too wide/);
  });
});
