import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTestMaster } from '../catalog/test-fixtures.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { listExceptions } from '../detect/index.ts';
import { ingestRecords } from '../ingest/index.ts';
import { autoForecast } from './auto.ts';
import { cutSeries, fromFirstSale } from './backtest.ts';
import {
  annotateDemand,
  checkDrift,
  fitModel,
  forecastTransitions,
  getForecast,
  prepareHistory,
  promoteVersion,
  removeAnnotation,
  rollbackModel,
} from './forecast.service.ts';
import { loadDemandHistory } from './history.repository.ts';
import { AccuracyTotals, mase, pinball, rmsse } from './metrics.ts';
import { resolveModelConfig } from './registry.ts';

/**
 * The forecasting feature end to end on a small network: 120 days of sales for two SKUs at
 * three stores, then 20 more days at S1 where demand doubles. TEE-1 and COAT-1 at S2 sell
 * exactly the same, except that TEE-1 has a four-day spike a person can annotate.
 */
let db: Awaited<ReturnType<typeof openTestDatabase>>;
const DAY0 = Date.parse('2025-09-01T00:00:00Z'); // a Monday
const day = (i: number) => new Date(DAY0 + i * 86_400_000).toISOString().slice(0, 10);
const FIT_TO = day(119);
const SPIKE = [112, 113, 114, 115];
const actor = 'tok_test';

function demand(seed: number, days: number, base: number): number[] {
  let state = seed;
  const weekday = [1.3, 0.8, 0.8, 0.9, 1.0, 1.4, 1.6];
  return Array.from({ length: days }, (_, i) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    const u = state / 2147483648;
    return Math.round(base * weekday[i % 7]! * (0.6 + 0.8 * u));
  });
}

beforeAll(async () => {
  db = await openTestDatabase();
  await loadTestMaster(db);
  const records: Record<string, unknown>[] = [];
  const add = (sku: string, location: string, ys: number[], from = 0, factor = 1) =>
    ys.forEach((q, i) => {
      const qty = Math.round(q * factor);
      if (qty > 0)
        records.push({
          event_id: `f-${sku}-${location}-${from + i}`,
          type: 'sale',
          occurred_at: `${day(from + i)}T15:00:00Z`,
          source: 'pos',
          sku,
          location,
          qty,
        });
    });
  // S1: demand doubles after day 119.
  const s1tee = demand(11, 140, 10);
  add('TEE-1', 'S1', s1tee.slice(0, 120));
  add('TEE-1', 'S1', s1tee.slice(120), 120, 2);
  const s1coat = demand(12, 140, 6);
  add('COAT-1', 'S1', s1coat.slice(0, 120));
  add('COAT-1', 'S1', s1coat.slice(120), 120, 2);
  // S2: the same history twice; TEE-1 has a spike.
  const s2 = demand(21, 120, 8);
  add('COAT-1', 'S2', s2);
  add(
    'TEE-1',
    'S2',
    s2.map((q, i) => (SPIKE.includes(i) ? q + 120 : q)),
  );
  // S3: steady for 140 days.
  add('TEE-1', 'S3', demand(31, 140, 12));
  add('COAT-1', 'S3', demand(32, 140, 5));
  const result = await ingestRecords(
    db,
    records.map((value, i) => ({ position: i + 1, value })),
    { origin: 'test' },
  );
  expect(result.accepted).toBe(records.length);
}, 60_000);
afterAll(async () => db?.close());

