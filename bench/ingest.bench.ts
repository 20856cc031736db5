/**
 * Ingestion throughput, end to end, against a raw COPY of the same rows into a bare table
 * in the same database and the same run: the ratio says how much of the database's bulk
 * load speed validation, idempotency, the event log, its indexes and the stock projection
 * cost.
 *
 *   npm run bench:ingest -- [--events 1000000] [--only pglite|postgres]
 *
 * Environment: BENCH_EVENTS and BENCH_ONLY (same as the flags); BENCH_DATABASE_URL, an
 * admin connection to the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres),
 * on which a throw-away database is created and dropped. Figures go to bench/out/ingest.json.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, openAsBlob, type WriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { importMaster } from '../src/catalog/index.ts';
import { type Database, migrate, openDatabase, redactUrl } from '../src/db/index.ts';
import { DEFAULT_BATCH_SIZE, fileRecords, type IngestResult, ingestStream } from '../src/ingest/index.ts';
import { scenarioSchema, twinEvents, twinMaster } from '../src/twin/index.ts';

const NETWORK = { stores: 200, dcs: 5, skus: 5000 };
const SEED = 20260302;
/**
 * The digital twin's stream: sales, online orders, transfers, receipts, returns, counts,
 * snapshots and promotions, in arrival order (system lags put events out of order), with
 * 5% re-sent duplicates. Opening counts are off: on 1,000,000 cells they would be the
 * whole first million events, and the bench is about the operational mix.
 */
const SCENARIO = scenarioSchema.parse({
  name: 'bench',
  start: '2026-03-02',
  days: 60,
  network: { ...NETWORK, dark_stores: 2, suppliers: 10 },
  demand: { scale: 0.5, ship_from_store_orders: 2 },
  reporting: { resend_share: 0.055, snapshot_every_days: 14, opening_counts: false },
  promotions: 20,
});
const STREAM = { duplicateRate: 0.05, source: 'digital twin' };
/** Records per transaction, the CLI default. */
const BATCH = DEFAULT_BATCH_SIZE;
const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const BARE_TABLE = `create table bench_copy (
  event_id text, occurred_at timestamptz, location text, sku text, type text, body jsonb)`;

type DatabaseKind = 'pglite' | 'postgres';

interface Figures {
  database: DatabaseKind;
  events: number;
  /** Open, migrate and master data import. */
  setupSeconds: number;
  /** Setup plus reading and ingesting the whole file. */
  seconds: number;
  eventsPerSecond: number;
  copyRows: number;
  copySeconds: number;
  copyRowsPerSecond: number;
  /** End-to-end events/s over COPY rows/s. */
  ratio: number;
  accepted: number;
  duplicates: number;
  conflicts: number;
  rejected: number;
}

interface Inputs {
  ndjson: string;
  /** The same events as COPY text rows: event_id, occurred_at, location, sku, type, body. */
  copy: string;
}

const log = (message: string) => process.stderr.write(`${message}\n`);
const seconds = (from: number) => (performance.now() - from) / 1000;
const number = (value: number) => Math.round(value).toLocaleString('en-US');

function options(): { events: number; only: DatabaseKind | undefined; adminUrl: string } {
  const { values } = parseArgs({
    options: { events: { type: 'string' }, only: { type: 'string' } },
  });
  const eventsText = values.events ?? process.env.BENCH_EVENTS ?? '1000000';
  const events = Number(eventsText.replaceAll('_', ''));
  if (!Number.isInteger(events) || events < 1)
    throw new Error(`--events must be a positive integer, got ${eventsText}`);
  const only = values.only ?? process.env.BENCH_ONLY;
  if (only !== undefined && only !== 'pglite' && only !== 'postgres') {
    throw new Error(`--only must be pglite or postgres, got ${only}`);
  }
  return { events, only, adminUrl: process.env.BENCH_DATABASE_URL || DEFAULT_ADMIN_URL };
}

/**
 * The twin alone, no serialisation: how fast it can feed invex. At
 * least a million events, so that start-up and JIT warm-up do not dominate small runs.
 */
const GENERATOR_EVENTS = 1_000_000;

