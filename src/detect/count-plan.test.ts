import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventSchema } from '../ingest/index.ts';
import { type CountCandidate, countId, emptiedInSilence, planCounts } from './count-plan.ts';
import { DAY, DetectHarness, HOUR, T0 } from './detect.test-support.ts';
import type { ConfidenceReading } from './record-confidence.ts';

const reading = (over: Partial<ConfidenceReading>): ConfidenceReading => ({
  confidence: 0.9,
  emptyProbability: 0.1,
  prior: 0.05,
  dailyLossRate: 0.001,
  zeroSaleDay: 0.4,
  zeroRunDays: 0,
  overstatementBound: 10,
  historyDays: 28,
  expectedDailyUnits: 1,
  expectedSaleDays: 0,
  daysSinceCount: 30,
  shortPicked: false,
  pickMiss: 0.1,
  ...over,
});

const candidate = (sku: string, over: Partial<ConfidenceReading>, location = 'S1'): CountCandidate => ({
  location,
  sku,
  reading: reading(over),
  unitMargin: 7,
  recordSellable: 10,
});

describe('emptiedInSilence', () => {
  it('is the posterior of a loss during the run given its days without a sale (hand-computed)', () => {
    // prior 1 - exp(-0.001 * 2) = 0.0019980; likelihood 0.4^2 = 0.16.
    const p = emptiedInSilence(reading({ zeroRunDays: 2 }));
    expect(p).toBeCloseTo(0.001998 / (0.001998 + 0.998002 * 0.16), 6);
  });

  it('weighs a short pick as the picker miss rate', () => {
    const silent = emptiedInSilence(reading({ zeroRunDays: 1 }));
    const picked = emptiedInSilence(reading({ zeroRunDays: 1, shortPicked: true, pickMiss: 0.05 }));
    const prior = 1 - Math.exp(-0.001);
    expect(picked).toBeCloseTo(prior / (prior + (1 - prior) * 0.4 * 0.05), 9);
    expect(picked).toBeGreaterThan(silent);
  });

  it('never falls as the silence grows, and stays a probability', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 0.1, noNaN: true }),
        fc.double({ min: 0.01, max: 0.999, noNaN: true }),
        fc.double({ min: 0, max: 60, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        (rate, q0, run, more) => {
          const a = emptiedInSilence(reading({ dailyLossRate: rate, zeroSaleDay: q0, zeroRunDays: run }));
          const b = emptiedInSilence(
            reading({ dailyLossRate: rate, zeroSaleDay: q0, zeroRunDays: run + more }),
          );
          expect(a).toBeGreaterThanOrEqual(0);
          expect(b).toBeLessThanOrEqual(1);
          expect(b).toBeGreaterThanOrEqual(a - 1e-12);
        },
      ),
    );
  });
});

describe('countId', () => {
  it('fits any two codes into a reference an event may carry, distinct per record and day', () => {
    const code = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/);
    fc.assert(
      fc.property(code, code, (location, sku) => {
        const id = countId('2026-03-20', location, sku);
        expect(id.startsWith('CP-20260320-')).toBe(true);
        const count = eventSchema.safeParse({
          event_id: 'e1',
          type: 'cycle_count',
          occurred_at: '2026-03-20T06:00:00Z',
          source: 'store_ops',
          sku,
          location,
          counted_qty: 3,
          ref: { count_id: id },
        });
        expect(count.success, JSON.stringify(count.error?.issues)).toBe(true);
        expect(countId('2026-03-21', location, sku)).not.toBe(id);
        if (sku.length < 64) expect(countId('2026-03-20', location, `${sku}x`)).not.toBe(id);
      }),
    );
    expect(countId('2026-03-20', 'S1', 'A')).toBe('CP-20260320-S1-A');
    expect(countId('2026-03-20', 'L'.repeat(64), 'K'.repeat(64))).toMatch(/^CP-20260320-[0-9a-f]{40}$/);
  });
});

