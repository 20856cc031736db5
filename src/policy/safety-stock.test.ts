import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { negativeBinomialQuantile } from '../forecast/index.ts';
import { leadTimeDemand, orderQuantity, type ReorderPolicyInput, reorderPolicy } from './safety-stock.ts';

const e2 = Math.exp(-2);

/** P(D = k) for k = 0..top, NB(mean, r) matched to mean and variance (Poisson when variance <= mean). */
function pmfTable(mean: number, variance: number, top: number): number[] {
  const out: number[] = [];
  if (variance > mean) {
    const r = (mean * mean) / (variance - mean);
    const p = r / (r + mean);
    let pmf = p ** r;
    for (let k = 0; k <= top; k++) {
      out.push(pmf);
      pmf *= ((k + r) / (k + 1)) * (1 - p);
    }
  } else {
    let pmf = Math.exp(-mean);
    for (let k = 0; k <= top; k++) {
      out.push(pmf);
      pmf *= mean / (k + 1);
    }
  }
  return out;
}

const cdf = (pmf: number[], s: number) => pmf.slice(0, s + 1).reduce((a, b) => a + b, 0);
/** E[(D - s)^+] = mean - s + sum over k < s of (s - k) P(k). */
const loss = (pmf: number[], mean: number, s: number) =>
  mean - s + pmf.slice(0, s).reduce((a, p, k) => a + (s - k) * p, 0);

const base = { leadTimeSd: 0, reviewDays: 0 };

describe('lead-time demand', () => {
  it('adds the lead-time variance to the daily variance over lead time plus review', () => {
    // mean 4 x (5 + 2) = 28; variance 7 x 6 + 4^2 x 2^2 = 42 + 64 = 106.
    expect(
      leadTimeDemand({ dailyMean: 4, dailyVariance: 6, leadTimeMean: 5, leadTimeSd: 2, reviewDays: 2 }),
    ).toEqual({ mean: 28, variance: 106 });
  });

  it('names the field and the value of a bad input', () => {
    const ok = { dailyMean: 1, dailyVariance: 1, leadTimeMean: 1, leadTimeSd: 0, reviewDays: 1 };
    expect(() => leadTimeDemand({ ...ok, dailyMean: -1 })).toThrow(
      new RangeError('dailyMean must be a finite number >= 0, got -1'),
    );
    expect(() => leadTimeDemand({ ...ok, dailyVariance: Number.NaN })).toThrow(/dailyVariance .* got NaN/);
    expect(() => leadTimeDemand({ ...ok, leadTimeSd: Number.POSITIVE_INFINITY })).toThrow(
      /leadTimeSd .* got Infinity/,
    );
    expect(() => leadTimeDemand({ ...ok, reviewDays: -7 })).toThrow(/reviewDays .* got -7/);
  });
});