function measureGenerator(events: number): number {
  const started = performance.now();
  let count = 0;
  for (const _ of twinEvents(SCENARIO, SEED, Math.max(events, GENERATOR_EVENTS))) count += 1;
  return count / seconds(started);
}

async function write(stream: WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

/** COPY text format: a backslash is the escape character. JSON never holds a raw tab or newline. */
const copyField = (text: string) => (text.includes('\\') ? text.replaceAll('\\', '\\\\') : text);

async function writeInputs(dir: string, events: number): Promise<Inputs> {
  const inputs = { ndjson: path.join(dir, 'events.ndjson'), copy: path.join(dir, 'events.copy') };
  const ndjson = createWriteStream(inputs.ndjson);
  const copy = createWriteStream(inputs.copy);
  let lines: string[] = [];
  let rows: string[] = [];
  const flush = async () => {
    await Promise.all([write(ndjson, lines.join('')), write(copy, rows.join(''))]);
    lines = [];
    rows = [];
  };
  for (const event of twinEvents(SCENARIO, SEED, events)) {
    const json = JSON.stringify(event);
    lines.push(`${json}\n`);
    rows.push(
      `${event.event_id}\t${event.occurred_at}\t${event.location}\t${event.sku}\t${event.type}\t${copyField(json)}\n`,
    );
    if (lines.length === 10_000) await flush();
  }
  await flush();
  ndjson.end();
  copy.end();
  await Promise.all([once(ndjson, 'finish'), once(copy, 'finish')]);
  return inputs;
}

/** Reads and ingests the file as `invex ingest` does: streamed records, one transaction per batch. */
async function ingestFile(db: Database, file: string, total: number, label: string): Promise<IngestResult> {
  const started = performance.now();
  let nextReport = 100_000;
  return ingestStream(db, fileRecords(file), {
    origin: `file:${path.basename(file)}`,
    batchSize: BATCH,
    onBatch: (done) => {
      if (done.received < nextReport) return;
      log(
        `  ${label}: ${number(done.received)} / ${number(total)} events, ${number(done.received / seconds(started))}/s`,
      );
      nextReport += 100_000;
    },
  });
}

/** Open (already done by the caller), migrate, load master data, ingest the file. */
async function endToEnd(
  db: Database,
  inputs: Inputs,
  events: number,
  started: number,
): Promise<{ result: IngestResult; setupSeconds: number; seconds: number }> {
  await migrate(db);
  const imported = await importMaster(db, twinMaster(SCENARIO, SEED));
  if (imported.rejected.length > 0)
    throw new Error(`master data rejected: ${JSON.stringify(imported.rejected[0])}`);
  const setupSeconds = seconds(started);
  const result = await ingestFile(db, inputs.ndjson, events, db.kind);
  return { result, setupSeconds, seconds: seconds(started) };
}

function figures(
  database: DatabaseKind,
  run: { result: IngestResult; setupSeconds: number; seconds: number },
  copyRows: number,
  copySeconds: number,
): Figures {
  const eventsPerSecond = run.result.received / run.seconds;
  const copyRowsPerSecond = copyRows / copySeconds;
  return {
    database,
    events: run.result.received,
    setupSeconds: run.setupSeconds,
    seconds: run.seconds,
    eventsPerSecond,
    copyRows,
    copySeconds,
    copyRowsPerSecond,
    ratio: eventsPerSecond / copyRowsPerSecond,
    accepted: run.result.accepted,
    duplicates: run.result.duplicates,
    conflicts: run.result.conflicts,
    rejected: run.result.rejected,
  };
}

async function benchPglite(inputs: Inputs, events: number): Promise<Figures> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'invex-bench-pglite-'));
  try {
    log('pglite: ingesting');
    const started = performance.now();
    // Started here rather than by openDatabase so the COPY reference can use PGlite's own
    // `/dev/blob` COPY on the same database: pg-copy-streams over its pg adapter crashes it.
    const pglite = new PGlite(path.join(dir, 'pgdata'));
    await pglite.waitReady;
    const db = await openDatabase({ pglite });
    const run = await endToEnd(db, inputs, events, started);
    await db.close();

    log('pglite: COPY reference');
    await pglite.exec(BARE_TABLE);
    const copyStarted = performance.now();
    await pglite.query(`copy bench_copy from '/dev/blob'`, [], { blob: await openAsBlob(inputs.copy) });
    const copySeconds = seconds(copyStarted);
    const { rows } = await pglite.query<{ n: number }>('select count(*)::int as n from bench_copy');
    await pglite.close();
    return figures('pglite', run, rows[0]!.n, copySeconds);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function benchPostgres(inputs: Inputs, events: number, adminUrl: string): Promise<Figures | undefined> {
  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
  } catch (error) {
    log(
      `postgres: skipped, cannot connect to ${redactUrl(adminUrl)} (${(error as Error).message}); set BENCH_DATABASE_URL`,
    );
    return undefined;
  }
  const name = `invex_bench_${randomBytes(4).toString('hex')}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    await admin.query(`create database ${name}`);
    log(`postgres: ingesting into ${name}`);
    const started = performance.now();
    const db = await openDatabase({ url: url.toString() });
    const run = await endToEnd(db, inputs, events, started);
    await db.close();

    log('postgres: COPY reference');
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      await client.query(BARE_TABLE);
      const copyStarted = performance.now();
      await pipeline(createReadStream(inputs.copy), client.query(copyFrom('copy bench_copy from stdin')));
      const copySeconds = seconds(copyStarted);
      const { rows } = await client.query<{ n: number }>('select count(*)::int as n from bench_copy');
      return figures('postgres', run, rows[0]!.n, copySeconds);
    } finally {
      await client.end();
    }
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`).catch((error: Error) => {
      log(`postgres: could not drop ${name}: ${error.message}`);
    });
    await admin.end();
  }
}