describe('forecast registry', () => {
  it('fits a model into a candidate version whose recorded backtest metrics equal a recomputation', async () => {
    const v = await fitModel(db, {
      model: 'metrics',
      config: { horizon: 14, windows: 2, methods: ['seasonal_level', 'moving_average', 'naive'] },
      from: day(0),
      to: FIT_TO,
      actor,
    });
    expect(v).toMatchObject({ model: 'metrics', version: 1, status: 'candidate', grain: 'day', horizon: 14 });
    expect(v.series_count).toBe(6);
    expect(v.forecast_start).toBe(day(120));
    expect(v.data_to).toBe(FIT_TO);
    expect(v.selection.length).toBeGreaterThan(0);
    expect(v.fit_seconds).toBeGreaterThan(0);

    // Recompute independently: cut the history at each origin, forecast, score with metrics.ts.
    const prepared = await prepareHistory(db, v.config, { from: day(0), to: FIT_TO });
    const totals = new AccuracyTotals();
    let maseSum = 0;
    let rmsseSum = 0;
    let forecasts = 0;
    const pinballs = { '0.1': 0, '0.5': 0, '0.9': 0 } as Record<string, number>;
    for (const w of [1, 2]) {
      const cut = w * 14;
      const result = await autoForecast(cutSeries(prepared.inputs, cut, 14), prepared.options);
      result.forecasts.forEach((f, i) => {
        const y = prepared.inputs[i]!.y as ArrayLike<number>;
        const n = y.length - cut;
        const actual = Array.from({ length: 14 }, (_, j) => y[n + j]!);
        const history = fromFirstSale(Array.prototype.slice.call(y, 0, n));
        const q = (level: number) => f.quantiles.find((x) => x.level === level)!.values;
        totals.add(actual, f.mean, q(0.1), q(0.9));
        maseSum += mase(actual, f.mean, history);
        rmsseSum += rmsse(actual, f.mean, history);
        for (const level of [0.1, 0.5, 0.9])
          pinballs[String(level)]! += pinball(actual, q(level), level) * 14;
        forecasts++;
      });
    }
    const m = v.metrics.overall;
    expect(m.forecasts).toBe(forecasts);
    expect(m.points).toBe(totals.points);
    expect(m.wape!).toBeCloseTo(totals.wape, 5);
    expect(m.bias!).toBeCloseTo(totals.bias, 5);
    expect(m.coverage!).toBeCloseTo(totals.coverage, 5);
    expect(m.mase!).toBeCloseTo(maseSum / forecasts, 5);
    expect(m.rmsse!).toBeCloseTo(rmsseSum / forecasts, 5);
    for (const level of ['0.1', '0.5', '0.9'])
      expect(m.pinball[level]!).toBeCloseTo(pinballs[level]! / totals.points, 5);
    expect(m.interval).toEqual([0.1, 0.9]);
    // Per demand class the forecasts add up to the overall.
    const perClass = Object.values(v.metrics.by_class).reduce((n, c) => n + c!.forecasts, 0);
    expect(perClass).toBe(m.forecasts);
  }, 120_000);

  it('promotes, serves the active version with its id, and rolls back to the one before', async () => {
    const config = { horizon: 7, windows: 1, methods: ['moving_average', 'seasonal_naive'] as const };
    const v1 = await fitModel(db, {
      model: 'life',
      config: { ...config, methods: [...config.methods] },
      from: day(0),
      to: day(100),
      actor,
    });
    await expect(getForecast(db, { sku: 'TEE-1', location: 'S1', model: 'life' })).rejects.toMatchObject({
      code: 'forecast_not_found',
    });
    const p1 = await promoteVersion(db, v1.id, 'tok_planner');
    expect(p1).toMatchObject({ status: 'active', promoted_by: 'tok_planner' });
    const f1 = await getForecast(db, { sku: 'TEE-1', location: 'S1', channel: 'store', model: 'life' });
    expect(f1).toHaveLength(1);
    expect(f1[0]).toMatchObject({ model: 'life', model_version: v1.id, version: 1, grain: 'day' });
    expect(f1[0]!.periods[0]).toBe(day(101));
    expect(f1[0]!.mean).toHaveLength(7);
    expect(Object.keys(f1[0]!.quantiles)).toEqual(['0.1', '0.5', '0.9']);

    const v2 = await fitModel(db, { model: 'life', from: day(0), to: FIT_TO, actor });
    expect(v2).toMatchObject({ version: 2, status: 'candidate' });
    // The model keeps the configuration of its last fit.
    expect(v2.config.horizon).toBe(7);
    await promoteVersion(db, `life@2`, actor, { model: 'life' });
    expect((await getForecast(db, { sku: 'TEE-1', location: 'S1', model: 'life' }))[0]!.model_version).toBe(
      v2.id,
    );

    const back = await rollbackModel(db, 'life', actor);
    expect(back).toMatchObject({ id: v1.id, status: 'active' });
    expect((await getForecast(db, { sku: 'TEE-1', location: 'S1', model: 'life' }))[0]!.model_version).toBe(
      v1.id,
    );
    await expect(rollbackModel(db, 'life', actor)).rejects.toMatchObject({
      code: 'forecast_no_previous_version',
    });

    const history = await forecastTransitions(db, 'life');
    expect(history.map((t) => [t.action, t.version_id, t.to_status, t.previous_active])).toEqual([
      ['fit', v1.id, 'candidate', null],
      ['promote', v1.id, 'active', null],
      ['fit', v2.id, 'candidate', null],
      ['promote', v2.id, 'active', v1.id],
      ['rollback', v1.id, 'active', v2.id],
    ]);
    // Promoting v2 again is allowed (retired -> active), and then the rollback target is v1 again.
    await promoteVersion(db, v2.id, actor);
    expect((await rollbackModel(db, 'life', actor)).id).toBe(v1.id);
  }, 120_000);

  it('refuses bad requests with specific errors', async () => {
    const other = await fitModel(db, {
      model: 'other',
      config: { horizon: 7, windows: 1, methods: ['naive'], scope: { locations: ['S3'] } },
      from: day(0),
      to: day(60),
      actor,
    });
    await expect(promoteVersion(db, 'fcv_00000000000000000000000000', actor)).rejects.toMatchObject({
      code: 'forecast_version_not_found',
      category: 'not_found',
    });
    await expect(promoteVersion(db, 'life@99', actor)).rejects.toMatchObject({
      code: 'forecast_version_not_found',
    });
    await expect(promoteVersion(db, 'not a version', actor)).rejects.toMatchObject({
      code: 'request_invalid',
    });
    await expect(promoteVersion(db, other.id, actor, { model: 'life' })).rejects.toMatchObject({
      code: 'forecast_version_model_mismatch',
      category: 'conflict',
    });
    await promoteVersion(db, other.id, actor);
    await expect(promoteVersion(db, other.id, actor)).rejects.toMatchObject({ category: 'conflict' });
    await expect(rollbackModel(db, 'nope', actor)).rejects.toMatchObject({
      code: 'forecast_model_not_found',
    });
    await expect(
      fitModel(db, {
        model: 'empty',
        config: { scope: { skus: ['MED-1'] } },
        from: day(0),
        to: day(30),
        actor,
      }),
    ).rejects.toMatchObject({ code: 'forecast_history_empty' });
    await expect(fitModel(db, { model: 'empty', from: day(200), to: day(230), actor })).rejects.toMatchObject(
      { code: 'forecast_history_empty' },
    );
    await expect(fitModel(db, { model: 'Bad Name', actor })).rejects.toMatchObject({
      code: 'request_invalid',
    });
    await expect(fitModel(db, { model: 'x', config: { horizon: 0 }, actor })).rejects.toMatchObject({
      code: 'request_invalid',
    });
    await expect(fitModel(db, { model: 'x', from: '2025-02-30', to: day(10), actor })).rejects.toMatchObject({
      category: 'invalid_input',
    });
    await expect(
      fitModel(db, {
        model: 'big',
        config: { windows: 1, horizon: 7 },
        from: day(0),
        to: day(60),
        maxSeries: 3,
        actor,
      }),
    ).rejects.toMatchObject({ code: 'forecast_fit_too_large', category: 'payload_too_large' });
  }, 120_000);

  // Guards the version numbering: two fits of one model at once must not both become v1
  // (the model's advisory lock serialises the numbering and the insert).
  it('numbers concurrent fits of one model one after the other', async () => {
    const request = {
      model: 'concurrent',
      config: { horizon: 7, windows: 1, methods: ['naive' as const] },
      from: day(0),
      to: day(60),
      actor,
    };
    const versions = await Promise.all([fitModel(db, request), fitModel(db, request), fitModel(db, request)]);
    expect(versions.map((v) => v.version).sort()).toEqual([1, 2, 3]);
  }, 120_000);

  it('fits at weekly grain: whole weeks, Monday periods', async () => {
    const v = await fitModel(db, {
      model: 'weekly',
      config: { grain: 'week', horizon: 4, windows: 2 },
      from: day(0),
      to: day(117), // a Saturday: the last whole week ends on the Sunday before
      actor,
    });
    expect(v).toMatchObject({ grain: 'week', horizon: 4, series_count: 6, data_to: day(111) });
    expect(v.forecast_start).toBe(day(112));
    expect(new Date(`${v.forecast_start}T00:00:00Z`).getUTCDay()).toBe(1);
    expect(v.config.period).toBe(1);
    expect(v.metrics.overall.forecasts).toBeGreaterThan(0);
    await promoteVersion(db, v.id, actor);
    const [f] = await getForecast(db, { sku: 'TEE-1', location: 'S3', model: 'weekly' });
    expect(f!.periods).toEqual([day(112), day(119), day(126), day(133)]);
    // A week's forecast is about seven days' worth of the daily level (12 a day at S3).
    expect(f!.mean[0]!).toBeGreaterThan(40);
    expect(f!.mean[0]!).toBeLessThan(150);
  }, 120_000);
});

