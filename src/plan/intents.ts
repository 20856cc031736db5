import { z } from 'zod';
import type { TransferLane, TransferLocation } from '../optimize/index.ts';
import { dateSchema } from './plan.model.ts';

/**
 * Planner intents: what a planner wants plans to respect beyond what the numbers say.
 * - pin: keep (or bring) at least `min_units` of a SKU at a location (a flagship launch);
 * - freeze: no transfers in or out for a SKU, a location, or a SKU at a location;
 * - cap: at most `max_units` on a lane per plan, for one SKU or all.
 * An intent is in force for a plan when it is not revoked and its period (local dates,
 * inclusive, open when absent) overlaps the plan's horizon: a pin for a launch next week
 * shapes this week's transfers.
 */
export const INTENT_KINDS = ['pin', 'freeze', 'cap'] as const;
export type IntentKind = (typeof INTENT_KINDS)[number];

export interface PlanIntent {
  id: string;
  kind: IntentKind;
  sku: string | null;
  location: string | null;
  from_location: string | null;
  to_location: string | null;
  min_units: number | null;
  max_units: number | null;
  starts_on: string | null;
  ends_on: string | null;
  reason: string;
  created_by: string;
  created_at: string;
  revoked_at: string | null;
  revoked_by: string | null;
}

const CODE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/;
const code = z.string().regex(CODE, { message: 'a code of 1-64 letters, digits or . _ : / -' });
const date = dateSchema;
const period = {
  starts_on: date.optional().describe('first day in force (default: now)'),
  ends_on: date.optional().describe('last day in force (default: until revoked)'),
  reason: z.string().trim().min(1).max(500),
};
const ordered = (i: { starts_on?: string | undefined; ends_on?: string | undefined }) =>
  i.starts_on === undefined || i.ends_on === undefined || i.starts_on <= i.ends_on;
const orderMessage = { message: 'ends_on is before starts_on', path: ['ends_on'] };

export const newIntentSchema = z.discriminatedUnion('kind', [
  z
    .strictObject({
      kind: z.literal('pin'),
      sku: code,
      location: code,
      min_units: z.number().int().min(1).max(1e9),
      ...period,
    })
    .refine(ordered, orderMessage),
  z
    .strictObject({
      kind: z.literal('freeze'),
      sku: code.optional(),
      location: code.optional(),
      ...period,
    })
    .refine(ordered, orderMessage)
    .refine((i) => i.sku !== undefined || i.location !== undefined, {
      message: 'a freeze names a sku, a location, or both',
      path: ['sku'],
    }),
  z
    .strictObject({
      kind: z.literal('cap'),
      from_location: code,
      to_location: code,
      max_units: z.number().int().min(0).max(1e9),
      sku: code.optional(),
      ...period,
    })
    .refine(ordered, orderMessage)
    .refine((i) => i.from_location !== i.to_location, {
      message: 'a lane joins two different locations',
      path: ['to_location'],
    }),
]);
export type NewIntent = z.output<typeof newIntentSchema>;

/** In force over the plan window [from, to] (YYYY-MM-DD, inclusive). */
export function inForce(intent: PlanIntent, from: string, to: string): boolean {
  if (intent.revoked_at !== null) return false;
  if (intent.starts_on !== null && intent.starts_on > to) return false;
  if (intent.ends_on !== null && intent.ends_on < from) return false;
  return true;
}

export interface AppliedIntents {
  locations: TransferLocation[];
  lanes: TransferLane[];
  /** Ids of the intents that touched this SKU's problem. */
  applied: string[];
}

/**
 * Applies the intents in force to one SKU's transfer problem: pins raise a location's
 * minimum (the largest pin wins), freezes stop a location (a SKU freeze stops them all),
 * caps lower a lane's capacity (the smallest cap wins). Pure: returns new arrays.
 */
export function applyIntents(
  sku: string,
  locations: readonly TransferLocation[],
  lanes: readonly TransferLane[],
  intents: readonly PlanIntent[],
): AppliedIntents {
  const applied = new Set<string>();
  const ids = new Set(locations.map((l) => l.id));
  const out = locations.map((l) => ({ ...l }));
  const byId = new Map(out.map((l) => [l.id, l]));
  for (const intent of intents) {
    if (intent.kind === 'pin' && intent.sku === sku && intent.location !== null) {
      const location = byId.get(intent.location);
      if (!location || intent.min_units === null) continue;
      location.minStock = Math.max(location.minStock ?? 0, intent.min_units);
      applied.add(intent.id);
    } else if (intent.kind === 'freeze') {
      if (intent.sku !== null && intent.sku !== sku) continue;
      const hit = out.filter((l) => intent.location === null || l.id === intent.location);
      for (const l of hit) l.frozen = true;
      if (hit.length > 0) applied.add(intent.id);
    }
  }
  const capped = lanes.map((lane) => {
    let maxUnits = lane.maxUnits;
    for (const intent of intents) {
      if (intent.kind !== 'cap' || intent.max_units === null) continue;
      if (intent.sku !== null && intent.sku !== sku) continue;
      if (intent.from_location !== lane.from || intent.to_location !== lane.to) continue;
      if (!ids.has(lane.from) || !ids.has(lane.to)) continue;
      maxUnits = Math.min(maxUnits ?? Number.POSITIVE_INFINITY, intent.max_units);
      applied.add(intent.id);
    }
    return maxUnits === undefined ? { ...lane } : { ...lane, maxUnits };
  });
  // A cap of 0 closes the lane.
  const outLanes = capped.filter((lane) => lane.maxUnits === undefined || lane.maxUnits > 0);
  return { locations: out, lanes: outLanes, applied: [...applied].sort() };
}
