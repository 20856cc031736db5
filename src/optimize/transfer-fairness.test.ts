import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { demandSurvival, expectedSales } from './expected-sales.ts';
import { toLpText } from './linear-program.ts';
import {
  buildTransferProgram,
  FAIRNESS_PENALTY_PER_MARGIN,
  type TransferLane,
  type TransferLocation,
  type TransferProblem,
} from './transfer.model.ts';
import { planTransfers, type TransferPlan } from './transfers.ts';

// Poisson expected sales worked out here, not with the optimiser's own code:
// E[min(D, s)] = sum_{k=1..s} P(D >= k), P(D >= k) = 1 - sum_{i<k} e^-mean mean^i / i!.
function poissonSales(mean: number, stock: number): number {
  let total = 0;
  let cdf = 0;
  let pmf = Math.exp(-mean);
  for (let k = 1; k <= stock; k++) {
    cdf += pmf;
    pmf *= mean / k;
    total += 1 - cdf;
  }
  return total;
}

const lane = (from: string, to: string, unitCost: number): TransferLane => ({
  from,
  to,
  unitCost,
  shipmentCost: 0,
  leadTimeDays: 0,
});
const base = { sku: 'SKU-F', horizonDays: 14, packSize: 1, minTransferUnits: 0, minBenefit: 0 };
// A DC with 30 units and no demand: sending costs it nothing.
const dc: TransferLocation = {
  id: 'DC',
  onHand: 30,
  safetyStock: 0,
  demandMean: 0,
  demandDispersion: Number.POSITIVE_INFINITY,
  unitMargin: 10,
};
// Region north: a store already at 80% of a demand so large that every unit sent sells
// (P(D >= k) is 1 to double precision) at a margin of 10, and that cannot send (it keeps all).
const north: TransferLocation = {
  id: 'A1',
  onHand: 4000,
  safetyStock: 4000,
  demandMean: 5000,
  demandDispersion: Number.POSITIVE_INFINITY,
  unitMargin: 10,
  region: 'north',
};
// Region south: an empty store with Poisson demand of mean 4 and a margin of 1, below the
// freight of 1 a unit: no unit sent there pays for itself.
const south: TransferLocation = {
  id: 'B1',
  onHand: 0,
  safetyStock: 0,
  demandMean: 4,
  demandDispersion: Number.POSITIVE_INFINITY,
  unitMargin: 1,
  region: 'south',
};
const scarce: TransferProblem = {
  ...base,
  locations: [dc, north, south],
  lanes: [lane('DC', 'A1', 1), lane('DC', 'B1', 1)],
};
const unitsTo = (plan: TransferPlan, to: string) =>
  plan.transfers.filter((t) => t.to === to).reduce((a, t) => a + t.units, 0);
const group = (plan: TransferPlan, key: string) => plan.fairness!.groups.find((g) => g.key === key)!;

