import { demandSurvival } from './expected-sales.ts';
import { LinearProgram } from './linear-program.ts';

/**
 * Store-to-store and DC-to-store redistribution of one SKU as a mixed-integer program.
 *
 * maximise   sum_d margin_d x (expected sales gained at d)
 *          - sum_s margin_s x (expected sales lost at s)
 *          - sum_lanes (unit cost x units + shipment cost x used)
 * subject to a source keeps its safety stock (and a planner's pinned minimum);
 *            units move in whole packs; a used lane moves at least the minimum quantity;
 *            a lane carries at most its capacity (truck, carton or planner cap);
 *            a transfer must earn the minimum benefit over its cost (no churn);
 *            frozen locations neither send nor receive.
 *
 * Expected sales are concave in stock (expected-sales.ts), so gains are concave and losses
 * convex piecewise-linear in the units moved: one segment per pack, filled in order by the
 * maximisation itself, exact at every whole number of packs.
 *
 * Lead time: stock in transit arrives after the lane's lead time, so at a destination the
 * units sell against the demand left after arrival, from the stock the location will
 * still have then. A destination's curve uses its fastest inbound lane.
 */
export interface TransferLocation {
  id: string;
  /** Units the location can sell or send now (on hand net of reservations, confidence-adjusted). */
  onHand: number;
  /** Units a source keeps (its safety stock). */
  safetyStock: number;
  /** Expected demand over the horizon. */
  demandMean: number;
  /** Negative binomial dispersion of that demand (Infinity = Poisson). */
  demandDispersion: number;
  /** Margin of one unit sold here. */
  unitMargin: number;
  /** Planner intent: keep (or bring) at least this many units here. */
  minStock?: number;
  /** Planner intent: no transfers in or out. */
  frozen?: boolean;
  region?: string;
}

export interface TransferLane {
  from: string;
  to: string;
  /** Cost per unit moved (handling, freight). */
  unitCost: number;
  /** Cost per shipment on this lane for this SKU (pick, pack, paperwork). */
  shipmentCost: number;
  leadTimeDays: number;
  /** Most units the lane may carry (truck or carton capacity, or a planner's cap). */
  maxUnits?: number;
}

export interface TransferProblem {
  sku: string;
  horizonDays: number;
  packSize: number;
  minTransferUnits: number;
  /** A transfer must earn at least this much over its cost. */
  minBenefit: number;
  locations: TransferLocation[];
  lanes: TransferLane[];
}

export interface TransferProgram {
  lp: LinearProgram;
  /** Lanes kept after pruning, with the column of their pack count and of their use flag. */
  lanes: { lane: TransferLane; packs: number; used: number }[];
  /** Gain and loss segments per location, for explaining a solution. */
  curves: Map<
    string,
    { gainSlopes: number[]; lossSlopes: number[]; arrivalStock: number; arrivalDemand: number }
  >;
  /** Penalty per unit below a pinned minimum (so planner intent wins whenever stock allows). */
  pinShortfalls: { location: string; column: number }[];
}

const PIN_PENALTY = 1e6;

interface Curve {
  gainSlopes: number[];
  lossSlopes: number[];
  arrivalStock: number;
  arrivalDemand: number;
  maxOut: number;
}

/** Sum of survival[k] for k in (from, to]: the expected sales of the units from+1..to. */
function band(survival: Float64Array, from: number, to: number): number {
  let total = 0;
  for (let k = Math.max(1, from + 1); k <= to && k < survival.length; k++) total += survival[k]!;
  return total;
}

/**
 * Per-pack marginal values at a location: what each incoming pack gains, each outgoing pack
 * loses. Gain segments stop where a unit is worth less than the cheapest inbound lane charges
 * to bring it: no plan can use them profitably (a pin's extra units go to a zero-gain spill).
 */
