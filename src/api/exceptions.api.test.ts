import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTestMaster } from '../catalog/test-fixtures.ts';
import { loadConfig } from '../core/config.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { DetectionService } from '../detect/index.ts';
import { createToken } from '../govern/index.ts';
import { type App, buildServer } from './server.ts';

let db: Awaited<ReturnType<typeof openTestDatabase>>;
let app: App;
let base: string;
let admin: string;
let viewer: string;
let detection: DetectionService;

async function call(method: string, path: string, token?: string, body?: string) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/x-ndjson' } : {}),
    },
    body,
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

const ndjson = (events: Record<string, unknown>[]) => events.map((e) => JSON.stringify(e)).join('\n');

beforeAll(async () => {
  db = await openTestDatabase();
  await loadTestMaster(db);
  admin = (await createToken(db, 'admin', 'admin', 'test')).token;
  viewer = (await createToken(db, 'viewer', 'viewer', 'test')).token;
  detection = await DetectionService.start(db, { clock: 'events' });
  app = await buildServer({ db, config: loadConfig({}), version: 'test', detection });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

describe('exceptions over HTTP', () => {
  it('shows an exception raised by ingested events, with its evidence, to a viewer; only a runner may sweep', async () => {
    const events = [
      {
        event_id: 'x-count',
        type: 'cycle_count',
        occurred_at: '2026-03-02T06:00:00Z',
        source: 'store_ops',
        sku: 'TEE-1',
        location: 'S1',
        counted_qty: 20,
      },
      ...Array.from({ length: 5 }, (_, i) => ({
        event_id: `x-sale-${i}`,
        type: 'sale',
        occurred_at: `2026-03-02T1${i}:00:00Z`,
        source: 'pos',
        sku: 'TEE-1',
        location: 'S1',
        channel: 'store',
        qty: 1,
      })),
      {
        event_id: 'x-glitch',
        type: 'sale',
        occurred_at: '2026-03-02T16:00:00Z',
        source: 'pos',
        sku: 'TEE-1',
        location: 'S1',
        channel: 'store',
        qty: 3000,
      },
    ];
    expect((await call('POST', '/v1/events', admin, ndjson(events))).status).toBe(200);
    expect((await call('POST', '/v1/detect/sweep', viewer)).status).toBe(403);
    const sweep = await call('POST', '/v1/detect/sweep', admin);
    expect(sweep.status).toBe(200);

    const list = await call('GET', '/v1/exceptions?type=data_glitch&status=open', viewer);
    expect(list.status).toBe(200);
    expect(list.json.items).toHaveLength(1);
    const [item] = list.json.items;
    expect(item).toMatchObject({
      type: 'data_glitch',
      sku: 'TEE-1',
      location: 'S1',
      status: 'open',
      root_cause: 'data_synchronisation',
    });
    expect(item.id).toMatch(/^exc_/);
    expect(item.confidence).toBeGreaterThan(0.9);
    expect(item.priority).toBeGreaterThanOrEqual(0);

    const one = await call('GET', `/v1/exceptions/${item.id}`, viewer);
    expect(one.json.evidence.events[0]).toMatchObject({ event_id: 'x-glitch', qty: 3000 });
    expect(one.json.explanation).toContain('3000');
    expect(one.json.actions.map((a: { kind: string }) => a.kind)).toContain('count_task');
  });

  it('rejects an unknown filter value and an unknown id with problem details, and needs a token', async () => {
    const bad = await call('GET', '/v1/exceptions?type=gremlins', admin);
    expect(bad.status).toBe(400);
    expect(bad.json.detail).toContain('gremlins');
    const missing = await call('GET', '/v1/exceptions/exc_nope', admin);
    expect(missing.status).toBe(404);
    expect(missing.json.code).toBe('exception_not_found');
    expect((await call('GET', '/v1/exceptions')).status).toBe(401);
  });

  it('sees a batch ingested by another writer on its next catch-up, without counting it twice', async () => {
    await call(
      'POST',
      '/v1/events',
      admin,
      ndjson([
        {
          event_id: 'y-sale',
          type: 'sale',
          occurred_at: '2026-03-03T10:00:00Z',
          source: 'pos',
          sku: 'COAT-1',
          location: 'S2',
          channel: 'store',
          qty: 5000,
        },
      ]),
    );
    await detection.catchUp();
    await detection.catchUp();
    const list = await call('GET', '/v1/exceptions?type=data_glitch', admin);
    expect(list.json.items.map((e: { location: string }) => e.location).sort()).toEqual(['S1', 'S2']);
  });

  it('plans a count of a steady seller gone silent, for a viewer, and checks its query', async () => {
    const day = (d: number, hour: number) =>
      new Date(Date.parse('2026-03-02T00:00:00Z') + d * 86_400_000 + hour * 3_600_000).toISOString();
    const events: Record<string, unknown>[] = [
      {
        event_id: 'cp-count',
        type: 'cycle_count',
        occurred_at: day(0, 11),
        source: 'store_ops',
        sku: 'COAT-1',
        location: 'S1',
        counted_qty: 200,
      },
    ];
    for (let d = 0; d < 20; d++)
      for (const hour of [15, 17, 19, 21])
        events.push({
          event_id: `cp-sale-${d}-${hour}`,
          type: 'sale',
          occurred_at: day(d, hour),
          source: 'pos',
          sku: 'COAT-1',
          location: 'S1',
          channel: 'store',
          qty: 1,
        });
    // The store's till goes on with another SKU (a silent till would explain the silence).
    for (let d = 0; d < 23; d++)
      events.push({
        event_id: `cp-tee-${d}`,
        type: 'sale',
        occurred_at: day(d, 16),
        source: 'pos',
        sku: 'TEE-1',
        location: 'S1',
        channel: 'store',
        qty: 1,
      });
    expect((await call('POST', '/v1/events', admin, ndjson(events))).status).toBe(200);
    const plan = await call('GET', '/v1/count-plan?per_location=3', viewer);
    expect(plan.status).toBe(200);
    expect(plan.json.per_location).toBe(3);
    expect(plan.json.tasks[0]).toMatchObject({
      location: 'S1',
      sku: 'COAT-1',
      count_id: 'CP-20260324-S1-COAT-1',
    });
    expect(plan.json.tasks[0].days_without_sale).toBeGreaterThan(1.5);
    expect(plan.json.tasks[0].probability_empty).toBeGreaterThan(0);
    const other = await call('GET', '/v1/count-plan?location=S2', viewer);
    expect(other.json.tasks.every((t: { location: string }) => t.location === 'S2')).toBe(true);
    const bad = await call('GET', '/v1/count-plan?per_location=0', viewer);
    expect(bad.status).toBe(400);
    expect(bad.json.detail).toContain('per_location');
    expect((await call('GET', '/v1/count-plan')).status).toBe(401);
    // A service started afresh on the same log replays it in event time and plans the same.
    const restarted = await DetectionService.start(db, { clock: 'events' });
    expect(new Date(restarted.now()).toISOString()).toBe('2026-03-24T16:00:00.000Z');
    const again = restarted.engine.countPlan({ perLocation: 3, now: restarted.now() });
    expect(again[0]).toMatchObject({ location: 'S1', sku: 'COAT-1', count_id: 'CP-20260324-S1-COAT-1' });
  });
});