function printTable(results: Figures[]): void {
  const header = [
    'database',
    'events',
    'setup s',
    'seconds',
    'events/s end-to-end',
    'COPY rows/s',
    'end-to-end/COPY',
    'accepted',
    'duplicates',
    'dup %',
    'rejected',
  ];
  const rows = results.map((r) => [
    r.database,
    number(r.events),
    r.setupSeconds.toFixed(1),
    r.seconds.toFixed(1),
    number(r.eventsPerSecond),
    number(r.copyRowsPerSecond),
    r.ratio.toFixed(3),
    number(r.accepted),
    number(r.duplicates),
    ((100 * r.duplicates) / r.events).toFixed(2),
    number(r.rejected + r.conflicts),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

async function main(): Promise<void> {
  const { events, only, adminUrl } = options();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'invex-bench-'));
  try {
    log(`generator: ${number(events)} events over ${NETWORK.stores} stores x ${NETWORK.skus} SKUs`);
    const generatorRate = measureGenerator(events);
    const writeStarted = performance.now();
    const inputs = await writeInputs(dir, events);
    const writeSeconds = seconds(writeStarted);
    const bytes = (await stat(inputs.ndjson)).size;
    log(
      `generator: ${number(generatorRate)} events/s alone; generated and wrote ${(bytes / 1e6).toFixed(0)} MB of NDJSON (and the COPY file) in ${writeSeconds.toFixed(1)} s`,
    );

    const results: Figures[] = [];
    if (only !== 'postgres') results.push(await benchPglite(inputs, events));
    if (only !== 'pglite') {
      const postgres = await benchPostgres(inputs, events, adminUrl);
      if (postgres) results.push(postgres);
    }

    console.log(
      `\ninvex ingest: ${number(events)} events (the digital twin's mix, ${STREAM.duplicateRate * 100}% duplicates, in arrival order), ${NETWORK.stores} stores x ${NETWORK.skus} SKUs, batches of ${BATCH}\n`,
    );
    printTable(results);
    console.log(
      `\ngenerator alone: ${number(generatorRate)} events/s over ${number(Math.max(events, GENERATOR_EVENTS))} events`,
    );

    const out = path.join(import.meta.dirname, 'out');
    await mkdir(out, { recursive: true });
    await writeFile(
      path.join(out, 'ingest.json'),
      `${JSON.stringify(
        {
          at: new Date().toISOString(),
          node: process.version,
          cpus: os.cpus().length,
          cpu: os.cpus()[0]?.model,
          stream: { ...STREAM, events, batch: BATCH, ndjsonBytes: bytes },
          generator: { events: Math.max(events, GENERATOR_EVENTS), eventsPerSecond: generatorRate },
          results,
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
