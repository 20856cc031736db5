import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * Runs jobs on worker threads and returns their results in order. The worker script
 * receives `{ jobs, context }` messages and answers `{ results }` or `{ error }` (see
 * forecast/batch.worker.mjs). Jobs go in chunks, several per worker, so one slow chunk
 * does not leave a core idle; small batches stay on the calling thread, since a worker
 * costs a few hundred milliseconds to start.
 */
export interface PoolOptions {
  /** Threads to use (default: the machine's available parallelism, at most 8). */
  workers?: number;
  /** Fewer jobs than this run inline (default 64). */
  minimumJobs?: number;
}

export function defaultWorkers(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

export async function mapOnWorkers<Job, Context, Result>(
  script: URL,
  jobs: Job[],
  context: Context,
  inline: (job: Job, context: Context) => Result,
  options: PoolOptions = {},
): Promise<Result[]> {
  const workers = options.workers ?? defaultWorkers();
  if (workers <= 1 || jobs.length < (options.minimumJobs ?? 64))
    return jobs.map((job) => inline(job, context));
  const chunkSize = Math.max(1, Math.ceil(jobs.length / (workers * 4)));
  const chunks: { from: number; jobs: Job[] }[] = [];
  for (let from = 0; from < jobs.length; from += chunkSize)
    chunks.push({ from, jobs: jobs.slice(from, from + chunkSize) });
  const out = new Array<Result>(jobs.length);
  const pool = Array.from({ length: Math.min(workers, chunks.length) }, () => new Worker(script));
  try {
    let next = 0;
    await Promise.all(
      pool.map(async (worker) => {
        while (next < chunks.length) {
          const chunk = chunks[next++]!;
          const results = await request<Result>(worker, { jobs: chunk.jobs, context });
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
}

function request<Result>(worker: Worker, message: unknown): Promise<Result[]> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: { results?: Result[]; error?: string }) => {
      cleanup();
      if (reply.error !== undefined) reject(new Error(`worker failed: ${reply.error}`));
      else resolve(reply.results!);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`worker exited with code ${code}`));
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