describe('planCounts', () => {
  it('puts a silent fast seller before a slow one and before a record that just sold, whatever its last count', () => {
    const plan = planCounts(
      [
        candidate('SOLD', {
          zeroRunDays: 0.05,
          expectedDailyUnits: 5,
          zeroSaleDay: 0.04,
          daysSinceCount: 110,
        }),
        candidate('SLOW', { zeroRunDays: 4, expectedDailyUnits: 0.2, zeroSaleDay: 0.85 }),
        candidate('FAST', { zeroRunDays: 1, expectedDailyUnits: 5, zeroSaleDay: 0.04 }),
      ],
      '2026-03-20',
      3,
    );
    expect(plan.map((t) => t.sku)).toEqual(['FAST', 'SLOW', 'SOLD']);
    expect(plan[0]).toMatchObject({
      count_id: 'CP-20260320-S1-FAST',
      location: 'S1',
      record_sellable: 10,
      expected_units_per_day: 5,
      days_without_sale: 1,
    });
    expect(plan[0]!.expected_margin_per_day).toBeCloseTo(plan[0]!.probability_empty * 5 * 7, 3);
    expect(plan[0]!.reason).toContain('1 trading days without a sale');
  });

  it('keeps at most the given number a location, leaves out records with nothing to lose, and is deterministic', () => {
    const candidates = [
      ...['A', 'B', 'C'].map((sku, i) => candidate(sku, { zeroRunDays: 1 + i })),
      ...['A', 'B'].map((sku) => candidate(sku, { zeroRunDays: 2 }, 'S2')),
      { ...candidate('EMPTY', { zeroRunDays: 9 }), recordSellable: 0 },
      candidate('DEAD', { zeroRunDays: 9, expectedDailyUnits: 0 }),
    ];
    const plan = planCounts(candidates, '2026-03-20', 2);
    expect(plan.filter((t) => t.location === 'S1').map((t) => t.sku)).toEqual(['C', 'B']);
    expect(plan.filter((t) => t.location === 'S2').map((t) => t.sku)).toEqual(['A', 'B']);
    expect(planCounts([...candidates].reverse(), '2026-03-20', 2)).toEqual(plan);
    expect(planCounts(candidates, '2026-03-20', 0)).toEqual([]);
  });
});

describe('the fast-mover lane', () => {
  const lane = {
    count_plan_fast_mover_units: 1,
    count_plan_fast_mover_silence: 0.2,
    phantom_min_history_days: 7,
  };
  // A slow seller silent for three weeks outranks, by margin, a fast mover silent a day and
  // a half (prior 1e-5 a day): 0.02 against 0.0002 of the shelf gone.
  const slow = (sku: string) => ({
    ...candidate(sku, { zeroRunDays: 21, expectedDailyUnits: 0.3, zeroSaleDay: 0.8, dailyLossRate: 1e-5 }),
    unitMargin: 20,
    fastMover: lane,
  });
  const fast = (sku: string, run: number, location = 'S1', daysSinceCount = 3) => ({
    ...candidate(
      sku,
      { zeroRunDays: run, expectedDailyUnits: 2.5, zeroSaleDay: 0.2, dailyLossRate: 1e-5, daysSinceCount },
      location,
    ),
    fastMover: lane,
  });

  it("takes the store's first task for the fast mover whose silence is least likely with stock, then ranks by margin", () => {
    const plan = planCounts([slow('S-A'), slow('S-B'), fast('F-1', 1.5), fast('F-2', 1.1)], '2026-03-20', 2);
    expect(plan.map((t) => [t.sku, t.fast_mover])).toEqual([
      ['F-1', true],
      ['S-A', false],
    ]);
    expect(plan[0]!.expected_margin_per_day).toBeLessThan(plan[1]!.expected_margin_per_day);
    expect(plan[0]!.reason).toContain('a fast mover (2.5 a day) whose silence has a chance of 0.0894');
    // By margin alone the fast movers come last.
    const byMargin = planCounts(
      [slow('S-A'), slow('S-B'), fast('F-1', 1.5), fast('F-2', 1.1)].map((c) => ({
        ...c,
        fastMover: undefined,
      })),
      '2026-03-20',
      4,
    );
    expect(byMargin.map((t) => t.sku)).toEqual(['S-A', 'S-B', 'F-1', 'F-2']);
  });

  it('is left to the margin ranking when no fast mover is silent past its bar, or a slower or newer seller is', () => {
    // 0.2^0.9 = 0.23: a silence that common takes no lane.
    const plan = planCounts([slow('S-A'), slow('S-B'), fast('F-1', 0.9)], '2026-03-20', 2);
    expect(plan.map((t) => t.sku)).toEqual(['S-A', 'S-B']);
    // A seller of half a unit a day silent for days is the margin ranking's, not the lane's.
    const half = {
      ...candidate('H', {
        zeroRunDays: 6,
        expectedDailyUnits: 0.5,
        zeroSaleDay: 0.6,
        dailyLossRate: 1e-5,
        daysSinceCount: 3,
      }),
      fastMover: lane,
    };
    expect(planCounts([slow('S-A'), half], '2026-03-20', 1).map((t) => t.fast_mover)).toEqual([false]);
    // A rate read from the first days of a record (one lump of three) takes no lane.
    const young = fast('Y', 1.5);
    young.reading = { ...young.reading, historyDays: 1 };
    expect(planCounts([slow('S-A'), young], '2026-03-20', 1).map((t) => t.sku)).toEqual(['S-A']);
  });

  it("puts every store's lane first in the plan, so each store's list still reads in the order to count", () => {
    const plan = planCounts(
      [slow('S-A'), fast('F-1', 2), { ...slow('S-A'), location: 'S2' }, fast('F-9', 1.5, 'S2')],
      '2026-03-20',
      2,
    );
    expect(plan.map((t) => `${t.location}:${t.sku}`)).toEqual(['S1:F-1', 'S2:F-9', 'S1:S-A', 'S2:S-A']);
    for (const store of ['S1', 'S2']) expect(plan.find((t) => t.location === store)!.fast_mover).toBe(true);
  });
});

