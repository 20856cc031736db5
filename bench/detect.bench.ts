/**
 * Streaming detection latency: how long from posting the event that proves an exception
 * to seeing that exception through the API, on a running server (embedded database, or
 * PostgreSQL with BENCH_DATABASE_URL pointing at a server where the bench may create a
 * scratch database), beside a reference measured in the same run: the ingest round trip
 * alone (POST /v1/events until its response).
 *
 *   npm run bench:detect -- [--events 200]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { buildServer } from '../src/api/index.ts';
import { importMaster } from '../src/catalog/index.ts';
import { loadConfig } from '../src/core/config.ts';
import { migrate, openDatabase } from '../src/db/index.ts';
import { DetectionService } from '../src/detect/index.ts';
import { createToken } from '../src/govern/index.ts';
import { ingestRecords } from '../src/ingest/index.ts';
import { loadScenario, twinEvents, twinMaster } from '../src/twin/index.ts';

const { values } = parseArgs({ options: { events: { type: 'string' } } });
const n = Number(values.events ?? 200);
const scenario = { ...loadScenario('quiet'), days: 14 };
const master = twinMaster(scenario, 1);
const stores = master.filter((r) => r.kind === 'store').map((r) => String(r.location));
// Regulated SKUs' sales must name a lot; the glitches are posted on the others.
const skus = master.filter((r) => 'sku' in r && r.regulated !== true).map((r) => String(r.sku));

async function run(label: string, url: string | undefined) {
  const dir = mkdtempSync(join(tmpdir(), 'invex-detect-bench-'));
  const db = await openDatabase({ url, dataDir: dir, command: 'bench:detect' });
  try {
    await migrate(db);
    await importMaster(db, master);
    const history = [...twinEvents(scenario, 1)];
    for (let i = 0; i < history.length; i += 10_000) {
      await ingestRecords(
        db,
        history.slice(i, i + 10_000).map((value, j) => ({ position: j + 1, value })),
        { origin: 'bench' },
      );
    }
    const detection = await DetectionService.start(db, { clock: 'events' });
    await detection.sweep();
    const token = (await createToken(db, 'bench', 'admin', 'bench')).token;
    const app = await buildServer({ db, config: loadConfig({}), version: 'bench', detection });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const headers = { authorization: `Bearer ${token}` };
    const last = Date.parse(String(history.at(-1)?.occurred_at ?? `${scenario.start}T00:00:00Z`));
    const visible: number[] = [];
    const ingest: number[] = [];
    for (let i = 0; i < n; i++) {
      const sku = skus[i % skus.length]!;
      const location = stores[Math.floor(i / skus.length) % stores.length]!;
      const body = JSON.stringify({
        event_id: `bench-glitch-${i}`,
        type: 'sale',
        source: 'pos',
        sku,
        location,
        channel: 'store',
        qty: 5000,
        occurred_at: new Date(last + (i + 1) * 1000).toISOString(),
      });
      const t0 = performance.now();
      const response = await fetch(`${base}/v1/events`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/x-ndjson' },
        body,
      });
      const answer = await response.text();
      const t1 = performance.now();
      for (;;) {
        const r = await fetch(
          `${base}/v1/exceptions?type=data_glitch&sku=${sku}&location=${location}&status=open&limit=1`,
          { headers },
        );
        const json = (await r.json()) as { items: unknown[] };
        if (json.items.length > 0) break;
        if (performance.now() - t0 > 10_000)
          throw new Error(
            `exception for ${sku}@${location} not visible after 10 s (ingest answered ${answer})`,
          );
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      visible.push(performance.now() - t0);
      ingest.push(t1 - t0);
    }
    await app.close();
    const q = (list: number[], p: number) =>
      [...list].sort((a, b) => a - b)[Math.min(list.length - 1, Math.floor(p * list.length))]!;
    return `${label.padEnd(12)} ${String(n).padStart(6)}  ${q(visible, 0.5).toFixed(1).padStart(9)} ${q(visible, 0.99).toFixed(1).padStart(9)}   ${q(ingest, 0.5).toFixed(1).padStart(9)} ${q(ingest, 0.99).toFixed(1).padStart(9)}`;
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const lines = [
  `streaming detection latency: a data glitch posted, then polled for (every 2 ms) through GET /v1/exceptions; ${scenario.network.stores} stores x ${scenario.network.skus} SKUs with ${scenario.days} days of history`,
  '',
  `${'database'.padEnd(12)} ${'events'.padStart(6)}  ${'visible p50 ms'.padStart(9)} ${'p99'.padStart(9)}   ${'ingest p50 ms'.padStart(9)} ${'p99'.padStart(9)}`,
];
lines.push(await run('PGlite', undefined));
const server = process.env.BENCH_DATABASE_URL;
if (server) {
  const name = `invex_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`create database ${name}`);
  try {
    const url = new URL(server);
    url.pathname = `/${name}`;
    lines.push(await run('PostgreSQL', url.toString()));
  } finally {
    await admin.query(`drop database ${name} with (force)`);
    await admin.end();
  }
}
lines.push('', 'reference: the ingest round trip alone (POST /v1/events until its response)');
process.stdout.write(`${lines.join('\n')}\n`);
