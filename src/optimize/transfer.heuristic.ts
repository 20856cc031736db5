import type { Highs } from 'highs';
import { RelaxationModel, type Solution, solveWith } from './highs.ts';
import type { Column } from './linear-program.ts';
import { ConvexFlow, type FlowSnapshot } from './min-cost-flow.ts';
import {
  type ChainFlow,
  flowProgram,
  type TransferNetwork,
  type TransferProgram,
  transferNetwork,
} from './transfer.model.ts';

/**
 * The primal heuristic of the transfer program: slope scaling, then a local search over
 * which lanes are open. Both solve the program many times with the use flags decided: slope
 * scaling on the flow program alone (`flowProgram`: a twentieth of the rows), on one HiGHS
 * model warm from the last solve; the local search on the program's network
 * (`transferNetwork`), re-optimised from the last plan by shortest paths (`ConvexFlow`), or on
 * the flow program when fairness floors keep it from being a network.
 */

/** Slope scaling: at most this many relaxations. */
const SCALING_ROUNDS = 12;

/**
 * Tries per pass of the local search, at the least effort: lanes opened (those the relaxation
 * sends most along) and closed (those that carry least), and tries of each move that changes
 * two to four lanes at once. Opening stops after OPEN_MISSES fruitless tries in a row, each
 * move pass after MOVE_MISSES.
 */
const OPEN_TRIES = 100;
const OPEN_MISSES = 20;
const CLOSE_TRIES = 20;
const MOVE_TRIES = 60;
const MOVE_MISSES = 15;
/**
 * The search's effort grows as the program shrinks: the tries above times
 * (SEARCH_LANES / lanes)^2, at least 1 and at most MAX_EFFORT times, since both the lanes worth
 * trying and a trial's cost grow with the program. On the bench's 500-store network SKUs
 * (about 800 lanes) that is about 6 times; on the 1,000-store instance (2,328 lanes) once.
 * Measured on the 20 network SKUs the bench checks against CBC (90 s each): twice the effort
 * of the earlier 2,400 / lanes (at most 6) took the heuristic from 0.074% to 0.054% below CBC
 * in total, for a third more search time; the lanes only the duals price, 0.083% to 0.074%;
 * the redirect's unload, 0.054% to 0.048%.
 */
const SEARCH_LANES = 2000;
const MAX_EFFORT = 12;
/**
 * Rounds of opening and closing lanes, while the last round earned more; the moves that change
 * several lanes at once run in the first round only. On the 20 network SKUs the bench checks
 * against CBC (90 s each), a second round of openings took the heuristic from 0.047% to 0.034%
 * below CBC in total, and the worst SKU from 0.103% to under 0.09% (with the chains below,
 * 12% more time a network SKU than neither, measured side by side); a second round of every
 * move reached 0.027%, for 40% more time a SKU.
 */
const SEARCH_ROUNDS = 2;
/**
 * Lanes an ejection chain opens at most (`chain` in the local search). Chains run only where
 * the search has effort to spare (programs under SEARCH_LANES lanes): on the 20 checked SKUs
 * they took the worst from 0.115% to 0.087% below CBC, for a tenth more search time; on the
 * 1,000-store SKU they found nothing, for a quarter more.
 */
const CHAIN_LANES = 4;

type Lane = TransferProgram['lanes'][number];

/** A plan with a given set of lanes open (each by its index among the program's lanes). */
interface Trial {
  objective: number;
  /** Packs along each lane. */
  packs: Float64Array;
  open: ReadonlySet<number>;
  /** The full program's solution, when the trial ran on it. */
  full?: Solution;
  /**
   * What each lane's pack column is worth at the margin (its reduced cost), when the trial
   * ran on the flow program: bounds what opening or closing lanes can earn (`upperBound`).
   */
  reduced?: Float64Array;
}

