import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isInvexError } from '../core/errors.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { spanDemand } from './demand.ts';
import { forecastsFor } from './forecasts.ts';
import { distanceKm } from './lanes.ts';
import { channelKey, parsePlanRequest } from './plan.model.ts';
import {
  allocatePlan,
  createIntent,
  findIntents,
  markdownPlan,
  type PlanDeps,
  reorderPlan,
  revokeIntent,
  transfersPlan,
} from './plan.service.ts';
import { AS_OF, loadPlanNetwork, PLACES } from './plan.test-support.ts';

let db: Awaited<ReturnType<typeof openTestDatabase>>;
let deps: PlanDeps;

beforeAll(async () => {
  db = await openTestDatabase();
  await loadPlanNetwork(db);
  deps = { db, config: { atpBuffers: { store: 0, ecommerce: 0, marketplace: 2 } }, solverWorkers: 1 };
});
afterAll(async () => db?.close());

const east = { regions: ['east'] };
const tees = { skus: ['TEE-1'], regions: ['east'] };

/** P(D >= k) for k = 0..n of a negative binomial (size r; Infinity = Poisson), by the pmf recursion. */
function survival(mean: number, r: number, n: number): number[] {
  const poisson = !Number.isFinite(r);
  const q = poisson ? 0 : mean / (r + mean);
  let pmf = poisson ? Math.exp(-mean) : (1 - q) ** r;
  const cdf: number[] = [];
  let total = 0;
  for (let k = 0; k <= n; k++) {
    cdf.push(total);
    total += pmf;
    pmf *= poisson ? mean / (k + 1) : ((k + r) / (k + 1)) * q;
  }
  return cdf.map((below) => 1 - below);
}

/** The smallest k with P(D <= k) >= level for the count matched to a mean and variance. */
function quantile(mean: number, variance: number, level: number): number {
  const r = variance > mean ? (mean * mean) / (variance - mean) : Number.POSITIVE_INFINITY;
  const s = survival(mean, r, Math.ceil(mean * 10 + 100));
  let k = 0;
  while (1 - s[k + 1]! < level) k++;
  return k;
}

