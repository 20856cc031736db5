import { demandSurvival } from './expected-sales.ts';
import { type Column, LinearProgram } from './linear-program.ts';
import type { Piece } from './min-cost-flow.ts';

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
 *
 * Fairness (optional): each region or store group expects to sell at least a minimum share
 * of its expected demand after the plan, measured on the same curves, or pays a penalty
 * per expected unit short (see `TransferFairness`).
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
  /** The region the location belongs to, for the fairness floor (a location with none is in no region group). */
  region?: string;
  /** The store group (format, cluster) the location belongs to, for the fairness floor. */
  storeGroup?: string;
}

/** A way of grouping locations for the fairness floor. */
export type FairnessGrouping = 'region' | 'storeGroup';

/**
 * A minimum share of expected demand that every region or store group expects to serve over
 * the horizon after the plan: for each group G,
 *   sum_{l in G} expected sales after the plan at l >= minimumShare x sum_{l in G} demandMean_l,
 * with expected sales after = expected sales at today's stock - the units the loss curve
 * says sending costs + the units the gain curve says receiving adds (the curves the objective
 * uses). A floor the stock cannot reach is not an infeasible program: each expected unit of
 * sales short costs a penalty, so the plan closes as much of the gap as it can.
 */
export interface TransferFairness {
  /** Share of each group's expected demand it must expect to sell, in [0, 1]. */
  minimumShare: number;
  /** Which groups the floor applies to (default both: every region and every store group). */
  groupBy?: FairnessGrouping[];
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
  /** A minimum share of expected demand served per region or store group; none when absent. */
  fairness?: TransferFairness;
}

/** Expected sales of one location in units, for the fairness floor. */
export interface LocationSales {
  /** Expected demand over the horizon. */
  demand: number;
  /** Expected sales over the horizon at today's stock: E[min(D, stock)]. */
  before: number;
  /** Expected units sold per unit of each incoming pack (exact, per pack, in order). */
  gainRates: number[];
  /** Expected units of sales lost per unit of each outgoing pack (exact, per pack, in order). */
  lossRates: number[];
}

/** One fairness group as the program carries it. */
export interface FairnessFloor {
  kind: FairnessGrouping;
  key: string;
  locations: string[];
  demand: number;
  /** Expected sales of the group at today's stock. */
  salesBefore: number;
  /** minimumShare x demand: the expected sales the group must reach. */
  floor: number;
  /**
   * The column of expected units short of the floor, or null when no plan can take the
   * group below its floor (its sales at today's stock less everything its members could
   * send still reach it), so the program carries no row for it.
   */
  column: number | null;
}

export interface TransferProgram {
  lp: LinearProgram;
  packSize: number;
  /** Fewest units a used lane carries (the minimum transfer, at least a pack). */
  minimumUnits: number;
  /** Lanes kept after pruning, with the column of their pack count and of their use flag. */
  lanes: { lane: TransferLane; packs: number; used: number }[];
  /** Gain and loss segments per location, for explaining a solution. */
  curves: Map<
    string,
    {
      /** Exact value of each pack in or out (what explanations report). */
      gainSlopes: number[];
      lossSlopes: number[];
      /** The pieces the program carries (compressSlopes). */
      gainSegments: Segment[];
      lossSegments: Segment[];
      arrivalStock: number;
      arrivalDemand: number;
      /** Expected sales in units, for a location in a fairness group (else null). */
      sales: LocationSales | null;
    }
  >;
  /**
   * Penalty per unit below a pinned minimum (so planner intent wins whenever stock allows):
   * the shortfall's column, and the net inflow that meets the pin (the minimum less the stock
   * on arrival; none needed when it is 0 or less).
   */
  pinShortfalls: { location: string; column: number; need: number }[];
  /** The fairness groups (empty when the problem has no fairness floor), regions first, each by key. */
  fairness: FairnessFloor[];
  /** Penalty per expected unit of sales a fairness group falls short of its floor. */
  fairnessPenalty: number;
  /**
   * The columns and rows that only tie the use flags to the flows: the flags, each lane's cap
   * and minimum rows, the destinations' segments split by lane and the sources' loss shares.
   * With every flag whole they allow every flow the flag allows, so `flowProgram` leaves them
   * out and bounds each lane's packs instead.
   */
  linking: { columns: number[]; rows: number[] };
}

