import type { Highs } from 'highs';
import type { LinearProgram } from './linear-program.ts';

/**
 * HiGHS (Huangfu and Hall; the `highs` package, HiGHS compiled to WebAssembly) behind one
 * function. The program goes in as sparse columns, not LP text: parsing text costs more
 * than solving for the models invex builds. Solves are synchronous and single-threaded;
 * callers that must stay responsive run them on a worker (see solver-pool.ts).
 */
let runtime: Promise<Highs> | null = null;

export function loadHighs(): Promise<Highs> {
  runtime ??= import('highs').then((mod) => {
    // The package is CommonJS: its default export is the loader (`mod.default ?? mod` under NodeNext).
    const load = ((mod as unknown as { default?: unknown }).default ?? mod) as () => Promise<Highs>;
    return load();
  });
  return runtime;
}

export type SolveStatus = 'optimal' | 'infeasible' | 'unbounded' | 'time_limit' | 'error';

export interface Solution {
  status: SolveStatus;
  /** Objective of the best solution found (NaN when none). */
  objective: number;
  /** Best bound on the optimum (MIP dual bound; the objective itself for an LP). */
  bound: number;
  values: Float64Array;
  seconds: number;
  /** Reduced costs of the columns (a relaxation's only). */
  reducedCosts?: Float64Array;
}

export interface SolveOptions {
  timeLimitSeconds?: number;
  /** Relative MIP gap at which HiGHS may stop (default 1e-4). */
  mipGap?: number;
  /**
   * Absolute MIP gap at which HiGHS stops, in place of the relative one (which is then not
   * used): for objectives whose size is not the scale the gap should be measured on.
   */
  mipAbsoluteGap?: number;
  /** A feasible solution to start the MIP search from (every column's value). */
  start?: ArrayLike<number>;
}

export async function solve(lp: LinearProgram, options: SolveOptions = {}): Promise<Solution> {
  return solveWith(await loadHighs(), lp, options);
}

/** A HiGHS model of the program (the caller disposes of it). */
function createModel(highs: Highs, lp: LinearProgram, integer: boolean) {
  const n = lp.columns.length;
  const m = lp.rows.length;
  // Rows are built row by row; HiGHS takes columns: count, then fill (CSC).
  const counts = new Int32Array(n + 1);
  for (const row of lp.rows) for (const j of row.columns) counts[j + 1]!++;
  for (let j = 0; j < n; j++) counts[j + 1]! += counts[j]!;
  const starts = Int32Array.from(counts);
  const fill = Int32Array.from(counts.subarray(0, n));
  const nonzeros = counts[n]!;
  const indices = new Int32Array(nonzeros);
  const values = new Float64Array(nonzeros);
  lp.rows.forEach((row, i) => {
    row.columns.forEach((j, k) => {
      const at = fill[j]!++;
      indices[at] = i;
      values[at] = row.coefficients[k]!;
    });
  });
  const infinity = highs.infinity;
  const bound = (x: number) =>
    x === Number.POSITIVE_INFINITY ? infinity : x === Number.NEGATIVE_INFINITY ? -infinity : x;
  return highs.createModel({
    numCols: n,
    numRows: m,
    sense:
      lp.sense === 'maximize'
        ? highs.constants.objectiveSense.maximize
        : highs.constants.objectiveSense.minimize,
    colCost: Float64Array.from(lp.columns, (c) => c.cost),
    colLower: Float64Array.from(lp.columns, (c) => bound(c.lower)),
    colUpper: Float64Array.from(lp.columns, (c) =>
      c.kind === 'binary' ? Math.min(1, c.upper) : bound(c.upper),
    ),
    rowLower: Float64Array.from(lp.rows, (r) => bound(r.lower)),
    rowUpper: Float64Array.from(lp.rows, (r) => bound(r.upper)),
    matrix: { format: 'csc', numRows: m, numCols: n, starts, indices, values },
    ...(integer
      ? {
          integrality: Int32Array.from(lp.columns, (c) =>
            c.kind === 'continuous'
              ? highs.constants.variableType.continuous
              : highs.constants.variableType.integer,
          ),
        }
      : {}),
  });
}

