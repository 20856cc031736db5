import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BatchContext, BatchJob, BatchOutput, BatchRunner } from './auto.ts';
import { runInline } from './auto.ts';

/**
 * Runs forecasting jobs on worker threads, so a batch of series uses every core. Jobs go in
 * chunks (several per worker, so a slow chunk does not leave a core idle) and come back in
 * order. Small batches stay on the calling thread: a worker costs a few hundred ms to start.
 */
export interface WorkerRunnerOptions {
  /** Threads to use (default: the machine's available parallelism, at most 8). */
  workers?: number;
  /** Fewer jobs than this run inline (default 64). */
  minimumJobs?: number;
}

export function defaultWorkers(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

export function workerRunner(options: WorkerRunnerOptions = {}): BatchRunner {
  const workers = options.workers ?? defaultWorkers();
  const minimumJobs = options.minimumJobs ?? 64;
  return async (jobs: BatchJob[], context: BatchContext): Promise<BatchOutput[]> => {
    if (workers <= 1 || jobs.length < minimumJobs) return runInline(jobs, context);
    const chunkSize = Math.max(1, Math.ceil(jobs.length / (workers * 4)));
    const chunks: { from: number; jobs: BatchJob[] }[] = [];
    for (let from = 0; from < jobs.length; from += chunkSize)
      chunks.push({ from, jobs: jobs.slice(from, from + chunkSize) });
    const out = new Array<BatchOutput>(jobs.length);
    const pool = Array.from(
      { length: Math.min(workers, chunks.length) },
      () => new Worker(new URL('./batch.worker.mjs', import.meta.url)),
    );
    try {
      let next = 0;
      await Promise.all(
        pool.map(async (worker) => {
          while (next < chunks.length) {
            const chunk = chunks[next++]!;
            const results = await request(worker, { jobs: chunk.jobs, context });
            results.forEach((r, i) => {
              out[chunk.from + i] = r;
            });
          }
        }),
      );
    } finally {
      await Promise.all(pool.map((w) => w.terminate()));
    }
    return out;
  };
}

function request(
  worker: Worker,
  message: { jobs: BatchJob[]; context: BatchContext },
): Promise<BatchOutput[]> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: { results?: BatchOutput[]; error?: string }) => {
      cleanup();
      if (reply.error !== undefined) reject(new Error(`forecast worker failed: ${reply.error}`));
      else resolve(reply.results!);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`forecast worker exited with code ${code}`));
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(message);
  });
}
