/**
 * Sharing out stock that cannot cover every request (stores asking a DC, channels asking
 * for the same units). Each unit goes where it avoids the most expected lost margin, in whole
 * packs, after every request has been given its guaranteed minimum share.
 *
 * The greedy order maximises the total value when all requests share one pack size (single
 * units included): every pack then costs the same stock, so the most valuable packs win.
 * With different pack sizes it is the usual greedy for a knapsack, not an exact solution:
 * with 12 units, a request for 6 worth 11 a unit and a request for 12 (one pack of 12) worth
 * 10 a unit, it serves the 6 (66) and strands 6 units, where the 12 would give 120. The
 * optimiser (src/optimize) is the place for exact answers to such cases.
 */
import { checkNumber } from './validate.ts';

export interface ShortageRequest {
  id: string;
  /** Units asked for: a whole number of packs. */
  units: number;
  /** Units per pack; allocations are whole packs. */
  packSize: number;
  /** Priority weight per unit served, for example the expected lost margin a unit avoids. */
  valuePerUnit: number;
  /** Fraction of the request served before any value ranking (0 to 1, rounded up to packs). Default 0. */
  minimumShare?: number;
}

export interface ShortageAllocation {
  id: string;
  units: number;
  packs: number;
  /** Requested units not served. */
  shortfall: number;
}

/**
 * Allocates `available` units across requests, returned in the input order.
 *
 * 1. Minimum shares: each request's minimum (minimumShare x units, rounded up to whole
 *    packs) is served first. When stock cannot cover all minimums it is dealt out one pack
 *    per request per round, in priority order, so a shortage spreads across them rather
 *    than emptying the lowest-priority ones.
 * 2. The rest goes by priority: highest valuePerUnit first, each request filled to its
 *    request with as many whole packs as fit, then the next (a request whose pack no longer
 *    fits is skipped, and a later one with smaller packs may still be served).
 *
 * Priority order is valuePerUnit descending, then id ascending, so the result does not depend
 * on the order of the requests.
 */
export function allocateShortage(
  available: number,
  requests: readonly ShortageRequest[],
): ShortageAllocation[] {
  checkNumber('available', available, { min: 0 });
  const seen = new Set<string>();
  requests.forEach((r, i) => {
    const at = `requests[${i}]`;
    if (typeof r.id !== 'string' || r.id === '') {
      throw new RangeError(`${at}.id must be a non-empty string, got ${String(r.id)}`);
    }
    if (seen.has(r.id)) throw new RangeError(`${at}.id must be unique, got ${r.id} twice`);
    seen.add(r.id);
    const pack = checkNumber(`${at}.packSize`, r.packSize, { min: 1, integer: true });
    const units = checkNumber(`${at}.units`, r.units, { min: 0, integer: true });
    if (units % pack !== 0) {
      throw new RangeError(`${at}.units must be a whole number of packs of ${pack}, got ${units}`);
    }
    checkNumber(`${at}.valuePerUnit`, r.valuePerUnit, { min: 0 });
    checkNumber(`${at}.minimumShare`, r.minimumShare ?? 0, { min: 0, max: 1 });
  });

  const order = requests
    .map((_, i) => i)
    .sort((x, y) => {
      const a = requests[x]!;
      const b = requests[y]!;
      return b.valuePerUnit - a.valuePerUnit || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    });
  const packs = requests.map(() => 0);
  let left = available;

  // 1. Minimum shares, round-robin one pack at a time.
  const minimumPacks = requests.map((r) => {
    const share = r.minimumShare ?? 0;
    return Math.min(r.units / r.packSize, Math.ceil((share * r.units) / r.packSize - 1e-9));
  });
  let progress = true;
  while (progress) {
    progress = false;
    for (const i of order) {
      const r = requests[i]!;
      if (packs[i]! < minimumPacks[i]! && r.packSize <= left) {
        packs[i]!++;
        left -= r.packSize;
        progress = true;
      }
    }
  }

  // 2. By value.
  for (const i of order) {
    const r = requests[i]!;
    const more = Math.min(r.units / r.packSize - packs[i]!, Math.floor(left / r.packSize));
    if (more > 0) {
      packs[i]! += more;
      left -= more * r.packSize;
    }
  }

  return requests.map((r, i) => ({
    id: r.id,
    units: packs[i]! * r.packSize,
    packs: packs[i]!,
    shortfall: r.units - packs[i]! * r.packSize,
  }));
}
