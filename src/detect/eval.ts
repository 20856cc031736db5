import type { FaultLabel, LabelType } from '../twin/index.ts';
import { EXCEPTION_TYPES, type ExceptionType } from './exception.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * How the twin's faults map to exception types: the type that should report it
 * (`primary`) and any other type that, raised for the same place and time, also counts
 * as having caught it (a lost transfer first shows as delayed; an oversold marketplace
 * listing shows as overcommitted ATP or as short picks).
 */
export const LABEL_TYPES: Record<LabelType, { primary: ExceptionType; accepts: ExceptionType[] }> = {
  phantom_inventory: { primary: 'phantom_inventory', accepts: ['phantom_inventory'] },
  pos_outage: { primary: 'reporting_gap', accepts: ['reporting_gap'] },
  duplicate_events: { primary: 'duplicate_events', accepts: ['duplicate_events'] },
  data_glitch: { primary: 'data_glitch', accepts: ['data_glitch'] },
  transfer_lost: { primary: 'transfer_lost', accepts: ['transfer_lost', 'transfer_delayed'] },
  transfer_delayed: { primary: 'transfer_delayed', accepts: ['transfer_delayed'] },
  late_or_missing_asn: { primary: 'asn_late_or_missing', accepts: ['asn_late_or_missing'] },
  receiving_variance: { primary: 'receiving_variance', accepts: ['receiving_variance'] },
  supplier_lead_time_slip: { primary: 'supplier_lead_time_slip', accepts: ['supplier_lead_time_slip'] },
  return_without_disposition: {
    primary: 'return_without_disposition',
    accepts: ['return_without_disposition'],
  },
  negative_on_hand_sequencing: { primary: 'negative_on_hand', accepts: ['negative_on_hand'] },
  erp_store_mismatch: { primary: 'on_hand_mismatch', accepts: ['on_hand_mismatch'] },
  promotion_spike_unplanned: { primary: 'demand_spike', accepts: ['demand_spike'] },
  one_off_demand_spike: { primary: 'demand_spike', accepts: ['demand_spike'] },
  demand_drop: { primary: 'demand_drop', accepts: ['demand_drop'] },
  marketplace_oversell: {
    primary: 'listing_below_threshold',
    accepts: ['listing_below_threshold', 'atp_overcommitted', 'short_pick_pattern'],
  },
  promotion_stockout: { primary: 'promotion_stockout_risk', accepts: ['promotion_stockout_risk'] },
};

/**
 * The types the twin's ground truth can score: those the exception engine raises from the
 * log. `forecast_drift` is raised by the forecast registry against a model version's own
 * backtest (src/forecast/drift.ts), not by the engine, and no twin fault is a drifting
 * model; an evaluation neither lists it nor counts one as a false exception.
 */
export const SCORED_TYPES: readonly ExceptionType[] = EXCEPTION_TYPES.filter((t) => t !== 'forecast_drift');

/** Phantom inventory on SKUs selling at least this many units a day has a 48-hour target. */
export const FAST_MOVER_DAILY_UNITS = 1;

/** Detection may come this long after a fault's end (or the run's, when it never ended). */
export const GRACE_HOURS = 72;

/** An exception as the evaluation sees it. */
export interface RaisedException {
  id: string;
  type: ExceptionType;
  sku: string | null;
  location: string | null;
  category: string | null;
  /** When it was first raised, in ms of simulated time. */
  raisedAt: number;
  confidence: number;
}

export interface TypeScore {
  type: ExceptionType;
  labels: number;
  detected: number;
  raised: number;
  true_positives: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  ttd_median_hours: number | null;
  ttd_p90_hours: number | null;
}

