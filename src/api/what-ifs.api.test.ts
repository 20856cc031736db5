import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { createToken } from '../govern/index.ts';
import { WhatIfRunner } from '../replenish/index.ts';
import { listenForTests, type TestServer } from './api.test-support.ts';

let db: Awaited<ReturnType<typeof openTestDatabase>>;
let server: TestServer;
let planner: string;
let viewer: string;

const config = loadConfig({});
const small = {
  name: 'small',
  start: '2026-10-20',
  days: 30,
  network: { stores: 3, dcs: 1, skus: 30, suppliers: 2 },
  demand: { scale: 1.2, dispersion: 3, online_orders_per_dc: 30 },
};

const call = (method: string, path: string, options: { token?: string; body?: unknown } = {}) =>
  server.call(method, path, options.token, options.body);

async function settled(id: string, token: string) {
  for (let i = 0; i < 600; i++) {
    const run = await call('GET', `/v1/what-ifs/${id}`, { token });
    if (run.json.status === 'done' || run.json.status === 'failed') return run.json;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`what-if ${id} did not finish in 120 s`);
}

beforeAll(async () => {
  db = await openTestDatabase();
  planner = (await createToken(db, 'planner', 'planner', 'test')).token;
  viewer = (await createToken(db, 'viewer', 'viewer', 'test')).token;
  server = await listenForTests({ db, config, version: 'test' });
});
afterAll(async () => {
  await server?.close();
  await db?.close();
});

describe('what-ifs over the API', () => {
  it('lists the shipped scenarios', async () => {
    const res = await call('GET', '/v1/scenarios', { token: viewer });
    expect(res.status).toBe(200);
    const names = res.json.items.map((s: { name: string }) => s.name);
    expect(names).toEqual(expect.arrayContaining(['demo', 'peak-season', 'quiet']));
  });

  it('queues a what-if, runs it off the request thread, and returns the same report the CLI computes', async () => {
    const res = await call('POST', '/v1/what-ifs', {
      token: planner,
      body: {
        scenario: small,
        seed: 3,
        policy: 'baseline',
        what_if: { closures: [{ store: 'S002', day: 8, days: 2 }] },
      },
    });
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ status: 'queued', scenario: 'small', seed: 3, policy: 'baseline' });
    expect(res.location).toBe(`/v1/what-ifs/${res.json.id}`);
    const done = await settled(res.json.id, viewer);
    expect(done.status).toBe('done');
    expect(done.error).toBeNull();
    const report = done.report;
    expect(report.withWhatIf.demand_units).toBe(report.base.demand_units);
    expect(report.withWhatIf.lost_by_channel.store).toBeGreaterThan(report.base.lost_by_channel.store);
    expect(report.delta.lost_sales_units).toBe(
      Math.round((report.withWhatIf.lost_sales_units - report.base.lost_sales_units) * 100) / 100,
    );
    const { prepareWhatIf, runWhatIf } = await import('../replenish/index.ts');
    const { scenarioSchema } = await import('../twin/index.ts');
    const direct = await runWhatIf(
      prepareWhatIf(scenarioSchema.parse(small), { closures: [{ store: 'S002', day: 8, days: 2 }] }),
      3,
      { policy: 'baseline' },
    );
    expect(report.delta).toEqual(direct.delta);
    const list = await call('GET', '/v1/what-ifs?status=done', { token: viewer });
    expect(list.json.items.map((r: { id: string }) => r.id)).toContain(res.json.id);
    expect(list.json.items[0].report).toBeUndefined();
  }, 150_000);

  it('turns away bad what-ifs with specific errors', async () => {
    const post = (body: unknown) => call('POST', '/v1/what-ifs', { token: planner, body });
    const noName = await post({ scenario: 'no-such', what_if: { closures: [{ store: 'S001', day: 1 }] } });
    expect(noName.status).toBe(404);
    expect(noName.json.detail).toMatch(/no shipped scenario no-such; there are .*peak-season/);
    const late = await post({ scenario: 'quiet', what_if: { closures: [{ store: 'S001', day: 60 }] } });
    expect(late.status).toBe(400);
    expect(late.json.detail).toMatch(/what-if on day 60, but quiet runs 60 days/);
    const nothing = await post({ scenario: 'quiet', what_if: {} });
    expect(nothing.status).toBe(400);
    expect(nothing.json.detail).toMatch(/no what-if/);
    const huge = await post({ scenario: 'stress', what_if: { closures: [{ store: 'S001', day: 3 }] } });
    expect(huge.status).toBe(400);
    expect(huge.json.detail).toMatch(/store x SKU x days; a what-if runs at most 25,000,000/);
    const unknownField = await post({ scenario: 'quiet', what_if: { closures: [] }, extra: 1 });
    expect(unknownField.status).toBe(400);
    const missing = await call('GET', '/v1/what-ifs/wif_nothing', { token: viewer });
    expect(missing.status).toBe(404);
    expect(missing.json.code).toBe('what_if_run_not_found');
  });

  it('needs a token, and scenarios:run to queue one', async () => {
    expect((await call('GET', '/v1/what-ifs')).status).toBe(401);
    const denied = await call('POST', '/v1/what-ifs', {
      token: viewer,
      body: { scenario: 'quiet', what_if: { closures: [{ store: 'S001', day: 1 }] } },
    });
    expect(denied.status).toBe(403);
    expect(denied.json.detail).toMatch(/lacks permission scenarios:run/);
  });
});

describe('the what-if queue', () => {
  it('is bounded', async () => {
    const runner = new WhatIfRunner(db, { maxQueued: 0 });
    const { scenarioSchema } = await import('../twin/index.ts');
    await expect(
      runner.submit({ scenario: scenarioSchema.parse(small), seed: 1, policy: 'baseline' }, 'tok_test'),
    ).rejects.toThrow(/at most 0/);
    await runner.close();
  });

  it('runs again what a stopped process left running', async () => {
    const { scenarioSchema } = await import('../twin/index.ts');
    const scenario = scenarioSchema.parse({ ...small, what_if: { closures: [{ store: 'S001', day: 2 }] } });
    await db.query(
      `insert into what_if_runs (id, status, scenario, request, requested_by, started_at)
       values ('wif_interrupted', 'running', 'small', $1::jsonb, 'tok_test', now())`,
      [JSON.stringify({ scenario, seed: 1, policy: 'baseline' })],
    );
    const outcomes: string[] = [];
    const done = new Promise<void>((resolve) => {
      const runner = new WhatIfRunner(db, {
        onSettled: (id, outcome) => {
          outcomes.push(`${id}:${outcome}`);
          if (id === 'wif_interrupted') void runner.close().then(resolve);
        },
      });
      void runner.start();
    });
    await done;
    expect(outcomes).toContain('wif_interrupted:done');
    const { rows } = await db.query<{ status: string }>(
      `select status from what_if_runs where id = 'wif_interrupted'`,
    );
    expect(rows[0]!.status).toBe('done');
  }, 150_000);
});