/**
 * The program with every lane's use flag decided: the flows alone (pack columns, gain and loss
 * segments, pins and fairness floors), without the flags and the rows that tie them to the
 * flows. An open lane's packs lie in [minimum, cap], a closed lane's at 0 (`openBounds`), and
 * its objective plus the open lanes' fixed charges is the full program's with those flags.
 * It has a twentieth of the full program's rows, and is a network flow in whole packs (its
 * relaxation is integral unless a minimum quantity is not a whole number of packs).
 */
export interface FlowProgram {
  lp: LinearProgram;
  /** Per lane of the full program (same order): its packs column here. */
  packs: Int32Array;
  /** Per lane: packs when open, at least and at most. */
  openLower: Float64Array;
  openUpper: Float64Array;
  /** Per lane: shipment cost plus the no-churn hurdle, paid when it is open. */
  fixedCharge: Float64Array;
}

export function flowProgram(program: TransferProgram): FlowProgram {
  const dropColumn = new Uint8Array(program.lp.columns.length);
  for (const j of program.linking.columns) dropColumn[j] = 1;
  const dropRow = new Uint8Array(program.lp.rows.length);
  for (const i of program.linking.rows) dropRow[i] = 1;
  const { lp, index } = program.lp.restrict(
    (_, j) => dropColumn[j] === 0,
    (_, i) => dropRow[i] === 0,
    (c) => ({ ...c, kind: 'continuous' }),
  );
  const minimum = program.minimumUnits / program.packSize;
  return {
    lp,
    packs: Int32Array.from(program.lanes, (l) => index[l.packs]!),
    openLower: Float64Array.from(program.lanes, () => minimum),
    openUpper: Float64Array.from(program.lanes, (l) => program.lp.columns[l.packs]!.upper),
    fixedCharge: Float64Array.from(program.lanes, (l) => -program.lp.columns[l.used]!.cost),
  };
}

/**
 * The flow program as a network in packs, when it is one (`transferNetwork`). Node 0 is a hub
 * the units come from and go back to: a source's loss chain runs from the hub to its out node
 * (each pack costs what it loses), a destination's gain chain from its in node back to the hub
 * (each pack earns what it gains, then spills at no value), and a lane from a source's out
 * node to a destination's in node costs its unit cost per pack.
 *
 * With every use flag decided, the full program's objective is `offset` - the least cost of
 * the circulation - the open lanes' fixed charges, and its optimum in whole packs is the
 * network's, which whole bounds make whole.
 */
export interface TransferNetwork {
  nodes: number;
  /**
   * The chains, each with what it carries at a location: what the location sends or receives,
   * or at a pinned location, what is left of what it receives after what it sends, or what it
   * sends beyond what it receives.
   */
  chains: { from: number; to: number; pieces: Piece[]; location: string; carries: ChainFlow }[];
  /** Per lane of the full program (same order): its nodes, cost per pack and packs when open. */
  lanes: {
    from: number;
    to: number;
    cost: number;
    openLower: number;
    openUpper: number;
    fixedCharge: number;
  }[];
  /** The constant part of the objective: the pins' penalties at no inflow. */
  offset: number;
}

export type ChainFlow = 'sent' | 'received' | 'left over' | 'sent beyond';

/**
 * The network of a transfer program, or null when the program is not one (a fairness floor
 * ties many locations' sales together).
 *
 * A pinned location pays the penalty on every unit its stock on arrival, plus what it
 * receives, less what it sends, falls short of the pin: a convex function of the difference
 * of two flows, which takes a node of its own. What it receives flows into it along the gain
 * chain, what it sends leaves it along the loss chain, and the rest balances through two
 * chains to and from the hub: units left over earn the penalty back for each unit of the need
 * they cover, and units sent beyond what was received cost the penalty for each unit they
 * take the stock below the pin. (Without a pin that node would let received units leave
 * without their loss, so only pinned locations have it.)
 */
