import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { probabilityBelow, stockDistribution, trueStockDistribution } from './record-error.ts';

const close = (actual: ArrayLike<number>, expected: number[]) => {
  expect(actual.length).toBe(expected.length);
  for (const [j, p] of expected.entries()) expect(actual[j]).toBeCloseTo(p, 12);
};

describe('the record-error model', () => {
  it('puts the confidence on the record and spreads the rest uniformly below it by default', () => {
    // Record 4 at 0.6: 0.4 over 0..3 is 0.1 each.
    close(trueStockDistribution(4, 0.6), [0.1, 0.1, 0.1, 0.1, 0.6]);
  });

  it('is certain of an empty record', () => {
    close(trueStockDistribution(0, 0.3), [1]);
  });

  it('spreads a wrong record beta-binomially with the shrink dispersion', () => {
    // Record 3, wrong with probability 0.8, over 0..2 (m = 2).
    // Dispersion Infinity is binomial(2, 1/2): 0.25, 0.5, 0.25.
    close(trueStockDistribution(3, 0.2, Number.POSITIVE_INFINITY), [0.2, 0.4, 0.2, 0.2]);
    // Dispersion 0.5: P(0) = B(0.5, 2.5) / B(0.5, 0.5) = 0.375 pi / pi = 0.375, P(1) = 0.25, P(2) = 0.375.
    close(trueStockDistribution(3, 0.2, 0.5), [0.3, 0.2, 0.3, 0.2]);
  });

  it('sums to 1, keeps the confidence on the record and centres a wrong record on half of it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom(0.2, 1, 3, 50, Number.POSITIVE_INFINITY),
        (record, confidence, dispersion) => {
          const p = trueStockDistribution(record, confidence, dispersion);
          let total = 0;
          let wrongMean = 0;
          let smallest = 1;
          for (let j = 0; j < p.length; j++) {
            smallest = Math.min(smallest, p[j]!);
            total += p[j]!;
            if (j < record) wrongMean += j * p[j]!;
          }
          expect(smallest).toBeGreaterThanOrEqual(0);
          expect(total).toBeCloseTo(1, 10);
          expect(p[record]).toBe(confidence);
          if (confidence < 1) expect(wrongMean / (1 - confidence)).toBeCloseTo((record - 1) / 2, 6);
        },
      ),
    );
  });

  it('rejects a record or confidence out of range', () => {
    expect(() => trueStockDistribution(2.5, 0.5)).toThrow(/whole number/);
    expect(() => trueStockDistribution(3, 1.2)).toThrow(/probability/);
    expect(() => trueStockDistribution(3, 0.5, 0)).toThrow(/dispersion/);
  });

  it('checks what a plugged-in model returns', () => {
    expect(() => stockDistribution(() => [0.5, 0.5], 2, 0.5)).toThrow(/returned 2 probabilities/);
    expect(() => stockDistribution(() => [0.5, 0.4, 0], 2, 0.5)).toThrow(/sum to/);
    expect(() => stockDistribution(() => [-0.5, 0.5, 1], 2, 0.5)).toThrow(/< 0/);
    close(stockDistribution(trueStockDistribution, 2, 0.5), [0.25, 0.25, 0.5]);
  });

  it('accumulates P(true stock < q) up to certainty past the record', () => {
    close(probabilityBelow(trueStockDistribution(4, 0.6)), [0, 0.1, 0.2, 0.3, 0.4, 1]);
  });
});
