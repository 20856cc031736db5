import { z } from 'zod';
import type { DemandSeries } from './history.repository.ts';

/**
 * Demand annotations: stretches of history a person marks as not to be learned from.
 * `one_off` is real demand that will not repeat (a bulk order, a local event); `exclude` is
 * history that does not show demand (a stockout, a feed fault). Fitting treats both the
 * same way: the marked periods are missing, and each is filled with what the series'
 * unmarked periods of the same phase around it say (so the values inside a marked period
 * have no influence at all on the forecast; a property test checks it). The raw history
 * in the event log is never changed.
 */

export const ANNOTATION_KINDS = ['one_off', 'exclude'] as const;
export type AnnotationKind = (typeof ANNOTATION_KINDS)[number];

/** The longest period one annotation may mark: longer "one-offs" are a different demand. */
export const MAX_ANNOTATION_DAYS = 366;

export interface DemandAnnotation {
  id: string;
  sku: string | null;
  location: string | null;
  category: string | null;
  channel: string | null;
  /** First and last local day marked, inclusive. */
  from: string;
  to: string;
  kind: AnnotationKind;
  reason: string;
  created_by: string;
  created_at: string;
  revoked_at: string | null;
  revoked_by: string | null;
}

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date YYYY-MM-DD' })
  .refine((text) => {
    const ms = Date.parse(`${text}T00:00:00Z`);
    return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === text;
  }, 'must be a calendar date');
const code = z.string().min(1).max(64);

export const annotationInputSchema = z
  .strictObject({
    sku: code.optional(),
    location: code.optional(),
    category: z.string().min(1).max(100).optional(),
    channel: code.optional(),
    from: day,
    to: day,
    kind: z.enum(ANNOTATION_KINDS).default('one_off'),
    reason: z.string().trim().min(1).max(500),
  })
  .refine((a) => a.sku !== undefined || a.location !== undefined || a.category !== undefined, {
    message: 'an annotation names a sku, a location or a category (or several)',
    path: ['sku'],
  })
  .refine((a) => a.to >= a.from, { message: 'must be on or after from', path: ['to'] })
  .refine((a) => daysBetween(a.from, a.to) + 1 <= MAX_ANNOTATION_DAYS, {
    message: `an annotation marks at most ${MAX_ANNOTATION_DAYS} days`,
    path: ['to'],
  });
export type AnnotationInput = z.input<typeof annotationInputSchema>;
export type ValidAnnotation = z.output<typeof annotationInputSchema>;

const DAY_MS = 86_400_000;
const dayIndex = (text: string) => Date.parse(`${text}T00:00:00Z`) / DAY_MS;
const daysBetween = (from: string, to: string) => dayIndex(to) - dayIndex(from);

/** Whether an annotation covers a series: every field it names must match. */
export function annotationApplies(
  a: Pick<DemandAnnotation, 'sku' | 'location' | 'category' | 'channel' | 'revoked_at'>,
  series: Pick<DemandSeries, 'sku' | 'location' | 'category' | 'channel'>,
): boolean {
  return (
    a.revoked_at === null &&
    (a.sku === null || a.sku === series.sku) &&
    (a.location === null || a.location === series.location) &&
    (a.category === null || a.category === series.category) &&
    (a.channel === null || a.channel === series.channel)
  );
}

/**
 * The periods of a series the annotations mark (1 = marked). A week is marked when any
 * of its days is: a week holding a one-off day is not a usual week.
 */
export function annotatedMask(
  series: Pick<DemandSeries, 'sku' | 'location' | 'category' | 'channel' | 'grain' | 'start' | 'y'>,
  annotations: readonly DemandAnnotation[],
): Uint8Array {
  const mask = new Uint8Array(series.y.length);
  const first = dayIndex(series.start);
  const width = series.grain === 'day' ? 1 : 7;
  for (const a of annotations) {
    if (!annotationApplies(a, series)) continue;
    const lo = Math.max(0, Math.floor((dayIndex(a.from) - first) / width));
    const hi = Math.min(series.y.length - 1, Math.floor((dayIndex(a.to) - first) / width));
    for (let t = lo; t <= hi; t++) mask[t] = 1;
  }
  return mask;
}

/** Neighbours of the same phase used to fill a marked period. */
const NEIGHBOURS = 4;

/**
 * The series with its marked periods replaced by the mean of the nearest unmarked
 * periods of the same phase (the same weekday for daily data; any period when `period` is
 * 1), nearest first, earlier before later at equal distance. With no unmarked period of
 * that phase, the mean of all unmarked periods; with none at all, zero. Only unmarked
 * values are read, so what was sold in a marked period cannot reach the forecast.
 */
export function excludeAnnotated(
  y: ArrayLike<number>,
  mask: ArrayLike<number>,
  period: number,
): Float64Array {
  const out = Float64Array.from(y as ArrayLike<number>);
  const n = out.length;
  const m = Math.max(1, Math.floor(period));
  let anyMarked = false;
  let unmarkedSum = 0;
  let unmarked = 0;
  for (let t = 0; t < n; t++) {
    if (mask[t]) anyMarked = true;
    else {
      unmarkedSum += out[t]!;
      unmarked++;
    }
  }
  if (!anyMarked) return out;
  const overall = unmarked > 0 ? unmarkedSum / unmarked : 0;
  for (let t = 0; t < n; t++) {
    if (!mask[t]) continue;
    let sum = 0;
    let found = 0;
    for (let step = 1; found < NEIGHBOURS && (t - step * m >= 0 || t + step * m < n); step++) {
      const before = t - step * m;
      const after = t + step * m;
      if (before >= 0 && !mask[before] && found < NEIGHBOURS) {
        sum += y[before]!;
        found++;
      }
      if (after < n && !mask[after] && found < NEIGHBOURS) {
        sum += y[after]!;
        found++;
      }
    }
    out[t] = found > 0 ? sum / found : overall;
  }
  return out;
}
