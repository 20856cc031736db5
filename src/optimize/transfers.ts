import type { Highs } from 'highs';
import {
  loadHighs,
  RelaxationModel,
  type Solution,
  type SolveOptions,
  type SolveStatus,
  solveWith,
} from './highs.ts';
import { heuristicPlan } from './transfer.heuristic.ts';
import {
  buildTransferProgram,
  type FairnessGrouping,
  PIN_PENALTY,
  type TransferProblem,
  type TransferProgram,
} from './transfer.model.ts';

/** One recommended transfer, with the numbers behind it. */
export interface RecommendedTransfer {
  sku: string;
  from: string;
  to: string;
  units: number;
  packs: number;
  /** Margin of the sales it is expected to add at the destination. */
  expectedGain: number;
  /** Margin of the sales it is expected to cost the source. */
  expectedLoss: number;
  /** Freight and handling. */
  cost: number;
  /** expectedGain - expectedLoss - cost. */
  benefit: number;
  leadTimeDays: number;
  why: string;
}

export interface TransferPlan {
  sku: string;
  status: SolveStatus;
  transfers: RecommendedTransfer[];
  /** Total expected margin recovered net of transfer cost. */
  netBenefit: number;
  /** The optimiser's objective (net benefit less the no-churn hurdles and pin penalties). */
  objective: number;
  /** Best bound on that objective (equal to it when solved to optimality). */
  bound: number;
  /** What the planner's pins and freezes cost in net benefit (0 when they change nothing). */
  intentCost: number;
  /** Pinned locations that could not be brought to their minimum, and by how much. */
  pinsShort: { location: string; units: number }[];
  /** How each region and store group is served, when the problem has a fairness floor. */
  fairness?: FairnessOutcome;
  seconds: number;
}

/** One region's or store group's expected demand and sales, before and after the plan. */
export interface GroupServed {
  kind: FairnessGrouping;
  key: string;
  locations: string[];
  /** Expected demand over the horizon. */
  demand: number;
  /** Expected sales over the horizon at today's stock. */
  salesBefore: number;
  /** Expected sales after the plan's transfers (on the exact per-pack curves). */
  salesAfter: number;
  /** salesBefore / demand (1 when there is no demand). */
  shareBefore: number;
  /** salesAfter / demand (1 when there is no demand). */
  shareAfter: number;
  /** Expected units of sales below minimumShare x demand after the plan (0 when the floor is met). */
  shortfall: number;
}

export interface FairnessOutcome {
  minimumShare: number;
  /** Regions first, then store groups, each by key. */
  groups: GroupServed[];
  /**
   * What the floors cost in net benefit: the objective of the same program without their
   * rows minus this plan's (both without penalties). 0 when no floor can bind or when pricing
   * is off (`priceIntent: false`).
   */
  cost: number;
}

const money = (x: number) => x.toFixed(2);

export async function planTransfers(
  problem: TransferProblem,
  options: SolveOptions & { priceIntent?: boolean } = {},
): Promise<TransferPlan> {
  return planTransfersWith(await loadHighs(), problem, options);
}