describe('fairness floor in the transfer optimiser', () => {
  it('sends a region the units that bring it to its minimum share, and prices them', async () => {
    const free = await planTransfers(scarce);
    // Every unit earns 10 - 1 at A1 and less than nothing at B1: all 30 go north.
    expect(unitsTo(free, 'A1')).toBe(30);
    expect(free.objective).toBeCloseTo(270, 9);
    expect(free.fairness).toBeUndefined();

    const plan = await planTransfers({ ...scarce, fairness: { minimumShare: 0.6 } });
    // South must expect to sell 0.6 x 4 = 2.4 units. E[min(D, 2)] = 2 - 6e^-4 = 1.890 falls
    // short; E[min(D, 3)] = 3 - 19e^-4 = 2.652 reaches it: 3 units south, 27 north.
    expect(plan.status).toBe('optimal');
    expect(unitsTo(plan, 'B1')).toBe(3);
    expect(unitsTo(plan, 'A1')).toBe(27);
    const southSales = 3 - 19 * Math.exp(-4);
    expect(poissonSales(4, 3)).toBeCloseTo(southSales, 12);
    expect(plan.objective).toBeCloseTo(27 * 9 + southSales - 3, 9);
    expect(plan.fairness!.cost).toBeCloseTo(270 - (27 * 9 + southSales - 3), 9);
    expect(plan.intentCost).toBe(0);
    const s = group(plan, 'south');
    expect(s).toMatchObject({ kind: 'region', locations: ['B1'], demand: 4, salesBefore: 0, shortfall: 0 });
    expect(s.shareBefore).toBe(0);
    expect(s.shareAfter).toBeCloseTo(southSales / 4, 12);
    const n = group(plan, 'north');
    expect(n.shareBefore).toBe(0.8);
    expect(n.shareAfter).toBeCloseTo(4027 / 5000, 12);
    // Regions come first, each by key.
    expect(plan.fairness!.groups.map((g) => `${g.kind}:${g.key}`)).toEqual(['region:north', 'region:south']);
  });

  it('keeps a store from sending its group below the floor', async () => {
    // S1 (south) holds 10 against Poisson demand of mean 8 at a margin of 1; every unit it
    // sends to A1 earns 10 - 1 there. Free, it sends all 10. South must keep sales of
    // 0.5 x 8 = 4: E[min(D, 4)] = 3.94 is short, E[min(D, 5)] = 4.84 is not: it keeps 5.
    const problem: TransferProblem = {
      ...base,
      locations: [north, { ...south, id: 'S1', onHand: 10, demandMean: 8 }],
      lanes: [lane('S1', 'A1', 1)],
    };
    expect(poissonSales(8, 4)).toBeLessThan(4);
    expect(poissonSales(8, 5)).toBeGreaterThan(4);
    const free = await planTransfers(problem);
    expect(unitsTo(free, 'A1')).toBe(10);
    const plan = await planTransfers({ ...problem, fairness: { minimumShare: 0.5 } });
    expect(unitsTo(plan, 'A1')).toBe(5);
    const lost = poissonSales(8, 10) - poissonSales(8, 5);
    expect(plan.objective).toBeCloseTo(5 * 9 - lost, 9);
    expect(free.objective).toBeCloseTo(10 * 9 - poissonSales(8, 10), 9);
    expect(plan.fairness!.cost).toBeCloseTo(free.objective - plan.objective, 9);
    const s = group(plan, 'south');
    expect(s.salesBefore).toBeCloseTo(poissonSales(8, 10), 12);
    expect(s.shareAfter).toBeCloseTo(poissonSales(8, 5) / 8, 12);
    expect(s.shortfall).toBe(0);
  });

  it('reports the shortfall of a floor the stock cannot reach, and closes as much of it as it can', async () => {
    // South's demand is 100: a floor of 60 expected sales, and only 30 units in the network.
    const problem: TransferProblem = {
      ...scarce,
      locations: [dc, north, { ...south, demandMean: 100 }],
      fairness: { minimumShare: 0.6 },
    };
    const plan = await planTransfers(problem);
    expect(plan.status).toBe('optimal');
    expect(unitsTo(plan, 'B1')).toBe(30);
    expect(plan.pinsShort).toEqual([]);
    const sold = poissonSales(100, 30);
    const s = group(plan, 'south');
    expect(s.salesAfter).toBeCloseTo(sold, 9);
    expect(s.shortfall).toBeCloseTo(60 - sold, 9);
    expect(s.shareAfter).toBeCloseTo(sold / 100, 12);
    // Each expected unit short costs 100 x the highest margin (10).
    expect(plan.objective).toBeCloseTo(sold - 30 - FAIRNESS_PENALTY_PER_MARGIN * 10 * (60 - sold), 6);
    expect(plan.fairness!.cost).toBeCloseTo(270 - (sold - 30), 6);

    // With no lane south, nothing can help: the plan is the free one, and the floor costs nothing.
    const cutOff = await planTransfers({ ...problem, lanes: [lane('DC', 'A1', 1)] });
    expect(unitsTo(cutOff, 'A1')).toBe(30);
    expect(group(cutOff, 'south').shortfall).toBeCloseTo(60, 9);
    expect(cutOff.fairness!.cost).toBe(0);
    expect(cutOff.netBenefit).toBeCloseTo(270, 9);
  });

  it('applies the floor to store groups only when asked to', async () => {
    const tagged = scarce.locations.map((l) => ({ ...l, storeGroup: l.id === 'B1' ? 'small' : 'large' }));
    // By store group: B1 is the whole of group small and gets its 3 units.
    const byGroup = await planTransfers({
      ...scarce,
      locations: tagged,
      fairness: { minimumShare: 0.6, groupBy: ['storeGroup'] },
    });
    expect(byGroup.fairness!.groups.map((g) => `${g.kind}:${g.key}`)).toEqual([
      'storeGroup:large',
      'storeGroup:small',
    ]);
    expect(unitsTo(byGroup, 'B1')).toBe(3);
    // The DC has no demand: it counts in group large, with a share of 1 on its own.
    expect(group(byGroup, 'large').locations).toEqual(['DC', 'A1']);
    // By region only, with store groups on the locations: they are ignored.
    const byRegion = await planTransfers({
      ...scarce,
      locations: tagged,
      fairness: { minimumShare: 0.6, groupBy: ['region'] },
    });
    expect(byRegion.fairness!.groups.map((g) => g.kind)).toEqual(['region', 'region']);
  });

  it('builds the same program when no floor can bind, and reports the shares all the same', async () => {
    const plain = toLpText(buildTransferProgram(scarce).lp);
    // A zero floor, and a floor every group meets even if its members send all they can.
    expect(toLpText(buildTransferProgram({ ...scarce, fairness: { minimumShare: 0 } }).lp)).toBe(plain);
    const met = { ...scarce, locations: [dc, north], lanes: [lane('DC', 'A1', 1)] };
    expect(toLpText(buildTransferProgram({ ...met, fairness: { minimumShare: 0.75 } }).lp)).toBe(
      toLpText(buildTransferProgram(met).lp),
    );
    const plan = await planTransfers({ ...met, fairness: { minimumShare: 0.75 } });
    expect(unitsTo(plan, 'A1')).toBe(30);
    expect(plan.fairness).toEqual({
      minimumShare: 0.75,
      groups: [
        {
          kind: 'region',
          key: 'north',
          locations: ['A1'],
          demand: 5000,
          salesBefore: 4000,
          salesAfter: 4030,
          shareBefore: 0.8,
          shareAfter: 0.806,
          shortfall: 0,
        },
      ],
      cost: 0,
    });
  });

  it('rejects a malformed floor with the field named', async () => {
    const bad = (fairness: unknown, locations = scarce.locations) =>
      planTransfers({ ...scarce, locations, fairness: fairness as TransferProblem['fairness'] });
    await expect(bad({ minimumShare: 1.5 })).rejects.toThrow(/fairness minimum share 1.5 is not in \[0, 1\]/);
    await expect(bad({ minimumShare: Number.NaN })).rejects.toThrow(/minimum share NaN/);
    await expect(bad({ minimumShare: 0.5, groupBy: [] })).rejects.toThrow(/groupBy is empty/);
    await expect(bad({ minimumShare: 0.5, groupBy: ['zone'] })).rejects.toThrow(
      /groupBy "zone" is not region or storeGroup/,
    );
    await expect(bad({ minimumShare: 0.5, groupBy: ['region', 'region'] })).rejects.toThrow(/twice/);
    await expect(bad({ minimumShare: 0.5, groupBy: ['storeGroup'] })).rejects.toThrow(
      /fairness is by storeGroup, but no location has a storeGroup/,
    );
    await expect(
      bad({ minimumShare: 0.5 }, [dc, { ...north, region: undefined }, { ...south, region: undefined }]),
    ).rejects.toThrow(/no location has a region or a storeGroup/);
    await expect(bad({ minimumShare: 0.5 }, [dc, { ...north, region: ' ' }, south])).rejects.toThrow(
      /location A1: region " " must be a non-empty string/,
    );
  });
});

