import { defaultWorkers, mapOnWorkers, mapWithDeadline, type PoolOptions } from '../core/worker-pool.ts';
import type { SolveOptions } from './highs.ts';
import type { TransferProblem } from './transfer.model.ts';
import { DEFAULT_SEARCH_SECONDS, planTransfers, type TransferPlan } from './transfers.ts';

export interface NetworkOptions extends SolveOptions, PoolOptions {
  priceIntent?: boolean;
  /**
   * Wall-clock seconds for branch and bound across the whole run. When given, SKUs are
   * searched for `timeLimitSeconds` each (default 1 s), those whose plans are furthest from
   * their bound first, until the budget is spent. Without it every SKU not yet proven optimal
   * gets its search.
   */
  searchBudgetSeconds?: number;
}

/**
 * A network run: one transfer problem per SKU, solved on worker threads. SKUs are
 * independent here; a lane's capacity is per SKU (a carton, a planner's cap). Truck
 * capacity shared by many SKUs on one lane would couple them and is not modelled yet.
 *
 * Every SKU is first planned by the heuristic alone (linear programs only), then the SKUs
 * not proven optimal are searched by branch and bound. With more than one worker the search
 * runs on worker threads with a hard deadline per SKU: HiGHS's branch and bound has been seen
 * to overrun its time limit under load (ERGO-Code/HiGHS#2226), and a SKU whose search does not
 * return keeps its heuristic plan instead of holding the run.
 */
export async function planNetwork(
  problems: TransferProblem[],
  options: NetworkOptions = {},
): Promise<TransferPlan[]> {
  const { workers, minimumJobs, searchBudgetSeconds, ...solveOptions } = options;
  const threads = Math.max(1, Math.min(workers ?? defaultWorkers(), problems.length));
  const script = new URL('./solver.worker.mjs', import.meta.url);
  const plans = await Promise.all(
    await mapOnWorkers(
      script,
      problems,
      { ...solveOptions, timeLimitSeconds: 0 },
      (problem, c) => planTransfers(problem, c),
      { ...(workers !== undefined ? { workers } : {}), minimumJobs: minimumJobs ?? 8 },
    ),
  );
  const search = solveOptions.timeLimitSeconds ?? DEFAULT_SEARCH_SECONDS;
  if (!(search > 0) || (searchBudgetSeconds !== undefined && !(searchBudgetSeconds > 0))) return plans;
  let open = plans
    .map((plan, index) => ({ index, gap: plan.bound - plan.objective }))
    .filter((p) => plans[p.index]!.status !== 'optimal' && p.gap > 1e-9)
    .sort((a, b) => b.gap - a.gap || a.index - b.index);
  if (searchBudgetSeconds !== undefined) {
    // Each re-solve repeats the heuristic (its time measured in the first pass) before searching.
    const heuristic = plans.reduce((sum, p) => sum + p.seconds, 0) / Math.max(1, plans.length);
    open = open.slice(0, Math.floor((searchBudgetSeconds * threads) / (search + heuristic)));
  }
  if (open.length === 0) return plans;
  const jobs = open.map((p) => problems[p.index]!);
  const context = { ...solveOptions, timeLimitSeconds: search };
  // A SKU's search may take its heuristic again, the search, and as much again for each
  // re-solve that prices planner intent or fairness: far past that, it is not coming back.
  const solves = solveOptions.priceIntent === false ? 1 : 3;
  const deadlineMs = (_: TransferProblem, k: number) =>
    1000 * (10 + solves * (4 * plans[open[k]!.index]!.seconds + 5 * search));
  const searched: (TransferPlan | null)[] =
    threads > 1
      ? await mapWithDeadline(script, jobs, context, deadlineMs, () => null, threads)
      : await Promise.all(jobs.map((problem) => planTransfers(problem, context)));
  open.forEach((p, k) => {
    const again = searched[k];
    if (!again) return;
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
