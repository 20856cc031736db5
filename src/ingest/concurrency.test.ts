import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importMaster } from '../catalog/index.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { clearEventData, snapshotProjection } from '../ledger/projection.test-support.ts';
import { scenarioSchema, twinEvents, twinMaster } from '../twin/index.ts';
import { ingestRecords } from './index.ts';

const scenario = scenarioSchema.parse({
  name: 'concurrency',
  start: '2026-03-02',
  days: 20,
  network: { stores: 6, dcs: 1, skus: 60 },
  reporting: { resend_share: 0.05 },
});
const stream = [...twinEvents(scenario, 5, 12_000)];
const distinct = new Set(stream.map((e) => e.event_id)).size;
const records = (list: unknown[]) => list.map((value, i) => ({ position: i + 1, value }));

let db: Awaited<ReturnType<typeof openTestDatabase>>;
beforeAll(async () => {
  db = await openTestDatabase();
  await importMaster(db, twinMaster(scenario, 5));
});
afterAll(async () => db?.close());

describe('concurrent ingestion', () => {
  // Guards idempotency under concurrency: feeds delivering the same events at the same
  // time (a retried request racing its original, two consumers of one topic) must apply
  // each event once and leave the same picture as one feed would.
  it('applies each event once when the same events arrive on several connections at once', async () => {
    await ingestRecords(db, records(stream), { origin: 'reference', batchSize: 1000 });
    const reference = await snapshotProjection(db);
    await clearEventData(db);

    const reversed = [...stream].reverse();
    const results = await Promise.all([
      ingestRecords(db, records(stream), { origin: 'feed-a', batchSize: 700 }),
      ingestRecords(db, records(reversed), { origin: 'feed-b', batchSize: 900 }),
      ingestRecords(db, records(stream.slice(3000, 9000)), { origin: 'feed-c', batchSize: 500 }),
    ]);
    const accepted = results.reduce((sum, r) => sum + r.accepted, 0);
    expect(accepted).toBe(distinct);
    for (const result of results) expect(result.conflicts + result.rejected).toBe(0);
    expect(await snapshotProjection(db)).toEqual(reference);
  });
});