describe('transfers plan', () => {
  it('moves T-shirts from the overstocked store nearest the selling-out one, as many as pay for themselves', async () => {
    const plan = await transfersPlan(deps, parsePlanRequest('transfers', { scope: tees, as_of: AS_OF }));
    const tee = plan.recommendations.find((r) => r.sku === 'TEE-1')!;
    expect(tee.transfers).toHaveLength(1);
    const [move] = tee.transfers;
    expect(move).toMatchObject({ from: 'P2', to: 'P1', lead_time_days: 1 });
    expect(move!.forecast.model_version).toBeNull();

    // By hand: P1 holds 5 and sells about 5 a day. The transfer lands after a day, so it
    // meets the demand of days 2..14 with nothing left on the shelf; P2 holds 200 against
    // 14. The k-th unit moved earns margin x P(D1 >= k) and loses margin x P(D2 >= 201 - k)
    // at P2, for a freight of 0.10 + 0.002 a km; units move while that is positive.
    const f = await forecastsFor(
      db,
      [
        { sku: 'TEE-1', location: 'P1', channel: 'store' },
        { sku: 'TEE-1', location: 'P2', channel: 'store' },
      ],
      14,
      { asOf: AS_OF, historyDays: 182 },
    );
    const p1 = spanDemand([f.forecasts.get(channelKey('TEE-1', 'P1', 'store'))!]);
    const p2 = spanDemand([f.forecasts.get(channelKey('TEE-1', 'P2', 'store'))!]);
    expect(p1.mean).toBeCloseTo(70, 0);
    const arrival = p1.mean - p1.mean / 14;
    const gain = survival(arrival, p1.dispersion, 300);
    const loss = survival(p2.mean, p2.dispersion, 300);
    const unitCost = 0.1 + 0.002 * distanceKm(PLACES.P2, PLACES.P1);
    let units = 0;
    while (12 * gain[units + 1]! - 12 * loss[200 - units]! > unitCost) units++;
    expect(units).toBeGreaterThan(70);
    expect(move!.units).toBe(units);
    expect(move!.benefit).toBeGreaterThan(0);
    expect(move!.why).toContain('P1');
    expect(tee.intent_cost).toBe(0);
  });

  it('a pin at a flagship brings it to its minimum, and the plan says what the pin costs', async () => {
    const pin = await createIntent(
      db,
      { kind: 'pin', sku: 'TEE-1', location: 'P4', min_units: 30, reason: 'flagship launch' },
      'tok_planner',
    );
    try {
      const plan = await transfersPlan(deps, parsePlanRequest('transfers', { scope: tees, as_of: AS_OF }));
      const tee = plan.recommendations.find((r) => r.sku === 'TEE-1')!;
      const intoP4 = tee.transfers.filter((t) => t.to === 'P4').reduce((s, t) => s + t.units, 0);
      // P4 holds 1 and sells nothing: without the pin it gets nothing.
      expect(intoP4).toBe(29);
      expect(tee.intents).toEqual([pin.id]);
      expect(tee.pins_short).toEqual([]);
      // At least the shipment (20) and the freight of 29 units: the units earn nothing there.
      expect(tee.intent_cost).toBeGreaterThan(20 + 29 * 0.1);
    } finally {
      await revokeIntent(db, pin.id, 'tok_planner');
    }
    const after = await transfersPlan(deps, parsePlanRequest('transfers', { scope: tees, as_of: AS_OF }));
    const tee = after.recommendations.find((r) => r.sku === 'TEE-1')!;
    expect(tee.transfers.some((t) => t.to === 'P4')).toBe(false);
    expect(tee.intents).toEqual([]);
  });

  it('a frozen location neither sends nor receives; the plan turns to the next store and prices the freeze', async () => {
    const freeze = await createIntent(
      db,
      { kind: 'freeze', location: 'P2', reason: 'stocktake', starts_on: '2026-02-20', ends_on: '2026-03-01' },
      'tok_planner',
    );
    try {
      const plan = await transfersPlan(deps, parsePlanRequest('transfers', { scope: tees, as_of: AS_OF }));
      const tee = plan.recommendations.find((r) => r.sku === 'TEE-1')!;
      expect(tee.transfers.length).toBeGreaterThan(0);
      for (const t of tee.transfers) {
        expect(t.from).not.toBe('P2');
        expect(t.to).not.toBe('P2');
      }
      expect(tee.transfers[0]).toMatchObject({ from: 'P3', to: 'P1' });
      expect(tee.intents).toEqual([freeze.id]);
      // P3 is a little further than P2: the freeze costs a little freight, never a gain.
      expect(tee.intent_cost).toBeGreaterThanOrEqual(0);
      expect(tee.intent_cost).toBeLessThan(5);
    } finally {
      await revokeIntent(db, freeze.id, 'tok_planner');
    }
  });

  it('an intent whose period has passed is not in force', async () => {
    const old = await createIntent(
      db,
      { kind: 'freeze', sku: 'TEE-1', reason: 'last year', starts_on: '2025-01-01', ends_on: '2025-01-31' },
      'tok_planner',
    );
    const plan = await transfersPlan(deps, parsePlanRequest('transfers', { scope: tees, as_of: AS_OF }));
    expect(plan.recommendations.find((r) => r.sku === 'TEE-1')!.intents).toEqual([]);
    await revokeIntent(db, old.id, 'tok_planner');
  });

  it('a lane cap holds the units on that lane and the rest come another way or not at all', async () => {
    const cap = await createIntent(
      db,
      {
        kind: 'cap',
        from_location: 'P2',
        to_location: 'P1',
        max_units: 10,
        sku: 'TEE-1',
        reason: 'van space',
      },
      'tok_planner',
    );
    try {
      const plan = await transfersPlan(deps, parsePlanRequest('transfers', { scope: tees, as_of: AS_OF }));
      const tee = plan.recommendations.find((r) => r.sku === 'TEE-1')!;
      const lane = tee.transfers.find((t) => t.from === 'P2' && t.to === 'P1');
      expect(lane?.units ?? 0).toBeLessThanOrEqual(10);
      expect(tee.intents).toEqual([cap.id]);
      expect(tee.intent_cost).not.toBeNull();
    } finally {
      await revokeIntent(db, cap.id, 'tok_planner');
    }
  });
});