export interface EvalReport {
  scenario: string;
  seed: number;
  days: number;
  cells: number;
  events: number;
  types: TypeScore[];
  overall: Omit<TypeScore, 'type'>;
  false_per_1000_cell_days: number;
  /**
   * Faults that began after the scenario's last day (in the grace period the network trades
   * on for, or in events that only arrive as the run drains): left out of the scores, with
   * the exceptions they raised.
   */
  labels_after_run: number;
  /**
   * Phantom inventory on SKUs the store sold at least `min_daily_units` a day of in the 28
   * days before the theft: how many, how many found, and how fast (target: within 48 h).
   */
  phantom_fast_movers: {
    min_daily_units: number;
    labels: number;
    detected: number;
    within_48h: number;
    ttd_median_hours: number | null;
    ttd_p90_hours: number | null;
  } | null;
  calibration: { bin: string; exceptions: number; real: number; share_real: number | null }[];
  missed: { id: string; type: string; sku: string | null; location: string | null; start: string }[];
  false_positives: {
    id: string;
    type: string;
    sku: string | null;
    location: string | null;
    raised_at: string;
    confidence: number;
  }[];
  /** Store cycle counts the twin's stores made, and how many of them the count plan directed. */
  counts: { performed: number; directed: number };
  seconds: number;
}

function matches(
  e: RaisedException,
  label: FaultLabel,
  runEnd: number,
  categoryOf: (sku: string) => string | undefined,
) {
  const map = LABEL_TYPES[label.type];
  if (!map?.accepts.includes(e.type)) return false;
  if (label.location !== e.location) return false;
  if (label.sku && e.sku && label.sku !== e.sku) return false;
  if (!label.sku && label.category && e.sku && categoryOf(e.sku) !== label.category) return false;
  if (!label.sku && label.category && !e.sku && e.category && e.category !== label.category) return false;
  const start = Date.parse(label.start);
  const end = label.end ? Date.parse(label.end) : runEnd;
  return e.raisedAt >= start - DAY && e.raisedAt <= Math.max(end, start) + GRACE_HOURS * HOUR;
}

const quantile = (sorted: number[], q: number) =>
  sorted.length === 0
    ? null
    : sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1) + 0.5))]!;
const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
const f1Of = (p: number | null, r: number | null) =>
  p === null || r === null ? null : p + r > 0 ? (2 * p * r) / (p + r) : 0;

/**
 * Scores exceptions against the twin's labels. The matching rule: same type (or one the
 * label accepts, LABEL_TYPES), same location, same SKU when both name one (the category
 * when the label is a category's), first raised from a day before the fault starts to
 * GRACE_HOURS after it ends. An exception matching no label is a false one.
 */