/** The program solved again and again with the lanes' use flags decided, warm from the last solve. */
interface LaneModel {
  /**
   * One slope-scaling round: every lane may carry anything up to its cap, paying its fixed
   * charge spread over `flows` packs. The packs each lane carries, or null.
   */
  spread(flows: Float64Array): Float64Array | null;
  /**
   * The plan with exactly these lanes open, or null when it is not in whole packs, or (a
   * model that can tell early) when it cannot earn more than `beat`.
   */
  fix(open: ReadonlySet<number>, beat?: number): Trial | null;
  /** The search goes on from this trial: later trials change it, not the last one tried. */
  keep(trial: Trial): void;
  /**
   * What opening one closed lane alone earns at least, from the plan kept: its best whole
   * number of packs pushed from its source's next units to its destination's (the rest of the
   * plan unchanged), less its fixed charge; NaN when the model cannot tell.
   */
  gainAlone(k: number): number;
  /** An upper bound on the objective after closing and opening lanes (Infinity when unknown). */
  upperBound(trial: Trial, close: number[], open: number[]): number;
  /** The full program's solution of a trial (null if it cannot be had from this model). */
  solution(trial: Trial): Solution | null;
  dispose(): void;
}

export interface HeuristicOptions {
  /** Seconds the branch and bound may take when whole packs need it on fixed lanes. */
  timeLimitSeconds: number;
  /** The scale MIP gaps are measured on when the program has fairness floors (else null). */
  netScale: number | null;
  /** Whether a plan is already close enough to the bound to stop. */
  good: (objective: number) => boolean;
}

/**
 * Slope scaling (Kim and Pardalos 1999) and a local search. Slope scaling spreads each lane's
 * fixed charge over the units it carried in the previous round and solves the relaxation
 * again, until the set of lanes in use settles; those lanes are switched on, the rest off, and
 * the program left (whole packs on fixed lanes, nearly a network flow) is solved. The local
 * search then opens and closes lanes while that earns more. Null when no plan is found.
 */
export function heuristicPlan(
  highs: Highs,
  program: TransferProgram,
  model: RelaxationModel,
  relaxed: Solution,
  options: HeuristicOptions,
): Solution | null {
  const lp = program.lp;
  const lanes = program.lanes;
  const network = transferNetwork(program);
  const trials = network
    ? networkLanes(program, network, flowLanes(highs, program, model))
    : flowLanes(highs, program, model);
  // Whole packs on fixed lanes when the network flow alone comes out fractional (a minimum
  // quantity can make it so): branch and bound on the full program, the flags fixed. The
  // generous limit only guards a loaded machine, where a plan must still come out.
  const usedOf = new Map(lanes.map((l, k) => [l.used, k]));
  const wholePacks = (open: ReadonlySet<number>): Trial | null => {
    const fix = (c: Column, j: number): Column => {
      const k = usedOf.get(j);
      return k === undefined ? c : { ...c, lower: open.has(k) ? 1 : 0, upper: open.has(k) ? 1 : 0 };
    };
    const full = solveWith(highs, lp.variant(fix), {
      mipGap: 1e-4,
      timeLimitSeconds: Math.max(10, 5 * options.timeLimitSeconds),
      ...(options.netScale === null ? {} : { mipAbsoluteGap: 1e-4 * options.netScale }),
    });
    if (!Number.isFinite(full.objective)) return null;
    return {
      objective: full.objective,
      packs: Float64Array.from(lanes, (l) => full.values[l.packs]!),
      open,
      full,
    };
  };
  const solutionOf = (trial: Trial) => trials.solution(trial) ?? wholePacks(trial.open)?.full ?? null;
  const fromStart = (start: Float64Array): Trial | null => {
    let flows = start;
    let last = '';
    for (let round = 0; round < SCALING_ROUNDS; round++) {
      const next = trials.spread(flows);
      if (!next) break;
      flows = next;
      const pattern = Array.from(flows, (x) => (x > 1e-6 ? '1' : '0')).join('');
      if (pattern === last) break;
      last = pattern;
    }
    const open = new Set<number>();
    flows.forEach((x, k) => {
      if (x > 1e-6) open.add(k);
    });
    return trials.fix(open) ?? wholePacks(open);
  };
  try {
    // Started from the relaxation's flows (the charges spread thin where it spread flow). A
    // second start from each lane's full capacity (which favours few, full lanes) used to add
    // about 0.2% on the regional bench SKUs; since the relaxation carries each lane's loss in
    // perspective it has come out behind the first on every SKU tried, so it is only the
    // fallback when the first finds no plan.
    const first = fromStart(Float64Array.from(lanes, (l) => relaxed.values[l.packs]!));
    if (first && options.good(first.objective)) return solutionOf(first);
    const best = first ?? fromStart(Float64Array.from(lanes, (l) => lp.columns[l.packs]!.upper));
    if (!best) return null;
    const found = localSearch(trials, lanes, best, relaxed);
    return found === best ? solutionOf(best) : (solutionOf(found) ?? solutionOf(best));
  } finally {
    trials.dispose();
  }
}

