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

const timedOut = Symbol('timed out');

/**
 * Runs jobs one at a time on worker threads, each within its deadline: a job that overruns it
 * (a solver that does not return) has its worker stopped and gets `fallback(job)` instead, and
 * the jobs after it go on on a fresh worker. Results come back in order; a job that fails
 * (its worker answers `{ error }`) fails the whole map, as in mapOnWorkers.
 */
export async function mapWithDeadline<Job, Context, Result>(
  script: URL,
  jobs: Job[],
  context: Context,
  deadlineMs: (job: Job, index: number) => number,
  fallback: (job: Job, index: number) => Result,
  workers = defaultWorkers(),
): Promise<Result[]> {
  const out = new Array<Result>(jobs.length);
  let next = 0;
  const lane = async () => {
    let worker: Worker | null = null;
    try {
      while (next < jobs.length) {
        const index = next++;
        const job = jobs[index]!;
        worker ??= new Worker(script);
        const answer = request<Result>(worker, { jobs: [job], context });
        // Once stopped, the worker's exit rejects the request nobody waits for any more.
        answer.catch(() => {});
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<typeof timedOut>((resolve) => {
          timer = setTimeout(() => resolve(timedOut), deadlineMs(job, index));
        });
        const reply = await Promise.race([answer, deadline]).finally(() => clearTimeout(timer));
        if (reply === timedOut) {
          await worker.terminate();
          worker = null;
          out[index] = fallback(job, index);
        } else out[index] = reply[0]!;
      }
    } catch (error) {
      next = jobs.length; // the other workers stop after their current job
      throw error;
    } finally {
      await worker?.terminate();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, jobs.length)) }, lane));
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