describe('demand annotations', () => {
  it('leaves an annotated spike out of fitting while the raw history keeps it', async () => {
    const config = {
      scope: { locations: ['S2'] },
      horizon: 14,
      windows: 1,
      methods: ['seasonal_level' as const],
    };
    const fitAndServe = async (model: string) => {
      const v = await fitModel(db, { model, config, from: day(0), to: FIT_TO, actor });
      await promoteVersion(db, v.id, actor);
      const [tee] = await getForecast(db, { sku: 'TEE-1', location: 'S2', model });
      const [coat] = await getForecast(db, { sku: 'COAT-1', location: 'S2', model });
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      return { v, tee: sum(tee!.mean), coat: sum(coat!.mean) };
    };
    const raw = await fitAndServe('spike-raw');
    // Unannotated, the spike lifts TEE-1's forecast well above its twin's.
    expect(raw.tee / raw.coat).toBeGreaterThan(1.3);

    const note = await annotateDemand(
      db,
      {
        sku: 'TEE-1',
        location: 'S2',
        from: day(SPIKE[0]!),
        to: day(SPIKE.at(-1)!),
        reason: 'school bulk order',
      },
      'tok_planner',
    );
    expect(note).toMatchObject({ kind: 'one_off', created_by: 'tok_planner', revoked_at: null });
    const annotated = await fitAndServe('spike-annotated');
    expect(annotated.v.annotated_periods).toBe(4);
    // Annotated, TEE-1 forecasts like its twin whose history never had the spike.
    expect(Math.abs(annotated.tee / annotated.coat - 1)).toBeLessThan(0.05);
    // The event log is untouched.
    const [history] = await loadDemandHistory(db, {
      from: day(112),
      to: day(115),
      skus: ['TEE-1'],
      locations: ['S2'],
    });
    expect(Math.min(...history!.y)).toBeGreaterThan(100);

    // Removing the annotation keeps the row (audit) and the next fit sees the spike again.
    const removed = await removeAnnotation(db, note.id, 'tok_planner');
    expect(removed.revoked_at).not.toBeNull();
    expect(removed.revoked_by).toBe('tok_planner');
    const again = await fitAndServe('spike-removed');
    expect(again.v.annotated_periods).toBe(0);
    expect(again.tee).toBeCloseTo(raw.tee, 6);
    await expect(removeAnnotation(db, 'ann_missing', actor)).rejects.toMatchObject({
      code: 'annotation_not_found',
    });
    await expect(
      annotateDemand(db, { from: day(1), to: day(2), reason: 'no scope' }, actor),
    ).rejects.toMatchObject({ code: 'request_invalid' });
    await expect(
      annotateDemand(db, { sku: 'TEE-1', from: day(5), to: day(2), reason: 'reversed' }, actor),
    ).rejects.toMatchObject({ code: 'request_invalid' });
  }, 120_000);
});

