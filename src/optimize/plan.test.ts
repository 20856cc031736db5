import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planNetwork } from './plan.ts';
import type { TransferProblem } from './transfer.model.ts';
import { planTransfers } from './transfers.ts';

/** A SKU over eight stores on a ring: stock and demand drawn, lanes to the three nearest stores each way. */
const RING = 8;
const problem = fc
  .record({
    pack: fc.constantFrom(1, 2, 3),
    stock: fc.array(fc.integer({ min: 0, max: 60 }), { minLength: RING, maxLength: RING }),
    demand: fc.array(fc.double({ min: 0.5, max: 40, noNaN: true }), { minLength: RING, maxLength: RING }),
    shipment: fc.double({ min: 5, max: 60, noNaN: true }),
  })
  .map(
    ({ pack, stock, demand, shipment }): TransferProblem => ({
      sku: 'SKU',
      horizonDays: 14,
      packSize: pack,
      minTransferUnits: pack,
      minBenefit: 1,
      locations: stock.map((onHand, i) => ({
        id: `S${i}`,
        onHand,
        safetyStock: 1,
        demandMean: demand[i]!,
        demandDispersion: 3,
        unitMargin: 8,
      })),
      lanes: stock.flatMap((_, i) =>
        [1, 2, 3, RING - 3, RING - 2, RING - 1].map((d) => ({
          from: `S${i}`,
          to: `S${(i + d) % RING}`,
          unitCost: 0.2 * Math.min(d, RING - d),
          shipmentCost: shipment * Math.min(d, RING - d),
          leadTimeDays: 1,
        })),
      ),
    }),
  );
/**
 * One the heuristic alone is known to miss the optimum of (302.0 against 294.7; found by
 * sampling), so the search pass is always exercised.
 */
const missed = fc.sample(problem, { numRuns: 50, seed: 2 })[49]!;

describe('network runs', () => {
  it('with a search budget, plans as well as a full search per SKU; with none, as the heuristic alone', async () => {
    let improved = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(problem, { minLength: 2, maxLength: 5 }), async (problems) => {
        const named = [missed, ...problems].map((p, i) => ({ ...p, sku: `SKU${i}` }));
        const heuristic = await planNetwork(named, { workers: 1, priceIntent: false, timeLimitSeconds: 0 });
        const unspent = await planNetwork(named, { workers: 1, priceIntent: false, searchBudgetSeconds: 0 });
        const budgeted = await planNetwork(named, {
          workers: 1,
          priceIntent: false,
          searchBudgetSeconds: 60,
          // Generous per SKU: under a loaded machine (the other test files run beside this one)
          // a second of branch and bound was seen to stop short of the optimum.
          timeLimitSeconds: 10,
        });
        for (let k = 0; k < named.length; k++) {
          const full = await planTransfers(named[k]!, { priceIntent: false, timeLimitSeconds: 10 });
          expect(unspent[k]!.objective).toBe(heuristic[k]!.objective);
          expect(unspent[k]!.transfers).toEqual(heuristic[k]!.transfers);
          // Small programs: a full search proves its optimum, and the budget reaches it too.
          expect(full.status).toBe('optimal');
          if (heuristic[k]!.objective < full.objective - 1e-6) improved += 1;
          expect(budgeted[k]!.objective).toBeCloseTo(full.objective, 4);
          expect(budgeted[k]!.objective).toBeGreaterThanOrEqual(heuristic[k]!.objective - 1e-9);
          expect(budgeted[k]!.bound).toBeGreaterThanOrEqual(budgeted[k]!.objective - 1e-6);
        }
      }),
      { numRuns: 15, seed: 42 },
    );
    // The search pass is exercised (on `missed` at least).
    expect(improved).toBeGreaterThan(0);
  });

  it('searches on worker threads, each SKU under a deadline, and plans as the calling thread does', async () => {
    const named = fc.sample(problem, { numRuns: 4, seed: 7 }).map((p, i) => ({ ...p, sku: `SKU${i}` }));
    const heuristic = await planNetwork(named, { workers: 1, priceIntent: false, timeLimitSeconds: 0 });
    // Some SKU is left to the search (the heuristic does not prove it optimal).
    expect(heuristic.some((p) => p.status !== 'optimal')).toBe(true);
    const inline = await planNetwork(named, { workers: 1, priceIntent: false });
    const threaded = await planNetwork(named, { workers: 2, priceIntent: false });
    expect(threaded.map((p) => p.sku)).toEqual(named.map((p) => p.sku));
    threaded.forEach((plan, k) => {
      expect(plan.objective).toBeCloseTo(inline[k]!.objective, 6);
      expect(plan.status).toBe(inline[k]!.status);
    });
  });
});
