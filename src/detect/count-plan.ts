import { createHash } from 'node:crypto';
import type { ConfidenceReading } from './record-confidence.ts';
import type { DetectorSettings } from './settings.ts';

/**
 * The count plan: which store records are most worth a look at the shelf today.
 *
 * A store counts a few records a day anyway. Counted at random, they find a shelf that
 * emptied without a trace only by luck; the silence of the sales says where to look.
 * Following DeHoratius, Mersereau and Schrage (2008), the plan ranks each record by what
 * a count is expected to save: the probability that the shelf emptied during the current
 * run without a sale, times the margin it loses a day while the record says otherwise.
 *
 * The probability is the record-confidence model's, with one difference: the prior is
 * that of a loss during the silence itself (the store's daily loss rate over the run),
 * not since the last count. A record that sold an hour ago is not worth counting however
 * long ago it was counted: random counts keep that exposure in check, and keep the
 * store's loss rate honest, so a plan only ever directs part of a store's counts.
 *
 * One task a store is kept for a fast mover (ABC cycle counting's rule that the items
 * that sell most are looked at most): the record selling at least a unit a day whose
 * silence is least likely with stock on the shelf, once that chance is small. Under a
 * store's low loss rate the posterior of such a shelf stays small for days, and the
 * margin ranking puts it behind slow sellers silent for weeks; the lane counts it first.
 */

/** Count ids the plan issues start with this; a count carrying one was directed, not random. */
export const COUNT_PLAN_PREFIX = 'CP-';

/** Whether an event's references mark it as a count the plan directed. */
export function isDirectedCount(ref: { count_id?: unknown } | undefined): boolean {
  return typeof ref?.count_id === 'string' && ref.count_id.startsWith(COUNT_PLAN_PREFIX);
}

/** Longest reference an event may carry (ref values in the event schema). */
const MAX_REF_LENGTH = 128;

/**
 * The count id of a task: `CP-yyyymmdd-location-sku`, or, when codes that long would pass
 * the 128 characters an event's reference may hold, the same day and a digest of the two.
 */
export function countId(day: string, location: string, sku: string): string {
  const date = day.replaceAll('-', '');
  const plain = `${COUNT_PLAN_PREFIX}${date}-${location}-${sku}`;
  if (plain.length <= MAX_REF_LENGTH) return plain;
  const digest = createHash('sha256').update(`${location}\u0000${sku}`).digest('hex').slice(0, 40);
  return `${COUNT_PLAN_PREFIX}${date}-${digest}`;
}

export interface CountCandidate {
  location: string;
  sku: string;
  reading: ConfidenceReading;
  unitMargin: number;
  /** Units the record shows on the shelf. */
  recordSellable: number;
  /** The fast-mover lane's bar for this record: its category's settings; none, not in the lane. */
  fastMover?: FastMoverBar | undefined;
}

/** The settings the fast-mover lane reads. */
export type FastMoverBar = Pick<
  DetectorSettings,
  'count_plan_fast_mover_units' | 'count_plan_fast_mover_silence' | 'phantom_min_history_days'
>;

export interface CountTask {
  count_id: string;
  location: string;
  sku: string;
  /** P(the shelf emptied during the silence), under the plan's prior. */
  probability_empty: number;
  /** Margin a day lost while the shelf is empty and the record says otherwise, times that probability. */
  expected_margin_per_day: number;
  record_sellable: number;
  expected_units_per_day: number;
  days_without_sale: number;
  days_since_count: number;
  short_picked: boolean;
  /** Taken by the store's fast-mover lane: counted first, whatever its rank by margin. */
  fast_mover: boolean;
  reason: string;
}

/** The chance of the record's silence (and short pick) had the shelf held stock throughout. */
export function silenceChance(reading: ConfidenceReading): number {
  return reading.zeroSaleDay ** reading.zeroRunDays * (reading.shortPicked ? reading.pickMiss : 1);
}

/** P(the shelf emptied during the run without a sale), given the silence. */
export function emptiedInSilence(reading: ConfidenceReading): number {
  const prior = 1 - Math.exp(-reading.dailyLossRate * reading.zeroRunDays);
  if (prior <= 0) return 0;
  return prior / (prior + (1 - prior) * silenceChance(reading));
}

/**
 * Whether the record is a fast mover silent past the lane's bar: a rate read from a week or
 * more of sales (a first day's lump of three is not three a day) of at least the lane's
 * units a day, and a silence less likely than the bar with stock on the shelf.
 */
