import { describe, expect, it } from 'vitest';
import { demandSurvival, expectedSales } from './expected-sales.ts';
import { solve } from './highs.ts';
import { LinearProgram, toLpText } from './linear-program.ts';
import {
  buildTransferProgram,
  compressSlopes,
  type TransferLocation,
  type TransferProblem,
} from './transfer.model.ts';
import { planTransfers } from './transfers.ts';

// A location whose demand dwarfs any transfer: every unit that arrives sells (P(D >= k) = 1
// to 1e-12), so the optimum can be worked out by hand.
const hungry = (id: string, margin = 10): TransferLocation => ({
  id,
  onHand: 0,
  safetyStock: 0,
  demandMean: 5000,
  demandDispersion: Number.POSITIVE_INFINITY,
  unitMargin: margin,
});
// A location with stock and no demand: sending costs it nothing.
const idle = (id: string, onHand: number, safetyStock = 0): TransferLocation => ({
  id,
  onHand,
  safetyStock,
  demandMean: 0,
  demandDispersion: Number.POSITIVE_INFINITY,
  unitMargin: 10,
});
const lane = (from: string, to: string, unitCost: number, shipmentCost = 0, maxUnits?: number) => ({
  from,
  to,
  unitCost,
  shipmentCost,
  leadTimeDays: 1,
  ...(maxUnits !== undefined ? { maxUnits } : {}),
});
const base = { sku: 'SKU-1', horizonDays: 14, packSize: 1, minTransferUnits: 0, minBenefit: 0 };

