import { Worker } from 'node:worker_threads';
import { InvexError } from '../core/errors.ts';
import type { Queryable } from '../db/index.ts';
import type { WhatIfReport } from './what-if.ts';
import {
  claimWhatIfRun,
  countQueuedWhatIfRuns,
  failWhatIfRun,
  finishWhatIfRun,
  insertWhatIfRun,
  requeueInterruptedWhatIfRuns,
  type WhatIfRequest,
  type WhatIfRun,
} from './what-if-runs.repository.ts';

/** Runs waiting or running at once; more are turned away until some finish. */
export const MAX_QUEUED_WHAT_IFS = 20;

export interface WhatIfRunnerOptions {
  maxQueued?: number;
  /** Called when a run ends, done or failed (tests wait on it; a server may log it). */
  onSettled?: (id: string, outcome: 'done' | 'failed') => void;
}

/**
 * What-ifs asked for over the API, run one at a time on a worker thread (a twin run is
 * CPU-bound for seconds to minutes: it must not hold up requests or ingestion). The queue
 * is the database table, so a run survives a restart: `start` queues again what a stopped
 * process left running, and the twin being deterministic, the rerun gives the same report.
 */
export class WhatIfRunner {
  private active: Promise<void> | null = null;
  private worker: Worker | null = null;
  private closed = false;
  private readonly maxQueued: number;

  constructor(
    private readonly db: Queryable,
    private readonly options: WhatIfRunnerOptions = {},
  ) {
    this.maxQueued = options.maxQueued ?? MAX_QUEUED_WHAT_IFS;
  }

  /** Requeues interrupted runs and starts on the queue. */
  async start(): Promise<void> {
    await requeueInterruptedWhatIfRuns(this.db);
    this.kick();
  }

  async submit(request: WhatIfRequest, requestedBy: string): Promise<WhatIfRun> {
    if (this.closed) throw new InvexError('unavailable', 'what_if_queue_full', 'the server is shutting down');
    const waiting = await countQueuedWhatIfRuns(this.db);
    if (waiting >= this.maxQueued)
      throw new InvexError(
        'unavailable',
        'what_if_queue_full',
        `${waiting} what-ifs are queued or running (at most ${this.maxQueued}); try again when some have finished`,
        { waiting },
      );
    const run = await insertWhatIfRun(this.db, request, requestedBy);
    this.kick();
    return run;
  }

  /** Stops taking runs; a run in progress goes back to the queue for the next start. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (worker) await worker.terminate();
    await this.active?.catch(() => {});
  }

  private kick(): void {
    if (this.active || this.closed) return;
    this.active = this.drain().finally(() => {
      this.active = null;
    });
  }

  private async drain(): Promise<void> {
    while (!this.closed) {
      const run = await claimWhatIfRun(this.db);
      if (!run) return;
      try {
        const report = await this.execute(run.request);
        await finishWhatIfRun(this.db, run.id, report);
        this.options.onSettled?.(run.id, 'done');
      } catch (error) {
        // Stopped mid-run: leave it running; the next start queues it again.
        if (this.closed) return;
        await failWhatIfRun(this.db, run.id, (error as Error).message);
        this.options.onSettled?.(run.id, 'failed');
      }
    }
  }

  private execute(request: WhatIfRequest): Promise<WhatIfReport> {
    const worker = new Worker(new URL('./what-if.worker.mjs', import.meta.url));
    this.worker = worker;
    return new Promise<WhatIfReport>((resolve, reject) => {
      worker.once('message', (reply: { report?: WhatIfReport; error?: string }) => {
        if (reply.report) resolve(reply.report);
        else reject(new Error(reply.error ?? 'the what-if worker answered nothing'));
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the what-if worker stopped (exit code ${code})`)));
      worker.postMessage({ request });
    }).finally(() => {
      this.worker = null;
      void worker.terminate();
    });
  }
}
