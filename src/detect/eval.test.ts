import { describe, expect, it } from 'vitest';
import type { FaultLabel } from '../twin/index.ts';
import { scenarioSchema } from '../twin/index.ts';
import { evaluateDetection } from './eval.service.ts';
import { scoreDetections } from './eval.ts';
import { playTwinInto } from './twin-run.ts';

/** A small network with one of each fault the rule-based detectors own, early enough to play out. */
const scenario = scenarioSchema.parse({
  name: 'eval-small',
  start: '2026-03-02',
  days: 45,
  network: { stores: 6, dcs: 1, skus: 80, suppliers: 2 },
  demand: { ship_from_store_orders: 6 },
  reporting: { count_share: 0.01, snapshot_every_days: 7, resend_share: 0.01 },
  faults: [
    { type: 'data_glitch', count: 1, day: 12 },
    { type: 'transfer_lost', count: 1, day: 10 },
    { type: 'transfer_delayed', count: 1, day: 14 },
    { type: 'receiving_variance', count: 1, day: 9 },
    { type: 'late_or_missing_asn', count: 1, day: 9 },
    { type: 'return_without_disposition', count: 1, day: 15 },
    { type: 'duplicate_events', count: 1, day: 20 },
    { type: 'pos_outage', count: 1, day: 22 },
    { type: 'erp_store_mismatch', count: 1, day: 12 },
    { type: 'marketplace_oversell', count: 1, day: 18 },
  ],
});