describe('transfer optimisation', () => {
  it('moves a source surplus above its safety stock, in whole packs, by the cheaper lane first', async () => {
    const problem: TransferProblem = {
      ...base,
      packSize: 6,
      locations: [idle('DC', 50, 5), idle('S2', 20), hungry('S1')],
      lanes: [lane('DC', 'S1', 1, 8, 24), lane('S2', 'S1', 3, 8)],
    };
    const plan = await planTransfers(problem);
    // DC may send 45 -> 42 in packs of 6, capped at 24 by the lane; S2 sends 18 (3 packs).
    // Net: 24 x (10 - 1) - 8 + 18 x (10 - 3) - 8 = 208 + 118 = 326.
    expect(plan.status).toBe('optimal');
    const byLane = Object.fromEntries(plan.transfers.map((t) => [`${t.from}>${t.to}`, t.units]));
    expect(byLane).toEqual({ 'DC>S1': 24, 'S2>S1': 18 });
    expect(plan.netBenefit).toBeCloseTo(326, 6);
    expect(plan.objective).toBeCloseTo(326, 6);
    for (const t of plan.transfers) expect(t.units % 6).toBe(0);
    expect(plan.transfers.find((t) => t.from === 'DC')!.why).toContain('keeps at least 5');
  });

  it('skips a transfer that does not earn the minimum benefit, and one below the minimum quantity', async () => {
    const problem: TransferProblem = {
      ...base,
      minBenefit: 40,
      locations: [idle('A', 4), hungry('B')],
      lanes: [lane('A', 'B', 1)],
    };
    // 4 units earn 4 x 9 = 36 < 40: no churn.
    expect((await planTransfers(problem)).transfers).toEqual([]);
    const lower = await planTransfers({ ...problem, minBenefit: 30 });
    expect(lower.transfers.map((t) => t.units)).toEqual([4]);
    expect((await planTransfers({ ...problem, minBenefit: 0, minTransferUnits: 5 })).transfers).toEqual([]);
  });

  it('respects planner intent and prices it: a frozen store, a lane cap, a pinned minimum', async () => {
    const locations = [idle('A', 30), idle('C', 30), hungry('B'), { ...hungry('P', 0.5), minStock: 12 }];
    const problem: TransferProblem = {
      ...base,
      locations,
      lanes: [lane('A', 'B', 1), lane('C', 'B', 2, 0, 10), lane('A', 'P', 1), lane('C', 'P', 1)],
    };
    const plan = await planTransfers(problem);
    const units = (from: string, to: string) =>
      plan.transfers.find((t) => t.from === from && t.to === to)?.units ?? 0;
    // P sells for a margin of 0.5, below the lane cost: only the pin sends it units, exactly 12.
    expect(units('A', 'P') + units('C', 'P')).toBe(12);
    expect(units('C', 'B')).toBeLessThanOrEqual(10);
    // Without the pin those 12 units would have gone to B at 9 or 8 a unit (and P lose 0 per unit).
    expect(plan.intentCost).toBeGreaterThan(0);
    const frozen = await planTransfers({
      ...problem,
      locations: locations.map((l) => (l.id === 'A' ? { ...l, frozen: true } : l)),
    });
    expect(frozen.transfers.some((t) => t.from === 'A' || t.to === 'A')).toBe(false);
  });

  it('finds the same optimum as an exhaustive search on a small network with real demand curves', async () => {
    const locations: TransferLocation[] = [
      { id: 'S1', onHand: 14, safetyStock: 2, demandMean: 3, demandDispersion: 4, unitMargin: 6 },
      { id: 'S2', onHand: 1, safetyStock: 0, demandMean: 8, demandDispersion: 4, unitMargin: 6 },
      {
        id: 'S3',
        onHand: 2,
        safetyStock: 0,
        demandMean: 5,
        demandDispersion: Number.POSITIVE_INFINITY,
        unitMargin: 7,
      },
    ];
    const problem: TransferProblem = {
      ...base,
      packSize: 2,
      minBenefit: 1,
      locations,
      lanes: [
        { ...lane('S1', 'S2', 0.5, 2), leadTimeDays: 0 },
        { ...lane('S1', 'S3', 0.8, 2), leadTimeDays: 0 },
      ],
    };
    const plan = await planTransfers(problem);
    // Exhaustive: every pair of pack counts S1 can afford (12 units of surplus, 6 packs).
    const sales = (l: TransferLocation, stock: number) =>
      l.unitMargin * expectedSales(stock, demandSurvival(l.demandMean, l.demandDispersion, 60));
    let best = 0;
    for (let a = 0; a <= 6; a++)
      for (let b = 0; a + b <= 6; b++) {
        const [s1, s2, s3] = locations as [TransferLocation, TransferLocation, TransferLocation];
        const value =
          sales(s1, 14 - 2 * (a + b)) -
          sales(s1, 14) +
          sales(s2, 1 + 2 * a) -
          sales(s2, 1) +
          sales(s3, 2 + 2 * b) -
          sales(s3, 2) -
          (a > 0 ? 0.5 * 2 * a + 2 + 1 : 0) -
          (b > 0 ? 0.8 * 2 * b + 2 + 1 : 0);
        best = Math.max(best, value);
      }
    expect(plan.objective).toBeCloseTo(best, 6);
  });

  it('strengthens the relaxation with what each lane would lose at its source alone, without cutting off the optimum', async () => {
    // Three stores that sell the SKU themselves (each unit sent costs more than the last) and
    // one that sells everything it gets; a shipment costs 30. Spread thin over the three lanes,
    // each flagged a fraction, the plain relaxation buys cheap units everywhere for one charge.
    const seller = (id: string): TransferLocation => ({
      id,
      onHand: 40,
      safetyStock: 0,
      demandMean: 25,
      demandDispersion: 3,
      unitMargin: 10,
    });
    const problem: TransferProblem = {
      ...base,
      locations: [seller('S2'), seller('S3'), seller('S4'), hungry('S1')],
      lanes: [lane('S2', 'S1', 0.5, 30), lane('S3', 'S1', 0.5, 30), lane('S4', 'S1', 0.5, 30)],
    };
    const relaxation = async (perspective: boolean) =>
      (
        await solve(
          buildTransferProgram(problem, { perspective }).lp.variant((c) => ({ ...c, kind: 'continuous' })),
        )
      ).objective;
    const optimum = async (perspective: boolean) =>
      (await solve(buildTransferProgram(problem, { perspective }).lp, { mipGap: 0 })).objective;
    const [plain, strong, best, bestPlain] = await Promise.all([
      relaxation(false),
      relaxation(true),
      optimum(true),
      optimum(false),
    ]);
    // Same integer optimum either way; the strengthened bound is valid and much closer to it.
    expect(best).toBeCloseTo(bestPlain, 6);
    expect(strong).toBeGreaterThanOrEqual(best - 1e-6);
    expect(plain - best).toBeGreaterThan(10);
    expect(strong - best).toBeLessThan((plain - best) / 4);
    const plan = await planTransfers(problem);
    expect(plan.status).toBe('optimal');
    expect(plan.objective).toBeCloseTo(best, 6);
  });

  it('rejects a malformed problem with the field named', async () => {
    await expect(planTransfers({ ...base, packSize: 0, locations: [], lanes: [] })).rejects.toThrow(
      /pack size 0/,
    );
    await expect(
      planTransfers({ ...base, locations: [idle('A', 1)], lanes: [lane('A', 'Z', 1)] }),
    ).rejects.toThrow(/lane A > Z names a location not in the problem/);
    await expect(
      planTransfers({ ...base, locations: [{ ...idle('A', 1), onHand: Number.NaN }], lanes: [] }),
    ).rejects.toThrow(/onHand NaN/);
  });
});