type HighsModel = ReturnType<typeof createModel>;

function statusOf(highs: Highs, model: HighsModel): SolveStatus {
  const code = model.getModelStatus();
  const s = highs.constants.modelStatus;
  return code === s.optimal
    ? 'optimal'
    : code === s.infeasible
      ? 'infeasible'
      : code === s.unbounded || code === s.unboundedOrInfeasible
        ? 'unbounded'
        : code === s.timeLimit || code === s.iterationLimit || code === s.interrupted
          ? 'time_limit'
          : 'error';
}

/**
 * The linear relaxation of a program held in one HiGHS model across solves: after a change
 * of costs or bounds, simplex starts from the last basis instead of from scratch (a few
 * times faster for the small changes of a heuristic's rounds). Dispose of it when done.
 */
export class RelaxationModel {
  private readonly model: HighsModel;
  private readonly n: number;

  constructor(
    private readonly highs: Highs,
    lp: LinearProgram,
  ) {
    this.n = lp.columns.length;
    this.model = createModel(highs, lp, false);
    // Presolve costs more than it saves on these programs (a third of the first solve on a
    // thousand stores), and a warm re-solve starts from the basis anyway. Scaling by each
    // row's and column's largest value (strategy 4) instead of HiGHS's choice solves the
    // transfer programs' relaxations faster: 16% less time a network SKU end to end, the
    // same plans, measured side by side on 40 bench SKUs.
    this.model.options.set({ output_flag: false, presolve: 'off', simplex_scale_strategy: 4 });
  }

  setCosts(costs: ArrayLike<number>): void {
    this.model.changeColsCost({ kind: 'range', from: 0, to: this.n - 1 }, Float64Array.from(costs));
  }

  /** Bounds of the given columns (increasing indices). */
  setBounds(columns: Int32Array, lower: Float64Array, upper: Float64Array): void {
    if (columns.length > 0) this.model.changeColsBounds({ kind: 'set', indices: columns }, lower, upper);
  }

  run(): Solution {
    const started = performance.now();
    if (this.n === 0)
      return { status: 'optimal', objective: 0, bound: 0, values: new Float64Array(0), seconds: 0 };
    this.model.run();
    const status = statusOf(this.highs, this.model);
    const objective = status === 'optimal' ? this.model.getObjectiveValue() : Number.NaN;
    const solution = this.model.getSolution();
    return {
      status,
      objective,
      bound: objective,
      values: Float64Array.from(solution.colValue),
      reducedCosts: Float64Array.from(solution.colDual),
      seconds: (performance.now() - started) / 1000,
    };
  }

  dispose(): void {
    this.model.dispose();
  }
}

export function solveWith(highs: Highs, lp: LinearProgram, options: SolveOptions = {}): Solution {
  const started = performance.now();
  const n = lp.columns.length;
  if (n === 0) return { status: 'optimal', objective: 0, bound: 0, values: new Float64Array(0), seconds: 0 };
  const integer = lp.columns.some((c) => c.kind !== 'continuous');
  const model = createModel(highs, lp, integer);
  try {
    model.options.set({
      output_flag: false,
      ...(options.mipAbsoluteGap !== undefined
        ? { mip_rel_gap: 0, mip_abs_gap: options.mipAbsoluteGap }
        : { mip_rel_gap: options.mipGap ?? 1e-4 }),
      ...(options.timeLimitSeconds ? { time_limit: options.timeLimitSeconds } : {}),
    });
    if (integer && options.start) model.setSolution({ colValue: Float64Array.from(options.start) });
    model.run();
    const status = statusOf(highs, model);
    const solution = model.getSolution().colValue;
    const objective =
      status === 'optimal' || status === 'time_limit' ? model.getObjectiveValue() : Number.NaN;
    const dual = integer ? Number(model.info.get('mip_dual_bound')) : objective;
    return {
      status,
      objective,
      bound: Number.isFinite(dual) ? dual : objective,
      values: Float64Array.from(solution),
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    model.dispose();
  }
}