/**
 * Lane trials on the flow program: an open lane's packs bounded to [minimum, cap], a closed
 * lane's to 0. A trial takes about a fifth of the time it takes on the full model (1.7 ms
 * against 9.9 ms on a 500-store network SKU); the full model is solved once, for the plan kept.
 * Slope scaling always runs here; the local search too when the program is not a network.
 */
function flowLanes(highs: Highs, program: TransferProgram, model: RelaxationModel): LaneModel {
  const flow = flowProgram(program);
  const flowModel = new RelaxationModel(highs, flow.lp);
  const lanes = program.lanes;
  // Lanes in column order: HiGHS takes a set of columns in increasing order.
  const order = lanes.map((_, k) => k).sort((a, b) => flow.packs[a]! - flow.packs[b]!);
  const columns = Int32Array.from(order, (k) => flow.packs[k]!);
  const costs = flow.lp.columns.map((c) => c.cost);
  const bounds = lanes.map((_, k) => ({
    openLower: flow.openLower[k]!,
    openUpper: flow.openUpper[k]!,
    fixedCharge: flow.fixedCharge[k]!,
  }));
  let spread = false;
  const packsOf = (values: Float64Array) => Float64Array.from(flow.packs, (j) => values[j]!);
  return {
    spread(flows) {
      const spreadCosts = costs.slice();
      lanes.forEach((_, k) => {
        spreadCosts[flow.packs[k]!]! -= flow.fixedCharge[k]! / Math.max(flows[k]!, 1e-3);
      });
      flowModel.setCosts(spreadCosts);
      spread = true;
      flowModel.setBounds(
        columns,
        new Float64Array(order.length),
        Float64Array.from(order, (k) => flow.openUpper[k]!),
      );
      const next = flowModel.run();
      return next.status === 'optimal' ? packsOf(next.values) : null;
    },
    fix(open) {
      if (spread) flowModel.setCosts(costs);
      spread = false;
      flowModel.setBounds(
        columns,
        Float64Array.from(order, (k) => (open.has(k) ? flow.openLower[k]! : 0)),
        Float64Array.from(order, (k) => (open.has(k) ? flow.openUpper[k]! : 0)),
      );
      const next = flowModel.run();
      if (next.status !== 'optimal') return null;
      const packs = packsOf(next.values);
      let charges = 0;
      for (let k = 0; k < lanes.length; k++) {
        if (Math.abs(packs[k]! - Math.round(packs[k]!)) > 1e-7) return null;
        if (open.has(k)) charges += flow.fixedCharge[k]!;
      }
      const reduced = Float64Array.from(flow.packs, (j) => next.reducedCosts![j]!);
      return { objective: next.objective - charges, packs, open: new Set(open), reduced };
    },
    keep() {},
    gainAlone: () => Number.NaN,
    upperBound: (trial, close, open) => dualBound(bounds, trial, close, open),
    solution: flowLanesFull(program, model),
    dispose() {
      flowModel.dispose();
    },
  };
}

/**
 * Lane trials on the program's network (`transferNetwork`), re-optimised from the plan kept
 * by a few shortest paths (`ConvexFlow`) and abandoned as soon as weak duality shows they
 * cannot beat it: about 0.2 ms a trial on a 500-store network SKU, where a solve of the flow
 * program takes 1.8 ms, most of it the solver's fixed cost. Whole packs come out whole, so no
 * trial needs branch and bound. Slope scaling stays on the flow program (`slopes`: every lane's
 * cost changes each round, which would take a path per piece of every curve here), and the
 * network starts from its first plan. The full model is solved once, for the plan kept.
 */
