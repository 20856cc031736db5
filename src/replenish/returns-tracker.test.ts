import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { negativeBinomialQuantile } from '../forecast/index.ts';
import { loadScenario, playScenario, scenarioSchema } from '../twin/index.ts';
import { ReturnsTracker } from './returns-tracker.ts';
import { netQuantile } from './twin-planner.ts';

describe('the planner view of returns', () => {
  it('shows every recorded return and every unit inspection put back to sale, and nothing more', () => {
    const s = scenarioSchema.parse({ ...loadScenario('quiet'), days: 30 });
    let returned = 0;
    let restocked = 0;
    let world: { flows: { returned: number } } | undefined;
    playScenario(
      s,
      2,
      () => ({
        name: 'invex',
        plan(view) {
          for (const v of view.returned) returned += v;
          for (const v of view.restocked) restocked += v;
        },
      }),
      { onWorld: (w) => (world = w) },
    );
    expect(returned).toBeGreaterThan(0);
    expect(returned).toBe(world!.flows.returned);
    // About 80% pass inspection; the last days' returns are still in it at the end.
    expect(restocked).toBeGreaterThan(0.6 * returned);
    expect(restocked).toBeLessThan(returned);
  });
});

describe('the returns tracker', () => {
  it('counts on the units its fitted lag and disposition bring back (noiseless history)', () => {
    // One store, one SKU. Sales vary (100, 140, 180, more on every 7th day), a tenth of them come back the next
    // day, and half of those go back to sale the day after.
    const tracker = new ReturnsTracker({
      locations: 1,
      skus: 1,
      category: Int32Array.of(0),
      categories: 1,
      stores: [0],
    });
    const sold = (t: number) => (t < 0 ? 0 : 100 + 40 * (t % 3) + (t % 7 === 0 ? 60 : 0));
    const returned = (t: number) => 0.1 * sold(t - 1);
    for (let t = 0; t < 42; t++)
      tracker.observe(
        t,
        Int32Array.of(sold(t)),
        Int32Array.of(returned(t)),
        Int32Array.of(0.5 * returned(t - 1)),
      );
    expect(tracker.ready).toBe(true);
    const group = tracker.group(0)!;
    expect(group.rate).toBeCloseTo(0.1, 2);
    expect(group.lag[1]).toBeGreaterThan(0.85);
    expect(group.sellableShare).toBeCloseTo(0.5, 2);
    // Tomorrow: half of today's returns (0.1 x yesterday's sales); the day after: half of
    // tomorrow's returns (0.1 x today's sales); then half of 0.1 x the 120 expected tomorrow.
    const ahead = tracker.sellableAhead(0, 0, 3, () => 120);
    expect(ahead[0]).toBeCloseTo(0.05 * sold(40), 0);
    expect(ahead[1]).toBeCloseTo(0.05 * sold(41), 0);
    expect(ahead[2]).toBeCloseTo(0.05 * 120, 0);
    // A location that is not a store, and a tracker not yet fitted, count on nothing.
    expect(Array.from(tracker.sellableAhead(1, 0, 2, () => 1))).toEqual([0, 0]);
  });
});

describe('the reorder point net of returns', () => {
  it('is the demand quantile less what returns reliably cover (hand-computed)', () => {
    // Poisson demand of mean 2: P(D <= 3) = 0.857, P(D <= 4) = 0.947, so the 90% quantile is 4.
    expect(netQuantile(0.9, 2, 2, 0)).toBe(4);
    // With a Poisson 1 of returns: P(D - R <= 3) >= 0.368 x 0.857 + 0.368 x 0.947 + 0.264 x
    // 0.947 = 0.914, while P(D - R <= 2) = 0.368 x 0.677 + 0.368 x 0.857 + 0.184 x 0.947 + ...
    // stays below 0.82: the reorder point drops to 3.
    expect(netQuantile(0.9, 2, 2, 1)).toBe(3);
    // A tenth of a unit expected back changes nothing at 99%.
    expect(netQuantile(0.99, 2, 2, 0.1)).toBe(negativeBinomialQuantile(0.99, 2, Number.POSITIVE_INFINITY));
  });

  it('never exceeds the demand quantile and falls as more returns are expected', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 40, noNaN: true }),
        fc.double({ min: 1, max: 3, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        (mean, spread, a, b) => {
          const variance = mean * spread;
          const [less, more] = a < b ? [a, b] : [b, a];
          const q = netQuantile(0.95, mean, variance, 0);
          expect(netQuantile(0.95, mean, variance, less)).toBeLessThanOrEqual(q);
          expect(netQuantile(0.95, mean, variance, more)).toBeLessThanOrEqual(
            netQuantile(0.95, mean, variance, less),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
