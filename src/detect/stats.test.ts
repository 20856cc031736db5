import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nbLowerTail, nbTailUncertainMean, nbUpperTail } from './stats.ts';

describe('negative binomial tails with an uncertain mean', () => {
  it('is exactly a negative binomial when the count itself is Poisson: a gamma-mixed Poisson', () => {
    // NB(mean x G, r -> infinity) with G ~ Gamma(shape) / shape is NB(mean, shape).
    fc.assert(
      fc.property(
        fc.double({ min: 2, max: 200, noNaN: true }),
        fc.double({ min: 2, max: 60, noNaN: true }),
        fc.double({ min: 0.3, max: 3, noNaN: true }),
        (mean, shape, at) => {
          const k = Math.max(0, Math.round(mean * at));
          const up = nbTailUncertainMean(k, mean, 1e6, shape, true);
          const down = nbTailUncertainMean(k, mean, 1e6, shape, false);
          const exactUp = nbUpperTail(k, mean, shape);
          const exactDown = nbLowerTail(k, mean, shape);
          // Within 0.1% in the tails, and absolutely in the body.
          expect(Math.abs(up - exactUp)).toBeLessThan(1e-3 * Math.max(exactUp, 1e-3));
          expect(Math.abs(down - exactDown)).toBeLessThan(1e-3 * Math.max(exactDown, 1e-3));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('widens the tails of a count: an uncertain mean makes a far count likelier', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 5, max: 300, noNaN: true }),
        fc.double({ min: 2, max: 60, noNaN: true }),
        fc.double({ min: 3, max: 100, noNaN: true }),
        (mean, r, shape) => {
          const high = Math.ceil(mean * 2.5) + 3;
          const low = Math.floor(mean * 0.3);
          expect(nbTailUncertainMean(high, mean, r, shape, true)).toBeGreaterThanOrEqual(
            nbUpperTail(high, mean, r) * 0.999,
          );
          expect(nbTailUncertainMean(low, mean, r, shape, false)).toBeGreaterThanOrEqual(
            nbLowerTail(low, mean, r) * 0.999,
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is the plain tail when the mean is known', () => {
    expect(nbTailUncertainMean(40, 12, 8, Number.POSITIVE_INFINITY, true)).toBe(nbUpperTail(40, 12, 8));
    expect(nbTailUncertainMean(2, 12, 8, Number.POSITIVE_INFINITY, false)).toBe(nbLowerTail(2, 12, 8));
  });
});