function curveFor(
  location: TransferLocation,
  problem: TransferProblem,
  inboundLead: number,
  cheapestIn: number,
  maxIn: number,
): Curve {
  const p = problem.packSize;
  const horizon = problem.horizonDays;
  const stock = Math.max(0, Math.floor(location.onHand));
  // Removal at once: sales lost over the whole horizon.
  const keep = Math.max(location.safetyStock, location.minStock ?? 0, 0);
  const maxOut = location.frozen ? 0 : Math.max(0, Math.floor((stock - keep) / p)) * p;
  const survival = demandSurvival(location.demandMean, location.demandDispersion, stock + p);
  const lossSlopes: number[] = [];
  for (let out = p; out <= maxOut; out += p)
    lossSlopes.push((location.unitMargin * band(survival, stock - out, stock - out + p)) / p);
  // Arrival after the lead time: the demand left, against the stock left (its expected depletion).
  const lead = Math.min(horizon, Math.max(0, inboundLead));
  const leadDemand = (location.demandMean * lead) / Math.max(horizon, 1e-9);
  const arrivalDemand = location.demandMean - leadDemand;
  const arrivalStock = Math.max(0, Math.floor(stock - leadDemand));
  const gainSlopes: number[] = [];
  if (!location.frozen && Number.isFinite(cheapestIn)) {
    // Enough of the demand distribution to reach where a unit stops paying for its freight.
    const reach = Math.ceil(
      arrivalDemand + 12 * Math.sqrt(arrivalDemand + arrivalDemand ** 2 / location.demandDispersion) + 10,
    );
    const top = Math.min(arrivalStock + maxIn, Math.max(arrivalStock, reach) + p);
    const after = demandSurvival(arrivalDemand, location.demandDispersion, top + p);
    for (let inflow = p; arrivalStock + inflow <= top; inflow += p) {
      const slope = (location.unitMargin * band(after, arrivalStock + inflow - p, arrivalStock + inflow)) / p;
      if (slope <= cheapestIn) break;
      gainSlopes.push(slope);
    }
  }
  return { gainSlopes, lossSlopes, arrivalStock, arrivalDemand, maxOut };
}