// Random small networks, every lane with no lead time, so expected sales after a plan are
// E[min(D, stock - out)] + E[min(D, stock + in)] - E[min(D, stock)] exactly (a location's
// loss curve from its stock down, its gain curve from its stock up: the model's definition).
const arbitraryProblem = fc
  .record({
    packSize: fc.constantFrom(1, 2),
    dcStock: fc.integer({ min: 2, max: 10 }),
    stores: fc.array(
      fc.record({
        region: fc.constantFrom('north', 'south', 'west'),
        onHand: fc.integer({ min: 0, max: 9 }),
        safetyStock: fc.integer({ min: 0, max: 3 }),
        demandMean: fc.double({ min: 1, max: 12, noNaN: true }),
        poisson: fc.boolean(),
        unitMargin: fc.double({ min: 0, max: 10, noNaN: true }),
        laneCost: fc.double({ min: 0.1, max: 2, noNaN: true }),
        shipmentCost: fc.constantFrom(0, 0.5, 2),
      }),
      { minLength: 2, maxLength: 3 },
    ),
    // A store-to-store lane: from the first store to the last.
    storeLaneCost: fc.double({ min: 0.1, max: 2, noNaN: true }),
    minimumShare: fc.double({ min: 0.2, max: 0.95, noNaN: true }),
  })
  .map(({ packSize, dcStock, stores, storeLaneCost, minimumShare }): TransferProblem => {
    const locations: TransferLocation[] = [
      { ...dc, onHand: dcStock, region: 'depot' },
      ...stores.map((s, i) => ({
        id: `S${i}`,
        onHand: s.onHand,
        safetyStock: s.safetyStock,
        demandMean: s.demandMean,
        demandDispersion: s.poisson ? Number.POSITIVE_INFINITY : 2,
        unitMargin: s.unitMargin,
        region: s.region,
      })),
    ];
    const lanes: TransferLane[] = stores.map((s, i) => ({
      ...lane('DC', `S${i}`, s.laneCost),
      shipmentCost: s.shipmentCost,
    }));
    lanes.push(lane('S0', `S${stores.length - 1}`, storeLaneCost));
    return { ...base, packSize, minBenefit: 0.5, locations, lanes, fairness: { minimumShare } };
  });