/** planTransfers on a loaded HiGHS, synchronously (for callers inside a synchronous loop). */
export function planTransfersWith(
  highs: Highs,
  problem: TransferProblem,
  options: SolveOptions & { priceIntent?: boolean } = {},
): TransferPlan {
  validate(problem);
  const program = buildTransferProgram(problem);
  const solution = solveTransferProgramWith(highs, program, options);
  const plan: TransferPlan = {
    sku: problem.sku,
    status: solution.status,
    transfers: [],
    netBenefit: 0,
    objective: solution.objective,
    bound: solution.bound,
    intentCost: 0,
    pinsShort: [],
    ...(problem.fairness ? { fairness: fairnessOutcome(problem, program, new Map(), new Map()) } : {}),
    seconds: solution.seconds,
  };
  if (solution.status !== 'optimal' && solution.status !== 'time_limit') return plan;
  const values = solution.values;
  const p = problem.packSize;
  const byId = new Map(problem.locations.map((l) => [l.id, l]));
  // Units per destination and source, to share each curve's segments among the lanes using it.
  const moved = program.lanes
    .map((l) => ({ ...l, units: Math.round(values[l.packs]!) * p }))
    .filter((l) => l.units > 0);
  const into = new Map<string, number>();
  const outOf = new Map<string, number>();
  for (const l of moved) {
    into.set(l.lane.to, (into.get(l.lane.to) ?? 0) + l.units);
    outOf.set(l.lane.from, (outOf.get(l.lane.from) ?? 0) + l.units);
  }
  const sum = (slopes: number[], units: number) => {
    let total = 0;
    for (let j = 0; j < slopes.length && j * p < units; j++) total += slopes[j]! * Math.min(p, units - j * p);
    return total;
  };
  for (const l of moved) {
    const source = program.curves.get(l.lane.from)!;
    const sink = program.curves.get(l.lane.to)!;
    const gain = (sum(sink.gainSlopes, into.get(l.lane.to)!) * l.units) / into.get(l.lane.to)!;
    const loss = (sum(source.lossSlopes, outOf.get(l.lane.from)!) * l.units) / outOf.get(l.lane.from)!;
    const cost = l.lane.unitCost * l.units + l.lane.shipmentCost;
    const from = byId.get(l.lane.from)!;
    const to = byId.get(l.lane.to)!;
    plan.transfers.push({
      sku: problem.sku,
      from: l.lane.from,
      to: l.lane.to,
      units: l.units,
      packs: l.units / p,
      expectedGain: gain,
      expectedLoss: loss,
      cost,
      benefit: gain - loss - cost,
      leadTimeDays: l.lane.leadTimeDays,
      why:
        `${to.id} will have ${sink.arrivalStock} on hand when the transfer arrives (${l.lane.leadTimeDays} d) against ` +
        `${sink.arrivalDemand.toFixed(1)} expected demand over the rest of the ${problem.horizonDays}-day horizon; ` +
        `${from.id} has ${from.onHand} against ${from.demandMean.toFixed(1)} and keeps at least ${Math.max(from.safetyStock, from.minStock ?? 0)}. ` +
        `Moving ${l.units} is expected to add ${money(gain)} of margin at ${to.id}, cost ${money(loss)} at ${from.id}, ` +
        `and costs ${money(cost)} to ship: ${money(gain - loss - cost)} net.`,
    });
    plan.netBenefit += gain - loss - cost;
  }
  for (const pin of program.pinShortfalls) {
    const short = values[pin.column]!;
    if (short > 1e-6) plan.pinsShort.push({ location: pin.location, units: short });
  }
  if (plan.fairness) plan.fairness = fairnessOutcome(problem, program, into, outOf);
  // Pricing intent and fairness: the same program re-solved without the pins and freezes, or
  // without the floors' rows, against this plan (each priced with the other in place).
  const price = options.priceIntent ?? true;
  const costWithout = (
    variant: { planner?: boolean; fairness?: boolean },
    acceptTimeLimit: boolean,
  ): number => {
    const other = buildTransferProgram(problem, variant);
    const free = solveTransferProgramWith(highs, other, options);
    if (free.status !== 'optimal' && !(acceptTimeLimit && free.status === 'time_limit')) return 0;
    return Math.max(
      0,
      unpenalised(other, free.objective, free.values) - unpenalised(program, solution.objective, values),
    );
  };
  if (price && problem.locations.some((l) => l.frozen || (l.minStock ?? 0) > 0))
    plan.intentCost = costWithout({ planner: false }, false);
  // A time-limited re-solve still has a plan: the cost is then what its best plan shows.
  if (price && plan.fairness && program.fairness.some((f) => f.column !== null))
    plan.fairness.cost = costWithout({ fairness: false }, true);
  return plan;
}

/** The objective without the pin and fairness penalties: net benefit less the no-churn hurdles. */
function unpenalised(program: TransferProgram, objective: number, values: ArrayLike<number>): number {
  let penalties = 0;
  for (const pin of program.pinShortfalls) penalties += PIN_PENALTY * values[pin.column]!;
  for (const floor of program.fairness)
    if (floor.column !== null) penalties += program.fairnessPenalty * values[floor.column]!;
  return objective + penalties;
}

/**
 * Each fairness group's expected sales before and after the plan, from the exact per-pack
 * curves (the program's chords are never above them, so a floor the program meets is met).
 */