describe('reorder policy, cycle service', () => {
  it('reads the reorder point from the Poisson when the variance equals the mean', () => {
    // Protection demand 0.5 x (3 + 1) = 2, Poisson(2): P(D <= 4) = 7e^-2 = 0.947, P(D <= 5) = 0.983.
    const p = reorderPolicy({
      dailyMean: 0.5,
      dailyVariance: 0.5,
      leadTimeMean: 3,
      leadTimeSd: 0,
      reviewDays: 1,
      target: { kind: 'cycle_service', level: 0.95 },
    });
    expect(p.distribution).toBe('poisson');
    expect(p.reorderPoint).toBe(5);
    expect(p.safetyStock).toBe(3);
    expect(p.protectionMean).toBe(2);
    expect(p.protectionSd).toBeCloseTo(Math.SQRT2, 12);
    expect(p.z).toBeCloseTo(3 / Math.SQRT2, 12);
    expect(p.expectedCycleService).toBeCloseTo((1 + 2 + 2 + 4 / 3 + 2 / 3 + 4 / 15) * e2, 12);
    // The review period sells 0.5, less than the smallest order (1 unit): cycle demand 1.
    expect(p.cycleDemand).toBe(1);
    expect(p.orderUpTo).toBe(6);
    // E[(D - 5)^+] = (5 + 4x2 + 3x2 + 2x4/3 + 2/3) e^-2 + 2 - 5 = 67/3 e^-2 - 3.
    expect(p.expectedFillRate).toBeCloseTo(1 - ((67 / 3) * e2 - 3), 12);
  });

  it('reads the reorder point from the negative binomial when the variance exceeds the mean', () => {
    // Mean 2, variance 6: r = 2^2 / (6 - 2) = 1, the geometric P(D > k) = (2/3)^(k+1).
    // (2/3)^6 = 0.088 <= 0.1 < (2/3)^5 = 0.132, so s = 5 for 90%.
    const p = reorderPolicy({
      ...base,
      dailyMean: 1,
      dailyVariance: 3,
      leadTimeMean: 2,
      target: { kind: 'cycle_service', level: 0.9 },
    });
    expect(p.distribution).toBe('negative_binomial');
    expect(p.reorderPoint).toBe(5);
    expect(p.expectedCycleService).toBeCloseTo(1 - (2 / 3) ** 6, 12);
    expect(p.protectionSd).toBeCloseTo(Math.sqrt(6), 12);
  });

  it('reaches a 99.99% level in the tail', () => {
    // Poisson(2): P(D <= 8) = 0.99976 < 0.9999 <= P(D <= 9) = 0.99995.
    const poisson = reorderPolicy({
      ...base,
      dailyMean: 2,
      dailyVariance: 2,
      leadTimeMean: 1,
      target: { kind: 'cycle_service', level: 0.9999 },
    });
    expect(poisson.reorderPoint).toBe(9);
    // Geometric (2/3): (2/3)^(s+1) <= 1e-4 first at s + 1 = 23.
    const geometric = reorderPolicy({
      ...base,
      dailyMean: 1,
      dailyVariance: 3,
      leadTimeMean: 2,
      target: { kind: 'cycle_service', level: 0.9999 },
    });
    expect(geometric.reorderPoint).toBe(22);
    expect(geometric.expectedCycleService).toBeCloseTo(1 - (2 / 3) ** 23, 12);
  });

  it('plans nothing for an item with no demand', () => {
    const p = reorderPolicy({
      dailyMean: 0,
      dailyVariance: 0,
      leadTimeMean: 7,
      leadTimeSd: 2,
      reviewDays: 7,
      target: { kind: 'fill_rate', level: 0.99 },
      packSize: 12,
    });
    expect(p).toMatchObject({
      reorderPoint: 0,
      orderUpTo: 0,
      safetyStock: 0,
      z: 0,
      cycleDemand: 0,
      distribution: 'none',
      expectedFillRate: 1,
      expectedCycleService: 1,
    });
  });

  it('treats a zero variance as Poisson, not as certain demand', () => {
    const p = reorderPolicy({
      ...base,
      dailyMean: 2,
      dailyVariance: 0,
      leadTimeMean: 1,
      target: { kind: 'cycle_service', level: 0.95 },
    });
    expect(p.distribution).toBe('poisson');
    expect(p.reorderPoint).toBe(5);
  });

  it('handles a fast mover whose P(0) underflows', () => {
    // Poisson(50,000): e^-50000 is 0 in doubles; the normal approximation gives 50,000 + 1.645 x 223.6.
    const p = reorderPolicy({
      ...base,
      dailyMean: 5000,
      dailyVariance: 5000,
      leadTimeMean: 10,
      target: { kind: 'cycle_service', level: 0.95 },
    });
    expect(Math.abs(p.reorderPoint - 50_368)).toBeLessThanOrEqual(2);
    expect(p.expectedCycleService).toBeGreaterThanOrEqual(0.95);
    expect(p.expectedCycleService).toBeLessThan(0.952);
  });

  it('agrees with the forecast module’s negative binomial quantile', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 0.999, noNaN: true }),
        fc.double({ min: 0.05, max: 40, noNaN: true }),
        fc.double({ min: 0.2, max: 50, noNaN: true }),
        (level, mean, r) => {
          const p = reorderPolicy({
            ...base,
            dailyMean: mean,
            dailyVariance: mean + (mean * mean) / r,
            leadTimeMean: 1,
            target: { kind: 'cycle_service', level },
          });
          expect(p.reorderPoint).toBe(negativeBinomialQuantile(level, mean, r));
        },
      ),
    );
  });
});

