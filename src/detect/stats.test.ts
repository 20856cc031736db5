import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom, gamma, poisson } from '../twin/random.ts';
import { basketAtLeast, compoundNbUpperTail, largestBasketTail, nbUpperTail } from './stats.ts';

describe('the tail of a day of shoppers with varied baskets', () => {
  it('is the negative binomial when every shopper takes one unit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.double({ min: 0.05, max: 30, noNaN: true }),
        fc.double({ min: 0.5, max: 200, noNaN: true }),
        (k, mean, r) => {
          expect(compoundNbUpperTail(k, mean, r, 0)).toBeCloseTo(nbUpperTail(k, mean, r), 12);
          expect(compoundNbUpperTail(k, mean, r, 1e-12)).toBeCloseTo(nbUpperTail(k, mean, r), 9);
        },
      ),
    );
  });

  it('falls as the units asked for rise, and rises with the basket', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 80 }),
        fc.double({ min: 0.05, max: 20, noNaN: true }),
        fc.double({ min: 0.5, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 0.8, noNaN: true }),
        (k, mean, r, basket) => {
          const tail = compoundNbUpperTail(k, mean, r, basket);
          expect(tail).toBeGreaterThanOrEqual(0);
          expect(tail).toBeLessThanOrEqual(1);
          expect(compoundNbUpperTail(k + 1, mean, r, basket)).toBeLessThanOrEqual(tail + 1e-12);
          expect(compoundNbUpperTail(k, mean, r, Math.min(0.9, basket + 0.05))).toBeGreaterThanOrEqual(
            tail - 1e-12,
          );
        },
      ),
    );
  });

  it('matches shoppers drawn one by one with geometric baskets', () => {
    const random = createRandom(3);
    const [mean, r, basket] = [1.5, 4, 0.45];
    const n = 200_000;
    const counts = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      let units = 0;
      for (let s = poisson(random, mean * (gamma(random, r) / r)); s > 0; s--) {
        units++;
        while (random() < basket) units++;
      }
      counts.set(units, (counts.get(units) ?? 0) + 1);
    }
    for (const k of [1, 3, 6, 10, 15]) {
      let above = 0;
      for (const [units, c] of counts) if (units >= k) above += c;
      const expected = compoundNbUpperTail(k, mean, r, basket);
      // Within four binomial standard errors of the draw.
      expect(Math.abs(above / n - expected)).toBeLessThan(
        4 * Math.sqrt((expected * (1 - expected)) / n) + 1e-5,
      );
    }
  });

  it('puts a big day of a basket seller far above where a fixed lump of the same mean would', () => {
    // Twenty units in a day from 0.4 shoppers whose baskets average 2.2: a bulk buyer is
    // rare, but not as rare as nine shoppers where 0.4 come.
    const geometric = compoundNbUpperTail(20, 0.4, 10, 1 - 1 / 2.2);
    const fixedLump = nbUpperTail(Math.floor(20 / 2.2), 0.4, 10);
    expect(geometric).toBeGreaterThan(1e-5);
    expect(fixedLump).toBeLessThan(1e-8);
  });
});

describe("the chance that one of a day's shoppers takes a big basket", () => {
  it('reads the baskets from sale lines: p^(k-1) once thousands are seen, wider with a handful', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: 0.6, noNaN: true }),
        fc.integer({ min: 2, max: 12 }),
        (p, k) => {
          // 100,000 lines whose units beyond the first are p / (1 - p) of them.
          const lines = 100_000;
          const extra = Math.round((lines * p) / (1 - p));
          expect(basketAtLeast(k, extra, lines) / p ** (k - 1)).toBeCloseTo(1, 1);
          // Ten lines of a mix no heavier leave room for bigger baskets; one more unit is less likely.
          const few = Math.floor((10 * p) / (1 - p));
          if (k >= 6) expect(basketAtLeast(k, few, 10)).toBeGreaterThan(basketAtLeast(k, extra, lines));
          expect(basketAtLeast(k + 1, extra, lines)).toBeLessThan(basketAtLeast(k, extra, lines));
        },
      ),
    );
    // Nine single units: a basket of nine is unlikely, not impossible.
    expect(basketAtLeast(9, 0, 9)).toBeGreaterThan(1e-6);
    expect(basketAtLeast(9, 0, 9)).toBeLessThan(1e-4);
    expect(basketAtLeast(1, 0, 0)).toBe(1);
  });

  it('matches shoppers drawn one by one, the largest basket of each day', () => {
    const random = createRandom(7);
    const [mean, r, p] = [3, 4, 0.5];
    const n = 200_000;
    const largest = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      let max = 0;
      for (let s = poisson(random, mean * (gamma(random, r) / r)); s > 0; s--) {
        let units = 1;
        while (random() < p) units++;
        max = Math.max(max, units);
      }
      largest.set(max, (largest.get(max) ?? 0) + 1);
    }
    for (const k of [2, 4, 7, 10]) {
      let above = 0;
      for (const [units, c] of largest) if (units >= k) above += c;
      const expected = largestBasketTail(mean, r, p ** (k - 1));
      expect(Math.abs(above / n - expected)).toBeLessThan(
        4 * Math.sqrt((expected * (1 - expected)) / n) + 1e-5,
      );
    }
    expect(largestBasketTail(0, r, 0.5)).toBe(0);
    expect(largestBasketTail(mean, r, 0)).toBe(0);
  });
});