function fairnessOutcome(
  problem: TransferProblem,
  program: TransferProgram,
  into: Map<string, number>,
  outOf: Map<string, number>,
): FairnessOutcome {
  const minimumShare = problem.fairness!.minimumShare;
  const p = problem.packSize;
  const units = (rates: number[], moved: number) => {
    let total = 0;
    for (let j = 0; j < rates.length && j * p < moved; j++) total += rates[j]! * Math.min(p, moved - j * p);
    return total;
  };
  const shareOf = (sales: number, demand: number) => (demand > 0 ? sales / demand : 1);
  const groups = program.fairness.map((floor): GroupServed => {
    let salesAfter = 0;
    for (const id of floor.locations) {
      const sales = program.curves.get(id)!.sales!;
      salesAfter +=
        sales.before + units(sales.gainRates, into.get(id) ?? 0) - units(sales.lossRates, outOf.get(id) ?? 0);
    }
    const short = floor.floor - salesAfter;
    return {
      kind: floor.kind,
      key: floor.key,
      locations: floor.locations,
      demand: floor.demand,
      salesBefore: floor.salesBefore,
      salesAfter,
      shareBefore: shareOf(floor.salesBefore, floor.demand),
      shareAfter: shareOf(salesAfter, floor.demand),
      // Sums of floating-point expected units: allow their rounding at the floor.
      shortfall: short > 1e-9 * Math.max(1, floor.floor) ? short : 0,
    };
  });
  return { minimumShare, groups, cost: 0 };
}

/** Default time for the MIP search after the heuristic, per SKU. */
export const DEFAULT_SEARCH_SECONDS = 1;
/**
 * Solves a transfer program in three steps:
 * 1. the LP relaxation, whose optimum bounds what any plan can earn;
 * 2. the heuristic (`heuristicPlan`): slope scaling (Kim and Pardalos 1999) picks the lanes
 *    to open, and a local search opens, closes and trades lanes while the plan earns more,
 *    each trial solved on the flow program (the flags decided, whole packs on the open lanes);
 * 3. HiGHS's branch and bound from that plan, for at most `timeLimitSeconds`, stopping at
 *    the relative gap `mipGap`; it keeps the best plan either step found.
 * The bound reported is the tighter of the relaxation's and the search's, so
 * (bound - objective) / objective is a proven optimality gap.
 */
export async function solveTransferProgram(
  program: TransferProgram,
  options: SolveOptions = {},
): Promise<Solution> {
  return solveTransferProgramWith(await loadHighs(), program, options);
}

export function solveTransferProgramWith(
  highs: Highs,
  program: TransferProgram,
  options: SolveOptions = {},
): Solution {
  const started = performance.now();
  const lp = program.lp;
  if (program.lanes.length === 0) return solveWith(highs, lp, options);
  // One model of the relaxation serves every round below: each re-solve starts from the
  // last basis (a few times faster than from scratch on a thousand stores).
  const model = new RelaxationModel(
    highs,
    lp.variant((c) => ({ ...c, kind: 'continuous' })),
  );
  let relaxed: Solution;
  let scaled: Solution | null;
  try {
    relaxed = model.run();
    if (relaxed.status !== 'optimal') return solveWith(highs, lp, options);
    const bound = relaxed.objective;
    const netScale = netScaleOf(program, relaxed);
    scaled = heuristicPlan(highs, program, model, relaxed, {
      timeLimitSeconds: options.timeLimitSeconds ?? DEFAULT_SEARCH_SECONDS,
      netScale,
      good: (objective) =>
        bound - objective <= (options.mipGap ?? 1e-4) * (netScale ?? Math.max(1, Math.abs(objective))),
    });
  } finally {
    model.dispose();
  }
  const gap = options.mipGap ?? 1e-4;
  // A fairness floor puts each expected unit short times its penalty in the objective, and an
  // unreachable floor can make that dwarf the net benefit: a gap relative to the objective
  // would then let the plan's net benefit stray far from the best. With floors, gaps are
  // measured against the relaxation's net benefit (its objective without the penalties).
  const netScale = netScaleOf(program, relaxed);
  const tolerance = (objective: number) => gap * (netScale ?? Math.max(1, Math.abs(objective)));
  const start = scaled;
  // A bound is never below a plan found: when the relaxation's optimum comes out a hair
  // under a whole plan's objective, that is the simplex tolerances (seen: 1e-6 on 32.6).
  const boundOver = (plan: Solution, bound: number) => Math.max(bound, plan.objective);
  // Already within the gap of the relaxation's bound: nothing left to search for.
  if (start && relaxed.objective - start.objective <= tolerance(start.objective))
    return {
      ...start,
      status: 'optimal',
      bound: boundOver(start, relaxed.objective),
      seconds: (performance.now() - started) / 1000,
    };
  // No search asked for: the heuristic's plan, with the relaxation's bound.
  if (start && options.timeLimitSeconds === 0)
    return {
      ...start,
      status: 'time_limit',
      bound: boundOver(start, relaxed.objective),
      seconds: (performance.now() - started) / 1000,
    };
  const search = solveWith(highs, lp, {
    ...options,
    ...(netScale === null ? {} : { mipAbsoluteGap: gap * netScale }),
    timeLimitSeconds: options.timeLimitSeconds ?? DEFAULT_SEARCH_SECONDS,
    ...(start ? { start: start.values } : {}),
  });
  const best =
    start && !(search.objective >= start.objective - 1e-9) ? { ...start, status: search.status } : search;
  // Stopped by its time limit, HiGHS may report a dual bound no search has proved (seen: the
  // start plan's own objective, which would claim it optimal). A bound within the stopping gap
  // contradicts a time-limit stop, so it is not trusted: the relaxation's bound stands.
  const searchBound =
    search.status === 'time_limit' && !(search.bound - search.objective > tolerance(search.objective))
      ? Number.NaN
      : search.bound;
  const bound = Math.min(relaxed.objective, Number.isFinite(searchBound) ? searchBound : relaxed.objective);
  return {
    ...best,
    status:
      best.status === 'time_limit' && bound - best.objective <= tolerance(best.objective)
        ? 'optimal'
        : best.status,
    bound: Number.isFinite(best.objective) ? boundOver(best, bound) : bound,
    seconds: (performance.now() - started) / 1000,
  };
}