export function transferNetwork(program: TransferProgram): TransferNetwork | null {
  if (program.fairness.some((f) => f.column !== null)) return null;
  const p = program.packSize;
  const lp = program.lp;
  const outNode = new Map<string, number>();
  const inNode = new Map<string, number>();
  let nodes = 1;
  for (const { lane } of program.lanes) {
    if (!outNode.has(lane.from)) outNode.set(lane.from, nodes++);
    if (!inNode.has(lane.to)) inNode.set(lane.to, nodes++);
  }
  const pins = new Map(program.pinShortfalls.map((pin) => [pin.location, pin.need]));
  const perPack = (segments: Segment[], sign: number): Piece[] =>
    segments.map((s) => ({ cost: sign * s.slope * p, width: s.width / p }));
  const free = { cost: 0, width: Number.POSITIVE_INFINITY };
  const chains: TransferNetwork['chains'] = [];
  let offset = 0;
  for (const [id, curve] of program.curves) {
    const chain = (from: number, to: number, pieces: Piece[], carries: ChainFlow) => {
      chains.push({ from, to, pieces, location: id, carries });
    };
    const out = outNode.get(id);
    const into = inNode.get(id);
    const need = pins.get(id);
    if (need === undefined || into === undefined) {
      if (out !== undefined) chain(0, out, perPack(curve.lossSegments, 1), 'sent');
      if (into !== undefined) chain(into, 0, [...perPack(curve.gainSegments, -1), free], 'received');
      continue;
    }
    const pinned = nodes++;
    offset -= PIN_PENALTY * Math.max(0, need);
    chain(into, pinned, [...perPack(curve.gainSegments, -1), free], 'received');
    if (out !== undefined) chain(pinned, out, perPack(curve.lossSegments, 1), 'sent');
    // Left over, the k-th pack covers the need's units from p(k - 1) to pk; sent beyond what
    // was received, the k-th pack takes the stock that many units further towards and below
    // the pin (it starts need units above the pin when need < 0).
    const covered = (units: number) => Math.min(Math.max(0, need), units);
    const below = (units: number) => Math.max(0, units + need);
    const cover = byPack((k) => -PIN_PENALTY * (covered(p * k) - covered(p * (k - 1))), Math.ceil(need / p));
    chain(pinned, 0, [...cover, free], 'left over');
    const reach = Math.max(0, Math.ceil(-need / p));
    const short = byPack((k) => PIN_PENALTY * (below(p * k) - below(p * (k - 1))), reach);
    chain(0, pinned, [...short, { cost: PIN_PENALTY * p, width: Number.POSITIVE_INFINITY }], 'sent beyond');
  }
  const minimum = Math.ceil(program.minimumUnits / p - 1e-9);
  return {
    nodes,
    chains,
    lanes: program.lanes.map(({ lane, packs, used }) => ({
      from: outNode.get(lane.from)!,
      to: inNode.get(lane.to)!,
      cost: -lp.columns[packs]!.cost,
      openLower: minimum,
      openUpper: lp.columns[packs]!.upper,
      fixedCharge: -lp.columns[used]!.cost,
    })),
    offset,
  };
}

/** Pieces of one pack each for packs 1..count at cost(k), runs of equal cost merged. */
function byPack(cost: (k: number) => number, count: number): Piece[] {
  const pieces: Piece[] = [];
  for (let k = 1; k <= count; k++) {
    const c = cost(k);
    const last = pieces[pieces.length - 1];
    if (last && last.cost === c) last.width += 1;
    else pieces.push({ cost: c, width: 1 });
  }
  return pieces;
}

export const PIN_PENALTY = 1e6;
/**
 * Penalty per expected unit of sales below a fairness floor, as a multiple of the highest unit
 * margin in the problem: closing the gap wins unless a unit sent would sell with a probability
 * under about 1 in 100. Not 1e6 like a pin: an unreachable floor leaves its shortfall in the
 * objective, and the solver's relative gap would then allow plans that far from the best.
 */