describe('the engine and the count plan', () => {
  it('leaves out a silence the demand explains: the same SKU gone quiet at every store is a season ending', () => {
    const plan = (quietEverywhere: boolean) => {
      const h = new DetectHarness();
      for (const store of ['S1', 'S2', 'S3']) h.count(store, 'A', 200, 0);
      for (let d = 0; d < 26; d++) {
        for (const store of ['S1', 'S2', 'S3']) {
          const stopped = d >= 20 && (store === 'S1' || quietEverywhere);
          if (!stopped) h.sales(store, 'A', d, d + 1, () => 5);
        }
      }
      return h.engine
        .countPlan({ perLocation: 5, now: T0 + 26 * DAY + 2 * HOUR })
        .filter((t) => t.location === 'S1');
    };
    // Silent here only: six days at five a day, first in the plan.
    expect(plan(false).map((t) => t.sku)).toEqual(['A']);
    // Silent at every store: the season ended; counting its shelf would find it stocked.
    expect(plan(true)).toEqual([]);
  });

  it("plans a count of the store's silent steady seller, and a directed count does not teach the store's loss rate", () => {
    const h = new DetectHarness();
    for (const sku of ['A', 'B']) h.count('S1', sku, 100, 0);
    for (let d = 0; d < 21; d++) {
      h.sales('S1', 'A', d, d + 1, () => (d < 20 ? 4 : 0));
      h.sales('S1', 'B', d, d + 1, () => (d % 2 === 0 ? 1 : 0));
    }
    const plan = h.engine.countPlan({ perLocation: 5, now: T0 + 21 * DAY + 2 * HOUR });
    expect(plan[0]).toMatchObject({ location: 'S1', sku: 'A', count_id: 'CP-20260323-S1-A' });
    expect(plan[0]!.days_without_sale).toBeGreaterThan(0.9);

    const rateAfter = (countId: string | undefined) => {
      const g = new DetectHarness();
      g.count('S1', 'C', 50, 0);
      g.feed([
        {
          type: 'cycle_count',
          source: 'store_ops',
          sku: 'C',
          location: 'S1',
          counted_qty: 40,
          at: 10 * DAY,
          ...(countId ? { ref: { count_id: countId } } : {}),
        },
      ]);
      return g.engine.confidence('S1', 'C', T0 + 11 * DAY)!.dailyLossRate;
    };
    // A random count that finds a loss raises the store's rate; a directed one does not.
    expect(rateAfter('CNT-7')).toBeGreaterThan(rateAfter('CP-20260312-S1-C'));
  });
});