describe('planner intents', () => {
  it('keeps who wanted what and when; revoking keeps the row and a second revoke is a conflict', async () => {
    const pin = await createIntent(
      db,
      { kind: 'pin', sku: 'COAT-1', location: 'P1', min_units: 5, reason: 'window display' },
      'tok_alice',
    );
    expect(pin).toMatchObject({ kind: 'pin', created_by: 'tok_alice', revoked_at: null, min_units: 5 });
    expect((await findIntents(db, { sku: 'COAT-1', limit: 10 })).map((i) => i.id)).toContain(pin.id);
    const revoked = await revokeIntent(db, pin.id, 'tok_bob');
    expect(revoked.revoked_by).toBe('tok_bob');
    expect(revoked.revoked_at).not.toBeNull();
    expect((await findIntents(db, { sku: 'COAT-1', limit: 10 })).map((i) => i.id)).not.toContain(pin.id);
    expect(
      (await findIntents(db, { sku: 'COAT-1', includeRevoked: true, limit: 10 })).map((i) => i.id),
    ).toContain(pin.id);
    await expect(revokeIntent(db, pin.id, 'tok_bob')).rejects.toMatchObject({
      code: 'intent_already_revoked',
    });
    await expect(revokeIntent(db, 'intent_nope', 'tok_bob')).rejects.toMatchObject({
      code: 'intent_not_found',
    });
  });

  it('refuses an intent naming an unknown SKU or location, or a malformed one, saying which field', async () => {
    await expect(
      createIntent(db, { kind: 'pin', sku: 'NOPE', location: 'P1', min_units: 1, reason: 'x' }, 't'),
    ).rejects.toMatchObject({ code: 'sku_not_found' });
    await expect(
      createIntent(
        db,
        { kind: 'cap', from_location: 'P1', to_location: 'ZZ', max_units: 1, reason: 'x' },
        't',
      ),
    ).rejects.toMatchObject({ code: 'location_not_found' });
    const bad = await createIntent(db, { kind: 'freeze', reason: 'x' }, 't').catch((e) => e);
    expect(isInvexError(bad) && bad.code).toBe('intent_invalid');
    expect(bad.message).toContain('sku');
    const reversed = await createIntent(
      db,
      { kind: 'freeze', sku: 'TEE-1', reason: 'x', starts_on: '2026-03-02', ends_on: '2026-03-01' },
      't',
    ).catch((e) => e);
    expect(reversed.message).toContain('ends_on');
  });
});

describe('reorder plan', () => {
  it("sets the reorder point at the segment's service quantile of forecast demand over lead time plus review", async () => {
    const plan = await reorderPlan(
      deps,
      parsePlanRequest('reorder', { scope: { skus: ['TEE-1'], locations: ['P1'] }, as_of: AS_OF }),
    );
    expect(plan.recommendations).toHaveLength(1);
    const rec = plan.recommendations[0]!;
    // The forecast of a store selling 5 a day every day.
    expect(rec.daily_demand).toBeCloseTo(5, 1);
    // No purchase orders here: the store default of 2 days, fixed.
    expect(rec.lead_time).toMatchObject({ days: 2, sd: 0, source: 'default' });
    // By hand: demand over L + R days has mean d (L + R) and variance (L + R) var_d.
    const days = rec.lead_time.days + rec.segment.review_days;
    const s = quantile(rec.daily_demand * days, rec.daily_variance * days, rec.segment.service_level);
    expect(rec.reorder_point).toBe(s);
    expect(rec.segment.segment).toBe('AX');
    // Position 5 is below s: order up to S; the T-shirt has no case, so units.
    expect(rec.position).toMatchObject({ sellable: 5, on_order: 0, position: 5 });
    expect(rec.order_qty).toBe(rec.order_up_to - 5);
    expect(rec.order_value).toBe(rec.order_qty * 3);
    expect(rec.forecast).toMatchObject({ model_version: null });
    expect(rec.why).toContain(`reorder point is ${s}`);
  });

  it('orders coats in whole cases of 12', async () => {
    const plan = await reorderPlan(
      deps,
      parsePlanRequest('reorder', {
        scope: { skus: ['COAT-1'], locations: ['P5'] },
        as_of: AS_OF,
        review_days: 7,
      }),
    );
    const rec = plan.recommendations[0]!;
    expect(rec.pack_size).toBe(12);
    expect(rec.order_qty % 12).toBe(0);
    expect(rec.segment.review_days).toBe(7);
  });

  it('refuses a scope over the cell limit with a specific error', async () => {
    const error = await reorderPlan(
      { ...deps, maxCells: 2 },
      parsePlanRequest('reorder', { scope: east }),
    ).catch((e) => e);
    expect(error).toMatchObject({ code: 'plan_scope_too_large', category: 'invalid_input' });
    expect(error.message).toMatch(/covers \d+ SKU x location cells, more than the 2/);
  });
});