function networkLanes(program: TransferProgram, network: TransferNetwork, slopes: LaneModel): LaneModel {
  const flow = new ConvexFlow(network.nodes);
  for (const chain of network.chains) flow.addChain(chain.from, chain.to, chain.pieces);
  const arcs = network.lanes.map((l) => flow.addArc(l.from, l.to, l.cost, 0, 0));
  // The chain that feeds each source from the hub and the one that takes each destination's
  // units back to it (edges are numbered in the order added: chains first). A pinned
  // location's units pass through its own node, so it has neither.
  const supplyOf = new Map<number, number>();
  const demandOf = new Map<number, number>();
  network.chains.forEach((c, e) => {
    if (c.from === 0 && c.carries === 'sent') supplyOf.set(c.to, e);
    if (c.to === 0 && c.carries === 'received') demandOf.set(c.from, e);
  });
  // Each arc's cost and bounds as last set, so a trial changes only the lanes it changes.
  const cost = Float64Array.from(network.lanes, (l) => l.cost);
  const lower = new Float64Array(arcs.length);
  const upper = new Float64Array(arcs.length);
  const set = (k: number, c: number, lo: number, up: number) => {
    if (cost[k] === c && lower[k] === lo && upper[k] === up) return;
    cost[k] = c;
    lower[k] = lo;
    upper[k] = up;
    flow.setArc(arcs[k]!, c, lo, up);
  };
  // The trial the search goes on from: a trial not kept is undone by going back to it.
  let kept: { flow: FlowSnapshot; cost: Float64Array; lower: Float64Array; upper: Float64Array } | null =
    null;
  let last: Trial | null = null;
  let started = false;
  // Stands for a flow moved from the kept trial's by a solve that gave no trial.
  const moved: Trial = { objective: Number.NaN, packs: new Float64Array(0), open: new Set() };
  const back = () => {
    if (!kept || last === null) return;
    flow.restore(kept.flow);
    cost.set(kept.cost);
    lower.set(kept.lower);
    upper.set(kept.upper);
    last = null;
  };
  // Plain loops: Float64Array.from with a mapping function costs as much as a short search.
  const packsNow = () => {
    const packs = new Float64Array(arcs.length);
    for (let k = 0; k < arcs.length; k++) packs[k] = flow.flow(arcs[k]!);
    return packs;
  };
  const reducedNow = () => {
    const reduced = new Float64Array(arcs.length);
    for (let k = 0; k < arcs.length; k++) reduced[k] = -flow.reducedCost(arcs[k]!);
    return reduced;
  };
  // Loads a plan of the flow program (every lane set as in it), each chain carrying what the
  // plan sends, receives or leaves at its location.
  const startFrom = (first: Trial) => {
    network.lanes.forEach((l, k) => {
      if (first.open.has(k)) set(k, l.cost, l.openLower, l.openUpper);
      else set(k, l.cost, 0, 0);
    });
    const sent = new Map<string, number>();
    const received = new Map<string, number>();
    program.lanes.forEach(({ lane }, k) => {
      const packs = Math.round(first.packs[k]!);
      sent.set(lane.from, (sent.get(lane.from) ?? 0) + packs);
      received.set(lane.to, (received.get(lane.to) ?? 0) + packs);
    });
    const carried = (location: string, carries: ChainFlow) => {
      const net = (received.get(location) ?? 0) - (sent.get(location) ?? 0);
      if (carries === 'sent') return sent.get(location) ?? 0;
      if (carries === 'received') return received.get(location) ?? 0;
      return carries === 'left over' ? Math.max(0, net) : Math.max(0, -net);
    };
    flow.load([
      ...network.chains.map((c) => carried(c.location, c.carries)),
      ...Array.from(first.packs, Math.round),
    ]);
  };
  const trials: LaneModel = {
    spread: (flows) => slopes.spread(flows),
    fix(open, beat = Number.NEGATIVE_INFINITY) {
      // A lane whose minimum is above what it may carry cannot be open.
      for (const k of open) if (network.lanes[k]!.openLower > network.lanes[k]!.openUpper) return null;
      back();
      if (!started) {
        // The first plan comes from the linear program (a solve from nothing would take a
        // path per piece of every curve); the network starts from it.
        started = true;
        const first = slopes.fix(open);
        if (first) startFrom(first);
      }
      let charges = 0;
      for (let k = 0; k < arcs.length; k++) {
        const l = network.lanes[k]!;
        if (!open.has(k)) {
          set(k, l.cost, 0, 0);
          continue;
        }
        set(k, l.cost, l.openLower, l.openUpper);
        charges += l.fixedCharge;
      }
      // The objective is offset - cost - charges: it beats `beat` only below this cost.
      const result = flow.solve(network.offset - charges - beat);
      const trial: Trial | null =
        result === 'optimal'
          ? {
              objective: network.offset - flow.cost() - charges,
              packs: packsNow(),
              open: new Set(open),
              reduced: reducedNow(),
            }
          : null;
      // Marks the flow as moved from the kept trial's (even when no trial came of it).
      last = trial ?? moved;
      return trial;
    },
    keep(trial) {
      if (trial !== last) trials.fix(trial.open);
      kept = { flow: flow.snapshot(), cost: cost.slice(), lower: lower.slice(), upper: upper.slice() };
      last = null;
    },
    gainAlone(k) {
      const l = network.lanes[k]!;
      const supply = supplyOf.get(l.from);
      const demand = demandOf.get(l.to);
      if (supply === undefined || demand === undefined) return Number.NaN;
      const losses = flow.nextCosts(supply, l.openUpper);
      const gains = flow.nextCosts(demand, l.openUpper);
      let total = 0;
      let best = Number.NEGATIVE_INFINITY;
      for (let x = 0; x < Math.min(losses.length, gains.length); x++) {
        total -= gains[x]! + losses[x]! + l.cost;
        if (x + 1 >= l.openLower) best = Math.max(best, total);
      }
      return best - l.fixedCharge;
    },
    upperBound: (trial, close, open) => dualBound(network.lanes, trial, close, open),
    solution: (trial) => slopes.solution(trial),
    dispose: () => slopes.dispose(),
  };
  return trials;
}

