import type { Database } from '../db/index.ts';
import { DetectionEngine } from './engine.ts';
import {
  type Checkpoint,
  loadActiveExceptions,
  loadMasterRows,
  readAnomaliesAfter,
  readCheckpoint,
  readEventsAfter,
  saveExceptions,
  saveRecordConfidence,
  writeCheckpoint,
} from './exception.repository.ts';
import type { ExceptionRecord } from './exception.ts';
import { masterSnapshot } from './master.ts';
import type { DetectorConfigInput } from './settings.ts';

const PAGE = 5000;
const DAY = 86_400_000;

export interface DetectionStats {
  events: number;
  deliveries: number;
  opened: number;
  updated: number;
  closed: number;
}

/**
 * The engine at work on a database: it follows the event log from its checkpoint (so a
 * batch ingested by any process is seen), runs sweeps, and persists what changed with
 * the new checkpoint in one transaction. On start it rebuilds its state by replaying the
 * recent log silently, then carries on where it stopped.
 */
export class DetectionService {
  private constructor(
    private readonly db: Database,
    readonly engine: DetectionEngine,
    private checkpoint: Checkpoint,
    private readonly clock: () => number,
  ) {}

  private readonly savedConfidence = new Map<string, number>();
  private running: Promise<unknown> = Promise.resolve();

  static async start(
    db: Database,
    options: {
      config?: DetectorConfigInput;
      /** `wall`: the machine clock; `events`: the time the events have reached (replayed history). */
      clock?: (() => number) | 'wall' | 'events';
      replayDays?: number;
    } = {},
  ): Promise<DetectionService> {
    let engineRef: DetectionEngine | undefined;
    const clock =
      typeof options.clock === 'function'
        ? options.clock
        : options.clock === 'events'
          ? () => engineRef?.watermark ?? 0
          : Date.now;
    const master = await loadMasterRows(db);
    const engine = new DetectionEngine(
      masterSnapshot(master.skus, master.locations, clock()),
      options.config ?? {},
    );
    engineRef = engine;
    engine.load(await loadActiveExceptions(db));
    const checkpoint = await readCheckpoint(db);
    const service = new DetectionService(db, engine, checkpoint, clock);
    if (checkpoint.events > 0) await service.replay(options.replayDays ?? 35);
    return service;
  }

  /** Rebuilds detector state from the log up to the checkpoint, raising nothing. */
  private async replay(days: number): Promise<void> {
    const { rows } = await this.db.query<{ latest: Date | null }>(
      'select max(occurred_at) as latest from events',
    );
    if (!rows[0]?.latest) return;
    const from = new Date(new Date(rows[0].latest).getTime() - days * DAY).toISOString();
    this.engine.muted = true;
    try {
      let seq = 0;
      for (;;) {
        const events = await readEventsAfter(this.db, seq, PAGE, from, this.checkpoint.events);
        if (events.length === 0) break;
        seq = events.at(-1)!.seq;
        this.engine.observe(events, [], this.nowFor(events));
      }
    } finally {
      this.engine.muted = false;
    }
  }

  /** Now for a batch: in event time the clock follows the batch itself (it starts at 0). */
  private nowFor(events: { at: number }[]): number {
    const latest = events.reduce((m, e) => (e.at > m ? e.at : m), 0);
    return Math.max(this.clock(), Math.min(latest, Date.now()));
  }

  /** The service's clock: the machine's, or the events' for replayed history. */
  now(): number {
    return this.clock();
  }

  /** The count plan as of now, after catching up with the log (engine.countPlan). */
  async countPlan(options: { perLocation: number; location?: string | undefined }) {
    await this.catchUp();
    const now = this.clock();
    return { generated_at: new Date(now).toISOString(), tasks: this.engine.countPlan({ ...options, now }) };
  }

  /** Processes everything the log holds beyond the checkpoint. Calls are serialised. */
  catchUp(now?: number): Promise<DetectionStats> {
    const run = this.running.then(() => this.doCatchUp(now));
    this.running = run.catch(() => undefined);
    return run;
  }

  /** Timers and scans, then persists. Calls are serialised with catch-ups. */
  sweep(now?: number): Promise<DetectionStats> {
    const run = this.running.then(async () => {
      const stats = await this.doCatchUp(now);
      this.engine.sweep(now ?? this.clock());
      const more = await this.persist(this.checkpoint, true);
      return {
        ...stats,
        opened: stats.opened + more.opened,
        updated: stats.updated + more.updated,
        closed: stats.closed + more.closed,
      };
    });
    this.running = run.catch(() => undefined);
    return run;
  }

  private async doCatchUp(at: number | undefined): Promise<DetectionStats> {
    const stats: DetectionStats = { events: 0, deliveries: 0, opened: 0, updated: 0, closed: 0 };
    let cp = { ...this.checkpoint };
    for (;;) {
      const events = await readEventsAfter(this.db, cp.events, PAGE);
      const deliveries = await readAnomaliesAfter(this.db, cp.anomalies, PAGE);
      if (events.length === 0 && deliveries.length === 0) break;
      const now = at ?? this.nowFor(events);
      this.engine.observe(events, deliveries, now);
      stats.events += events.length;
      stats.deliveries += deliveries.length;
      cp = {
        events: events.at(-1)?.seq ?? cp.events,
        anomalies: deliveries.at(-1)?.seq ?? cp.anomalies,
      };
    }
    const saved = await this.persist(cp, false);
    return { ...stats, opened: saved.opened, updated: saved.updated, closed: saved.closed };
  }

  private async persist(cp: Checkpoint, withConfidence: boolean) {
    const changes: ExceptionRecord[] = this.engine.takeChanges();
    const confidence = withConfidence ? this.engine.confidenceChanges(this.savedConfidence) : [];
    const counts = { opened: 0, updated: 0, closed: 0 };
    for (const r of changes) {
      if (r.status === 'closed') counts.closed += 1;
      else if (r.updates === 0) counts.opened += 1;
      else counts.updated += 1;
    }
    if (
      changes.length === 0 &&
      confidence.length === 0 &&
      cp.events === this.checkpoint.events &&
      cp.anomalies === this.checkpoint.anomalies
    ) {
      return counts;
    }
    const at = new Date(this.engine.now || this.clock()).toISOString();
    await this.db.transaction(async (tx) => {
      await saveExceptions(tx, changes);
      await saveRecordConfidence(
        tx,
        confidence.map((c) => ({ ...c, updated_at: at })),
      );
      await writeCheckpoint(tx, cp);
    });
    this.checkpoint = cp;
    return counts;
  }
}