function silentFastMover(candidate: CountCandidate): boolean {
  const bar = candidate.fastMover;
  const { reading } = candidate;
  return (
    bar !== undefined &&
    reading.historyDays >= bar.phantom_min_history_days &&
    reading.expectedDailyUnits >= bar.count_plan_fast_mover_units &&
    reading.zeroRunDays > 0 &&
    silenceChance(reading) <= bar.count_plan_fast_mover_silence
  );
}

/** The store's lane task: the fast mover whose silence is least likely with stock on the shelf. */
function laneOf(list: Ranked[]): Ranked | undefined {
  let silent: Ranked | undefined;
  for (const r of list) {
    const c = r.candidate;
    if (silentFastMover(c) && (!silent || silenceChance(c.reading) < silenceChance(silent.candidate.reading)))
      silent = r;
  }
  return silent;
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

/** What a count of the candidate is expected to save a day; 0 with no stock on record or no sales to lose. */
function worthOf(candidate: CountCandidate): number {
  const { reading } = candidate;
  if (candidate.recordSellable <= 0 || reading.expectedDailyUnits <= 0) return 0;
  const worth = emptiedInSilence(reading) * reading.expectedDailyUnits * candidate.unitMargin;
  return worth > 0 ? worth : 0;
}

/** One candidate's task, or null when a count of it is worth nothing (no stock on record, no sales to lose). */
export function countTask(candidate: CountCandidate, day: string, fastMoverLane = false): CountTask | null {
  const worth = worthOf(candidate);
  if (!(worth > 0)) return null;
  const { reading } = candidate;
  const p = emptiedInSilence(reading);
  const silent = reading.zeroRunDays;
  const why = fastMoverLane
    ? `a fast mover (${round(reading.expectedDailyUnits, 2)} a day) whose silence has a chance of ${round(silenceChance(reading), 4)} with stock on the shelf, the least of the store's, counted first; `
    : '';
  return {
    count_id: countId(day, candidate.location, candidate.sku),
    location: candidate.location,
    sku: candidate.sku,
    probability_empty: round(p, 6),
    expected_margin_per_day: round(worth, 4),
    record_sellable: candidate.recordSellable,
    expected_units_per_day: round(reading.expectedDailyUnits, 2),
    days_without_sale: round(silent, 1),
    days_since_count: round(reading.daysSinceCount, 1),
    short_picked: reading.shortPicked,
    fast_mover: fastMoverLane,
    reason: `${why}${reading.shortPicked ? 'a picker came up short on it; ' : ''}${round(silent, 1)} trading days without a sale where a day without one has probability ${round(reading.zeroSaleDay, 3)} at ${round(reading.expectedDailyUnits, 2)} units a day: the shelf emptied unrecorded with probability ${round(p, 4)}, losing ${round(reading.expectedDailyUnits * candidate.unitMargin, 2)} of margin a day if so`,
  };
}

/**
 * The plan: per location, the fast-mover lane's record first (when one qualifies), then
 * the records whose count is worth most, up to `perLocation` in all; the lanes' tasks
 * first, then all locations' others by worth, so each store's list reads best first. Ties
 * go to the longer silence, then by code, so the plan is the same for the same state.
 * Only the tasks kept are written out.
 */
export function planCounts(
  candidates: Iterable<CountCandidate>,
  day: string,
  perLocation: number,
): CountTask[] {
  const byLocation = new Map<string, Ranked[]>();
  for (const candidate of candidates) {
    const worth = worthOf(candidate);
    if (!(worth > 0)) continue;
    const list = byLocation.get(candidate.location) ?? [];
    list.push({ candidate, worth });
    byLocation.set(candidate.location, list);
  }
  const lanes: Ranked[] = [];
  const kept: Ranked[] = [];
  const room = Math.max(0, perLocation);
  for (const list of byLocation.values()) {
    list.sort(byWorth);
    const lane = room > 0 ? laneOf(list) : undefined;
    if (lane) lanes.push(lane);
    kept.push(...list.filter((r) => r !== lane).slice(0, room - (lane ? 1 : 0)));
  }
  return [
    ...lanes.sort(byWorth).map((r) => countTask(r.candidate, day, true)!),
    ...kept.sort(byWorth).map((r) => countTask(r.candidate, day)!),
  ];
}

interface Ranked {
  candidate: CountCandidate;
  worth: number;
}

function byWorth(a: Ranked, b: Ranked): number {
  return (
    b.worth - a.worth ||
    b.candidate.reading.zeroRunDays - a.candidate.reading.zeroRunDays ||
    a.candidate.location.localeCompare(b.candidate.location) ||
    a.candidate.sku.localeCompare(b.candidate.sku)
  );
}
