/**
 * Transfer optimisation: invex's HiGHS-based redistribution on synthetic networks, each
 * instance also written as a CPLEX LP file and solved in the same run by an independent
 * solver (COIN-OR CBC, from Debian's coinor-cbc, installed if missing and possible), so the
 * optimality gap is measured, not assumed: against CBC's optimum when it proves one, else
 * against CBC's bound (a certified upper limit on the gap).
 *
 *   npm run bench:transfers -- [--locations 1000] [--skus 5000] [--stores 500] [--check 20]
 *                              [--search 1] [--budget 0] [--reference-seconds 300]
 *
 * 1. One SKU across --locations stores (plus 2 DCs), stock scattered at random against
 *    demand (15% of stores empty, 15% with 3 to 5 times their demand): a stress case,
 *    planned by the heuristic alone (timed on the first call, which loads the solver, and on
 *    the next) and then with --search seconds of branch and bound.
 * 2. A network run: --skus SKUs x --stores stores, one problem per SKU on worker threads:
 *    the heuristic for every SKU, then (with --budget) --search seconds of branch and bound
 *    for the SKUs furthest from their bound until --budget seconds (wall clock) are spent;
 *    after a regional surprise (most SKUs' stock matches demand; for 85% of them demand in
 *    one area of the map runs at 2 to 3 times plan); --check of them (spread over the run)
 *    are re-solved by CBC.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultWorkers } from '../src/core/worker-pool.ts';
import {
  buildTransferProgram,
  planNetwork,
  planTransfers,
  type TransferLane,
  type TransferLocation,
  type TransferProblem,
  toLpText,
} from '../src/optimize/index.ts';
import { createRandom as rng } from '../src/twin/index.ts';

const { values } = parseArgs({
  options: {
    locations: { type: 'string' },
    skus: { type: 'string' },
    stores: { type: 'string' },
    check: { type: 'string' },
    search: { type: 'string' },
    budget: { type: 'string' },
    'reference-seconds': { type: 'string' },
  },
});
const LOCATIONS = Number(values.locations ?? 1000);
const SKUS = Number(values.skus ?? 5000);
const STORES = Number(values.stores ?? 500);
const CHECK = Number(values.check ?? 20);
/** invex's MIP search time per SKU after its heuristic (seconds). */
const SEARCH = Number(values.search ?? 1);
/** Wall-clock seconds of search across the network run, spent on the SKUs furthest from their bound. */
const BUDGET = Number(values.budget ?? 0);
/** The reference solver's time limit per instance (seconds). */
const REFERENCE_SECONDS = Number(values['reference-seconds'] ?? 300);
const dir = join(tmpdir(), 'invex-bench-transfers');
mkdirSync(dir, { recursive: true });

interface Geography {
  ids: string[];
  xy: (readonly [number, number])[];
  lanes: TransferLane[];
  size: number[];
}

/** Stores on a 100 x 100 map, two DCs; lanes to each store's 6 nearest stores and from the DC of its half. */
function geography(stores: number, seed: number): Geography {
  const u = rng(seed);
  const xy = Array.from({ length: stores }, () => [u() * 100, u() * 100] as const);
  const ids = [...xy.map((_, i) => `S${String(i + 1).padStart(4, '0')}`), 'DC-W', 'DC-E'];
  const size = xy.map(() => 0.5 + 1.5 * u());
  const lanes: TransferLane[] = [];
  const cost = (d: number) => ({
    unitCost: 0.05 + 0.01 * d,
    shipmentCost: 4,
    leadTimeDays: Math.ceil(1 + d / 40),
  });
  xy.forEach(([x, y], i) => {
    const near = xy
      .map(([a, b], j) => ({ j, d: Math.hypot(a - x, b - y) }))
      .filter((n) => n.j !== i)
      .sort((a, b) => a.d - b.d)
      .slice(0, 6);
    for (const n of near) lanes.push({ from: ids[i]!, to: ids[n.j]!, ...cost(n.d) });
    const dc = x < 50 ? 'DC-W' : 'DC-E';
    lanes.push({ from: dc, to: ids[i]!, ...cost(Math.hypot(x - (dc === 'DC-W' ? 25 : 75), y - 50)) });
  });
  return { ids, xy, lanes, size };
}

