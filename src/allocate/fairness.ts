/**
 * Fairness of an allocation across regions and store groups, measured by the fill share
 * served / demand, and the floors that guarantee each group a minimum share.
 *
 * A key with no demand has share 1: nothing was asked, so nothing was denied it.
 */

export interface FairnessRow {
  region: string;
  storeGroup: string;
  /** Units asked for. */
  demand: number;
  /** Units served out of that demand (at most the demand). */
  served: number;
}

export interface RegionShare {
  region: string;
  demand: number;
  served: number;
  share: number;
}

export interface StoreGroupShare {
  storeGroup: string;
  demand: number;
  served: number;
  share: number;
}

export interface FairnessViolation {
  kind: 'region' | 'storeGroup';
  key: string;
  share: number;
  minimumShare: number;
}

export interface FairnessReport {
  /** Sorted by region. */
  byRegion: RegionShare[];
  /** Sorted by store group. */
  byStoreGroup: StoreGroupShare[];
  /** Total served / total demand (1 when there is no demand). */
  overallShare: number;
  /** Lowest share, ties to the first name; null when there are no rows. */
  worstRegion: RegionShare | null;
  worstGroup: StoreGroupShare | null;
  /** Keys below the minimum share, lowest share first; empty when no minimum is given. */
  violations: FairnessViolation[];
}

// Shares are ratios of sums of floating-point units: allow their rounding at the boundary.
const TOLERANCE = 1e-9;

const shareOf = (served: number, demand: number) => (demand > 0 ? served / demand : 1);

/** Fill shares by region and store group, and the keys below `minimumShare` when one is given. */
export function fairnessReport(rows: FairnessRow[], options: { minimumShare?: number } = {}): FairnessReport {
  const { minimumShare } = options;
  if (minimumShare !== undefined && !(minimumShare >= 0 && minimumShare <= 1))
    throw new RangeError(`fairness report: minimum share ${minimumShare} is not in [0, 1]`);
  rows.forEach((row, i) => {
    const where = `fairness report: row ${i} (${row.region}, ${row.storeGroup})`;
    if (!Number.isFinite(row.demand) || row.demand < 0)
      throw new RangeError(`${where}: demand ${row.demand} is not a finite number >= 0`);
    if (!Number.isFinite(row.served) || row.served < 0)
      throw new RangeError(`${where}: served ${row.served} is not a finite number >= 0`);
    if (row.served > row.demand + TOLERANCE)
      throw new RangeError(`${where}: served ${row.served} exceeds demand ${row.demand}`);
  });

  const byRegion = totals(rows, (r) => r.region).map(
    ([region, t]): RegionShare => ({ region, ...t, share: shareOf(t.served, t.demand) }),
  );
  const byStoreGroup = totals(rows, (r) => r.storeGroup).map(
    ([storeGroup, t]): StoreGroupShare => ({ storeGroup, ...t, share: shareOf(t.served, t.demand) }),
  );
  let demand = 0;
  let served = 0;
  for (const r of rows) {
    demand += r.demand;
    served += r.served;
  }

  const violations: FairnessViolation[] = [];
  if (minimumShare !== undefined) {
    for (const r of byRegion)
      if (r.share < minimumShare - TOLERANCE)
        violations.push({ kind: 'region', key: r.region, share: r.share, minimumShare });
    for (const g of byStoreGroup)
      if (g.share < minimumShare - TOLERANCE)
        violations.push({ kind: 'storeGroup', key: g.storeGroup, share: g.share, minimumShare });
    // Stable sort: equal shares keep regions before store groups, each in name order.
    violations.sort((a, b) => a.share - b.share);
  }

  return {
    byRegion,
    byStoreGroup,
    overallShare: shareOf(served, demand),
    worstRegion: lowest(byRegion),
    worstGroup: lowest(byStoreGroup),
    violations,
  };
}

export interface FairShareRequest {
  id: string;
  group: string;
  demand: number;
}

export interface FairShareFloors {
  /** Per group, sorted by group: the units it must get, and the share of its demand they are. */
  groups: { group: string; demand: number; floor: number; share: number }[];
  /** Each group's floor split over its requests in proportion to their demand (input order). */
  requests: { id: string; group: string; floor: number }[];
  /** Units the floors need before any scale-down: the sum of ceil(minimumShare x group demand). */
  needed: number;
  available: number;
  /** The stock was short of `needed` and the floors were scaled down. */
  scaledDown: boolean;
  why: string;
}

/**
 * The fewest whole units each group must get so that every group reaches `minimumShare` of
 * its demand: ceil(minimumShare x group demand). When the floors need more than `available`,
 * they are scaled down in proportion (each group's quota is its floor x available / needed)
 * and rounded by largest remainder (Hamilton's method; ties to the group name), so exactly
 * `available` units are used, no group gets more than its unscaled floor, and all groups end
 * up with about the same share of their demand. A group's floor is split over its requests
 * the same way, in proportion to their demand (ties to the request id).
 */