export const FAIRNESS_PENALTY_PER_MARGIN = 100;
/** Expected sales per unit below which a pack adds nothing to a fairness floor (the curve stops). */
const NEGLIGIBLE_SALE = 1e-9;
/** Linear pieces per gain or loss curve: exact for up to this many packs, chords beyond. */
export const DEFAULT_SEGMENTS = 12;
/**
 * Gain segments per destination split by inbound lane (the strengthening below). On the
 * regional bench SKUs 4 closes about 0.7 points more of the relaxation's gap than 2, and
 * more than 4 closes nothing more.
 */
export const DEFAULT_DISAGGREGATE = 4;
/** Expected margin lost per unit sent below which a source's loss gets no perspective rows. */
const PERSPECTIVE_MIN_SLOPE = 1e-4;

interface Curve {
  gainSlopes: number[];
  lossSlopes: number[];
  arrivalStock: number;
  arrivalDemand: number;
  maxOut: number;
  /** Only for a location in a fairness group: its sales in units, and its gain curve past gainSlopes. */
  sales: LocationSales | null;
  /** Gain slopes past where a unit stops paying for its freight: units a fairness floor may still send. */
  tailSlopes: number[];
}

/** A linear piece of a curve: `width` units at `slope` each. */
export interface Segment {
  slope: number;
  width: number;
}

/**
 * Merges per-pack slopes into at most `limit` segments, each the chord of the packs it
 * covers: exact at its ends, below a concave gain curve (above a convex loss) in between, so
 * the program never overstates what a transfer earns. Breaks fall where the slope has moved
 * by an equal share of its range; a short curve stays exact, one segment per pack.
 */
export function compressSlopes(slopes: number[], pack: number, limit: number): Segment[] {
  if (slopes.length <= limit) return slopes.map((slope) => ({ slope, width: pack }));
  const range = Math.abs(slopes[0]! - slopes[slopes.length - 1]!);
  // A new segment starts once the slope has moved more than `band` from where it started:
  // at most `limit` segments over the whole range.
  const band = range / Math.max(1, limit - 1);
  const out: Segment[] = [];
  let start = 0;
  for (let j = 1; j <= slopes.length; j++) {
    if (j < slopes.length && Math.abs(slopes[j]! - slopes[start]!) <= band) continue;
    let total = 0;
    for (let i = start; i < j; i++) total += slopes[i]!;
    out.push({ slope: total / (j - start), width: (j - start) * pack });
    start = j;
  }
  return out;
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
  fair: boolean,
): Curve {
  const p = problem.packSize;
  const horizon = problem.horizonDays;
  const stock = Math.max(0, Math.floor(location.onHand));
  // Removal at once: sales lost over the whole horizon.
  const keep = Math.max(location.safetyStock, location.minStock ?? 0, 0);
  const maxOut = location.frozen ? 0 : Math.max(0, Math.floor((stock - keep) / p)) * p;
  const survival = demandSurvival(location.demandMean, location.demandDispersion, stock + p);
  const lossSlopes: number[] = [];
  const lossRates: number[] = [];
  for (let out = p; out <= maxOut; out += p) {
    const sold = band(survival, stock - out, stock - out + p);
    lossSlopes.push((location.unitMargin * sold) / p);
    if (fair) lossRates.push(sold / p);
  }
  // Arrival after the lead time: the demand left, against the stock left (its expected depletion).
  const lead = Math.min(horizon, Math.max(0, inboundLead));
  const leadDemand = (location.demandMean * lead) / Math.max(horizon, 1e-9);
  const arrivalDemand = location.demandMean - leadDemand;
  const arrivalStock = Math.max(0, Math.floor(stock - leadDemand));
  const gainSlopes: number[] = [];
  const gainRates: number[] = [];
  const tailSlopes: number[] = [];
  if (!location.frozen && Number.isFinite(cheapestIn)) {
    // Enough of the demand distribution to reach where a unit stops paying for its freight.
    const reach = Math.ceil(
      arrivalDemand + 12 * Math.sqrt(arrivalDemand + arrivalDemand ** 2 / location.demandDispersion) + 10,
    );
    const top = Math.min(arrivalStock + maxIn, Math.max(arrivalStock, reach) + p);
    const after = demandSurvival(arrivalDemand, location.demandDispersion, top + p);
    let inflow = p;
    for (; arrivalStock + inflow <= top; inflow += p) {
      const sold = band(after, arrivalStock + inflow - p, arrivalStock + inflow);
      const slope = (location.unitMargin * sold) / p;
      if (slope <= cheapestIn) break;
      gainSlopes.push(slope);
      if (fair) gainRates.push(sold / p);
    }
    // For a fairness floor the curve goes on while a unit still sells: units that do not pay
    // for their freight may still be what brings a group to its floor.
    if (fair)
      for (; arrivalStock + inflow <= top; inflow += p) {
        const sold = band(after, arrivalStock + inflow - p, arrivalStock + inflow);
        if (sold / p <= NEGLIGIBLE_SALE) break;
        tailSlopes.push((location.unitMargin * sold) / p);
        gainRates.push(sold / p);
      }
  }
  const sales = fair
    ? { demand: location.demandMean, before: band(survival, 0, stock), gainRates, lossRates }
    : null;
  return { gainSlopes, lossSlopes, arrivalStock, arrivalDemand, maxOut, sales, tailSlopes };
}