type StoreStock = Omit<TransferLocation, 'id' | 'unitMargin'>;

/**
 * One SKU over the geography: a pack size, a margin and a base rate, DCs holding stock half
 * the time, and each store's stock and demand from `stores` (which may draw its own setup).
 */
function syntheticProblem(
  g: Geography,
  sku: string,
  seed: number,
  stores: (u: () => number, base: number) => (i: number) => StoreStock,
): TransferProblem {
  const u = rng(seed);
  const packSize = [1, 2, 6][Math.floor(u() * 3)]!;
  const margin = 2 + 18 * u();
  const base = 0.5 + 4 * u();
  const store = stores(u, base);
  const count = g.ids.length - 2;
  const locations: TransferLocation[] = g.ids.map((id, i) =>
    i >= count
      ? {
          id,
          onHand: u() < 0.5 ? Math.floor(200 * u()) : 0,
          safetyStock: 20,
          demandMean: 0,
          demandDispersion: Number.POSITIVE_INFINITY,
          unitMargin: margin,
        }
      : { id, unitMargin: margin, ...store(i) },
  );
  return {
    sku,
    horizonDays: 14,
    packSize,
    minTransferUnits: packSize === 1 ? 3 : packSize,
    minBenefit: 5,
    locations,
    lanes: g.lanes,
  };
}

/** Stock scattered at random against demand: 15% of stores empty, 15% with 3 to 5 times their demand. */
function skuProblem(g: Geography, sku: string, seed: number): TransferProblem {
  return syntheticProblem(g, sku, seed, (u, base) => (i) => {
    const mean = base * g.size[i]! * 14 * (0.3 + 1.4 * u());
    const cover = u() < 0.15 ? 0 : u() < 0.3 ? 3 + 2 * u() : 0.4 + 1.2 * u();
    return {
      onHand: Math.floor(mean * cover),
      safetyStock: Math.ceil(Math.sqrt(mean)),
      demandMean: mean,
      demandDispersion: 3,
      ...(u() < 0.01 ? { frozen: true } : {}),
      ...(u() < 0.01 ? { minStock: Math.ceil(mean) } : {}),
    };
  });
}

/**
 * After a regional surprise: stock at each store matches its planned demand (0.8 to 1.6
 * times); for 85% of SKUs, demand in one disc of the map (radius 20) runs at 2 to 3 times plan.
 */
function regionalProblem(g: Geography, sku: string, seed: number): TransferProblem {
  return syntheticProblem(g, sku, seed, (u, base) => {
    const surprise = u() < 0.85 ? { x: u() * 100, y: u() * 100, factor: 2 + u() } : null;
    return (i) => {
      const planned = base * g.size[i]! * 14;
      const [x, y] = g.xy[i]!;
      const hit = surprise && Math.hypot(x - surprise.x, y - surprise.y) < 20;
      const mean = planned * (hit ? surprise.factor : 0.9 + 0.2 * u());
      return {
        onHand: Math.floor(planned * (0.8 + 0.8 * u())),
        safetyStock: Math.ceil(Math.sqrt(mean)),
        demandMean: mean,
        demandDispersion: 3,
        ...(u() < 0.01 ? { frozen: true } : {}),
      };
    };
  });
}

function cbcAvailable(): boolean {
  if (spawnSync('cbc', ['-quit']).status === 0) return true;
  console.log('cbc not found: installing coinor-cbc (apt-get)...');
  const apt = spawnSync('apt-get', ['install', '-y', 'coinor-cbc'], { stdio: 'ignore' });
  return apt.status === 0 && spawnSync('cbc', ['-quit']).status === 0;
}

