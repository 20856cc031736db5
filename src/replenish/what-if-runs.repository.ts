import { newId } from '../core/ids.ts';
import { type Queryable, utcText } from '../db/index.ts';
import type { Scenario } from '../twin/index.ts';
import type { WhatIfReport } from './what-if.ts';

export type WhatIfRunStatus = 'queued' | 'running' | 'done' | 'failed';

/** What a run was asked to do: the full scenario (what-ifs included), so a rerun is the same run. */
export interface WhatIfRequest {
  scenario: Scenario;
  seed: number;
  policy: 'invex' | 'baseline';
}

export interface WhatIfRun {
  id: string;
  status: WhatIfRunStatus;
  scenario: string;
  request: WhatIfRequest;
  requested_by: string;
  report: WhatIfReport | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

const COLUMNS = `id, status, scenario, request, requested_by, report, error, ${utcText('created_at')} as created_at,
  ${utcText('started_at')} as started_at, ${utcText('finished_at')} as finished_at`;

export async function insertWhatIfRun(
  db: Queryable,
  request: WhatIfRequest,
  requestedBy: string,
): Promise<WhatIfRun> {
  const { rows } = await db.query<WhatIfRun>(
    `insert into what_if_runs (id, status, scenario, request, requested_by)
     values ($1, 'queued', $2, $3::jsonb, $4) returning ${COLUMNS}`,
    [newId('wif'), request.scenario.name, JSON.stringify(request), requestedBy],
  );
  return rows[0]!;
}

export async function countQueuedWhatIfRuns(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `select count(*)::int as n from what_if_runs where status in ('queued', 'running')`,
  );
  return rows[0]!.n;
}

/** Takes the oldest queued run and marks it running; null when none waits. Safe with several servers. */
export async function claimWhatIfRun(db: Queryable): Promise<WhatIfRun | null> {
  const { rows } = await db.query<WhatIfRun>(
    `update what_if_runs set status = 'running', started_at = now()
     where id = (select id from what_if_runs where status = 'queued' order by id limit 1 for update skip locked)
     returning ${COLUMNS}`,
  );
  return rows[0] ?? null;
}

export async function finishWhatIfRun(db: Queryable, id: string, report: WhatIfReport): Promise<void> {
  await db.query(
    `update what_if_runs set status = 'done', report = $2::jsonb, finished_at = now() where id = $1`,
    [id, JSON.stringify(report)],
  );
}

export async function failWhatIfRun(db: Queryable, id: string, error: string): Promise<void> {
  await db.query(`update what_if_runs set status = 'failed', error = $2, finished_at = now() where id = $1`, [
    id,
    error.slice(0, 4000),
  ]);
}

/** Runs left running by a process that stopped go back to the queue. */
export async function requeueInterruptedWhatIfRuns(db: Queryable): Promise<number> {
  const result = await db.query(
    `update what_if_runs set status = 'queued', started_at = null where status = 'running'`,
  );
  return result.rowCount ?? 0;
}

export async function getWhatIfRun(db: Queryable, id: string): Promise<WhatIfRun | null> {
  const { rows } = await db.query<WhatIfRun>(`select ${COLUMNS} from what_if_runs where id = $1`, [id]);
  return rows[0] ?? null;
}

/** Newest first, without reports (they can be large); `before` pages by id. */
export async function listWhatIfRuns(
  db: Queryable,
  options: { limit: number; before?: string; status?: WhatIfRunStatus },
): Promise<Omit<WhatIfRun, 'report'>[]> {
  const params: unknown[] = [options.limit];
  const where: string[] = [];
  if (options.before) {
    params.push(options.before);
    where.push(`id < $${params.length}`);
  }
  if (options.status) {
    params.push(options.status);
    where.push(`status = $${params.length}`);
  }
  const { rows } = await db.query<WhatIfRun>(
    `select ${COLUMNS.replace('report, ', '')} from what_if_runs ${where.length ? `where ${where.join(' and ')}` : ''}
     order by id desc limit $1`,
    params,
  );
  return rows;
}