/** The mean of `values` (per pack, in order) over each segment's packs: a chord's coefficient. */
function averageOver(values: number[], segments: Segment[], pack: number): number[] {
  let start = 0;
  return segments.map((segment) => {
    const packs = Math.round(segment.width / pack);
    let total = 0;
    for (let i = start; i < start + packs; i++) total += values[i]!;
    start += packs;
    return total / packs;
  });
}

/**
 * The fairness groups of a problem, regions first, each sorted by key (code-point order), with
 * their members in input order.
 */
export function fairnessGroups(
  problem: TransferProblem,
): { kind: FairnessGrouping; key: string; locations: string[] }[] {
  if (!problem.fairness) return [];
  const kinds = problem.fairness.groupBy ?? ['region', 'storeGroup'];
  const out: { kind: FairnessGrouping; key: string; locations: string[] }[] = [];
  for (const kind of (['region', 'storeGroup'] as const).filter((k) => kinds.includes(k))) {
    const members = new Map<string, string[]>();
    for (const l of problem.locations) {
      const key = l[kind];
      if (key === undefined) continue;
      (members.get(key) ?? members.set(key, []).get(key)!).push(l.id);
    }
    for (const key of [...members.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)))
      out.push({ kind, key, locations: members.get(key)! });
  }
  return out;
}

/**
 * The transfer program of one SKU. `planner: false` drops the pins and freezes, and
 * `fairness: false` the fairness floors' rows (keeping everything else the floors add, so
 * the two objectives compare like with like): what pricing them re-solves.
 */
