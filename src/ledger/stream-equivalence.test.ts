import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importMaster } from '../catalog/index.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { fileRecords, ingestRecords, ingestStream, type RawRecord } from '../ingest/index.ts';
import { scenarioSchema, twinEvents, twinMaster } from '../twin/index.ts';
import { rebuildProjection } from './index.ts';
import { clearEventData, snapshotProjection } from './projection.test-support.ts';

// A realistic stream from the digital twin: 100,000 events over 20 stores, a dark store
// and 2 DCs x 500 SKUs, with promotions, ship-from-store, 5% re-sent duplicates and
// system lags, in arrival order.
const scenario = scenarioSchema.parse({
  name: 'equivalence',
  start: '2026-03-02',
  days: 30,
  network: { stores: 20, dcs: 2, dark_stores: 1, skus: 500 },
  demand: { ship_from_store_orders: 4 },
  reporting: { resend_share: 0.05 },
  promotions: 5,
});
const stream = [...twinEvents(scenario, 7, 100_000)];
const distinctIds = new Set(stream.map((e) => e.event_id)).size;

/** A small seeded generator (mulberry32) so that the shuffles are the same every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let db: Awaited<ReturnType<typeof openTestDatabase>>;
let reference: unknown[];

async function ingestAll(
  events: unknown[],
  batchSizes: () => number,
): Promise<{ accepted: number; duplicates: number }> {
  let accepted = 0;
  let duplicates = 0;
  for (let start = 0; start < events.length; ) {
    const size = batchSizes();
    const batch: RawRecord[] = events
      .slice(start, start + size)
      .map((value, i) => ({ position: start + i + 1, value }));
    const result = await ingestRecords(db, batch, { origin: 'equivalence', batchSize: size });
    expect(result.rejected + result.conflicts, JSON.stringify(result.rejections.slice(0, 3))).toBe(0);
    accepted += result.accepted;
    duplicates += result.duplicates;
    start += size;
  }
  return { accepted, duplicates };
}

const file = join(mkdtempSync(join(tmpdir(), 'invex-stream-')), 'events.ndjson');

beforeAll(async () => {
  writeFileSync(file, `${stream.map((e) => JSON.stringify(e)).join('\n')}\n`);
  db = await openTestDatabase();
  await importMaster(db, twinMaster(scenario, 7));
});
afterAll(async () => {
  await db?.close();
  rmSync(dirname(file), { recursive: true, force: true });
});

describe('a 100,000-event stream', () => {
  it('ingested from an NDJSON file applies each distinct event once', async () => {
    expect(stream.length).toBe(100_000);
    const result = await ingestStream(db, fileRecords(file), { origin: 'equivalence' });
    expect(result).toMatchObject({
      accepted: distinctIds,
      duplicates: stream.length - distinctIds,
      rejected: 0,
    });
    reference = await snapshotProjection(db);
    expect((reference[0] as unknown[]).length).toBeGreaterThan(5000);
  });

  it('ingested from the same file a second time changes nothing', async () => {
    const result = await ingestStream(db, fileRecords(file), { origin: 'equivalence' });
    expect(result).toMatchObject({ accepted: 0, duplicates: stream.length, rejected: 0 });
    expect(await snapshotProjection(db)).toEqual(reference);
  });

  it('rebuilt from the log equals the incremental projection', async () => {
    const { events } = await rebuildProjection(db);
    expect(events).toBe(distinctIds);
    expect(await snapshotProjection(db)).toEqual(reference);
  });

  it('shuffled gives the identical picture', async () => {
    await clearEventData(db);
    const next = random(11);
    const shuffled = [...stream];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    await ingestAll(shuffled, () => 5000);
    expect(await snapshotProjection(db)).toEqual(reference);
  });

  it('split in random batches gives the identical picture', async () => {
    await clearEventData(db);
    const next = random(23);
    await ingestAll(stream, () => 1 + Math.floor(next() * 8000));
    expect(await snapshotProjection(db)).toEqual(reference);
  });
});
