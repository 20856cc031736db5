import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTestMaster } from '../catalog/test-fixtures.ts';
import { loadConfig } from '../core/config.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { createToken } from '../govern/index.ts';
import { ingestRecords } from '../ingest/index.ts';
import { listenForTests, type TestServer } from './api.test-support.ts';

let db: Awaited<ReturnType<typeof openTestDatabase>>;
let server: TestServer;
let planner: string;
let viewer: string;
let integrator: string;
const DAY0 = Date.parse('2025-09-01T00:00:00Z');
const day = (i: number) => new Date(DAY0 + i * 86_400_000).toISOString().slice(0, 10);

const call = (method: string, path: string, token?: string, body?: unknown) =>
  server.call(method, path, token, body);

beforeAll(async () => {
  db = await openTestDatabase();
  await loadTestMaster(db);
  planner = (await createToken(db, 'planner', 'planner', 'test')).token;
  viewer = (await createToken(db, 'viewer', 'viewer', 'test')).token;
  integrator = (await createToken(db, 'integrator', 'integrator', 'test')).token;
  const records = [];
  for (let i = 0; i < 70; i++)
    for (const [sku, location, base] of [
      ['TEE-1', 'S1', 9],
      ['COAT-1', 'S2', 4],
    ] as const)
      records.push({
        event_id: `api-${sku}-${location}-${i}`,
        type: 'sale',
        occurred_at: `${day(i)}T15:00:00Z`,
        source: 'pos',
        sku,
        location,
        qty: base + ((i * 7) % 5),
      });
  const result = await ingestRecords(
    db,
    records.map((value, i) => ({ position: i + 1, value })),
    { origin: 'test' },
  );
  expect(result.accepted).toBe(records.length);
  server = await listenForTests({ db, config: loadConfig({}), version: 'test' });
}, 60_000);
afterAll(async () => {
  await server?.close();
  await db?.close();
});