describe('reorder policy, fill rate', () => {
  it('finds the smallest reorder point whose expected shortage fits the budget (Poisson)', () => {
    // Poisson(2), cycle demand 1 x 1 = 1, budget (1 - 0.9) x 1 = 0.1.
    // E[(D - 3)^+] = 9e^-2 - 1 = 0.218; E[(D - 4)^+] = 46/3 e^-2 - 2 = 0.0751.
    const input: ReorderPolicyInput = {
      dailyMean: 1,
      dailyVariance: 1,
      leadTimeMean: 1,
      leadTimeSd: 0,
      reviewDays: 1,
      target: { kind: 'fill_rate', level: 0.9 },
    };
    const p = reorderPolicy(input);
    expect(p.cycleDemand).toBe(1);
    expect(p.reorderPoint).toBe(4);
    expect(p.expectedFillRate).toBeCloseTo(1 - ((46 / 3) * e2 - 2), 12);
    expect(p.orderUpTo).toBe(5);
    // 95%: budget 0.05; E[(D - 5)^+] = 67/3 e^-2 - 3 = 0.0225.
    expect(reorderPolicy({ ...input, target: { kind: 'fill_rate', level: 0.95 } }).reorderPoint).toBe(5);
  });

  it('measures shortages against the smallest order when packs exceed the review demand', () => {
    // Geometric (2/3) as above: E[(D - s)^+] = 3 (2/3)^(s+1). Continuous review, one-unit packs:
    // budget 0.1, first met at s = 8 (0.078; s = 7 gives 0.117). Packs of 6: budget 0.6, met at
    // s = 3 (0.593; s = 2 gives 0.889), and S = 3 + 6.
    const input: ReorderPolicyInput = {
      ...base,
      dailyMean: 1,
      dailyVariance: 3,
      leadTimeMean: 2,
      target: { kind: 'fill_rate', level: 0.9 },
    };
    const single = reorderPolicy(input);
    expect(single.reorderPoint).toBe(8);
    expect(single.expectedFillRate).toBeCloseTo(1 - 3 * (2 / 3) ** 9, 12);
    const packs = reorderPolicy({ ...input, packSize: 6 });
    expect(packs.cycleDemand).toBe(6);
    expect(packs.reorderPoint).toBe(3);
    expect(packs.orderUpTo).toBe(9);
    expect(packs.expectedFillRate).toBeCloseTo(1 - (3 * (2 / 3) ** 4) / 6, 12);
  });

  it('needs no stock in reserve when a huge minimum order dwarfs the shortages', () => {
    // Protection demand Poisson(1,000) against cycles of 10^7 units: even s = 0 short-ships
    // 1,000 units a cycle, a fill rate of 0.9999.
    const p = reorderPolicy({
      ...base,
      dailyMean: 1000,
      dailyVariance: 1000,
      leadTimeMean: 1,
      minOrder: 1e7,
      target: { kind: 'fill_rate', level: 0.5 },
    });
    expect(p.reorderPoint).toBe(0);
    expect(p.expectedFillRate).toBeCloseTo(1 - 1000 / 1e7, 12);
  });

  it('rounds the order-up-to level to whole packs of the review demand', () => {
    // Review demand 2.5 x 7 = 17.5 -> packs of 6: 18; a minimum order of 20 -> 24.
    const input: ReorderPolicyInput = {
      dailyMean: 2.5,
      dailyVariance: 2.5,
      leadTimeMean: 3,
      leadTimeSd: 0,
      reviewDays: 7,
      target: { kind: 'fill_rate', level: 0.98 },
      packSize: 6,
    };
    const p = reorderPolicy(input);
    expect(p.cycleDemand).toBe(17.5);
    expect(p.orderUpTo - p.reorderPoint).toBe(18);
    const withMinimum = reorderPolicy({ ...input, minOrder: 20 });
    expect(withMinimum.cycleDemand).toBe(24);
    expect(withMinimum.orderUpTo - withMinimum.reorderPoint).toBe(24);
  });
});

describe('reorder policy, inputs', () => {
  const ok: ReorderPolicyInput = {
    dailyMean: 1,
    dailyVariance: 1,
    leadTimeMean: 1,
    leadTimeSd: 0,
    reviewDays: 1,
    target: { kind: 'cycle_service', level: 0.9 },
  };
  it('rejects bad inputs with the field and value in the message', () => {
    expect(() => reorderPolicy({ ...ok, target: { kind: 'cycle_service', level: 1 } })).toThrow(
      new RangeError('target.level must be a finite number > 0 < 1, got 1'),
    );
    expect(() => reorderPolicy({ ...ok, target: { kind: 'fill_rate', level: 0 } })).toThrow(
      /target\.level .* got 0/,
    );
    expect(() => reorderPolicy({ ...ok, target: { kind: 'bogus', level: 0.9 } as never })).toThrow(
      /target\.kind .* got bogus/,
    );
    expect(() => reorderPolicy({ ...ok, packSize: 0 })).toThrow(/packSize .* got 0/);
    expect(() => reorderPolicy({ ...ok, packSize: 2.5 })).toThrow(
      /packSize must be an integer >= 1, got 2.5/,
    );
    expect(() => reorderPolicy({ ...ok, minOrder: -3 })).toThrow(/minOrder .* got -3/);
    expect(() => reorderPolicy({ ...ok, leadTimeMean: Number.NaN })).toThrow(/leadTimeMean .* got NaN/);
  });
});

