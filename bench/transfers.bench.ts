/**
 * Transfer optimisation: invex's HiGHS-based redistribution on synthetic networks, each
 * instance also written as a CPLEX LP file and solved in the same run by an independent
 * solver (GLPK's glpsol, from Debian's glpk-utils, installed if missing and possible), so
 * the optimality gap is measured, not assumed.
 *
 *   npm run bench:transfers -- [--locations 1000] [--skus 5000] [--stores 500] [--check 40]
 *
 * 1. One SKU across --locations stores (plus 2 DCs).
 * 2. A network run: --skus SKUs x --stores stores, one problem per SKU on worker threads;
 *    --check of them (spread over the run) are re-solved by glpsol.
 */
import { execFileSync, spawnSync } from 'node:child_process';
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
  },
});
const LOCATIONS = Number(values.locations ?? 1000);
const SKUS = Number(values.skus ?? 5000);
const STORES = Number(values.stores ?? 500);
const CHECK = Number(values.check ?? 40);
const dir = join(tmpdir(), 'invex-bench-transfers');
mkdirSync(dir, { recursive: true });

interface Geography {
  ids: string[];
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
  return { ids, lanes, size };
}

/** One SKU over the geography: uneven stock against demand, as after a regional surprise. */
function skuProblem(g: Geography, sku: string, seed: number): TransferProblem {
  const u = rng(seed);
  const packSize = [1, 2, 6][Math.floor(u() * 3)]!;
  const margin = 2 + 18 * u();
  const base = 0.5 + 4 * u();
  const stores = g.ids.length - 2;
  const locations: TransferLocation[] = g.ids.map((id, i) => {
    if (i >= stores)
      return {
        id,
        onHand: u() < 0.5 ? Math.floor(200 * u()) : 0,
        safetyStock: 20,
        demandMean: 0,
        demandDispersion: Number.POSITIVE_INFINITY,
        unitMargin: margin,
      };
    const mean = base * g.size[i]! * 14 * (0.3 + 1.4 * u());
    const cover = u() < 0.15 ? 0 : u() < 0.3 ? 3 + 2 * u() : 0.4 + 1.2 * u();
    return {
      id,
      onHand: Math.floor(mean * cover),
      safetyStock: Math.ceil(Math.sqrt(mean)),
      demandMean: mean,
      demandDispersion: 3,
      unitMargin: margin,
      ...(u() < 0.01 ? { frozen: true } : {}),
      ...(u() < 0.01 ? { minStock: Math.ceil(mean) } : {}),
    };
  });
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

function glpsolAvailable(): boolean {
  if (spawnSync('glpsol', ['--version']).status === 0) return true;
  console.log('glpsol not found: installing glpk-utils (apt-get)...');
  const apt = spawnSync('apt-get', ['install', '-y', 'glpk-utils'], { stdio: 'ignore' });
  return apt.status === 0 && spawnSync('glpsol', ['--version']).status === 0;
}

/** The optimum glpsol finds for an LP file, and its wall time. */
function glpsol(file: string): { objective: number; seconds: number; status: string } {
  const started = performance.now();
  // glpsol may stop at its time limit without an optimum: report what it found, do not fail.
  const run = spawnSync('glpsol', ['--lp', file, '-o', `${file}.sol`, '--tmlim', '600'], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const seconds = (performance.now() - started) / 1000;
  const out = run.stdout ?? '';
  const status =
    /INTEGER OPTIMAL|OPTIMAL LP SOLUTION FOUND|TIME LIMIT EXCEEDED|PROBLEM HAS NO/.exec(out)?.[0] ??
    'unknown';
  let objective = Number.NaN;
  try {
    const sol = execFileSync('sed', ['-n', '1,8p', `${file}.sol`], { encoding: 'utf8' });
    objective = Number(/Objective:\s+obj = ([-+0-9.e]+)/.exec(sol)?.[1]);
  } catch {
    // no solution file: glpsol found nothing
  }
  return { objective, seconds, status };
}

const gapOf = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(b));
const fixed = (x: number, d = 2) =>
  x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const haveGlpsol = glpsolAvailable();

// 1. One SKU across LOCATIONS stores.
{
  const g = geography(LOCATIONS, 1);
  const problem = skuProblem(g, 'SKU-ONE', 2);
  const built = performance.now();
  const program = buildTransferProgram(problem);
  const buildSeconds = (performance.now() - built) / 1000;
  const started = performance.now();
  const plan = await planTransfers(problem, { priceIntent: false });
  const seconds = (performance.now() - started) / 1000;
  const file = join(dir, 'one-sku.lp');
  writeFileSync(file, toLpText(program.lp));
  console.log(
    `one SKU x ${LOCATIONS} stores + 2 DCs: ${problem.lanes.length} lanes, ${program.lanes.length} kept after pruning, ` +
      `${program.lp.columns.length} columns, ${program.lp.rows.length} rows`,
  );
  console.log(
    `  invex (HiGHS): objective ${fixed(plan.objective)} (${plan.status}), ${plan.transfers.length} transfers, ` +
      `${plan.transfers.reduce((a, t) => a + t.units, 0)} units, ${fixed(seconds, 3)} s (model build ${fixed(buildSeconds, 3)} s)`,
  );
  if (haveGlpsol) {
    const ref = glpsol(file);
    console.log(
      `  glpsol on ${file}: objective ${fixed(ref.objective)} (${ref.status}), ${fixed(ref.seconds, 3)} s; gap ${(100 * gapOf(plan.objective, ref.objective)).toFixed(4)}%`,
    );
  }
}

// 2. A network run.
{
  const g = geography(STORES, 3);
  const problems = Array.from({ length: SKUS }, (_, k) =>
    skuProblem(g, `SKU${String(k + 1).padStart(5, '0')}`, 1000 + k),
  );
  const workers = defaultWorkers();
  const started = performance.now();
  const plans = await planNetwork(problems, { workers, priceIntent: false });
  const seconds = (performance.now() - started) / 1000;
  const transfers = plans.reduce((a, p) => a + p.transfers.length, 0);
  const objective = plans.reduce((a, p) => a + p.objective, 0);
  const notOptimal = plans.filter((p) => p.status !== 'optimal').length;
  const slowest = Math.max(...plans.map((p) => p.seconds));
  console.log(
    `network: ${SKUS} SKUs x ${STORES} stores + 2 DCs (${g.lanes.length} lanes), ${workers} worker threads: ${fixed(seconds, 1)} s ` +
      `(${fixed((1000 * seconds) / SKUS, 1)} ms a SKU), ${transfers} transfers, net benefit ${fixed(objective)}, ` +
      `not optimal: ${notOptimal}, slowest SKU ${fixed(slowest, 3)} s`,
  );
  if (haveGlpsol && CHECK > 0) {
    let worst = 0;
    let ours = 0;
    let theirs = 0;
    let glpSeconds = 0;
    let invexSeconds = 0;
    const step = Math.max(1, Math.floor(SKUS / CHECK));
    for (let k = 0; k < SKUS && k / step < CHECK; k += step) {
      const file = join(dir, `network-${problems[k]!.sku}.lp`);
      writeFileSync(file, toLpText(buildTransferProgram(problems[k]!).lp));
      const ref = glpsol(file);
      worst = Math.max(worst, gapOf(plans[k]!.objective, ref.objective));
      ours += plans[k]!.objective;
      theirs += ref.objective;
      glpSeconds += ref.seconds;
      invexSeconds += plans[k]!.seconds;
    }
    console.log(
      `  ${CHECK} SKUs re-solved by glpsol: objectives ${fixed(ours)} (invex) vs ${fixed(theirs)} (glpsol), worst gap ${(100 * worst).toFixed(4)}%; ` +
        `solve time invex ${fixed(invexSeconds, 2)} s vs glpsol ${fixed(glpSeconds, 2)} s (glpsol's includes reading the LP file)`,
    );
  }
}