interface Reference {
  objective: number;
  /** CBC's bound on the optimum (equal to the objective when it proved optimality). */
  bound: number;
  optimal: boolean;
  seconds: number;
}

/** What CBC finds for an LP file within the time limit. */
function cbc(file: string, seconds: number): Reference {
  const started = performance.now();
  const run = spawnSync('cbc', [file, 'sec', String(seconds), 'solve', 'quit'], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const out = run.stdout ?? '';
  // An empty program (no lane worth keeping) is answered on one line: "Optimal objective 0".
  const empty = /Optimal objective\s+([-+0-9.e]+)/.exec(out);
  const objective = Number(/Objective value:\s+([-+0-9.e]+)/.exec(out)?.[1] ?? empty?.[1]);
  const optimal = /Result - Optimal solution found/.test(out) || empty !== null;
  // For a maximisation CBC reports the bound as "Upper bound".
  const bound = optimal ? objective : Number(/Upper bound:\s+([-+0-9.e]+)/.exec(out)?.[1]);
  return { objective, bound, optimal, seconds: (performance.now() - started) / 1000 };
}

/** How far below the reference optimum (or bound) invex's objective is, relative. */
const gapOf = (ours: number, reference: number) => (reference - ours) / Math.max(1, Math.abs(reference));
const pct = (x: number) => `${(100 * x).toFixed(3)}%`;
const fixed = (x: number, d = 2) =>
  x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const haveReference = cbcAvailable();

/** One line comparing invex's plan with the reference solver's on the same LP. */
function compare(ours: { objective: number; bound: number }, ref: Reference): string {
  if (!Number.isFinite(ref.objective))
    return `  CBC found no solution within ${fixed(ref.seconds, 2)} s; invex's own proven gap ${pct(gapOf(ours.objective, ours.bound))}`;
  const against = ref.optimal
    ? `gap to CBC's optimum ${pct(gapOf(ours.objective, ref.objective))}`
    : `CBC stopped at its time limit: gap to its best ${pct(gapOf(ours.objective, ref.objective))}, to its bound ${pct(gapOf(ours.objective, ref.bound))}`;
  return (
    `  CBC: objective ${fixed(ref.objective)}${ref.optimal ? ' (optimal)' : `, bound ${fixed(ref.bound)}`}, ${fixed(ref.seconds, 2)} s; ${against}; ` +
    `invex's own proven gap ${pct(gapOf(ours.objective, ours.bound))}`
  );
}

// 1. One SKU across LOCATIONS stores.
{
  const g = geography(LOCATIONS, 1);
  const problem = skuProblem(g, 'SKU-ONE', 2);
  const built = performance.now();
  const program = buildTransferProgram(problem);
  const buildSeconds = (performance.now() - built) / 1000;
  const timed = async (search: number) => {
    const started = performance.now();
    const plan = await planTransfers(problem, { priceIntent: false, timeLimitSeconds: search });
    return { plan, seconds: (performance.now() - started) / 1000 };
  };
  // The first plan also pays for loading the solver and compiling the code paths; a service
  // planning all day pays that once, so the second is timed as well.
  const cold = await timed(0);
  const heuristic = await timed(0);
  const { plan, seconds } = await timed(SEARCH);
  const file = join(dir, 'one-sku.lp');
  writeFileSync(file, toLpText(program.lp));
  console.log(
    `one SKU x ${LOCATIONS} stores + 2 DCs: ${problem.lanes.length} lanes, ${program.lanes.length} kept after pruning, ` +
      `${program.lp.columns.length} columns, ${program.lp.rows.length} rows`,
  );
  console.log(
    `  invex, heuristic alone: objective ${fixed(heuristic.plan.objective)} (${heuristic.plan.status}), ` +
      `bound ${fixed(heuristic.plan.bound)}, ${fixed(heuristic.seconds, 3)} s (${fixed(cold.seconds, 3)} s on the first call, which loads the solver)`,
  );
  console.log(
    `  invex (HiGHS, ${SEARCH} s search): objective ${fixed(plan.objective)} (${plan.status}), bound ${fixed(plan.bound)}, ` +
      `${plan.transfers.length} transfers, ${plan.transfers.reduce((a, t) => a + t.units, 0)} units, ` +
      `${fixed(seconds, 3)} s (model build ${fixed(buildSeconds, 3)} s)`,
  );
  if (haveReference) {
    const ref = cbc(file, REFERENCE_SECONDS);
    console.log(compare(plan, ref));
    if (Number.isFinite(ref.objective))
      console.log(
        `  heuristic alone: gap to CBC's best ${pct(gapOf(heuristic.plan.objective, ref.objective))}`,
      );
  }
}

// 2. A network run.
{
  const g = geography(STORES, 3);
  const problems = Array.from({ length: SKUS }, (_, k) =>
    regionalProblem(g, `SKU${String(k + 1).padStart(5, '0')}`, 1000 + k),
  );
  const workers = defaultWorkers();
  const started = performance.now();
  const plans = await planNetwork(problems, {
    workers,
    priceIntent: false,
    timeLimitSeconds: SEARCH,
    searchBudgetSeconds: BUDGET,
  });
  const seconds = (performance.now() - started) / 1000;
  const transfers = plans.reduce((a, p) => a + p.transfers.length, 0);
  const objective = plans.reduce((a, p) => a + p.objective, 0);
  const bound = plans.reduce((a, p) => a + p.bound, 0);
  const notOptimal = plans.filter((p) => p.status !== 'optimal').length;
  const slowest = Math.max(...plans.map((p) => p.seconds));
  console.log(
    `network: ${SKUS} SKUs x ${STORES} stores + 2 DCs (${g.lanes.length} lanes), ${workers} worker threads, ` +
      `search budget ${BUDGET} s: ${fixed(seconds, 1)} s ` +
      `(${fixed((1000 * seconds) / SKUS, 1)} ms a SKU), ${transfers} transfers, net benefit ${fixed(objective)}, ` +
      `proven gap ${pct(gapOf(objective, bound))}; not proven within 0.01%: ${notOptimal} SKUs; slowest SKU ${fixed(slowest, 3)} s`,
  );
  if (haveReference && CHECK > 0) {
    let worst = Number.NEGATIVE_INFINITY;
    let worstToBest = Number.NEGATIVE_INFINITY;
    let ours = 0;
    let theirs = 0;
    let refSeconds = 0;
    let invexSeconds = 0;
    let proven = 0;
    const step = Math.max(1, Math.floor(SKUS / CHECK));
    let checked = 0;
    for (let k = 0; k < SKUS && checked < CHECK; k += step, checked++) {
      const file = join(dir, `network-${problems[k]!.sku}.lp`);
      writeFileSync(file, toLpText(buildTransferProgram(problems[k]!).lp));
      const ref = cbc(file, Math.min(60, REFERENCE_SECONDS));
      if (ref.optimal) proven += 1;
      worst = Math.max(worst, gapOf(plans[k]!.objective, ref.optimal ? ref.objective : ref.bound));
      worstToBest = Math.max(worstToBest, gapOf(plans[k]!.objective, ref.objective));
      ours += plans[k]!.objective;
      theirs += ref.objective;
      refSeconds += ref.seconds;
      invexSeconds += plans[k]!.seconds;
    }
    console.log(
      `  ${checked} SKUs re-solved by CBC (${proven} proven optimal): objectives ${fixed(ours)} (invex) vs ${fixed(theirs)} (CBC), ` +
        `total gap ${pct(gapOf(ours, theirs))}, worst SKU ${pct(worstToBest)} to CBC's plan and ${pct(worst)} to CBC's bound where it did not prove optimality; ` +
        `solve time invex ${fixed(invexSeconds, 2)} s vs CBC ${fixed(refSeconds, 2)} s (CBC's includes reading the LP file)`,
    );
  }
}