const levels = fc.constantFrom<number>(0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999, 0.9999);
const kinds = fc.constantFrom('cycle_service' as const, 'fill_rate' as const);
const setting = fc.record({
  dailyMean: fc.double({ min: 0, max: 30, noNaN: true }),
  // Daily variance as a multiple of the daily mean (the dispersion index), see below.
  index: fc.double({ min: 0, max: 8, noNaN: true }),
  leadTimeMean: fc.double({ min: 0, max: 20, noNaN: true }),
  // Lead-time standard deviation as a multiple of its mean (coefficient of variation).
  leadTimeCv: fc.double({ min: 0, max: 1.5, noNaN: true }),
  reviewDays: fc.integer({ min: 0, max: 14 }),
  packSize: fc.integer({ min: 1, max: 24 }),
  minOrder: fc.integer({ min: 0, max: 40 }),
  kind: kinds,
  level: levels,
});
type Setting = typeof setting extends fc.Arbitrary<infer T> ? T : never;
const toInput = (s: Setting): ReorderPolicyInput => ({
  dailyMean: s.dailyMean,
  dailyVariance: s.index * s.dailyMean,
  leadTimeMean: s.leadTimeMean,
  leadTimeSd: s.leadTimeCv * s.leadTimeMean,
  reviewDays: s.reviewDays,
  packSize: s.packSize,
  minOrder: s.minOrder,
  target: { kind: s.kind, level: s.level },
});

