// Worker thread entry for forecasting batches (see batch.ts and core/worker-pool.ts).
// invex runs its TypeScript through tsx's loader, which a worker does not inherit.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { runJob } = await import('./auto.ts');

parentPort.on('message', ({ jobs, context }) => {
  try {
    parentPort.postMessage({ results: jobs.map((job) => runJob(job, context)) });
  } catch (error) {
    parentPort.postMessage({
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
});
