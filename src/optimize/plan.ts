import { defaultWorkers, mapOnWorkers, type PoolOptions } from '../core/worker-pool.ts';
import type { SolveOptions } from './highs.ts';
import type { TransferProblem } from './transfer.model.ts';
import { DEFAULT_SEARCH_SECONDS, planTransfers, type TransferPlan } from './transfers.ts';

export interface NetworkOptions extends SolveOptions, PoolOptions {
  priceIntent?: boolean;
  /**
   * Wall-clock seconds for branch and bound across the whole run. When given, every SKU is
   * first planned by the heuristic alone (no search), then SKUs are searched again for
   * `timeLimitSeconds` each (default 1 s), those whose plans are furthest from their bound
   * first, until the budget is spent. Without it every SKU gets its own search.
   */
  searchBudgetSeconds?: number;
}

/**
 * A network run: one transfer problem per SKU, solved on worker threads. SKUs are
 * independent here; a lane's capacity is per SKU (a carton, a planner's cap). Truck
 * capacity shared by many SKUs on one lane would couple them and is not modelled yet.
 */
export async function planNetwork(
  problems: TransferProblem[],
  options: NetworkOptions = {},
): Promise<TransferPlan[]> {
  const { workers, minimumJobs, searchBudgetSeconds, ...solveOptions } = options;
  const pool = { ...(workers !== undefined ? { workers } : {}), minimumJobs: minimumJobs ?? 8 };
  const run = async (jobs: TransferProblem[], context: typeof solveOptions) =>
    Promise.all(
      await mapOnWorkers(
        new URL('./solver.worker.mjs', import.meta.url),
        jobs,
        context,
        (problem, c) => planTransfers(problem, c),
        pool,
      ),
    );
  if (searchBudgetSeconds === undefined) return run(problems, solveOptions);

  const plans = await run(problems, { ...solveOptions, timeLimitSeconds: 0 });
  const search = solveOptions.timeLimitSeconds ?? DEFAULT_SEARCH_SECONDS;
  if (!(searchBudgetSeconds > 0) || !(search > 0)) return plans;
  // Each re-solve repeats the heuristic (its time measured in the first pass) before searching.
  const heuristic = plans.reduce((sum, p) => sum + p.seconds, 0) / Math.max(1, plans.length);
  const threads = Math.max(1, Math.min(workers ?? defaultWorkers(), problems.length));
  const affordable = Math.floor((searchBudgetSeconds * threads) / (search + heuristic));
  const open = plans
    .map((plan, index) => ({ index, gap: plan.bound - plan.objective }))
    .filter((p) => plans[p.index]!.status !== 'optimal' && p.gap > 1e-9)
    .sort((a, b) => b.gap - a.gap || a.index - b.index)
    .slice(0, affordable);
  if (open.length === 0) return plans;
  const searched = await run(
    open.map((p) => problems[p.index]!),
    { ...solveOptions, timeLimitSeconds: search },
  );
  open.forEach((p, k) => {
    const again = searched[k]!;
    const first = plans[p.index]!;
    // Keep the better plan, and the tighter of the two bounds.
    const best = again.objective >= first.objective - 1e-9 ? again : first;
    plans[p.index] = {
      ...best,
      bound: Math.min(first.bound, again.bound),
      seconds: first.seconds + again.seconds,
    };
  });
  return plans;
}
