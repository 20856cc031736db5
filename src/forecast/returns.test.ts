import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom, poisson } from '../twin/index.ts';
import {
  type DispositionEvidence,
  fitDistributedLag,
  fitReturns,
  forecastReturnSeries,
  forecastReturns,
  projectSellable,
  type ReturnLagEvidence,
  type ReturnsSeries,
  shrinkRates,
} from './returns.ts';

const constant = (n: number, v: number) => new Array<number>(n).fill(v);

/** 100 sold a day; a tenth comes back, half 1 day later and half 2 days later: 10 a day from day 2. */
function steadyStore(days = 40): { series: ReturnsSeries; lags: ReturnLagEvidence[] } {
  const returns = constant(days, 10);
  returns[0] = 0;
  returns[1] = 5;
  const lags: ReturnLagEvidence[] = [];
  for (let day = 0; day < days; day++)
    for (const lagDays of [1, 2])
      lags.push({ category: 'coats', channel: 'store', saleDay: day, lagDays, qty: 5 });
  return { series: { category: 'coats', channel: 'store', sales: constant(days, 100), returns }, lags };
}

describe('the distributed lag fit', () => {
  it('recovers the lag coefficients of noiseless data', () => {
    const random = createRandom(7);
    const x = Array.from({ length: 120 }, () => 20 + Math.floor(random() * 80));
    const y = x.map((_, t) => 0.1 * (x[t - 1] ?? 0) + 0.05 * (x[t - 3] ?? 0));
    const b = fitDistributedLag([{ x, y }], 4, 4, { iterations: 3000 });
    expect(Array.from(b, (v) => Number(v.toFixed(3)))).toEqual([0, 0.1, 0, 0.05, 0]);
  });

  it('returns zeros when nothing came back', () => {
    expect(Array.from(fitDistributedLag([{ x: constant(20, 5), y: constant(20, 0) }], 3, 3))).toEqual([
      0, 0, 0, 0,
    ]);
  });
});

describe('empirical Bayes rates', () => {
  it('pulls each rate towards the pool by how much of the spread is noise (hand-computed)', () => {
    // Pool 40 / 200 = 0.2; raw 0.1 and 0.3. Weighted spread (100 x 0.01 x 2) / 200 = 0.01, of
    // which Poisson noise explains 0.2 / 100 = 0.002: between-group variance 0.008, weight
    // 0.008 / (0.008 + 0.002) = 0.8, so 0.2 -/+ 0.8 x 0.1.
    const { pooled, rates } = shrinkRates([
      { returns: 10, exposure: 100 },
      { returns: 30, exposure: 100 },
    ]);
    expect(pooled).toBeCloseTo(0.2, 12);
    expect(rates[0]).toBeCloseTo(0.12, 12);
    expect(rates[1]).toBeCloseTo(0.28, 12);
  });

  it('pools completely when the rates differ no more than noise, and by pseudo-units when told', () => {
    expect(
      shrinkRates([
        { returns: 19, exposure: 100 },
        { returns: 21, exposure: 100 },
      ]).rates,
    ).toEqual([0.2, 0.2]);
    // (10 + 50 x 0.2) / (100 + 50) and (30 + 10) / 150.
    const fixed = shrinkRates(
      [
        { returns: 10, exposure: 100 },
        { returns: 30, exposure: 100 },
      ],
      50,
    );
    expect(fixed.rates[0]).toBeCloseTo(20 / 150, 12);
    expect(fixed.rates[1]).toBeCloseTo(40 / 150, 12);
  });
});

