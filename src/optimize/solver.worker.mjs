// Worker thread entry for transfer optimisation (see plan.ts and core/worker-pool.ts):
// HiGHS solves are synchronous, so a batch of SKUs runs on workers, one solve at a time each.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { planTransfers } = await import('./transfers.ts');

parentPort.on('message', async ({ jobs, context }) => {
  try {
    const results = [];
    for (const job of jobs) results.push(await planTransfers(job, context));
    parentPort.postMessage({ results });
  } catch (error) {
    parentPort.postMessage({
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
});
