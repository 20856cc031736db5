import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type MarkdownInput, recommendMarkdown } from './markdown.ts';

// Poisson demand, 0.25 a day for 4 days: mean 1 at full price; elasticity -2 makes a 50%
// markdown quadruple it to 4.
//   E[min(D, 4)] = 4 - sum_{k<4} P(D <= k)
//   mean 1: 4 - e^-1 (1 + 2 + 5/2 + 8/3)   = 4 - 49/6 e^-1  = 0.9957
//   mean 4: 4 - e^-4 (1 + 5 + 13 + 71/3)   = 4 - 128/3 e^-4 = 3.2185
const soldFull = 4 - (49 / 6) * Math.exp(-1);
const soldHalf = 4 - (128 / 3) * Math.exp(-4);
const input: MarkdownInput = {
  onHand: 4,
  dailyDemandMean: 0.25,
  dailyDispersion: Number.POSITIVE_INFINITY,
  daysToSeasonEnd: 4,
  unitCost: 3,
  price: 10,
  salvageValue: 0,
  elasticity: -2,
  steps: [0.5],
  weeksOfCoverThreshold: 2,
};

describe('markdown recommendation', () => {
  it('recommends the discount with the highest expected revenue (hand-computed Poisson case)', () => {
    const r = recommendMarkdown(input);
    // 4 units / (7 x 0.25) = 2.29 weeks of cover, over the threshold of 2.
    expect(r.weeksOfCover).toBeCloseTo(4 / 1.75, 12);
    expect(r.rows.map((row) => row.discount)).toEqual([0, 0.5]);
    expect(r.rows[0]!.expectedUnitsSold).toBeCloseTo(soldFull, 12);
    expect(r.rows[0]!.expectedRevenue).toBeCloseTo(10 * soldFull, 12);
    expect(r.rows[1]!.dailyDemandMean).toBe(1);
    expect(r.rows[1]!.expectedUnitsSold).toBeCloseTo(soldHalf, 12);
    expect(r.rows[1]!.expectedRevenue).toBeCloseTo(5 * soldHalf, 12);
    expect(r.rows[1]!.expectedMargin).toBeCloseTo(5 * soldHalf - 12, 12);
    expect(r.recommended).toBe(true);
    expect(r.discount).toBe(0.5);
    expect(r.expectedUnitsSold).toBeCloseTo(soldHalf, 12);
    expect(r.expectedLeftover).toBeCloseTo(4 - soldHalf, 12);
    expect(r.expectedSellThrough).toBeCloseTo(soldHalf / 4, 12);
    expect(r.why).toBe(
      'Weeks of cover 2.3 exceed the threshold of 2. A 50% markdown raises expected revenue to season end ' +
        'from 9.96 to 16.09, and sell-through from 24.9% to 80.5%.',
    );
  });

  it('keeps full price within the weeks-of-cover threshold', () => {
    const r = recommendMarkdown({ ...input, weeksOfCoverThreshold: 3 });
    expect(r.recommended).toBe(false);
    expect(r.discount).toBe(0);
    expect(r.expectedRevenue).toBeCloseTo(10 * soldFull, 12);
    expect(r.why).toBe('Weeks of cover 2.3 do not exceed the threshold of 3: no markdown.');
  });

  it('counts leftovers at the salvage value, which can make full price the better choice', () => {
    // Salvage 4: full price 0.9957 x 10 + 3.0043 x 4 = 21.97; at 50% 3.2185 x 5 + 0.7815 x 4 = 19.22.
    const r = recommendMarkdown({ ...input, salvageValue: 4 });
    expect(r.rows[0]!.expectedRevenue).toBeCloseTo(10 * soldFull + 4 * (4 - soldFull), 12);
    expect(r.rows[1]!.expectedRevenue).toBeCloseTo(5 * soldHalf + 4 * (4 - soldHalf), 12);
    expect(r.recommended).toBe(false);
    expect(r.discount).toBe(0);
    expect(r.why).toMatch(/no discount step raises expected revenue above full price \(21\.97\)/);
  });

  it('sums the negative binomial exactly', () => {
    // Dispersion 0.25 a day over 4 days is 1 at mean 1: the geometric with P(D > k) = (1/2)^(k+1),
    // so E[min(D, 4)] = 1/2 + 1/4 + 1/8 + 1/16. At mean 4, P(D > k) = (4/5)^(k+1).
    const r = recommendMarkdown({ ...input, dailyDispersion: 0.25 });
    expect(r.rows[0]!.expectedUnitsSold).toBeCloseTo(15 / 16, 12);
    expect(r.rows[1]!.expectedUnitsSold).toBeCloseTo(0.8 + 0.64 + 0.512 + 0.4096, 12);
  });

  it('always considers no discount, and sorts and deduplicates the steps', () => {
    const r = recommendMarkdown({ ...input, steps: [0.3, 0.1, 0.3] });
    expect(r.rows.map((row) => row.discount)).toEqual([0, 0.1, 0.3]);
  });

  it('handles nothing on hand and no demand', () => {
    const empty = recommendMarkdown({ ...input, onHand: 0 });
    expect(empty.recommended).toBe(false);
    expect(empty.weeksOfCover).toBe(0);
    expect(empty.expectedSellThrough).toBe(1);
    const dead = recommendMarkdown({ ...input, dailyDemandMean: 0, salvageValue: 1 });
    expect(dead.weeksOfCover).toBe(Number.POSITIVE_INFINITY);
    expect(dead.recommended).toBe(false);
    expect(dead.expectedRevenue).toBe(4);
    expect(dead.why).toMatch(/^Weeks of cover unlimited \(no demand\) exceed/);
  });

  it('rejects bad inputs with the field and value', () => {
    expect(() => recommendMarkdown({ ...input, elasticity: 0.5 })).toThrow(/elasticity .* got 0.5/);
    expect(() => recommendMarkdown({ ...input, steps: [0, 1] })).toThrow(/steps\[1\] .* < 1, got 1/);
    expect(() => recommendMarkdown({ ...input, onHand: 2.5 })).toThrow(
      /onHand must be an integer >= 0, got 2.5/,
    );
    expect(() => recommendMarkdown({ ...input, dailyDispersion: 0 })).toThrow(/dailyDispersion .* got 0/);
    expect(() => recommendMarkdown({ ...input, price: 0 })).toThrow(/price .* got 0/);
  });
});

