import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom, gamma, poisson } from '../twin/random.ts';
import { compoundNbUpperTail, nbUpperTail } from './stats.ts';

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