describe('markdown plan', () => {
  it('marks down coats that will outlast a season ending in four weeks, and says what it earns', async () => {
    const plan = await markdownPlan(
      deps,
      parsePlanRequest('markdown', {
        scope: { skus: ['COAT-1'], locations: ['P2'] },
        as_of: AS_OF,
        season_end: '2026-03-25',
      }),
    );
    expect(plan.recommendations).toHaveLength(1);
    const rec = plan.recommendations[0]!;
    expect(rec).toMatchObject({
      sku: 'COAT-1',
      location: 'P2',
      on_hand: 150,
      days_to_season_end: 28,
      recommended: true,
    });
    expect(rec.weeks_of_cover).toBeGreaterThan(20);
    expect(rec.discount).toBeGreaterThan(0);
    const full = rec.steps.find((s) => s.discount === 0)!;
    expect(rec.expected_sell_through).toBeGreaterThan(full.expected_sell_through);
    expect(rec.revenue_gain).toBeCloseTo(rec.expected_revenue - full.expected_revenue, 6);
    expect(rec.revenue_gain).toBeGreaterThan(0);
    expect(rec.markdown_price).toBeCloseTo(120 * (1 - rec.discount), 6);
  });

  it('refuses a season end before the plan date', async () => {
    await expect(
      markdownPlan(
        deps,
        parsePlanRequest('markdown', { scope: east, as_of: AS_OF, season_end: '2026-01-01' }),
      ),
    ).rejects.toMatchObject({ code: 'plan_option_invalid' });
  });
});

describe('allocation plan', () => {
  it('promises no more than keeps the oversell risk under the limit when the record is in doubt', async () => {
    await db.query(
      `insert into record_confidence (location, sku, confidence, probability_empty, updated_at)
       values ('P5', 'COAT-1', 0.9, 0.01, now())`,
    );
    for (const limit of [0.01, 0.02, 0.05]) {
      const plan = await allocatePlan(
        deps,
        parsePlanRequest('allocate', {
          scope: { skus: ['COAT-1'], locations: ['P5'] },
          as_of: AS_OF,
          max_oversell_risk: limit,
        }),
      );
      const rec = plan.recommendations[0]!;
      expect(rec.record_confidence).toBe(0.9);
      expect(rec.on_hand_record).toBe(100);
      // Uniform record error: P(T < q) = (1 - c) q / n, so q = floor(limit x n / (1 - c)).
      expect(rec.promisable).toBe(Math.floor((limit * 100) / 0.1 + 1e-9));
      expect(rec.oversell_risk).toBeLessThanOrEqual(limit + 1e-12);
      const promised = rec.channels.reduce((s, c) => s + c.promise, 0);
      expect(promised).toBeLessThanOrEqual(rec.promisable);
      expect(rec.channels.map((c) => c.channel)).toEqual(['store', 'ecommerce', 'marketplace']);
      // The ledger would let the store channel promise all 100.
      expect(rec.held_back).toBe(100 - rec.promisable);
    }
  });
});

describe('forecasts from the model registry', () => {
  it('serves the cells the active version covers as promoted, records its version, and fits the rest', async () => {
    const { fitModel, promoteVersion } = await import('../forecast/index.ts');
    const version = await fitModel(db, {
      model: 'plans-test',
      config: { horizon: 60, windows: 1, scope: { skus: ['TEE-1'] } },
      from: '2026-01-01',
      to: '2026-02-25',
      actor: 'test',
    });
    await promoteVersion(db, version.id, 'test');
    const request = (extra: Record<string, unknown>) =>
      parsePlanRequest('reorder', {
        scope: { skus: ['TEE-1', 'COAT-1'], locations: ['P1', 'P2'] },
        as_of: AS_OF,
        forecast_model: 'plans-test',
        ...extra,
      });
    const plan = await reorderPlan(deps, request({}));
    const tee = plan.recommendations.find((r) => r.sku === 'TEE-1' && r.location === 'P1')!;
    expect(tee.forecast.model_version).toBe(version.id);
    expect(tee.daily_demand).toBeCloseTo(5, 0);
    // COAT-1 is outside the model's scope: fitted at plan time.
    const coat = plan.recommendations.find((r) => r.sku === 'COAT-1' && r.location === 'P2')!;
    expect(coat.forecast.model_version).toBeNull();
    // Asked not to use the registry, or past the version's horizon: fitted afresh.
    const fresh = await reorderPlan(deps, request({ forecast_model: null }));
    expect(fresh.recommendations.every((r) => r.forecast.model_version === null)).toBe(true);
    const late = await reorderPlan(deps, request({ as_of: '2026-04-20' }));
    expect(late.recommendations.every((r) => r.forecast.model_version === null)).toBe(true);
  });
});
