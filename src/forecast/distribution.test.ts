import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { negativeBinomialQuantile, normalQuantile } from './distribution.ts';

function nbCdf(q: number, mean: number, r: number): number {
  const p = r / (r + mean);
  let pmf = p ** r;
  let cdf = pmf;
  for (let k = 0; k < q; k++) {
    pmf *= ((k + r) / (k + 1)) * (1 - p);
    cdf += pmf;
  }
  return cdf;
}

describe('predictive distributions', () => {
  it('gives Poisson quantiles when the dispersion is infinite', () => {
    // Poisson(2): P(X <= 1) = 0.406, P(X <= 2) = 0.677, P(X <= 4) = 0.947, P(X <= 5) = 0.983.
    expect(negativeBinomialQuantile(0.5, 2, Number.POSITIVE_INFINITY)).toBe(2);
    expect(negativeBinomialQuantile(0.95, 2, Number.POSITIVE_INFINITY)).toBe(5);
    expect(negativeBinomialQuantile(0.4, 2, Number.POSITIVE_INFINITY)).toBe(1);
  });

  it('returns the smallest count whose CDF reaches the level', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        fc.double({ min: 0.05, max: 40, noNaN: true }),
        fc.double({ min: 0.2, max: 50, noNaN: true }),
        (p, mean, r) => {
          const q = negativeBinomialQuantile(p, mean, r);
          expect(nbCdf(q, mean, r)).toBeGreaterThanOrEqual(p - 1e-9);
          if (q > 0) expect(nbCdf(q - 1, mean, r)).toBeLessThan(p + 1e-9);
        },
      ),
    );
  });

  it('inverts the normal CDF', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 5);
  });
});