/**
 * LP duality: the trial's duals stay feasible when bounds change, so the dual objective at
 * the new bounds bounds the new optimum. A column's term is max(d lo, d up) over its bounds,
 * d x at the old optimum (complementary slackness).
 */
function dualBound(
  lanes: { openLower: number; openUpper: number; fixedCharge: number }[],
  trial: Trial,
  close: number[],
  open: number[],
): number {
  const d = trial.reduced;
  if (!d) return Number.POSITIVE_INFINITY;
  let bound = trial.objective;
  for (const k of close) bound += lanes[k]!.fixedCharge - d[k]! * trial.packs[k]!;
  for (const k of open)
    bound += Math.max(d[k]! * lanes[k]!.openLower, d[k]! * lanes[k]!.openUpper) - lanes[k]!.fixedCharge;
  return bound;
}

/**
 * The full program's solution with a trial's lanes open: the same plan, with every column's
 * value (null when the full program's relaxation with those flags does not give it whole).
 */
function flowLanesFull(program: TransferProgram, model: RelaxationModel): (trial: Trial) => Solution | null {
  const lanes = program.lanes;
  // Every lane's use flag and packs fixed at the trial's: what is left follows from them
  // (the segments, the splits and shares that tie them), a short solve from the last basis.
  // In column order: HiGHS takes a set of columns in increasing order.
  const fixed = lanes
    .flatMap((l, k) => [
      { column: l.used, k, packs: false },
      { column: l.packs, k, packs: true },
    ])
    .sort((a, b) => a.column - b.column);
  const columns = Int32Array.from(fixed, (f) => f.column);
  return (trial) => {
    if (trial.full) return trial.full;
    const level = Float64Array.from(fixed, (f) =>
      f.packs ? trial.packs[f.k]! : trial.open.has(f.k) ? 1 : 0,
    );
    model.setBounds(columns, level, level);
    const full = model.run();
    const same =
      full.status === 'optimal' &&
      integral(program.lp.columns, full.values) &&
      Math.abs(full.objective - trial.objective) <= 1e-6 * Math.max(1, Math.abs(trial.objective));
    return same ? full : null;
  };
}

/**
 * Local search after slope scaling: first the closed lanes the relaxation sends most along
 * are opened one at a time, then (a pass of their own) the closed lanes the relaxation leaves
 * empty but the plan's duals price, then the open lanes that carry least are closed one at a
 * time, then destinations are served from another source, sources send elsewhere and pairs of
 * sources trade destinations (the closed lanes tried are the same two lists, in that order); a
 * move that earns more, in whole packs, stays. On regional network SKUs it adds about 1% of
 * net benefit, more than 1 s of branch and bound a SKU adds.
 */
