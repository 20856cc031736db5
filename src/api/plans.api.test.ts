import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { createToken } from '../govern/index.ts';
import { AS_OF, loadPlanNetwork } from '../plan/plan.test-support.ts';
import { listenForTests, type TestServer } from './api.test-support.ts';

let db: Awaited<ReturnType<typeof openTestDatabase>>;
let server: TestServer;
let planner: string;
let viewer: string;
let integrator: string;

const call = (method: string, path: string, token?: string, body?: unknown) =>
  server.call(method, path, token, body);

beforeAll(async () => {
  db = await openTestDatabase();
  await loadPlanNetwork(db);
  planner = (await createToken(db, 'planner', 'planner', 'test')).token;
  viewer = (await createToken(db, 'viewer', 'viewer', 'test')).token;
  integrator = (await createToken(db, 'feed', 'integrator', 'test')).token;
  server = await listenForTests({ db, config: loadConfig({}), version: 'test' });
});
afterAll(async () => {
  await server?.close();
  await db?.close();
});

const tees = { skus: ['TEE-1'], regions: ['east'] };

describe('plans over HTTP', () => {
  it('answers a transfers plan to a viewer; a pin recorded by a planner changes it and is priced', async () => {
    const before = await call('POST', '/v1/plans/transfers', viewer, { scope: tees, as_of: AS_OF });
    expect(before.status).toBe(200);
    expect(before.json).toMatchObject({ plan: 'transfers', as_of: AS_OF, horizon_days: 14 });
    const tee = before.json.recommendations.find((r: { sku: string }) => r.sku === 'TEE-1');
    expect(tee.transfers[0]).toMatchObject({ from: 'P2', to: 'P1' });
    expect(tee.transfers[0].forecast).toHaveProperty('model_version', null);

    const pin = await call('POST', '/v1/plan-intents', planner, {
      kind: 'pin',
      sku: 'TEE-1',
      location: 'P4',
      min_units: 10,
      reason: 'flagship launch',
    });
    expect(pin.status).toBe(201);
    expect(pin.json).toMatchObject({ kind: 'pin', min_units: 10, revoked_at: null });
    expect(pin.json.id).toMatch(/^intent_/);
    expect(pin.json.created_by).toMatch(/^tok_/);

    const after = await call('POST', '/v1/plans/transfers', viewer, { scope: tees, as_of: AS_OF });
    const pinned = after.json.recommendations.find((r: { sku: string }) => r.sku === 'TEE-1');
    expect(pinned.intents).toEqual([pin.json.id]);
    expect(pinned.intent_cost).toBeGreaterThan(0);
    const intoP4 = pinned.transfers
      .filter((t: { to: string }) => t.to === 'P4')
      .reduce((s: number, t: { units: number }) => s + t.units, 0);
    expect(intoP4).toBe(9);

    const listed = await call('GET', '/v1/plan-intents?sku=TEE-1', viewer);
    expect(listed.json.items.map((i: { id: string }) => i.id)).toContain(pin.json.id);
    expect((await call('DELETE', `/v1/plan-intents/${pin.json.id}`, viewer)).status).toBe(403);
    const revoked = await call('DELETE', `/v1/plan-intents/${pin.json.id}`, planner);
    expect(revoked.status).toBe(200);
    expect(revoked.json.revoked_at).not.toBeNull();
    expect((await call('DELETE', `/v1/plan-intents/${pin.json.id}`, planner)).status).toBe(409);
    expect((await call('DELETE', '/v1/plan-intents/intent_missing', planner)).status).toBe(404);
    const all = await call('GET', '/v1/plan-intents?include_revoked=true', viewer);
    expect(all.json.items.find((i: { id: string }) => i.id === pin.json.id).revoked_at).not.toBeNull();
  });

  it('answers reorder, allocation and markdown plans', async () => {
    const reorder = await call('POST', '/v1/plans/reorder', viewer, {
      scope: { skus: ['TEE-1'], locations: ['P1'] },
      as_of: AS_OF,
    });
    expect(reorder.status).toBe(200);
    expect(reorder.json.recommendations[0]).toMatchObject({ sku: 'TEE-1', location: 'P1' });
    expect(reorder.json.recommendations[0].order_qty).toBeGreaterThan(0);
    const allocate = await call('POST', '/v1/plans/allocate', viewer, {
      scope: { skus: ['COAT-1'], locations: ['P5'] },
      as_of: AS_OF,
      max_oversell_risk: 0.05,
    });
    expect(allocate.status).toBe(200);
    expect(allocate.json.recommendations[0].oversell_risk).toBeLessThanOrEqual(0.05);
    const markdown = await call('POST', '/v1/plans/markdown', viewer, {
      scope: { skus: ['COAT-1'], locations: ['P2'] },
      as_of: AS_OF,
      season_end: '2026-03-25',
    });
    expect(markdown.status).toBe(200);
    expect(markdown.json.recommendations[0]).toMatchObject({ sku: 'COAT-1', recommended: true });
  });

  it('needs a token, the right permission, and well-formed input', async () => {
    expect((await call('POST', '/v1/plans/reorder', undefined, {})).status).toBe(401);
    expect((await call('GET', '/v1/plan-intents', undefined)).status).toBe(401);
    // An integrator feeds events; it does not read plans.
    const denied = await call('POST', '/v1/plans/transfers', integrator, { scope: tees });
    expect(denied.status).toBe(403);
    expect(denied.json.code).toBe('permission_denied');
    expect(
      (await call('POST', '/v1/plan-intents', viewer, { kind: 'freeze', sku: 'TEE-1', reason: 'x' })).status,
    ).toBe(403);

    const bad = await call('POST', '/v1/plans/reorder', viewer, { horizon_days: 500, scope: { skus: [] } });
    expect(bad.status).toBe(400);
    const fields = bad.json.errors.map((e: { field: string }) => e.field).join(' ');
    expect(fields).toContain('horizon_days');
    expect(fields).toContain('skus');
    const unknown = await call('POST', '/v1/plans/allocate', viewer, {
      max_oversell_risk: 0.02,
      colour: 'red',
    });
    expect(unknown.status).toBe(400);
    const noSeason = await call('POST', '/v1/plans/markdown', viewer, { scope: tees });
    expect(noSeason.status).toBe(400);
    expect(JSON.stringify(noSeason.json.errors)).toContain('season_end');
    const badIntent = await call('POST', '/v1/plan-intents', planner, {
      kind: 'cap',
      from_location: 'P1',
      to_location: 'P1',
      max_units: 5,
      reason: 'x',
    });
    expect(badIntent.status).toBe(400);
    const unknownSku = await call('POST', '/v1/plan-intents', planner, {
      kind: 'pin',
      sku: 'NOPE',
      location: 'P1',
      min_units: 5,
      reason: 'x',
    });
    expect(unknownSku.status).toBe(404);
    expect(unknownSku.json.code).toBe('sku_not_found');
  });
});