export function fairShareFloor(
  requests: FairShareRequest[],
  available: number,
  minimumShare: number,
): FairShareFloors {
  if (!Number.isInteger(available) || available < 0)
    throw new RangeError(`fair share floor: available ${available} is not a whole number >= 0`);
  if (!(minimumShare >= 0 && minimumShare <= 1))
    throw new RangeError(`fair share floor: minimum share ${minimumShare} is not in [0, 1]`);
  const ids = new Set<string>();
  for (const r of requests) {
    if (ids.has(r.id)) throw new RangeError(`fair share floor: request ${r.id} appears twice`);
    ids.add(r.id);
    if (!Number.isFinite(r.demand) || r.demand < 0)
      throw new RangeError(
        `fair share floor: request ${r.id}: demand ${r.demand} is not a finite number >= 0`,
      );
  }

  const groups = totals(
    requests.map((r) => ({ ...r, served: 0 })),
    (r) => r.group,
  ).map(([group, t]) => ({
    group,
    demand: t.demand,
    // The epsilon keeps 0.55 x 100 = 55.00000000000001 from rounding up to 56.
    target: t.demand > 0 ? Math.max(0, Math.ceil(minimumShare * t.demand - TOLERANCE)) : 0,
  }));
  const needed = groups.reduce((sum, g) => sum + g.target, 0);
  const scaledDown = needed > available;
  const floors = scaledDown
    ? apportion(
        available,
        groups.map((g) => g.target),
        groups.map((g) => g.group),
      )
    : groups.map((g) => g.target);

  const floorOf = new Map(groups.map((g, i) => [g.group, floors[i]!]));
  const perRequest = new Map<string, number>();
  for (const g of groups) {
    const members = requests.filter((r) => r.group === g.group);
    const split = apportion(
      floorOf.get(g.group)!,
      members.map((r) => r.demand),
      members.map((r) => r.id),
    );
    for (const [i, r] of members.entries()) perRequest.set(r.id, split[i]!);
  }

  const totalDemand = groups.reduce((sum, g) => sum + g.demand, 0);
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const why = scaledDown
    ? `Every group reaching ${pct(minimumShare)} of its demand needs ${needed} units; only ${available} are ` +
      `available, so each floor is scaled by ${available}/${needed} = ${(available / needed).toFixed(3)} ` +
      `(largest remainder), about ${pct(shareOf(available, totalDemand))} of demand for every group.`
    : `Every group reaching ${pct(minimumShare)} of its demand needs ${needed} units of the ${available} ` +
      `available; each group gets ceil(${minimumShare} x its demand).`;

  return {
    groups: groups.map((g, i) => ({
      group: g.group,
      demand: g.demand,
      floor: floors[i]!,
      share: shareOf(floors[i]!, g.demand),
    })),
    requests: requests.map((r) => ({ id: r.id, group: r.group, floor: perRequest.get(r.id)! })),
    needed,
    available,
    scaledDown,
    why,
  };
}

/** Demand and served summed per key, sorted by key (code-point order). */
function totals<T extends { demand: number; served: number }>(
  rows: T[],
  keyOf: (row: T) => string,
): [string, { demand: number; served: number }][] {
  const sums = new Map<string, { demand: number; served: number }>();
  for (const row of rows) {
    const key = keyOf(row);
    const t = sums.get(key) ?? { demand: 0, served: 0 };
    t.demand += row.demand;
    t.served += row.served;
    sums.set(key, t);
  }
  return [...sums].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function lowest<T extends { share: number }>(lines: T[]): T | null {
  let worst: T | null = null;
  for (const line of lines) if (worst === null || line.share < worst.share) worst = line;
  return worst;
}

/**
 * Splits `total` whole units in proportion to `weights` by largest remainder: each gets the
 * whole part of its quota, and the units left over go one each to the largest fractional
 * parts, ties to the smaller key. All zero when the weights sum to 0.
 */
function apportion(total: number, weights: number[], keys: string[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  if (sum <= 0 || total <= 0) return weights.map(() => 0);
  const quotas = weights.map((w) => (total * w) / sum);
  // The epsilon keeps a quota of 2.9999999999 (rounding of an exact 3) from losing its unit.
  const out = quotas.map((q) => Math.floor(q + TOLERANCE));
  let left = total - out.reduce((s, x) => s + x, 0);
  const order = quotas
    .map((q, i) => ({ i, remainder: q - out[i]! }))
    .sort(
      (a, b) => b.remainder - a.remainder || (keys[a.i]! < keys[b.i]! ? -1 : keys[a.i]! > keys[b.i]! ? 1 : 0),
    );
  for (const { i } of order) {
    if (left <= 0) break;
    out[i] = out[i]! + 1;
    left--;
  }
  return out;
}