describe('promotions from the event log', () => {
  it('flags the promotion days of a series in its history and over the horizon', async () => {
    const promo = (id: string, from: string, to: string) => ({
      event_id: id,
      type: 'promotion',
      occurred_at: `${day(100)}T12:00:00Z`,
      source: 'erp',
      sku: 'COAT-1',
      location: 'S3',
      starts_at: from,
      ends_at: to,
      uplift: 1.5,
    });
    // S3 is in Chicago: a promotion from local midnight of day 110 to local midnight of day 113,
    // and one running over days 122-123 (beyond a window ending on day 119).
    const result = await ingestRecords(
      db,
      [
        promo('p-past', `${day(110)}T06:00:00Z`, `${day(113)}T06:00:00Z`),
        promo('p-future', `${day(122)}T15:00:00Z`, `${day(123)}T20:00:00Z`),
      ].map((value, i) => ({ position: i + 1, value })),
      { origin: 'test' },
    );
    expect(result.accepted).toBe(2);
    const config = resolveModelConfig({
      scope: { locations: ['S3'] },
      horizon: 7,
    });
    const prepared = await prepareHistory(db, config, { from: day(0), to: FIT_TO });
    const i = prepared.series.findIndex((s) => s.sku === 'COAT-1');
    const events = prepared.inputs[i]!.events!;
    expect(events.map((e) => e.name)).toEqual(['promotion']);
    const on = (xs: ArrayLike<number>) => Array.from(xs).flatMap((v, t) => (v > 0 ? [t] : []));
    expect(on(events[0]!.history)).toEqual([110, 111, 112]);
    expect(on(events[0]!.future)).toEqual([2, 3]);
    // TEE-1 at S3 has no promotion.
    expect(prepared.inputs[prepared.series.findIndex((s) => s.sku === 'TEE-1')]!.events).toBeUndefined();
  });
});

