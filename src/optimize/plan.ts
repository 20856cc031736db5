import { mapOnWorkers, type PoolOptions } from '../core/worker-pool.ts';
import type { SolveOptions } from './highs.ts';
import type { TransferProblem } from './transfer.model.ts';
import { planTransfers, type TransferPlan } from './transfers.ts';

/**
 * A network run: one transfer problem per SKU, solved on worker threads. SKUs are
 * independent here; a lane's capacity is per SKU (a carton, a planner's cap). Truck
 * capacity shared by many SKUs on one lane would couple them and is not modelled yet.
 */
export async function planNetwork(
  problems: TransferProblem[],
  options: SolveOptions & PoolOptions & { priceIntent?: boolean } = {},
): Promise<TransferPlan[]> {
  const { workers, minimumJobs, ...solveOptions } = options;
  const results = await mapOnWorkers(
    new URL('./solver.worker.mjs', import.meta.url),
    problems,
    solveOptions,
    (problem, context) => planTransfers(problem, context),
    { ...(workers !== undefined ? { workers } : {}), minimumJobs: minimumJobs ?? 8 },
  );
  return Promise.all(results);
}