const netScaleOf = (program: TransferProgram, relaxed: Solution): number | null =>
  program.fairness.some((f) => f.column !== null)
    ? Math.max(1, Math.abs(unpenalised(program, relaxed.objective, relaxed.values)))
    : null;

function validate(problem: TransferProblem): void {
  const fail = (message: string) => {
    throw new RangeError(`transfer problem for ${problem.sku}: ${message}`);
  };
  if (!(problem.packSize >= 1) || !Number.isInteger(problem.packSize))
    fail(`pack size ${problem.packSize} is not a whole number >= 1`);
  if (!(problem.horizonDays > 0)) fail(`horizon ${problem.horizonDays} days is not positive`);
  if (!(problem.minTransferUnits >= 0) || !(problem.minBenefit >= 0))
    fail('minimum transfer and minimum benefit must be >= 0');
  const ids = new Set<string>();
  for (const l of problem.locations) {
    if (ids.has(l.id)) fail(`location ${l.id} appears twice`);
    ids.add(l.id);
    for (const [name, v] of Object.entries({
      onHand: l.onHand,
      safetyStock: l.safetyStock,
      demandMean: l.demandMean,
      unitMargin: l.unitMargin,
    }))
      if (!Number.isFinite(v) || v < 0) fail(`location ${l.id}: ${name} ${v} must be a finite number >= 0`);
  }
  for (const lane of problem.lanes) {
    if (!ids.has(lane.from) || !ids.has(lane.to))
      fail(`lane ${lane.from} > ${lane.to} names a location not in the problem`);
    if (!(lane.unitCost >= 0) || !(lane.shipmentCost >= 0) || !(lane.leadTimeDays >= 0))
      fail(`lane ${lane.from} > ${lane.to}: costs and lead time must be >= 0`);
  }
  for (const l of problem.locations)
    for (const kind of ['region', 'storeGroup'] as const) {
      const key = l[kind];
      if (key !== undefined && (typeof key !== 'string' || key.trim() === ''))
        fail(`location ${l.id}: ${kind} ${JSON.stringify(key)} must be a non-empty string`);
    }
  const fairness = problem.fairness;
  if (fairness) {
    if (!(fairness.minimumShare >= 0 && fairness.minimumShare <= 1))
      fail(`fairness minimum share ${fairness.minimumShare} is not in [0, 1]`);
    const kinds = fairness.groupBy ?? ['region', 'storeGroup'];
    if (kinds.length === 0) fail('fairness groupBy is empty: give region, storeGroup or both');
    for (const kind of kinds)
      if (kind !== 'region' && kind !== 'storeGroup')
        fail(`fairness groupBy ${JSON.stringify(kind)} is not region or storeGroup`);
    if (new Set(kinds).size !== kinds.length)
      fail(`fairness groupBy ${kinds.join(', ')} names a grouping twice`);
    // A floor over groups no location belongs to would silently do nothing.
    const carried = (kind: FairnessGrouping) => problem.locations.some((l) => l[kind] !== undefined);
    const missing = kinds.filter((kind) => !carried(kind));
    if (fairness.groupBy ? missing.length > 0 : missing.length === kinds.length)
      fail(
        `fairness is by ${kinds.join(' and ')}, but no location has a ${missing.join(' or a ')}: ` +
          'give each destination its region or store group',
      );
  }
}
