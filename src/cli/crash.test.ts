import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/index.ts';
import { snapshotProjection } from '../ledger/projection.test-support.ts';
import { scenarioSchema, twinEvents, twinMaster } from '../twin/index.ts';

const BIN = resolve(import.meta.dirname, '../../bin/invex.js');
const dir = mkdtempSync(join(tmpdir(), 'invex-crash-'));
const { DATABASE_URL: _ignored, ...env } = process.env;
const scenario = scenarioSchema.parse({
  name: 'crash',
  start: '2026-03-02',
  days: 30,
  network: { stores: 20, dcs: 2, skus: 500 },
});

function invex(data: string, args: string[], killAfterMs?: number): Promise<number | null> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, '--data', data, ...args], { env, stdio: 'ignore' });
    const timer =
      killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      done(code);
    });
  });
}

async function projectionOf(data: string): Promise<unknown[]> {
  const db = await openDatabase({ dataDir: data, command: 'crash test' });
  try {
    return await snapshotProjection(db);
  } finally {
    await db.close();
  }
}

async function eventCount(data: string): Promise<number> {
  const db = await openDatabase({ dataDir: data, command: 'crash test' });
  try {
    const { rows } = await db.query<{ n: number }>('select count(*)::int8 as n from events');
    return rows[0]?.n ?? 0;
  } finally {
    await db.close();
  }
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('an ingest killed mid-file', () => {
  // Guards "nothing valid is lost or counted twice" across a crash: each batch is one
  // transaction, so a kill -9 leaves whole batches; running the same file again applies
  // exactly what is missing. The embedded database must also reopen after the kill.
  it('resumes by running the same file again, to the picture of an uninterrupted run', async () => {
    writeFileSync(join(dir, 'master.json'), JSON.stringify(twinMaster(scenario, 9)));
    const events = [...twinEvents(scenario, 9, 60_000)];
    writeFileSync(join(dir, 'events.ndjson'), `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);

    const clean = join(dir, 'clean');
    expect(await invex(clean, ['master', 'import', join(dir, 'master.json')])).toBe(0);
    const started = performance.now();
    expect(await invex(clean, ['ingest', '--batch', '2000', join(dir, 'events.ndjson')])).toBe(0);
    // Half the uninterrupted run's time lands mid-file, however fast this machine is.
    const killAfter = (performance.now() - started) / 2;

    // The kill must land mid-file: some batches committed, some not. How long the process
    // takes to open its database varies with the machine's load, so a kill that found
    // nothing committed is tried again later, one that found the file done sooner.
    const unique = new Set(events.map((e) => e.event_id)).size;
    let crashed = '';
    let applied = 0;
    let delay = killAfter;
    for (let attempt = 0; attempt < 6; attempt++) {
      crashed = join(dir, `crashed-${attempt}`);
      expect(await invex(crashed, ['master', 'import', join(dir, 'master.json')])).toBe(0);
      const code = await invex(crashed, ['ingest', '--batch', '2000', join(dir, 'events.ndjson')], delay);
      applied = await eventCount(crashed);
      if (code !== 0 && applied > 0 && applied < unique) break;
      delay *= applied === 0 ? 1.5 : 0.6;
    }
    expect(applied).toBeGreaterThan(0);
    expect(applied).toBeLessThan(unique);
    expect(await invex(crashed, ['ingest', join(dir, 'events.ndjson')])).toBe(0);

    expect(await projectionOf(crashed)).toEqual(await projectionOf(clean));
  }, 480_000);
});