export function buildTransferProgram(
  problem: TransferProblem,
  options: { planner?: boolean } = {},
): TransferProgram {
  const planner = options.planner ?? true;
  const p = problem.packSize;
  const byId = new Map(
    problem.locations.map((l) => [l.id, planner ? l : { ...l, minStock: undefined, frozen: false }]),
  );
  const fastestIn = new Map<string, number>();
  const cheapestIn = new Map<string, number>();
  for (const lane of problem.lanes) {
    fastestIn.set(lane.to, Math.min(fastestIn.get(lane.to) ?? Number.POSITIVE_INFINITY, lane.leadTimeDays));
    cheapestIn.set(lane.to, Math.min(cheapestIn.get(lane.to) ?? Number.POSITIVE_INFINITY, lane.unitCost));
  }
  // What could move at all: the network's total surplus bounds any inflow.
  const supply = [...byId.values()].reduce(
    (a, l) => a + Math.max(0, Math.floor((l.onHand - Math.max(l.safetyStock, l.minStock ?? 0, 0)) / p) * p),
    0,
  );
  const curves = new Map<string, Curve>();
  for (const l of byId.values())
    curves.set(
      l.id,
      curveFor(
        l,
        problem,
        fastestIn.get(l.id) ?? 0,
        cheapestIn.get(l.id) ?? Number.POSITIVE_INFINITY,
        supply,
      ),
    );

  // A lane can pay only if, on its own, some quantity beats its hurdle: in any plan its share of
  // a destination's gain and a source's loss is no better than alone (gains fall, losses rise).
  const standalone = (lane: TransferLane, cap: number) => {
    const source = curves.get(lane.from)!;
    const sink = curves.get(lane.to)!;
    let best = 0;
    let total = 0;
    const packs = Math.min(Math.floor(cap / p), sink.gainSlopes.length, source.lossSlopes.length);
    for (let j = 0; j < packs; j++) {
      total += (sink.gainSlopes[j]! - source.lossSlopes[j]! - lane.unitCost) * p;
      if ((j + 1) * p >= problem.minTransferUnits) best = Math.max(best, total);
    }
    return best;
  };
  const lanes = problem.lanes.filter((lane) => {
    const from = byId.get(lane.from);
    const to = byId.get(lane.to);
    if (!from || !to || from.frozen || to.frozen || lane.from === lane.to) return false;
    const cap = Math.min(lane.maxUnits ?? Number.POSITIVE_INFINITY, curves.get(lane.from)!.maxOut);
    if (cap < Math.max(p, problem.minTransferUnits)) return false;
    return (
      standalone(lane, cap) > lane.shipmentCost + problem.minBenefit ||
      (to.minStock ?? 0) > curves.get(lane.to)!.arrivalStock
    );
  });

  const lp = new LinearProgram('maximize');
  const laneColumns: TransferProgram['lanes'] = [];
  const inflow = new Map<string, [number, number][]>();
  const outflow = new Map<string, [number, number][]>();
  lanes.forEach((lane, k) => {
    const source = curves.get(lane.from)!;
    const capUnits = Math.min(lane.maxUnits ?? Number.POSITIVE_INFINITY, source.maxOut);
    const maxPacks = Math.floor(capUnits / p);
    const packs = lp.addColumn({
      name: `n${k}`,
      cost: -lane.unitCost * p,
      lower: 0,
      upper: maxPacks,
      kind: 'integer',
    });
    const used = lp.addColumn({
      name: `u${k}`,
      cost: -(lane.shipmentCost + problem.minBenefit),
      lower: 0,
      upper: 1,
      kind: 'binary',
    });
    // Used iff it moves: at least the minimum quantity, at most the cap.
    lp.addRow(
      `cap${k}`,
      [
        [packs, p],
        [used, -maxPacks * p],
      ],
      Number.NEGATIVE_INFINITY,
      0,
    );
    const minimum = Math.max(p, problem.minTransferUnits);
    lp.addRow(
      `min${k}`,
      [
        [packs, p],
        [used, -minimum],
      ],
      0,
      Number.POSITIVE_INFINITY,
    );
    laneColumns.push({ lane, packs, used });
    (inflow.get(lane.to) ?? inflow.set(lane.to, []).get(lane.to)!).push([packs, p]);
    (outflow.get(lane.from) ?? outflow.set(lane.from, []).get(lane.from)!).push([packs, p]);
  });
  const pinShortfalls: TransferProgram['pinShortfalls'] = [];
  // Column names use the location's position: ids may hold characters LP files do not allow.
  const position = new Map([...curves.keys()].map((id, i) => [id, i]));
  for (const [id, c] of curves) {
    const at = position.get(id)!;
    const ins = inflow.get(id) ?? [];
    const outs = outflow.get(id) ?? [];
    if (ins.length > 0) {
      const segments = c.gainSlopes.map((slope, j) =>
        lp.addColumn({ name: `g${at}_${j}`, cost: slope, lower: 0, upper: p, kind: 'continuous' }),
      );
      // Gain segments carry exactly what arrives (beyond the last segment units gain nothing).
      const spill = lp.addColumn({
        name: `gs${at}`,
        cost: 0,
        lower: 0,
        upper: Number.POSITIVE_INFINITY,
        kind: 'continuous',
      });
      lp.addRow(
        `in${at}`,
        [
          ...segments.map((s): [number, number] => [s, 1]),
          [spill, 1],
          ...ins.map(([col, coef]): [number, number] => [col, -coef]),
        ],
        0,
        0,
      );
    }
    if (outs.length > 0) {
      const segments = c.lossSlopes.map((slope, j) =>
        lp.addColumn({ name: `l${at}_${j}`, cost: -slope, lower: 0, upper: p, kind: 'continuous' }),
      );
      lp.addRow(
        `out${at}`,
        [
          ...segments.map((s): [number, number] => [s, 1]),
          ...outs.map(([col, coef]): [number, number] => [col, -coef]),
        ],
        0,
        0,
      );
    }
    const location = byId.get(id)!;
    if (planner && (location.minStock ?? 0) > 0 && ins.length > 0) {
      // A pinned destination reaches its minimum on arrival, or pays for every unit short.
      const shortfall = lp.addColumn({
        name: `pin${at}`,
        cost: -PIN_PENALTY,
        lower: 0,
        upper: Number.POSITIVE_INFINITY,
        kind: 'continuous',
      });
      pinShortfalls.push({ location: id, column: shortfall });
      lp.addRow(
        `pinrow${at}`,
        [
          ...ins.map(([col, coef]): [number, number] => [col, coef]),
          ...outs.map(([col, coef]): [number, number] => [col, -coef]),
          [shortfall, 1],
        ],
        location.minStock! - c.arrivalStock,
        Number.POSITIVE_INFINITY,
      );
    }
  }
  return {
    lp,
    lanes: laneColumns,
    curves: new Map(
      [...curves].map(([id, c]) => [
        id,
        {
          gainSlopes: c.gainSlopes,
          lossSlopes: c.lossSlopes,
          arrivalStock: c.arrivalStock,
          arrivalDemand: c.arrivalDemand,
        },
      ]),
    ),
    pinShortfalls,
  };
}