describe('fitting and forecasting returns', () => {
  it('counts the lag from returns that name their sale and forecasts 10 a day back, 7.5 sellable', () => {
    const { series, lags } = steadyStore();
    // Of 4 inspections, 3 go back to sale, each the day after the return.
    const dispositions: DispositionEvidence[] = [true, true, true, false].map((sellable, i) => ({
      category: 'coats',
      channel: 'store',
      returnDay: 10 + i,
      delayDays: 1,
      sellable,
    }));
    const model = fitReturns({ series: [series], lags, dispositions });
    expect(model.maxLag).toBe(2);
    const group = model.groups[0]!;
    expect(group.lagSource).toBe('matched');
    expect(Array.from(group.lag)).toEqual([0, 0.5, 0.5]);
    // Exposure from day 2: 38 days x 100; returns 38 x 10.
    expect(group.rate).toBeCloseTo(0.1, 12);
    expect(group.sellableShare).toBeCloseTo(0.75, 12);
    expect(Array.from(group.delay)).toEqual([0, 1]);
    expect(group.dispersion).toBe(Number.POSITIVE_INFINITY);
    const [f] = forecastReturns(model, [{ ...series, futureSales: constant(5, 100) }], { horizon: 5 });
    expect(Array.from(f!.returns, (v) => Number(v.toFixed(9)))).toEqual([10, 10, 10, 10, 10]);
    // Day 1 restocks 0.75 of the 10 returned on the last day of history.
    expect(Array.from(f!.sellable, (v) => Number(v.toFixed(9)))).toEqual([7.5, 7.5, 7.5, 7.5, 7.5]);
    expect(f!.quantiles.map((q) => q.level)).toEqual([0.1, 0.5, 0.9]);
    expect(f!.quantiles[1]!.values[0]).toBe(10);
  });

  it('feeds the first days from sales already made and the rest from the sales forecast', () => {
    const { series, lags } = steadyStore();
    const model = fitReturns({ series: [series], lags });
    // No sales from the origin on: day 1 still gets half of the last day's returns (lag 1)
    // and half of the day before's (lag 2); day 2 only the lag 2 of the last day; then nothing.
    const [f] = forecastReturns(model, [{ ...series, futureSales: constant(3, 0) }], { horizon: 3 });
    expect(Array.from(f!.returns, (v) => Number(v.toFixed(9)))).toEqual([10, 5, 0]);
    // Without inspection data every return counts as sellable the day it comes back.
    expect(model.groups[0]!.dispositionSource).toBe('none');
    expect(Array.from(f!.sellable, (v) => Number(v.toFixed(9)))).toEqual([10, 5, 0]);
  });

  it('keeps a well-observed category at its own rate and pulls a sparse one towards the channel', () => {
    const days = 60;
    const series: ReturnsSeries[] = [
      { category: 'coats', channel: 'store', sales: constant(days, 1000), returns: constant(days, 80) },
      { category: 'shoes', channel: 'store', sales: constant(days, 1000), returns: constant(days, 40) },
      // 2 sold a day and one return in 60 days: its raw rate (1/106) says little.
      {
        category: 'gloves',
        channel: 'store',
        sales: constant(days, 2),
        returns: constant(days, 0).map((_, t) => (t === 30 ? 1 : 0)),
      },
    ];
    const model = fitReturns({ series }, { maxLag: 7 });
    const rate = (c: string) => model.groups.find((g) => g.category === c)!.rate;
    expect(rate('coats')).toBeCloseTo(0.08, 3);
    expect(rate('shoes')).toBeCloseTo(0.04, 3);
    const pooled = model.channels[0]!.rate;
    expect(rate('gloves')).toBeGreaterThan(1 / 106);
    // Its Poisson noise (sd about sqrt(0.06 / 106) = 0.024) is as large as the spread of the
    // categories' rates (0.04 to 0.08): it moves more than halfway to the channel's rate.
    expect(Math.abs(rate('gloves') - pooled)).toBeLessThan(Math.abs(1 / 106 - pooled) * 0.5);
  });

  it('fits the lag profile from daily counts alone when returns do not name their sale', () => {
    // 20 stores, 120 days, Poisson sales around 50 a day; each unit returned with
    // probability 0.08, 1 to 3 days later (evenly): mean lag 2 days.
    const random = createRandom(11);
    const series: ReturnsSeries[] = [];
    for (let store = 0; store < 20; store++) {
      const days = 120;
      const sales = Array.from({ length: days }, () => poisson(random, 30 + 40 * random()));
      const returns = constant(days, 0);
      sales.forEach((units, t) => {
        for (let u = 0; u < units; u++)
          if (random() < 0.08) {
            const day = t + 1 + Math.floor(random() * 3);
            if (day < days) returns[day]! += 1;
          }
      });
      series.push({ category: 'coats', channel: 'store', location: `S${store}`, sales, returns });
    }
    const model = fitReturns({ series }, { maxLag: 10 });
    const group = model.groups[0]!;
    expect(group.lagSource).toBe('fitted');
    expect(group.rate).toBeGreaterThan(0.075);
    expect(group.rate).toBeLessThan(0.085);
    const meanLag = Array.from(group.lag).reduce((a, p, k) => a + p * k, 0);
    expect(meanLag).toBeGreaterThan(1.6);
    expect(meanLag).toBeLessThan(2.4);
    // Most of the mass on days 1 to 3.
    expect(group.lag[1]! + group.lag[2]! + group.lag[3]!).toBeGreaterThan(0.8);
    expect(model.locationRates.size).toBe(20);
  });

  it('is linear in sales: doubling past and future sales doubles expected returns', () => {
    const { series, lags } = steadyStore();
    const model = fitReturns({ series: [series], lags });
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 30, maxLength: 30 }),
        fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 7, maxLength: 7 }),
        (past, future) => {
          const input = { ...series, sales: past, returns: constant(30, 3), futureSales: future };
          const twice = { ...input, sales: past.map((v) => 2 * v), futureSales: future.map((v) => 2 * v) };
          const [a, b] = forecastReturns(model, [input, twice], { horizon: 7 });
          for (let j = 0; j < 7; j++) expect(b!.returns[j]).toBeCloseTo(2 * a!.returns[j]!, 9);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('forecasts the return series on its own with the automatic selection', async () => {
    const { series } = steadyStore(60);
    const [f] = await forecastReturnSeries([series], { horizon: 7 });
    expect(f!.returns).toHaveLength(7);
    for (const v of f!.returns) expect(v).toBeCloseTo(10, 6);
  });

  it('rejects bad input with errors that name the series, the day and the option', () => {
    const { series } = steadyStore();
    expect(() => fitReturns({ series: [] })).toThrow(/at least one series/);
    expect(() => fitReturns({ series: [{ ...series, returns: constant(39, 0) }] })).toThrow(
      /coats\/store: returns has 39 days, sales has 40/,
    );
    const bad = constant(40, 1);
    bad[3] = -1;
    expect(() => fitReturns({ series: [{ ...series, sales: bad }] })).toThrow(/sales\[3\] is -1/);
    expect(() => fitReturns({ series: [series] }, { maxLag: 1.5 })).toThrow(/maxLag is 1.5/);
    expect(() => fitReturns({ series: [series] }, { maxLag: 35 })).toThrow(
      /40 days is too short.*at least 42/,
    );
    expect(() =>
      fitReturns({
        series: [series],
        lags: [{ category: 'coats', channel: 'store', saleDay: 1, lagDays: -2 }],
      }),
    ).toThrow(/lagDays is -2/);
    const model = fitReturns({ series: [series] }, { maxLag: 5 });
    expect(() => forecastReturns(model, [series], { horizon: 0 })).toThrow(/horizon is 0/);
    expect(() => forecastReturns(model, [{ ...series, channel: 'web' }], { horizon: 3 })).toThrow(
      /no returns history for channel web \(the model knows store\)/,
    );
    expect(() => forecastReturns(model, [series], { horizon: 3, quantiles: [1.2] })).toThrow(
      /1.2 is outside/,
    );
  });
});