const salesAt = (l: TransferLocation, stock: number) =>
  expectedSales(stock, demandSurvival(l.demandMean, l.demandDispersion, Math.max(0, stock) + 1));

/** Each location's expected sales after the plan, by the definition above. */
function salesAfter(problem: TransferProblem, plan: TransferPlan): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of problem.locations) {
    const into = plan.transfers.filter((t) => t.to === l.id).reduce((a, t) => a + t.units, 0);
    const from = plan.transfers.filter((t) => t.from === l.id).reduce((a, t) => a + t.units, 0);
    out.set(l.id, salesAt(l, l.onHand - from) + salesAt(l, l.onHand + into) - salesAt(l, l.onHand));
  }
  return out;
}

describe('fairness floor properties', () => {
  it('reports shares that match the plan, and never earns more than without the floor', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryProblem, async (problem) => {
        const plan = await planTransfers(problem);
        const { fairness: _, ...unfair } = problem;
        const free = await planTransfers(unfair);
        expect(plan.status).toBe('optimal');
        expect(free.status).toBe('optimal');
        const sales = salesAfter(problem, plan);
        const minimumShare = problem.fairness!.minimumShare;
        for (const g of plan.fairness!.groups) {
          const members = problem.locations.filter((l) => l.region === g.key);
          expect(g.locations).toEqual(members.map((l) => l.id));
          const demand = members.reduce((a, l) => a + l.demandMean, 0);
          const before = members.reduce((a, l) => a + salesAt(l, l.onHand), 0);
          const after = members.reduce((a, l) => a + sales.get(l.id)!, 0);
          expect(g.demand).toBeCloseTo(demand, 9);
          expect(g.salesBefore).toBeCloseTo(before, 9);
          expect(g.salesAfter).toBeCloseTo(after, 9);
          expect(g.shareAfter).toBeCloseTo(demand > 0 ? after / demand : 1, 9);
          expect(g.shortfall).toBeCloseTo(Math.max(0, minimumShare * demand - after), 6);
        }
        // The floor only removes plans: the constrained optimum is no better than the free one,
        // and its price is at most the difference of the two objectives (penalties aside).
        const tolerance = 1e-4 * Math.max(1, Math.abs(free.objective)) + 1e-6;
        expect(plan.objective).toBeLessThanOrEqual(free.objective + tolerance);
        expect(plan.fairness!.cost).toBeGreaterThanOrEqual(0);
        expect(plan.fairness!.cost).toBeLessThanOrEqual(free.objective - plan.objective + tolerance);
      }),
      { numRuns: 60, seed: 20240611 },
    );
  });

  it('finds the optimum an exhaustive search finds, floor penalty included', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryProblem, async (problem) => {
        const plan = await planTransfers(problem, { priceIntent: false });
        const p = problem.packSize;
        const byId = new Map(problem.locations.map((l) => [l.id, l]));
        const maxOut = (l: TransferLocation) => Math.max(0, Math.floor((l.onHand - l.safetyStock) / p)) * p;
        const penalty =
          FAIRNESS_PENALTY_PER_MARGIN * Math.max(1, ...problem.locations.map((l) => l.unitMargin));
        const regions = [...new Set(problem.locations.map((l) => l.region!))];
        let best = Number.NEGATIVE_INFINITY;
        const packs = problem.lanes.map(() => 0);
        const visit = (k: number) => {
          if (k === problem.lanes.length) {
            const into = new Map<string, number>();
            const from = new Map<string, number>();
            let value = 0;
            problem.lanes.forEach((ln, i) => {
              const units = packs[i]! * p;
              into.set(ln.to, (into.get(ln.to) ?? 0) + units);
              from.set(ln.from, (from.get(ln.from) ?? 0) + units);
              if (units > 0) value -= ln.unitCost * units + ln.shipmentCost + problem.minBenefit;
            });
            for (const [id, units] of from) if (units > maxOut(byId.get(id)!)) return;
            const sold = new Map<string, number>();
            for (const l of problem.locations) {
              const s =
                salesAt(l, l.onHand - (from.get(l.id) ?? 0)) +
                salesAt(l, l.onHand + (into.get(l.id) ?? 0)) -
                salesAt(l, l.onHand);
              sold.set(l.id, s);
              value += l.unitMargin * (s - salesAt(l, l.onHand));
            }
            for (const r of regions) {
              const members = problem.locations.filter((l) => l.region === r);
              const floor = problem.fairness!.minimumShare * members.reduce((a, l) => a + l.demandMean, 0);
              value -= penalty * Math.max(0, floor - members.reduce((a, l) => a + sold.get(l.id)!, 0));
            }
            best = Math.max(best, value);
            return;
          }
          const ln = problem.lanes[k]!;
          for (let n = 0; n * p <= maxOut(byId.get(ln.from)!); n++) {
            packs[k] = n;
            visit(k + 1);
          }
          packs[k] = 0;
        };
        visit(0);
        expect(plan.status).toBe('optimal');
        expect(Math.abs(plan.objective - best)).toBeLessThanOrEqual(
          1e-4 * Math.max(1, Math.abs(best)) + 1e-6,
        );
      }),
      { numRuns: 40, seed: 7 },
    );
  });
});