describe('forecasts over HTTP', () => {
  it('needs a token, and the permission each route names', async () => {
    expect((await call('GET', '/v1/forecast-models')).status).toBe(401);
    expect((await call('GET', '/v1/forecast-models', viewer)).status).toBe(200);
    const denied = await call('POST', '/v1/forecast-models/default/fit', viewer, {});
    expect(denied.status).toBe(403);
    expect(denied.json.detail).toContain('forecast:write');
    expect((await call('POST', '/v1/forecast-versions/default@1/promote', integrator, {})).status).toBe(403);
    expect((await call('POST', '/v1/demand-annotations', viewer, {})).status).toBe(403);
    expect((await call('DELETE', '/v1/demand-annotations/ann_x', viewer)).status).toBe(403);
  });

  it('fits, lists, promotes, serves and rolls back a model', async () => {
    const fit = await call('POST', '/v1/forecast-models/api/fit', planner, {
      from: day(0),
      to: day(59),
      horizon: 7,
      windows: 1,
      methods: ['moving_average', 'seasonal_naive'],
    });
    expect(fit.status).toBe(201);
    expect(fit.json).toMatchObject({ model: 'api', version: 1, status: 'candidate', series_count: 2 });
    expect(fit.json.created_by).toMatch(/^tok_/);
    expect(fit.json.metrics.overall.wape).toBeGreaterThan(0);

    const versions = await call('GET', '/v1/forecast-models/api/versions', viewer);
    expect(versions.json.items.map((v: { id: string }) => v.id)).toEqual([fit.json.id]);
    expect((await call('GET', '/v1/forecast-models/nope/versions', viewer)).status).toBe(404);

    expect((await call('GET', '/v1/forecasts?sku=TEE-1&location=S1', viewer)).status).toBe(404);
    const promoted = await call('POST', `/v1/forecast-versions/${fit.json.id}/promote`, planner, {
      reason: 'first',
    });
    expect(promoted.status).toBe(200);
    expect(promoted.json.status).toBe('active');
    const models = await call('GET', '/v1/forecast-models', viewer);
    expect(models.json.items[0]).toMatchObject({
      name: 'api',
      active_version: { id: fit.json.id, version: 1 },
    });

    const forecast = await call('GET', '/v1/forecasts?sku=TEE-1&location=S1&channel=store', viewer);
    expect(forecast.status).toBe(200);
    expect(forecast.json.items[0]).toMatchObject({ model: 'api', model_version: fit.json.id, grain: 'day' });
    expect(forecast.json.items[0].periods[0]).toBe(day(60));

    const rollback = await call('POST', '/v1/forecast-models/api/rollback', planner, {});
    expect(rollback.status).toBe(409);
    expect(rollback.json.code).toBe('forecast_no_previous_version');
    const unknown = await call('POST', '/v1/forecast-versions/api@7/promote', planner, {});
    expect(unknown.status).toBe(404);
    expect(unknown.json.code).toBe('forecast_version_not_found');
    const mismatch = await call('POST', `/v1/forecast-versions/${fit.json.id}/promote`, planner, {
      model: 'other',
    });
    expect(mismatch.json.code).toBe('forecast_version_model_mismatch');

    const v2 = await call('POST', '/v1/forecast-models/api/fit', planner, { from: day(0), to: day(69) });
    expect(v2.json.version).toBe(2);
    expect(
      (await call('POST', '/v1/forecast-versions/api@2/promote', planner, { model: 'api' })).status,
    ).toBe(200);
    const back = await call('POST', '/v1/forecast-models/api/rollback', planner, { reason: 'v2 worse' });
    expect(back.status).toBe(200);
    expect(back.json).toMatchObject({ id: fit.json.id, status: 'active' });

    const drift = await call('POST', '/v1/forecast-drift', planner, { model: 'api', as_of: day(69) });
    expect(drift.status).toBe(200);
    expect(drift.json.items[0]).toMatchObject({
      model: 'api',
      model_version: fit.json.id,
      periods_elapsed: 7,
    });
  }, 120_000);

  it('refuses bad fits with problem details', async () => {
    const bad = await call('POST', '/v1/forecast-models/api/fit', planner, { horizon: 0 });
    expect(bad.status).toBe(400);
    const badName = await call('POST', '/v1/forecast-models/Bad%20Name/fit', planner, {});
    expect(badName.status).toBe(400);
    const extra = await call('POST', '/v1/forecast-models/api/fit', planner, { colour: 'red' });
    expect(extra.status).toBe(400);
    const empty = await call('POST', '/v1/forecast-models/empty/fit', planner, {
      scope: { skus: ['MED-1'] },
    });
    expect(empty.status).toBe(400);
    expect(empty.json.code).toBe('forecast_history_empty');
    const date = await call('POST', '/v1/forecast-models/api/fit', planner, {
      from: '2025-02-30',
      to: day(3),
    });
    expect(date.status).toBe(400);
  });

  it('adds, lists and removes demand annotations, keeping removed ones for the audit', async () => {
    const added = await call('POST', '/v1/demand-annotations', planner, {
      sku: 'TEE-1',
      location: 'S1',
      from: day(10),
      to: day(12),
      kind: 'exclude',
      reason: 'till fault',
    });
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({ kind: 'exclude', from: day(10), to: day(12), revoked_at: null });
    expect((await call('GET', '/v1/demand-annotations?sku=TEE-1', viewer)).json.items).toHaveLength(1);
    const removed = await call('DELETE', `/v1/demand-annotations/${added.json.id}`, planner);
    expect(removed.status).toBe(200);
    expect(removed.json.revoked_at).not.toBeNull();
    expect((await call('GET', '/v1/demand-annotations', viewer)).json.items).toHaveLength(0);
    expect((await call('GET', '/v1/demand-annotations?revoked=true', viewer)).json.items).toHaveLength(1);
    expect((await call('DELETE', '/v1/demand-annotations/ann_missing', planner)).status).toBe(404);
    const bad = await call('POST', '/v1/demand-annotations', planner, {
      from: day(3),
      to: day(1),
      reason: 'x',
    });
    expect(bad.status).toBe(400);
  });

  it('describes the routes in the OpenAPI document', async () => {
    const doc = await call('GET', '/docs/json', viewer);
    for (const path of [
      '/v1/forecast-models',
      '/v1/forecast-models/{name}/versions',
      '/v1/forecast-models/{name}/fit',
      '/v1/forecast-versions/{id}/promote',
      '/v1/forecast-models/{name}/rollback',
      '/v1/forecasts',
      '/v1/demand-annotations',
      '/v1/demand-annotations/{id}',
    ])
      expect(doc.json.paths[path], path).toBeDefined();
  });
});