describe('projecting sellable stock', () => {
  it('adds back inspected returns a day after the demand they could not serve (hand-computed)', () => {
    // On hand 10, demand 4 a day; 2 pending units returned yesterday (age 1) and 1 today
    // (age 0); 1 new return on day 1. Half of the inspections go back to sale; the delay is
    // 1 day (60%) or 2 days (40%).
    //  - the 2 of age 1 waited a day already: inspected on day 1 (0.6 / 1) -> 0.5 x 2 = 1.0
    //  - the 1 of age 0: day 1 with 0.6, day 2 with 0.4 -> 0.3 and 0.2
    //  - the new return of day 1: day 2 with 0.6, day 3 with 0.4 -> 0.3 and 0.2
    // restocked: 1.3, 0.5, 0.2. Stock: 10 - 4 + 1.3 = 7.3; 7.3 - 4 + 0.5 = 3.8; 3.8 - 4 is
    // 0.2 short, then 0 + 0.2.
    const p = projectSellable({
      onHand: 10,
      pendingInspection: [1, 2],
      demand: [4, 4, 4],
      returns: [1, 0, 0],
      disposition: { sellableShare: 0.5, delay: [0, 0.6, 0.4] },
    });
    const round = (a: Float64Array) => Array.from(a, (v) => Number(v.toFixed(9)));
    expect(round(p.restocked)).toEqual([1.3, 0.5, 0.2]);
    expect(round(p.sellable)).toEqual([7.3, 3.8, 0.2]);
    expect(round(p.short)).toEqual([0, 0, 0.2]);
  });

  it('spreads pending units of unknown age as a steady flow leaves them, and counts arrivals before trading', () => {
    // Delay 1 (60%) or 2 (40%): mean 1.4; P(D >= 1) = 1, P(D >= 2) = 0.4, so of the 7 pending
    // 5 are inspected tomorrow and 2 the day after; all go back to sale.
    const p = projectSellable({
      onHand: 0,
      pendingInspection: 7,
      demand: [3, 3],
      returns: [0, 0],
      inbound: [4, 0],
      disposition: { sellableShare: 1, delay: [0, 0.6, 0.4] },
    });
    expect(Array.from(p.restocked, (v) => Number(v.toFixed(9)))).toEqual([5, 2]);
    expect(Array.from(p.sellable, (v) => Number(v.toFixed(9)))).toEqual([6, 5]);
    expect(Array.from(p.short)).toEqual([0, 0]);
  });

  it('accounts for every unit: stock at the start, arrivals and restocks are sold or still on hand', () => {
    const counts = (length: number) =>
      fc.array(fc.double({ min: 0, max: 50, noNaN: true }), { minLength: length, maxLength: length });
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 100, noNaN: true }),
        counts(4),
        counts(12),
        counts(12),
        counts(12),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (onHand, pending, demand, returns, inbound, share) => {
          const delay = [0.1, 0.5, 0.3, 0.1];
          const p = projectSellable({
            onHand,
            pendingInspection: pending,
            demand,
            returns,
            inbound,
            disposition: { sellableShare: share, delay },
          });
          let sold = 0;
          let restocked = 0;
          let arrived = 0;
          for (let d = 0; d < 12; d++) {
            sold += demand[d]! - p.short[d]!;
            restocked += p.restocked[d]!;
            arrived += inbound[d]!;
            expect(p.sellable[d]).toBeGreaterThanOrEqual(0);
          }
          expect(onHand + arrived + restocked).toBeCloseTo(sold + p.sellable[11]!, 6);
          // Everything pending and every return until 4 days before the end is inspected in the horizon.
          const due = pending.reduce((a, b) => a + b, 0) + returns.slice(0, 9).reduce((a, b) => a + b, 0);
          expect(restocked).toBeGreaterThanOrEqual(share * due - 1e-6);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects a delay distribution that does not sum to 1 and a share outside 0..1', () => {
    const base = { onHand: 1, pendingInspection: 0, demand: [1], returns: [0] };
    expect(() => projectSellable({ ...base, disposition: { sellableShare: 0.5, delay: [0.5] } })).toThrow(
      /sums to 0.5; expected 1/,
    );
    expect(() => projectSellable({ ...base, disposition: { sellableShare: 1.5, delay: [1] } })).toThrow(
      /sellableShare is 1.5/,
    );
    expect(() =>
      projectSellable({ ...base, returns: [], disposition: { sellableShare: 1, delay: [1] } }),
    ).toThrow(/returns has 0 days, demand 1/);
  });
});