describe('forecast drift', () => {
  it('raises one forecast_drift exception when demand doubles after the window, and closes it after a refit is promoted', async () => {
    const config = { scope: { locations: ['S1'] }, horizon: 28, windows: 2 };
    const v1 = await fitModel(db, { model: 'drift', config, from: day(0), to: FIT_TO, actor });
    await promoteVersion(db, v1.id, actor);

    // Too early to judge: three days elapsed.
    const early = await checkDrift(db, { model: 'drift', asOf: day(122) });
    expect(early[0]!.assessment.drifting).toBe(false);
    expect(early[0]!.exception.action).toBe('none');

    const [report] = await checkDrift(db, { model: 'drift', asOf: day(139) });
    expect(report!.assessment.periods_elapsed).toBe(20);
    expect(report!.assessment.drifting).toBe(true);
    expect(report!.live.overall.bias!).toBeLessThan(-0.3);
    expect(report!.live.overall.tracking_signal!).toBeGreaterThan(4);
    expect(report!.exception.action).toBe('opened');
    const again = await checkDrift(db, { model: 'drift', asOf: day(139) });
    expect(again[0]!.exception).toMatchObject({ action: 'updated', id: report!.exception.id });

    const open = await listExceptions(db, { type: ['forecast_drift'], status: ['open'] }, { limit: 10 });
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({
      key: 'forecast_drift:drift',
      group: 'forecast_model:drift',
      root_cause: 'business_rule_violation',
      updates: 1,
    });
    expect(open[0]!.evidence.figures).toMatchObject({ model: 'drift', version: v1.id, periods_elapsed: 20 });
    expect(open[0]!.evidence.thresholds).toMatchObject({ wape_ratio: 1.5, tracking_limit: 4 });
    expect(open[0]!.actions.map((a) => a.kind)).toEqual([
      'refit_forecast',
      'review_forecast',
      'annotate_demand',
    ]);
    expect(open[0]!.impact.units_at_risk).toBeGreaterThan(0);

    // Refit on the new demand and promote: the exception closes, and stays closed.
    const v2 = await fitModel(db, { model: 'drift', from: day(0), to: day(139), actor });
    await promoteVersion(db, v2.id, actor);
    const closed = await listExceptions(db, { type: ['forecast_drift'] }, { limit: 10 });
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ status: 'closed' });
    expect(closed[0]!.close_reason).toContain(`version ${v2.id}`);
    const after = await checkDrift(db, { model: 'drift', asOf: day(139) });
    expect(after[0]!.exception.action).toBe('none');
  }, 180_000);

  it('does not raise drift where demand carried on as before', async () => {
    const v = await fitModel(db, {
      model: 'steady',
      config: { scope: { locations: ['S3'] }, horizon: 28, windows: 2 },
      from: day(0),
      to: day(111),
      actor,
    });
    await promoteVersion(db, v.id, actor);
    const [report] = await checkDrift(db, { model: 'steady', asOf: day(139) });
    expect(report!.assessment.periods_elapsed).toBe(28);
    expect(report!.assessment.checks[0]!.enough_data).toBe(true);
    expect(report!.assessment.drifting).toBe(false);
    expect(Math.abs(report!.live.overall.tracking_signal!)).toBeLessThan(4);
  }, 120_000);
});