export function buildTransferProgram(
  problem: TransferProblem,
  options: {
    planner?: boolean;
    fairness?: boolean;
    segments?: number;
    disaggregate?: number;
    perspective?: boolean;
  } = {},
): TransferProgram {
  const perspective = options.perspective ?? true;
  const planner = options.planner ?? true;
  const enforceFairness = options.fairness ?? true;
  const segmentLimit = options.segments ?? DEFAULT_SEGMENTS;
  const disaggregate = options.disaggregate ?? DEFAULT_DISAGGREGATE;
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
  const groups = fairnessGroups(problem);
  const grouped = new Set(groups.flatMap((g) => g.locations));
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
        grouped.has(l.id),
      ),
    );
  // A group's floor can bind only if its sales at today's stock, less all its members could
  // send, fall short of it; other groups need no row, and their members no change.
  const minimumShare = problem.fairness?.minimumShare ?? 0;
  const floors = groups.map((g) => {
    let demand = 0;
    let salesBefore = 0;
    let canLose = 0;
    for (const id of g.locations) {
      const sales = curves.get(id)!.sales!;
      demand += sales.demand;
      salesBefore += sales.before;
      for (const rate of sales.lossRates) canLose += rate * p;
    }
    const floor = minimumShare * demand;
    return { ...g, demand, salesBefore, floor, binds: salesBefore - canLose < floor - 1e-9 };
  });
  // Destinations in a group whose floor can bind: their gain curves run on past what pays.
  const fairDestinations = new Set(floors.filter((f) => f.binds).flatMap((f) => f.locations));
  const gainLength = (id: string) =>
    curves.get(id)!.gainSlopes.length + (fairDestinations.has(id) ? curves.get(id)!.tailSlopes.length : 0);

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
      (to.minStock ?? 0) > curves.get(lane.to)!.arrivalStock ||
      // A lane that does not pay may still be what brings a group to its floor.
      (fairDestinations.has(lane.to) && gainLength(lane.to) > 0)
    );
  });

  // A destination can take no more than its kept inbound lanes can bring: its gain curve stops
  // there, and a lane carries no more than its destination can use (units past the last gain
  // segment earn nothing and pay freight; a pin's shortfall aside). Tight lane bounds are what
  // make the relaxation of the use flags strong.
  const laneCap = (lane: TransferLane) =>
    Math.floor(Math.min(lane.maxUnits ?? Number.POSITIVE_INFINITY, curves.get(lane.from)!.maxOut) / p);
  const inboundPacks = new Map<string, number>();
  for (const lane of lanes) inboundPacks.set(lane.to, (inboundPacks.get(lane.to) ?? 0) + laneCap(lane));
  const pinPacks = (id: string) =>
    Math.ceil(Math.max(0, (byId.get(id)!.minStock ?? 0) - curves.get(id)!.arrivalStock) / p);
  const usefulPacks = (id: string) => Math.min(inboundPacks.get(id) ?? 0, gainLength(id) + pinPacks(id));

  const lp = new LinearProgram('maximize');
  const linking = { columns: [] as number[], rows: [] as number[] };
  const linkColumn = (column: Column) => {
    const j = lp.addColumn(column);
    linking.columns.push(j);
    return j;
  };
  const linkRow = (...row: Parameters<LinearProgram['addRow']>) => {
    linking.rows.push(lp.addRow(...row));
  };
  const laneColumns: TransferProgram['lanes'] = [];
  const inflow = new Map<string, [number, number, number][]>();
  const outflow = new Map<string, [number, number, number][]>();
  lanes.forEach((lane, k) => {
    const maxPacks = Math.min(laneCap(lane), usefulPacks(lane.to));
    const packs = lp.addColumn({
      name: `n${k}`,
      cost: -lane.unitCost * p,
      lower: 0,
      upper: maxPacks,
      kind: 'integer',
    });
    const used = linkColumn({
      name: `u${k}`,
      cost: -(lane.shipmentCost + problem.minBenefit),
      lower: 0,
      upper: 1,
      kind: 'binary',
    });
    // Used iff it moves: at least the minimum quantity, at most the cap.
    linkRow(
      `cap${k}`,
      [
        [packs, p],
        [used, -maxPacks * p],
      ],
      Number.NEGATIVE_INFINITY,
      0,
    );
    const minimum = Math.max(p, problem.minTransferUnits);
    linkRow(
      `min${k}`,
      [
        [packs, p],
        [used, -minimum],
      ],
      0,
      Number.POSITIVE_INFINITY,
    );
    laneColumns.push({ lane, packs, used });
    (inflow.get(lane.to) ?? inflow.set(lane.to, []).get(lane.to)!).push([packs, p, used]);
    (outflow.get(lane.from) ?? outflow.set(lane.from, []).get(lane.from)!).push([packs, p, used]);
  });
  const pinShortfalls: TransferProgram['pinShortfalls'] = [];
  const segments = new Map<string, { gain: Segment[]; loss: Segment[] }>();
  // Per location, its gain and loss segment columns with the expected units each unit in them sells.
  const salesTerms = new Map<string, [number, number][]>();
  // Column names use the location's position: ids may hold characters LP files do not allow.
  const position = new Map([...curves.keys()].map((id, i) => [id, i]));
  for (const [id, c] of curves) {
    const at = position.get(id)!;
    const ins = inflow.get(id) ?? [];
    const outs = outflow.get(id) ?? [];
    const gain = compressSlopes(c.gainSlopes.slice(0, usefulPacks(id)), p, segmentLimit);
    // A fairness destination's curve past what pays is merged on its own (its breaks by units
    // sold, so a zero margin still gets pieces), and follows: the whole stays concave.
    const tailPacks = fairDestinations.has(id) ? Math.max(0, usefulPacks(id) - c.gainSlopes.length) : 0;
    const tailRates = c.sales?.gainRates.slice(c.gainSlopes.length, c.gainSlopes.length + tailPacks) ?? [];
    const tail = compressSlopes(tailRates, p, segmentLimit);
    const tailSlopes = averageOver(c.tailSlopes, tail, p);
    gain.push(...tail.map((segment, j) => ({ slope: tailSlopes[j]!, width: segment.width })));
    const outPacks = outs.reduce((a, [col]) => a + lp.columns[col]!.upper, 0);
    const loss = compressSlopes(c.lossSlopes.slice(0, outPacks), p, segmentLimit);
    segments.set(id, { gain, loss });
    const terms: [number, number][] = [];
    salesTerms.set(id, terms);
    if (ins.length > 0) {
      const columns = gain.map((segment, j) =>
        lp.addColumn({
          name: `g${at}_${j}`,
          cost: segment.slope,
          lower: 0,
          upper: segment.width,
          kind: 'continuous',
        }),
      );
      if (c.sales)
        averageOver(c.sales.gainRates, gain, p).forEach((rate, j) => {
          terms.push([columns[j]!, rate]);
        });
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
          ...columns.map((s): [number, number] => [s, 1]),
          [spill, 1],
          ...ins.map(([col, coef]): [number, number] => [col, -coef]),
        ],
        0,
        0,
      );
      // Strengthening: the first segments are filled lane by lane, and a lane fills a segment
      // only as far as its use flag is on. Whole plans satisfy this as they stand (a used lane's
      // flag is 1); the relaxation can no longer fill a destination's most valuable units
      // through many lanes each flagged a fraction.
      const tight = Math.min(gain.length, disaggregate);
      if (tight > 0 && ins.length === 1) {
        // One inbound lane: its flag alone bounds each segment.
        const used = ins[0]![2];
        for (let j = 0; j < tight; j++)
          linkRow(
            `yu${at}_${j}`,
            [
              [columns[j]!, 1],
              [used, -gain[j]!.width],
            ],
            Number.NEGATIVE_INFINITY,
            0,
          );
      } else if (tight > 0) {
        const share = ins.map(() => [] as [number, number][]);
        for (let j = 0; j < tight; j++) {
          const parts = ins.map(([, , used], k) => {
            const y = linkColumn({
              name: `y${at}_${j}_${k}`,
              cost: 0,
              lower: 0,
              upper: gain[j]!.width,
              kind: 'continuous',
            });
            linkRow(
              `yu${at}_${j}_${k}`,
              [
                [y, 1],
                [used, -gain[j]!.width],
              ],
              Number.NEGATIVE_INFINITY,
              0,
            );
            share[k]!.push([y, 1]);
            return y;
          });
          linkRow(`ys${at}_${j}`, [[columns[j]!, 1], ...parts.map((y): [number, number] => [y, -1])], 0, 0);
        }
        ins.forEach(([packs, coef], k) => {
          linkRow(`yl${at}_${k}`, [...share[k]!, [packs, -coef]], Number.NEGATIVE_INFINITY, 0);
        });
      }
    }
    if (outs.length > 0) {
      const columns = loss.map((segment, j) =>
        lp.addColumn({
          name: `l${at}_${j}`,
          cost: -segment.slope,
          lower: 0,
          upper: segment.width,
          kind: 'continuous',
        }),
      );
      if (c.sales)
        averageOver(c.sales.lossRates, loss, p).forEach((rate, j) => {
          terms.push([columns[j]!, -rate]);
        });
      lp.addRow(
        `out${at}`,
        [
          ...columns.map((s): [number, number] => [s, 1]),
          ...outs.map(([col, coef]): [number, number] => [col, -coef]),
        ],
        0,
        0,
      );
      // A source that loses next to nothing by sending gets no perspective rows: they would
      // strengthen nothing, and rows whose every coefficient is tiny are ones HiGHS scales up
      // until its tolerances cut off plans that are feasible (seen: a pin left a unit short,
      // on a source whose units sold with a probability of 1e-7).
      const steepest = loss.reduce((a, segment) => Math.max(a, segment.slope), 0);
      if (perspective && steepest >= PERSPECTIVE_MIN_SLOPE) {
        // Strengthening: each lane's share of the loss is at least the loss of sending its
        // units alone (the curve is convex, so losses add up to at most the whole), and a lane
        // flagged a fraction u pays u x the loss of u-scaled flow: lambda_k >= slope_j x units_k
        // + offset_j x used_k for each piece j (offset_j <= 0 is where piece j's line crosses 0).
        // A piece that starts beyond what a lane can carry adds nothing for that lane: the
        // curve is convex, so up to a piece's start its line lies under the curve.
        const pieces: { slope: number; offset: number; start: number }[] = [];
        let start = 0;
        let value = 0;
        for (const segment of loss) {
          const offset = value - segment.slope * start;
          if (offset < -1e-9) pieces.push({ slope: segment.slope, offset, start });
          value += segment.slope * segment.width;
          start += segment.width;
        }
        if (pieces.length > 0) {
          const shares = outs.map(([packs, coef, used], k) => {
            const share = linkColumn({
              name: `ls${at}_${k}`,
              cost: 0,
              lower: 0,
              upper: Number.POSITIVE_INFINITY,
              kind: 'continuous',
            });
            const most = lp.columns[packs]!.upper * coef;
            pieces.forEach((piece, j) => {
              if (piece.start >= most) return;
              linkRow(
                `lp${at}_${k}_${j}`,
                [
                  [share, 1],
                  [packs, -piece.slope * coef],
                  [used, -piece.offset],
                ],
                0,
                Number.POSITIVE_INFINITY,
              );
            });
            return share;
          });
          linkRow(
            `lsum${at}`,
            [
              ...columns.map((col, j): [number, number] => [col, loss[j]!.slope]),
              ...shares.map((col): [number, number] => [col, -1]),
            ],
            0,
            Number.POSITIVE_INFINITY,
          );
        }
      }
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
      pinShortfalls.push({ location: id, column: shortfall, need: location.minStock! - c.arrivalStock });
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
  // Each group whose floor can bind: its expected sales after the plan, on the program's own
  // segments, plus what it falls short reach the floor. Rows and columns come last, so a
  // problem without fairness builds the same program as before the floor existed.
  const fairnessPenalty =
    FAIRNESS_PENALTY_PER_MARGIN * problem.locations.reduce((a, l) => Math.max(a, l.unitMargin), 1);
  const fairness: FairnessFloor[] = floors.map((f, i) => {
    const { binds, ...floor } = f;
    if (!binds || !enforceFairness) return { ...floor, column: null };
    const column = lp.addColumn({
      name: `fs${i}`,
      cost: -fairnessPenalty,
      lower: 0,
      upper: Number.POSITIVE_INFINITY,
      kind: 'continuous',
    });
    const terms = f.locations.flatMap((id) => salesTerms.get(id)!).filter(([, rate]) => rate !== 0);
    lp.addRow(`fair${i}`, [...terms, [column, 1]], f.floor - f.salesBefore, Number.POSITIVE_INFINITY);
    return { ...floor, column };
  });
  return {
    lp,
    packSize: p,
    minimumUnits: Math.max(p, problem.minTransferUnits),
    lanes: laneColumns,
    curves: new Map(
      [...curves].map(([id, c]) => [
        id,
        {
          gainSlopes: fairDestinations.has(id) ? [...c.gainSlopes, ...c.tailSlopes] : c.gainSlopes,
          lossSlopes: c.lossSlopes,
          gainSegments: segments.get(id)!.gain,
          lossSegments: segments.get(id)!.loss,
          arrivalStock: c.arrivalStock,
          arrivalDemand: c.arrivalDemand,
          sales: c.sales,
        },
      ]),
    ),
    pinShortfalls,
    fairness,
    fairnessPenalty,
    linking,
  };
}