describe('linear programs', () => {
  it('keeps the columns and rows asked for, renumbered, and refuses a row that uses a dropped column', () => {
    const lp = new LinearProgram('maximize');
    const x = lp.addColumn({ name: 'x', cost: 1, lower: 0, upper: 4, kind: 'integer' });
    const y = lp.addColumn({ name: 'y', cost: 2, lower: 0, upper: 1, kind: 'binary' });
    const z = lp.addColumn({ name: 'z', cost: 3, lower: 0, upper: 9, kind: 'continuous' });
    lp.addRow(
      'xz',
      [
        [x, 1],
        [z, 1],
      ],
      0,
      5,
    );
    lp.addRow(
      'xy',
      [
        [x, 1],
        [y, -4],
      ],
      Number.NEGATIVE_INFINITY,
      0,
    );
    const { lp: kept, index } = lp.restrict(
      (c) => c.name !== 'y',
      (r) => r.name === 'xz',
      (c) => ({ ...c, kind: 'continuous' }),
    );
    expect(Array.from(index)).toEqual([0, -1, 1]);
    expect(kept.columns.map((c) => [c.name, c.kind])).toEqual([
      ['x', 'continuous'],
      ['z', 'continuous'],
    ]);
    expect(kept.rows).toEqual([{ name: 'xz', lower: 0, upper: 5, columns: [0, 1], coefficients: [1, 1] }]);
    expect(() =>
      lp.restrict(
        (c) => c.name !== 'y',
        () => true,
      ),
    ).toThrow(/row xy uses column y/);
  });

  it('refuses to write LP text with two columns of one name', () => {
    const lp = new LinearProgram('minimize');
    for (let k = 0; k < 2; k++) lp.addColumn({ name: 'x', cost: 1, lower: 0, upper: 1, kind: 'continuous' });
    expect(() => toLpText(lp)).toThrow(/duplicate column name x/);
  });

  it('solves a known LP and writes it as CPLEX LP text', async () => {
    // max 30 chairs + 50 tables; chairs + 2 tables <= 40; 2 chairs + tables <= 50 -> (20, 10), 1100.
    const lp = new LinearProgram('maximize');
    const chairs = lp.addColumn({
      name: 'chairs',
      cost: 30,
      lower: 0,
      upper: Number.POSITIVE_INFINITY,
      kind: 'integer',
    });
    const tables = lp.addColumn({
      name: 'tables',
      cost: 50,
      lower: 0,
      upper: Number.POSITIVE_INFINITY,
      kind: 'integer',
    });
    lp.addRow(
      'carpentry',
      [
        [chairs, 1],
        [tables, 2],
      ],
      Number.NEGATIVE_INFINITY,
      40,
    );
    lp.addRow(
      'finishing',
      [
        [chairs, 2],
        [tables, 1],
      ],
      Number.NEGATIVE_INFINITY,
      50,
    );
    const s = await solve(lp);
    expect(s.status).toBe('optimal');
    expect(s.objective).toBeCloseTo(1100, 9);
    expect([...s.values]).toEqual([20, 10]);
    expect(toLpText(lp)).toBe(
      'Maximize\n obj: 30 chairs + 50 tables\nSubject To\n carpentry: chairs + 2 tables <= 40\n finishing: 2 chairs + tables <= 50\nBounds\n 0 <= chairs <= +inf\n 0 <= tables <= +inf\nGenerals\n chairs tables\nEnd\n',
    );
  });
});

describe('compressSlopes', () => {
  it('keeps a short curve exact, one segment per pack', () => {
    expect(compressSlopes([5, 4, 3], 2, 12)).toEqual([
      { slope: 5, width: 2 },
      { slope: 4, width: 2 },
      { slope: 3, width: 2 },
    ]);
  });

  it('merges a long curve into chords that are exact at their ends and never above the curve', () => {
    // 40 packs of a concave gain: slopes fall from 10 to about 0.
    const slopes = Array.from({ length: 40 }, (_, j) => 10 * 0.9 ** j);
    const segments = compressSlopes(slopes, 3, 6);
    expect(segments.length).toBeLessThanOrEqual(6);
    expect(segments.reduce((a, s) => a + s.width, 0)).toBe(40 * 3);
    // Cumulative value at each segment end equals the exact curve's; in between it is below.
    let exact = 0;
    let chord = 0;
    let pack = 0;
    for (const segment of segments) {
      const packs = segment.width / 3;
      for (let j = 0; j < packs; j++) {
        exact += slopes[pack + j]! * 3;
        chord += segment.slope * 3;
        expect(chord).toBeLessThanOrEqual(exact + 1e-9);
      }
      pack += packs;
      expect(chord).toBeCloseTo(exact, 9);
    }
    // Slopes stay in decreasing order, so the program fills segments in order.
    for (let i = 1; i < segments.length; i++) expect(segments[i]!.slope).toBeLessThan(segments[i - 1]!.slope);
  });
});
