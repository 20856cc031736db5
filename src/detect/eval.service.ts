import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importMaster } from '../catalog/index.ts';
import { InvexError } from '../core/errors.ts';
import { type Database, migrate, openDatabase } from '../db/index.ts';
import { ingestRecords } from '../ingest/index.ts';
import type { Scenario } from '../twin/index.ts';
import { DetectionService } from './detect.service.ts';
import { type EvalReport, GRACE_HOURS, scoreDetections } from './eval.ts';
import type { DetectorConfigInput } from './settings.ts';
import { type DetectionPipeline, memoryPipeline, playTwinInto } from './twin-run.ts';

/**
 * Runs a twin scenario through a fresh invex and scores what it raised. `database`
 * (the default) is the product path: a new embedded database, the master imported, each
 * hour's arrivals ingested, the detection service following the log and sweeping every
 * few simulated hours. `memory` feeds the engine directly (the same validation and
 * idempotency, no database): for tuning and tests.
 */
export async function evaluateDetection(
  scenario: Scenario,
  seed: number,
  options: {
    mode?: 'database' | 'memory';
    config?: DetectorConfigInput;
    databaseUrl?: string | undefined;
    onDay?: (day: number) => void;
    /** Stores follow invex's count plan for part of their counts (default); false: all random. */
    countPlan?: boolean;
  } = {},
): Promise<EvalReport> {
  const started = performance.now();
  const startAt = Date.parse(`${scenario.start}T00:00:00Z`);
  let cleanup: () => Promise<void> = async () => {};
  const pipelineFor = async (records: Record<string, unknown>[]): Promise<DetectionPipeline> => {
    if (options.mode === 'memory') return memoryPipeline(records, options.config ?? {}, startAt);
    const dir = mkdtempSync(join(tmpdir(), 'invex-eval-'));
    const db = await openDatabase({ url: options.databaseUrl, dataDir: dir, command: 'invex eval detect' });
    cleanup = async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    };
    await migrate(db);
    if (options.databaseUrl) await emptyForEval(db);
    await importMaster(db, records);
    let service: DetectionService | undefined;
    let clock = startAt;
    const ready = async () => {
      service ??= await DetectionService.start(db, { config: options.config ?? {}, clock: () => clock });
      return service;
    };
    return {
      async deliver(bodies, now) {
        clock = now;
        await ingestRecords(
          db,
          bodies.map((value, i) => ({ position: i + 1, value })),
          { origin: 'eval' },
        );
        await (await ready()).catchUp(now);
      },
      async sweep(now) {
        clock = now;
        await (await ready()).sweep(now);
      },
      async countPlan(now, perLocation) {
        return (await ready()).engine.countPlan({ perLocation, now });
      },
      async exceptions() {
        const { rows } = await db.query<{
          id: string;
          type: string;
          sku: string | null;
          location: string | null;
          category: string | null;
          opened_at: Date;
          confidence: number;
        }>('select id, type, sku, location, category, opened_at, confidence from exceptions');
        return rows.map((r) => ({
          id: r.id,
          type: r.type as never,
          sku: r.sku,
          location: r.location,
          category: r.category,
          raisedAt: new Date(r.opened_at).getTime(),
          confidence: Number(r.confidence),
        }));
      },
    };
  };
  try {
    // The network trades on through the grace period, so faults started near the end can show.
    const run = await playTwinInto(scenario, seed, pipelineFor, {
      onDay: options.onDay,
      countPlan: options.countPlan ?? true,
      playOnDays: Math.ceil(GRACE_HOURS / 24),
    });
    const exceptions = await run.pipeline.exceptions();
    return scoreDetections(exceptions, run.labels, {
      scenario: scenario.name,
      seed,
      days: run.days,
      cells: run.cells,
      events: run.events,
      runEnd: run.runEnd,
      seconds: (performance.now() - started) / 1000,
      categoryOf: run.categoryOf,
      dailySales: run.dailySales,
      counts: run.counts,
    });
  } finally {
    await cleanup();
  }
}

/**
 * On PostgreSQL the evaluation needs a database of its own: it refuses one that holds
 * anything but a previous evaluation's data, rather than mixing its twin into real stock.
 */
async function emptyForEval(db: Database): Promise<void> {
  const { rows } = await db.query<{ n: number }>(
    `select (select count(*) from events) + (select count(*) from skus) as n`,
  );
  if (Number(rows[0]?.n ?? 0) > 0) {
    throw new InvexError(
      'conflict',
      'database_not_empty',
      'invex eval detect needs an empty database (it loads a twin into it); point DATABASE_URL at a scratch database or unset it to use a temporary embedded one',
    );
  }
}