describe('markdown recommendation, properties', () => {
  it('never lowers sell-through as the discount deepens', () => {
    fc.assert(
      fc.property(
        fc.record({
          onHand: fc.integer({ min: 0, max: 400 }),
          dailyDemandMean: fc.double({ min: 0, max: 20, noNaN: true }),
          dailyDispersion: fc.oneof(
            fc.double({ min: 0.05, max: 50, noNaN: true }),
            fc.constant(Number.POSITIVE_INFINITY),
          ),
          daysToSeasonEnd: fc.integer({ min: 0, max: 90 }),
          elasticity: fc.double({ min: -5, max: 0, noNaN: true }),
          steps: fc.array(fc.double({ min: 0, max: 0.9, noNaN: true }), { maxLength: 6 }),
        }),
        (s) => {
          const r = recommendMarkdown({ ...input, ...s });
          for (let i = 1; i < r.rows.length; i++) {
            expect(r.rows[i]!.expectedSellThrough).toBeGreaterThanOrEqual(
              r.rows[i - 1]!.expectedSellThrough - 1e-12,
            );
          }
          for (const row of r.rows) {
            expect(row.expectedUnitsSold).toBeLessThanOrEqual(s.onHand + 1e-9);
            expect(row.expectedUnitsSold).toBeLessThanOrEqual(row.dailyDemandMean * s.daysToSeasonEnd + 1e-9);
          }
          if (r.recommended) {
            expect(r.expectedRevenue).toBe(Math.max(...r.rows.map((row) => row.expectedRevenue)));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
