import { describe, expect, it } from 'vitest';
import { createRandom, negativeBinomial, poisson } from '../twin/index.ts';
import { DemandTracker } from './demand-tracker.ts';

/** One store, two SKUs of one category; the prior says 1 a day each. */
const tracker = () =>
  new DemandTracker({
    locations: 1,
    skus: 2,
    category: Int32Array.from([0, 0]),
    categories: 1,
    kind: Uint8Array.from([0]),
    prior: Float64Array.from([1, 1]),
  });
const none = () => 1;
const never = () => false;

describe('DemandTracker', () => {
  it('learns a steady rate and the split between SKUs from daily sales', () => {
    const t = tracker();
    const random = createRandom(1);
    for (let day = 0; day < 200; day++)
      t.observe(day % 7, Int32Array.from([poisson(random, 3), poisson(random, 1)]), none, never);
    expect(t.rate(0, 0, 0)).toBeGreaterThan(2.4);
    expect(t.rate(0, 0, 0)).toBeLessThan(3.6);
    expect(t.rate(0, 1, 0)).toBeGreaterThan(0.7);
    expect(t.rate(0, 1, 0)).toBeLessThan(1.3);
  });

  it('follows a ramp within days (the damped trend), where a plain average lags', () => {
    const t = tracker();
    for (let day = 0; day < 60; day++) {
      const rate = 1 + day / 10; // 1 -> 6.9 a day
      t.observe(day % 7, Int32Array.from([Math.round(rate), Math.round(rate)]), none, never);
    }
    expect(t.rate(0, 0, 0) + t.rate(0, 1, 0)).toBeGreaterThan(2 * 6.3);
  });

  it("divides a promotion's sales by its announced uplift before learning from them", () => {
    const plain = tracker();
    const promoted = tracker();
    for (let day = 0; day < 80; day++) {
      const onPromotion = day >= 60;
      plain.observe(day % 7, Int32Array.from([2, 2]), none, never);
      promoted.observe(
        day % 7,
        Int32Array.from([onPromotion ? 6 : 2, 2]),
        (_l, s) => (onPromotion && s === 0 ? 3 : 1),
        never,
      );
    }
    expect(promoted.rate(0, 0, 0)).toBeCloseTo(plain.rate(0, 0, 0), 6);
  });

  it('raises the sale size it expects when sale days keep emptying the shelf', () => {
    const t = tracker();
    // A lumpy item: each sale day the customer took all 3 there were (they wanted more).
    for (let day = 0; day < 40; day++)
      t.observe(
        day % 7,
        Int32Array.from([day % 4 === 0 ? 3 : 0, 1]),
        none,
        (_l, s) => s === 0 && day % 4 === 0,
      );
    expect(t.saleSize(0)).toBeGreaterThan(4);
    // An item whose shelf never empties: its sale size is what it sells on a sale day.
    expect(t.saleSize(1)).toBeCloseTo(1, 6);
  });

  it('estimates the negative binomial size of daily demand from the errors', () => {
    const t = tracker();
    const random = createRandom(7);
    for (let day = 0; day < 400; day++)
      t.observe(
        day % 7,
        Int32Array.from([negativeBinomial(random, 8, 2), negativeBinomial(random, 8, 2)]),
        none,
        never,
      );
    expect(t.dispersion(0)).toBeGreaterThan(1.2);
    expect(t.dispersion(0)).toBeLessThan(3.2);
  });
});