describe('the matching rule', () => {
  const start = Date.parse('2026-04-01T08:00:00Z');
  const HOUR = 3_600_000;
  const phantom = (id: string, sku: string): FaultLabel => ({
    id,
    type: 'phantom_inventory',
    sku,
    location: 'S001',
    start: new Date(start).toISOString(),
    end: null,
    magnitude: 5,
    unit: 'units',
    cause: 'theft',
    events: [],
  });
  const raised = (id: string, sku: string, hours: number, location = 'S001') => ({
    id,
    type: 'phantom_inventory' as const,
    sku,
    location,
    category: null,
    raisedAt: start + hours * HOUR,
    confidence: 0.9,
  });
  const context = {
    scenario: 'hand',
    seed: 1,
    days: 30,
    cells: 100,
    events: 0,
    runEnd: start + 10 * 24 * HOUR,
    seconds: 0,
    categoryOf: () => 'C1',
    // SKU-FAST sells 3 a day, SKU-SLOW 0.2, SKU-MID exactly the 1-a-day line.
    dailySales: (_location: string, sku: string) =>
      ({ 'SKU-FAST': 3, 'SKU-MID': 1, 'SKU-SLOW': 0.2 })[sku] ?? null,
  };

  it('scores same type, place and window as true, anything else as false, and times fast-moving phantoms', () => {
    const report = scoreDetections(
      [
        raised('e1', 'SKU-FAST', 30),
        raised('e2', 'SKU-MID', 60),
        raised('e3', 'SKU-SLOW', 100),
        raised('e4', 'SKU-FAST', 5, 'S002'),
      ],
      [
        phantom('l1', 'SKU-FAST'),
        phantom('l2', 'SKU-MID'),
        phantom('l3', 'SKU-SLOW'),
        phantom('l4', 'SKU-GONE'),
      ],
      context,
    );
    const row = report.types.find((t) => t.type === 'phantom_inventory')!;
    expect(row).toMatchObject({ labels: 4, detected: 3, raised: 4, true_positives: 3 });
    expect(report.false_positives.map((f) => f.id)).toEqual(['e4']);
    expect(report.missed.map((m) => m.id)).toEqual(['l4']);
    // Two labels sell >= 1 a day; one of them was found within 48 hours.
    expect(report.phantom_fast_movers).toEqual({
      min_daily_units: 1,
      labels: 2,
      detected: 2,
      within_48h: 1,
      ttd_median_hours: 60,
      ttd_p90_hours: 60,
    });
  });

  it('gives a type with no labels of its own no F1 when all it raised was true, and 0 when any was false', () => {
    const oversell: FaultLabel = { ...phantom('l1', 'SKU-FAST'), type: 'marketplace_oversell' };
    const atp = (id: string, sku: string) => ({ ...raised(id, sku, 3), type: 'atp_overcommitted' as const });
    const row = (report: ReturnType<typeof scoreDetections>) =>
      report.types.find((t) => t.type === 'atp_overcommitted')!;
    // The oversell's overcommitted ATP is accepted by the oversell's label.
    expect(row(scoreDetections([atp('e1', 'SKU-FAST')], [oversell], context))).toMatchObject({
      labels: 0,
      raised: 1,
      true_positives: 1,
      f1: null,
    });
    expect(
      row(scoreDetections([atp('e1', 'SKU-FAST'), atp('e2', 'SKU-SLOW')], [oversell], context)),
    ).toMatchObject({ raised: 2, true_positives: 1, f1: 0 });
  });

  it("counts a label found by a type it also accepts in its own type's precision", () => {
    const oversell = (id: string, sku: string): FaultLabel => ({
      ...phantom(id, sku),
      type: 'marketplace_oversell',
    });
    const as = (type: 'atp_overcommitted' | 'listing_below_threshold', id: string, sku: string) => ({
      ...raised(id, sku, 3),
      type,
    });
    const row = (report: ReturnType<typeof scoreDetections>) =>
      report.types.find((t) => t.type === 'listing_below_threshold')!;
    // Both oversells found, one only as overcommitted ATP: the listing row's F1 is 1, not 0.
    const found = scoreDetections(
      [as('atp_overcommitted', 'e1', 'SKU-FAST'), as('listing_below_threshold', 'e2', 'SKU-SLOW')],
      [oversell('l1', 'SKU-FAST'), oversell('l2', 'SKU-SLOW')],
      context,
    );
    expect(row(found)).toMatchObject({
      labels: 2,
      detected: 2,
      raised: 1,
      true_positives: 1,
      precision: 1,
      f1: 1,
    });
    // Found only by the accepted type, the row still scores its find.
    const onlyAtp = scoreDetections(
      [as('atp_overcommitted', 'e1', 'SKU-FAST')],
      [oversell('l1', 'SKU-FAST')],
      context,
    );
    expect(row(onlyAtp)).toMatchObject({ raised: 0, precision: 1, recall: 1, f1: 1 });
    // A false listing exception still counts against it.
    const withFalse = scoreDetections(
      [as('atp_overcommitted', 'e1', 'SKU-FAST'), as('listing_below_threshold', 'e3', 'SKU-MID')],
      [oversell('l1', 'SKU-FAST')],
      context,
    );
    expect(row(withFalse)).toMatchObject({ raised: 1, true_positives: 0, precision: 0.5 });
  });

  it('leaves the fast-mover figure out when sales rates are unknown', () => {
    const { dailySales: _unused, ...without } = context;
    expect(scoreDetections([], [phantom('l1', 'SKU-FAST')], without).phantom_fast_movers).toBeNull();
  });

  it('leaves out a fault the twin started after the run ended, and says how many', () => {
    const late = { ...phantom('l2', 'SKU-LATE'), start: new Date(context.runEnd + HOUR).toISOString() };
    const report = scoreDetections(
      [raised('e1', 'SKU-SLOW', 10), raised('e2', 'SKU-LATE', 24 * 10 + 2)],
      [phantom('l1', 'SKU-SLOW'), late],
      context,
    );
    expect(report.labels_after_run).toBe(1);
    // The late fault's exception is left out with it: neither found nor false.
    expect(report.overall).toMatchObject({ labels: 1, detected: 1, raised: 1, precision: 1, recall: 1 });
    expect(report.false_positives).toEqual([]);
    expect(report.missed).toEqual([]);
  });
});

