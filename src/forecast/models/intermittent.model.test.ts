import { describe, expect, it } from 'vitest';
import { croston, sba, tsb } from './intermittent.model.ts';
import { movingAverage, seasonalNaive, ses } from './naive.model.ts';

describe('intermittent demand methods, by hand', () => {
  it('Croston smooths sizes and intervals from the first demand', () => {
    // Demands 3 (after 3 periods) then 2 (after 2): size 3 -> 2.9, interval 3 -> 2.9.
    expect(croston([0, 0, 3, 0, 2], 0.1)).toBeCloseTo(2.9 / 2.9, 12);
    // Sizes 4, 6 at intervals 1, 3: size 4 -> 4.2, interval 1 -> 1.2.
    expect(croston([4, 0, 0, 6], 0.1)).toBeCloseTo(4.2 / 1.2, 12);
    expect(croston([0, 0, 0], 0.1)).toBe(0);
  });

  it('SBA debiases Croston by 1 - alpha / 2', () => {
    expect(sba([4, 0, 0, 6], 0.2)).toBeCloseTo(0.9 * croston([4, 0, 0, 6], 0.2), 12);
  });

  it('TSB lets the demand probability decay through zeros', () => {
    // p0 = 1/3, size 2; zero: p = 0.3; demand 2: p = 0.37; zero: p = 0.333.
    expect(tsb([0, 2, 0], 0.1, 0.1)).toBeCloseTo(0.333 * 2, 12);
    const early = tsb([5, 5, 5, 0, 0, 0, 0, 0, 0, 0]);
    expect(early).toBeLessThan(tsb([5, 5, 5]));
  });

  it('simple benchmarks: SES, moving average, seasonal naive', () => {
    expect(ses([3, 5, 4], 0.5)).toBeCloseTo(4, 12);
    expect(movingAverage([1, 2, 3, 4, 5], 2)).toBe(4.5);
    expect([...seasonalNaive([1, 2, 3, 4, 5, 6, 7, 8], 5, 3)]).toEqual([6, 7, 8, 6, 7]);
  });
});
