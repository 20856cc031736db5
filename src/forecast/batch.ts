import { mapOnWorkers, type PoolOptions } from '../core/worker-pool.ts';
import { type BatchRunner, runJob } from './auto.ts';

export { defaultWorkers } from '../core/worker-pool.ts';

/** Fits forecasting jobs on worker threads (batch.worker.mjs), so a batch of series uses every core. */
export function workerRunner(options: PoolOptions = {}): BatchRunner {
  return (jobs, context) =>
    mapOnWorkers(new URL('./batch.worker.mjs', import.meta.url), jobs, context, runJob, options);
}