describe('reorder policy, properties', () => {
  it('never lowers the reorder point when the service level rises', () => {
    fc.assert(
      fc.property(setting, levels, (s, other) => {
        const [lo, hi] = [Math.min(s.level, other), Math.max(s.level, other)];
        const a = reorderPolicy(toInput({ ...s, level: lo }));
        const b = reorderPolicy(toInput({ ...s, level: hi }));
        expect(b.reorderPoint).toBeGreaterThanOrEqual(a.reorderPoint);
      }),
      { numRuns: 300 },
    );
  });

  // Mean demand and lead time are raised with the shape of their variation held: the daily
  // variance a fixed multiple of the daily mean, the lead-time deviation a fixed fraction of
  // the lead time. At a fixed absolute variance a higher mean makes the matched negative
  // binomial less skewed, and a very high quantile can fall (pinned in the next describe).
  it('never lowers the reorder point when mean demand rises', () => {
    fc.assert(
      fc.property(setting, fc.double({ min: 0, max: 20, noNaN: true }), (s, more) => {
        const a = reorderPolicy(toInput(s));
        const b = reorderPolicy(toInput({ ...s, dailyMean: s.dailyMean + more }));
        expect(b.reorderPoint).toBeGreaterThanOrEqual(a.reorderPoint);
      }),
      { numRuns: 300 },
    );
  });

  it('never lowers the reorder point when the lead time lengthens', () => {
    fc.assert(
      fc.property(setting, fc.double({ min: 0, max: 20, noNaN: true }), (s, more) => {
        const a = reorderPolicy(toInput(s));
        const b = reorderPolicy(toInput({ ...s, leadTimeMean: s.leadTimeMean + more }));
        expect(b.reorderPoint).toBeGreaterThanOrEqual(a.reorderPoint);
      }),
      { numRuns: 300 },
    );
  });

  it('achieves at least the target cycle service, with the smallest such reorder point', () => {
    fc.assert(
      fc.property(setting, (s) => {
        const input = toInput({ ...s, kind: 'cycle_service' });
        const p = reorderPolicy(input);
        expect(p.expectedCycleService).toBeGreaterThanOrEqual(s.level);
        // Checked again against a table built independently, forwards from P(0).
        const mean = p.protectionMean;
        const { variance } = leadTimeDemand(input);
        const pmf = pmfTable(mean, variance, p.reorderPoint);
        // The reference starts from P(0) = e^-mean, which loses precision past a mean of ~700.
        if (mean > 0 && mean < 600) {
          expect(cdf(pmf, p.reorderPoint)).toBeGreaterThanOrEqual(s.level - 1e-9);
          if (p.reorderPoint > 0) expect(cdf(pmf, p.reorderPoint - 1)).toBeLessThan(s.level + 1e-9);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('achieves at least the target fill rate, with the smallest such reorder point', () => {
    fc.assert(
      fc.property(setting, (s) => {
        const input = toInput({ ...s, kind: 'fill_rate' });
        const p = reorderPolicy(input);
        expect(p.expectedFillRate).toBeGreaterThanOrEqual(s.level);
        const mean = p.protectionMean;
        const { variance } = leadTimeDemand(input);
        const pmf = pmfTable(mean, variance, p.reorderPoint);
        // The reference starts from P(0) = e^-mean, which loses precision past a mean of ~700.
        if (mean > 0 && mean < 600) {
          const fill = (r: number) => 1 - loss(pmf, mean, r) / p.cycleDemand;
          expect(fill(p.reorderPoint)).toBeGreaterThanOrEqual(s.level - 1e-9);
          if (p.reorderPoint > 0) expect(fill(p.reorderPoint - 1)).toBeLessThan(s.level + 1e-9);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('reorder policy, known limits of moment matching', () => {
  it('can lower a 99.9% reorder point when the mean rises at a fixed variance', () => {
    // Daily variance 30 over 11 days: at 0.44 a day the matched distribution is very skewed
    // (r = 0.17) and its 99.9% point lies far out; at 1.0 a day it is less skewed (r = 0.5).
    const at = (dailyMean: number) =>
      reorderPolicy({
        dailyMean,
        dailyVariance: 30,
        leadTimeMean: 7,
        leadTimeSd: 0,
        reviewDays: 4,
        target: { kind: 'cycle_service', level: 0.999 },
      }).reorderPoint;
    expect(at(1)).toBeLessThan(at(0.44));
  });
});

describe('order quantity', () => {
  it('orders nothing above the reorder point', () => {
    expect(orderQuantity({ position: 11, reorderPoint: 10, orderUpTo: 30, packSize: 6, minOrder: 0 })).toBe(
      0,
    );
  });

  it('orders up to S in whole packs, rounding up', () => {
    // 30 - 10 = 20 -> 4 packs of 6 = 24.
    expect(orderQuantity({ position: 10, reorderPoint: 10, orderUpTo: 30, packSize: 6, minOrder: 0 })).toBe(
      24,
    );
    // Backorders count: 20 - (-5) = 25.
    expect(orderQuantity({ position: -5, reorderPoint: 4, orderUpTo: 20, packSize: 1, minOrder: 0 })).toBe(
      25,
    );
  });

  it('raises an order to the minimum, then to whole packs', () => {
    expect(orderQuantity({ position: 3, reorderPoint: 5, orderUpTo: 10, packSize: 1, minOrder: 40 })).toBe(
      40,
    );
    expect(orderQuantity({ position: 3, reorderPoint: 5, orderUpTo: 10, packSize: 12, minOrder: 40 })).toBe(
      48,
    );
  });

  it('orders nothing when the position already reaches S', () => {
    expect(orderQuantity({ position: 0, reorderPoint: 0, orderUpTo: 0, packSize: 6, minOrder: 10 })).toBe(0);
  });

  it('rejects an order-up-to level below the reorder point', () => {
    expect(() =>
      orderQuantity({ position: 0, reorderPoint: 10, orderUpTo: 5, packSize: 1, minOrder: 0 }),
    ).toThrow(/orderUpTo must be a finite number >= 10, got 5/);
  });

  it('leaves the position at or above S in whole packs of at least the minimum', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -50, max: 100 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 0, max: 50 }),
        (position, reorderPoint, gap, packSize, minOrder) => {
          const orderUpTo = reorderPoint + gap;
          const q = orderQuantity({ position, reorderPoint, orderUpTo, packSize, minOrder });
          expect(q % packSize).toBe(0);
          if (position > reorderPoint) expect(q).toBe(0);
          else if (position < orderUpTo) {
            expect(position + q).toBeGreaterThanOrEqual(orderUpTo);
            expect(q).toBeGreaterThanOrEqual(minOrder);
            expect(q - packSize).toBeLessThan(Math.max(orderUpTo - position, minOrder));
          }
        },
      ),
    );
  });
});