function localSearch(trials: LaneModel, lanes: Lane[], best: Trial, relaxed: Solution): Trial {
  const open = new Set(best.open);
  let current = best;
  trials.keep(best);
  const effort = Math.min(MAX_EFFORT, Math.max(1, (SEARCH_LANES / Math.max(1, lanes.length)) ** 2));
  // Switches lanes off and on, and keeps the change if the plan earns more in whole packs.
  const move = (close: number[], openAlso: number[]): boolean => {
    for (const k of close) open.delete(k);
    for (const k of openAlso) open.add(k);
    // A move its duals show cannot earn more is not tried.
    const beat = current.objective + 1e-6;
    const next = trials.upperBound(current, close, openAlso) > beat ? trials.fix(open, beat) : null;
    if (next && next.objective > beat) {
      current = next;
      trials.keep(next);
      return true;
    }
    for (const k of openAlso) open.delete(k);
    for (const k of close) open.add(k);
    return false;
  };
  // Lanes by the relaxation's flow along them, most first.
  const flow = (k: number) => relaxed.values[lanes[k]!.packs]!;
  const heaviest = (a: number, b: number) => flow(b) - flow(a) || a - b;
  // The lanes the relaxation sends along, most first: what every opening move tries.
  const ranked = lanes
    .map((_, k) => k)
    .filter((k) => flow(k) > 1e-6)
    .sort(heaviest);
  const lightest = (a: number, b: number) => current.packs[a]! - current.packs[b]! || a - b;
  // Closed lanes the relaxation leaves empty, but along which the plan's duals say a pack
  // would pay before the lane's fixed charge: the best bound on opening them first.
  const priced = (): number[] => {
    const d = current.reduced;
    if (!d) return [];
    const gain = new Map<number, number>();
    for (let k = 0; k < lanes.length; k++)
      if (!open.has(k) && flow(k) <= 1e-6 && d[k]! > 1e-9) {
        // What opening it alone surely earns; failing that, after every lane that has a figure,
        // by the duals' bound.
        const alone = trials.gainAlone(k);
        gain.set(
          k,
          Number.isNaN(alone) ? trials.upperBound(current, [], [k]) - current.objective - 1e9 : alone,
        );
      }
    return [...gain.keys()].sort((a, b) => gain.get(b)! - gain.get(a)! || a - b);
  };

  // Moves that change two to four lanes at once, none of whose parts pays on its own.
  const byPair = new Map(lanes.map((l, k) => [`${l.lane.from}\u0000${l.lane.to}`, k]));
  const into = new Map<string, number[]>();
  const outOf = new Map<string, number[]>();
  const add = (map: Map<string, number[]>, key: string, k: number) => {
    const list = map.get(key);
    if (list) list.push(k);
    else map.set(key, [k]);
  };
  lanes.forEach((l, k) => {
    add(into, l.lane.to, k);
    add(outOf, l.lane.from, k);
  });
  let tries = 0;
  let miss = 0;
  const spent = () => tries >= MOVE_TRIES * effort;
  /** One try of a move (false when it does not pay). */
  const attempt = (close: number[], openAlso: number[]): boolean => {
    tries += 1;
    if (move(close, openAlso)) {
      miss = 0;
      return true;
    }
    miss += 1;
    return false;
  };
  // c = s'>d: d served from s' in place of a source o it has now; failing that, s' also
  // stops its lightest other shipment (its units go to d instead).
  const replace = (c: number): boolean =>
    (into.get(lanes[c]!.lane.to) ?? []).some((o) => {
      if (!open.has(o) || spent()) return false;
      if (attempt([o], [c])) return true;
      const u = (outOf.get(lanes[c]!.lane.from) ?? [])
        .filter((k) => open.has(k) && k !== c)
        .sort(lightest)[0];
      return u !== undefined && u !== o && !spent() && attempt([o, u], [c]);
    });
  // c = s>d': s sends to d' in place of a destination d it serves now; failing that, d is
  // also served by the closed lane into it the relaxation sends most along, and failing that,
  // that lane's source also stops its lightest other shipment.
  const redirect = (c: number): boolean =>
    outOf.get(lanes[c]!.lane.from)!.some((o) => {
      if (!open.has(o) || spent()) return false;
      if (attempt([o], [c])) return true;
      const r = (into.get(lanes[o]!.lane.to) ?? [])
        .filter((k) => !open.has(k) && k !== c && flow(k) > 1e-6)
        .sort(heaviest)[0];
      if (r === undefined || spent()) return false;
      if (attempt([o], [c, r])) return true;
      // The refill's source may have no units to spare: it also stops its lightest shipment.
      const u = (outOf.get(lanes[r]!.lane.from) ?? [])
        .filter((k) => open.has(k) && k !== o)
        .sort(lightest)[0];
      return u !== undefined && !spent() && attempt([o, u], [c, r]);
    });
  // x = s1>d2: s1 sends to some d1 now, and some s2 sends to d2 and has a lane to d1: the two
  // sources trade destinations (close s1>d1 and s2>d2, open s1>d2 and s2>d1).
  const swap = (x: number): boolean =>
    outOf.get(lanes[x]!.lane.from)!.some(
      (a) =>
        open.has(a) &&
        (into.get(lanes[x]!.lane.to) ?? []).some((b) => {
          if (!open.has(b) || b === a) return false;
          const y = byPair.get(`${lanes[b]!.lane.from}\u0000${lanes[a]!.lane.to}`);
          return y !== undefined && !open.has(y) && !spent() && attempt([a, b], [x, y]);
        }),
    );
  // c = s>d: an ejection chain. d is served from s in place of the lane into it that carries
  // least; that lane's source then serves, in place of its own lightest source's lane, the
  // destination the relaxation sends most to from it among those not yet in the chain; and so
  // on, up to CHAIN_LANES lanes opened. Each length is tried as it stands and with the last
  // source's new lane added without a replacement: trades among several sources at once, which
  // a swap (two) cannot reach and none of whose steps need pay on its own.
  const chain = (c: number): boolean => {
    const close: number[] = [];
    const openAlso = [c];
    const reached = new Set([lanes[c]!.lane.from, lanes[c]!.lane.to]);
    let k = c;
    for (let length = 1; length <= CHAIN_LANES; length++) {
      const o = (into.get(lanes[k]!.lane.to) ?? [])
        .filter((j) => open.has(j) && !openAlso.includes(j))
        .sort(lightest)[0];
      if (o === undefined) return false;
      close.push(o);
      // One lane for one is replace's move, tried already.
      if (length > 1 && !spent() && attempt(close, openAlso)) return true;
      const next = (outOf.get(lanes[o]!.lane.from) ?? [])
        .filter((j) => !open.has(j) && !reached.has(lanes[j]!.lane.to) && flow(j) > 1e-6)
        .sort(heaviest)[0];
      if (next === undefined || spent()) return false;
      openAlso.push(next);
      reached.add(lanes[next]!.lane.to);
      if (attempt(close, openAlso)) return true;
      k = next;
    }
    return false;
  };
  // A chain counts as one miss towards MOVE_MISSES, however many lengths it tried.
  const chainOnce = (c: number): boolean => {
    const before = miss;
    const found = chain(c);
    if (!found) miss = before + 1;
    return found;
  };
  // Rounds while the last earned more: every move in the first, openings and closings after.
  for (let round = 0; round < SEARCH_ROUNDS; round++) {
    const before = current.objective;
    const extra = priced();
    // Opening: first the lanes the relaxation sends along, then (a pass of its own, so a run
    // of misses among the first does not end it) the lanes only the plan's duals price.
    for (const list of [ranked, extra]) {
      let misses = 0;
      for (const k of list.filter((k) => !open.has(k)).slice(0, OPEN_TRIES * effort)) {
        if (misses >= OPEN_MISSES * effort) break;
        misses = move([], [k]) ? 0 : misses + 1;
      }
    }
    for (const k of [...open].sort(lightest).slice(0, CLOSE_TRIES * effort)) move([k], []);
    const moves = effort > 1 ? [replace, redirect, swap, chainOnce] : [replace, redirect, swap];
    for (const pass of round === 0 ? moves : [])
      for (const list of [ranked, extra]) {
        tries = 0;
        miss = 0;
        for (const k of list) {
          if (spent() || miss >= MOVE_MISSES * effort) break;
          if (!open.has(k)) pass(k);
        }
      }
    if (current.objective <= before + 1e-6) break;
  }
  return current;
}

/** Every integer column at a whole value (within HiGHS's feasibility tolerance). */
export function integral(columns: Column[], values: Float64Array): boolean {
  for (let j = 0; j < columns.length; j++)
    if (columns[j]!.kind !== 'continuous' && Math.abs(values[j]! - Math.round(values[j]!)) > 1e-7)
      return false;
  return true;
}