export function scoreDetections(
  raised: RaisedException[],
  all: FaultLabel[],
  context: {
    scenario: string;
    seed: number;
    days: number;
    cells: number;
    events: number;
    runEnd: number;
    seconds: number;
    categoryOf: (sku: string) => string | undefined;
    /** Units a day the store sold of the SKU in the 28 days before `before`; null if unknown. */
    dailySales?: (location: string, sku: string, before: number) => number | null;
    counts?: { performed: number; directed: number };
  },
): EvalReport {
  const late = all.filter((l) => Date.parse(l.start) > context.runEnd);
  const labels = all.filter((l) => Date.parse(l.start) <= context.runEnd);
  // What such a fault raised is left out with it: neither found nor false.
  const exceptions = raised.filter(
    (e) =>
      SCORED_TYPES.includes(e.type) && !late.some((l) => matches(e, l, context.runEnd, context.categoryOf)),
  );
  const matchedBy = new Map<string, RaisedException[]>();
  const isTrue = new Set<string>();
  for (const label of labels) {
    const hits = exceptions.filter((e) => matches(e, label, context.runEnd, context.categoryOf));
    matchedBy.set(label.id, hits);
    for (const h of hits) isTrue.add(h.id);
  }
  const firstHit = (l: FaultLabel) =>
    Math.max(0, (Math.min(...matchedBy.get(l.id)!.map((e) => e.raisedAt)) - Date.parse(l.start)) / HOUR);
  const types: TypeScore[] = SCORED_TYPES.map((type) => {
    const own = labels.filter((l) => LABEL_TYPES[l.type]?.primary === type);
    const detected = own.filter((l) => (matchedBy.get(l.id) ?? []).length > 0);
    const raised = exceptions.filter((e) => e.type === type);
    const truePositives = raised.filter((e) => isTrue.has(e.id)).length;
    const ttd = detected.map(firstHit).sort((a, b) => a - b);
    // Its labels found by a type they also accept (an oversell as overcommitted ATP) are
    // finds of this row too: its precision weighs them beside what it raised itself.
    const foundByOthers = new Set(
      detected.flatMap((l) =>
        matchedBy
          .get(l.id)!
          .filter((e) => e.type !== type)
          .map((e) => e.id),
      ),
    ).size;
    const precision = ratio(truePositives + foundByOthers, raised.length + foundByOthers);
    const recall = ratio(detected.length, own.length);
    return {
      type,
      labels: own.length,
      detected: detected.length,
      raised: raised.length,
      true_positives: truePositives,
      precision,
      recall,
      // A type with no labels of its own: no F1 when all it raised was true (accepted by
      // another label, an oversell's listing and its overcommitted ATP), 0 when any was false.
      f1: own.length === 0 ? (truePositives === raised.length ? null : 0) : f1Of(precision ?? 0, recall),
      ttd_median_hours: quantile(ttd, 0.5),
      ttd_p90_hours: quantile(ttd, 0.9),
    };
  });
  const allTtd = labels
    .filter((l) => (matchedBy.get(l.id) ?? []).length > 0)
    .map(firstHit)
    .sort((a, b) => a - b);
  const fast = context.dailySales
    ? labels.filter((l) => {
        if (l.type !== 'phantom_inventory' || !l.sku || !l.location) return false;
        return (context.dailySales!(l.location, l.sku, Date.parse(l.start)) ?? 0) >= FAST_MOVER_DAILY_UNITS;
      })
    : null;
  const fastTtd = (fast ?? [])
    .filter((l) => (matchedBy.get(l.id) ?? []).length > 0)
    .map(firstHit)
    .sort((a, b) => a - b);
  const detectedAll = labels.filter((l) => (matchedBy.get(l.id) ?? []).length > 0).length;
  const precision = ratio(isTrue.size, exceptions.length);
  const recall = ratio(detectedAll, labels.length);
  const falseOnes = exceptions.filter((e) => !isTrue.has(e.id));
  const bins = [0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0001];
  const calibration = bins.slice(0, -1).map((lo, i) => {
    const hi = bins[i + 1]!;
    const inBin = exceptions.filter((e) => e.confidence >= lo && e.confidence < hi);
    const real = inBin.filter((e) => isTrue.has(e.id)).length;
    return {
      bin: `${lo.toFixed(2)}-${Math.min(1, hi).toFixed(2)}`,
      exceptions: inBin.length,
      real,
      share_real: ratio(real, inBin.length),
    };
  });
  return {
    scenario: context.scenario,
    seed: context.seed,
    days: context.days,
    cells: context.cells,
    events: context.events,
    types,
    overall: {
      labels: labels.length,
      detected: detectedAll,
      raised: exceptions.length,
      true_positives: isTrue.size,
      precision,
      recall,
      f1: f1Of(precision ?? (labels.length > 0 ? 0 : null), recall ?? (exceptions.length > 0 ? 0 : null)),
      ttd_median_hours: quantile(allTtd, 0.5),
      ttd_p90_hours: quantile(allTtd, 0.9),
    },
    phantom_fast_movers: fast && {
      min_daily_units: FAST_MOVER_DAILY_UNITS,
      labels: fast.length,
      detected: fastTtd.length,
      within_48h: fastTtd.filter((h) => h <= 48).length,
      ttd_median_hours: quantile(fastTtd, 0.5),
      ttd_p90_hours: quantile(fastTtd, 0.9),
    },
    labels_after_run: late.length,
    false_per_1000_cell_days: (falseOnes.length / Math.max(1, context.cells * context.days)) * 1000,
    calibration,
    missed: labels
      .filter((l) => (matchedBy.get(l.id) ?? []).length === 0)
      .map((l) => ({ id: l.id, type: l.type, sku: l.sku, location: l.location, start: l.start })),
    false_positives: falseOnes.map((e) => ({
      id: e.id,
      type: e.type,
      sku: e.sku,
      location: e.location,
      raised_at: new Date(e.raisedAt).toISOString(),
      confidence: e.confidence,
    })),
    counts: context.counts ?? { performed: 0, directed: 0 },
    seconds: context.seconds,
  };
}