describe('detection scored on the twin', () => {
  it('lets the network trade on after the last day, so a transfer lost the day before the end is still found', async () => {
    const lateLoss = scenarioSchema.parse({
      ...scenario,
      name: 'late-loss',
      days: 20,
      faults: [{ type: 'transfer_lost', count: 2, day: 16 }],
    });
    const sweeps: number[] = [];
    const end = Date.parse(`${lateLoss.start}T00:00:00Z`) + 20 * 86_400_000;
    const run = await playTwinInto(
      lateLoss,
      5,
      async () => ({
        deliver: async () => {},
        sweep: async (now) => void sweeps.push(now),
        exceptions: async () => [],
      }),
      { playOnDays: 3 },
    );
    // The run still ends on its last day; the sweeps go on through the grace period.
    expect(run.runEnd).toBe(end);
    expect(Math.max(...sweeps)).toBe(end + 3 * 86_400_000);
    const report = await evaluateDetection(lateLoss, 5, { mode: 'memory' });
    const lost = report.types.find((t) => t.type === 'transfer_lost')!;
    expect(lost.labels).toBeGreaterThan(0);
    expect(lost.detected).toBe(lost.labels);
    expect(report.missed).toEqual([]);
  }, 60_000);

  it('finds every rule-based fault of a run with few false exceptions, and reports time to detect', async () => {
    const report = await evaluateDetection(scenario, 7, { mode: 'memory' });
    expect(report.overall.labels).toBeGreaterThanOrEqual(8);
    expect(report.missed).toEqual([]);
    expect(report.overall.recall).toBe(1);
    expect(report.overall.precision).toBeGreaterThanOrEqual(0.7);
    const row = (type: string) => report.types.find((t) => t.type === type)!;
    for (const type of [
      'data_glitch',
      'receiving_variance',
      'reporting_gap',
      'duplicate_events',
      'on_hand_mismatch',
    ]) {
      expect(row(type).f1, type).toBe(1);
    }
    expect(row('reporting_gap').ttd_median_hours).toBeLessThan(12);
    expect(report.types).toHaveLength(18);
    expect(report.calibration.reduce((n, c) => n + c.exceptions, 0)).toBe(report.overall.raised);
  }, 60_000);

  it('gives the same findings through a fresh database as through the engine alone', async () => {
    const short = { ...scenario, days: 25 };
    const viaDb = await evaluateDetection(short, 3, { mode: 'database' });
    const inMemory = await evaluateDetection(short, 3, { mode: 'memory' });
    expect(viaDb.overall.labels).toBe(inMemory.overall.labels);
    expect(viaDb.overall.detected).toBe(inMemory.overall.detected);
    expect(Math.abs(viaDb.overall.raised - inMemory.overall.raised)).toBeLessThanOrEqual(2);
    // Both plan the stores' counts alike; without the plan every count is random.
    expect(inMemory.counts.directed).toBeGreaterThan(0);
    expect(inMemory.counts.directed).toBeLessThan(inMemory.counts.performed);
    expect(viaDb.counts).toEqual(inMemory.counts);
    const random = await evaluateDetection(short, 3, { mode: 'memory', countPlan: false });
    expect(random.counts.directed).toBe(0);
    expect(random.counts.performed).toBeGreaterThan(0);
  }, 240_000);
});

describe('the Miami coats', () => {
  it("flags last July's film-crew purchase as a demand spike with its evidence and the risk it carries into next July's forecast", async () => {
    const { loadScenario } = await import('../twin/index.ts');
    const { memoryPipeline, playTwinInto } = await import('./twin-run.ts');
    const miami = loadScenario('miami-coats');
    let pipeline: ReturnType<typeof memoryPipeline> | undefined;
    const run = await playTwinInto(miami, 1, async (records) => {
      pipeline = memoryPipeline(records, {}, Date.parse(`${miami.start}T00:00:00Z`));
      return pipeline;
    });
    const [crew] = run.labels.filter((l) => l.type === 'one_off_demand_spike');
    const spikes = pipeline!.engine
      .openExceptions()
      .filter((e) => e.type === 'demand_spike' && e.sku === crew!.sku && e.location === crew!.location);
    expect(spikes).toHaveLength(1);
    const [spike] = spikes;
    expect(spike!.category).toBe('outerwear');
    expect(spike!.evidence.figures.day).toBe(crew!.start.slice(0, 10));
    // The crew takes what the rail holds (its demand, 60, is more than any shelf here).
    const units = Number(spike!.evidence.figures.units_that_day);
    const expected = Number(spike!.evidence.figures.expected_units);
    expect(units).toBeGreaterThanOrEqual(12);
    expect(units).toBeGreaterThan(5 * expected);
    expect(Number(spike!.evidence.figures.next_season_forecast_risk_units)).toBeCloseTo(units - expected, 0);
    expect(spike!.explanation).toContain("next year's forecast");
    expect(spike!.actions[0]!.kind).toBe('annotate_demand');
  }, 300_000);
});
