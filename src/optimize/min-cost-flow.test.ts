import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadHighs, solveWith } from './highs.ts';
import { LinearProgram } from './linear-program.ts';
import { ConvexFlow, type Piece } from './min-cost-flow.ts';

const highs = await loadHighs();

interface Network {
  nodes: number;
  arcs: { from: number; to: number; cost: number; lower: number; upper: number }[];
  chains: { from: number; to: number; pieces: Piece[] }[];
}

/** The same network as a linear program (one column per arc and per chain piece), solved by HiGHS. */
function optimumByHighs(network: Network): number | null {
  const lp = new LinearProgram('minimize');
  const balance = Array.from({ length: network.nodes }, () => [] as [number, number][]);
  network.arcs.forEach((a, k) => {
    const j = lp.addColumn({
      name: `a${k}`,
      cost: a.cost,
      lower: a.lower,
      upper: a.upper,
      kind: 'continuous',
    });
    balance[a.from]!.push([j, -1]);
    balance[a.to]!.push([j, 1]);
  });
  network.chains.forEach((c, k) => {
    c.pieces.forEach((p, i) => {
      const j = lp.addColumn({
        name: `c${k}_${i}`,
        cost: p.cost,
        lower: 0,
        upper: p.width,
        kind: 'continuous',
      });
      balance[c.from]!.push([j, -1]);
      balance[c.to]!.push([j, 1]);
    });
  });
  balance.forEach((terms, v) => {
    if (terms.length > 0) lp.addRow(`n${v}`, terms, 0, 0);
  });
  const solution = solveWith(highs, lp);
  return solution.status === 'optimal' ? solution.objective : null;
}

function build(network: Network): { flow: ConvexFlow; arcs: number[] } {
  const flow = new ConvexFlow(network.nodes);
  const arcs = network.arcs.map((a) => flow.addArc(a.from, a.to, a.cost, a.lower, a.upper));
  for (const c of network.chains) flow.addChain(c.from, c.to, c.pieces);
  return { flow, arcs };
}

/** Pieces whose costs rise from `start` by each step (a running sum: a convex chain). */
function rising(start: number, steps: [step: number, width: number][]): Piece[] {
  const pieces: Piece[] = [];
  let cost = start;
  for (const [step, width] of steps) {
    cost += step;
    pieces.push({ cost, width });
  }
  return pieces;
}

/**
 * A transfer network: node 0 the hub, then sources and destinations; each source draws from
 * the hub along a rising loss chain, each destination gives back along a falling gain chain
 * (with a free spill at the end), lanes between them cost per unit and have bounds.
 */
const networks = fc
  .record({
    sources: fc.integer({ min: 1, max: 4 }),
    destinations: fc.integer({ min: 1, max: 4 }),
    lossSteps: fc.array(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 4 })), { maxLength: 4 }),
      { minLength: 4, maxLength: 4 },
    ),
    gainSteps: fc.array(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 4 })), { maxLength: 4 }),
      { minLength: 4, maxLength: 4 },
    ),
    lanes: fc.array(
      fc.record({
        cost: fc.integer({ min: 0, max: 5 }),
        lower: fc.integer({ min: 0, max: 2 }),
        upper: fc.integer({ min: 0, max: 6 }),
      }),
      { minLength: 16, maxLength: 16 },
    ),
    changes: fc.array(
      fc.record({ lane: fc.nat(15), open: fc.boolean(), cost: fc.integer({ min: -3, max: 8 }) }),
      { maxLength: 8 },
    ),
  })
  .map(({ sources, destinations, lossSteps, gainSteps, lanes, changes }) => {
    const chains: Network['chains'] = [];
    for (let s = 0; s < sources; s++) {
      chains.push({
        from: 0,
        to: 1 + s,
        pieces: rising(0, lossSteps[s]!),
      });
    }
    for (let d = 0; d < destinations; d++) {
      const pieces = rising(-40, gainSteps[d]!);
      chains.push({
        from: 1 + sources + d,
        to: 0,
        pieces: [...pieces, { cost: 0, width: Number.POSITIVE_INFINITY }],
      });
    }
    const arcs = lanes.slice(0, sources * destinations).map((l, k) => ({
      from: 1 + Math.floor(k / destinations),
      to: 1 + sources + (k % destinations),
      cost: l.cost,
      lower: Math.min(l.lower, l.upper),
      upper: l.upper,
    }));
    return { network: { nodes: 1 + sources + destinations, arcs, chains }, changes };
  });

/**
 * Hub 0, one source (node 1) losing `loss` a unit for up to `supply` units, one destination
 * (node 2) gaining `gain` a unit for `demand` units and nothing after, a free lane between.
 */
function onePair(
  source: { loss: number; supply: number },
  destination: { gain: number; demand: number },
  [lower, upper]: [number, number],
) {
  const flow = new ConvexFlow(3);
  flow.addChain(0, 1, [{ cost: source.loss, width: source.supply }]);
  flow.addChain(2, 0, [
    { cost: -destination.gain, width: destination.demand },
    { cost: 0, width: Number.POSITIVE_INFINITY },
  ]);
  return { flow, lane: flow.addArc(1, 2, 0, lower, upper) };
}

describe('ConvexFlow', () => {
  it('sends stock from the cheaper source until the destination stops paying', () => {
    // Hub 0, sources 1 and 2, destination 3. The destination's first 5 units are worth 10
    // each, the next 5 worth 3, the rest nothing; source 1 loses 1 a unit, source 2 loses 2.
    const flow = new ConvexFlow(4);
    flow.addChain(0, 1, [{ cost: 1, width: 4 }]);
    flow.addChain(0, 2, [{ cost: 2, width: 10 }]);
    flow.addChain(3, 0, [
      { cost: -10, width: 5 },
      { cost: -3, width: 5 },
      { cost: 0, width: Number.POSITIVE_INFINITY },
    ]);
    const lane1 = flow.addArc(1, 3, 0.5, 0, 100);
    const lane2 = flow.addArc(2, 3, 0.5, 0, 100);
    expect(flow.solve()).toBe('optimal');
    // Source 1's 4 units (1.5 each), then source 2's at 2.5: worth it against 10 and 3.
    expect(flow.flow(lane1)).toBe(4);
    expect(flow.flow(lane2)).toBe(6);
    expect(flow.cost()).toBeCloseTo(4 * 1.5 + 6 * 2.5 - 5 * 10 - 5 * 3, 9);
    // Closing lane 2 re-optimises from there.
    flow.setArc(lane2, 0.5, 0, 0);
    expect(flow.solve()).toBe('optimal');
    expect(flow.flow(lane2)).toBe(0);
    expect(flow.cost()).toBeCloseTo(4 * 1.5 - 4 * 10, 9);
  });

  it('reports a lane minimum its source cannot supply as infeasible, and recovers when it is lifted', () => {
    const { flow, lane } = onePair({ loss: 1, supply: 3 }, { gain: 5, demand: 2 }, [4, 6]);
    expect(flow.solve()).toBe('infeasible');
    flow.setArc(lane, 0, 0, 6);
    expect(flow.solve()).toBe('optimal');
    expect(flow.flow(lane)).toBe(2);
    expect(flow.cost()).toBeCloseTo(2 * 1 - 2 * 5, 9);
  });

  it('finds the optimum HiGHS finds, from scratch and after any sequence of changes', () => {
    fc.assert(
      fc.property(networks, ({ network, changes }) => {
        const { flow, arcs } = build(network);
        const check = (expected: number | null) => {
          expect(flow.solve()).toBe(expected === null ? 'infeasible' : 'optimal');
          if (expected === null) return;
          expect(flow.cost()).toBeCloseTo(expected, 6);
          // Whole amounts in, whole amounts out.
          for (const a of arcs) expect(Number.isInteger(flow.flow(a))).toBe(true);
        };
        check(optimumByHighs(network));
        for (const change of changes) {
          const k = change.lane % Math.max(1, arcs.length);
          const arc = network.arcs[k];
          if (!arc) continue;
          const bounds = change.open
            ? { lower: arc.lower, upper: Math.max(arc.lower, arc.upper) }
            : { lower: 0, upper: 0 };
          network.arcs[k] = { ...arc, ...bounds, cost: change.cost };
          const expected = optimumByHighs(network);
          // A trial told what it must beat may stop early; the snapshot takes the flow back.
          const before = flow.snapshot();
          const costBefore = flow.cost();
          flow.setArc(arcs[k]!, change.cost, bounds.lower, bounds.upper);
          if (expected !== null && flow.solve(expected - 0.5) === 'too costly') {
            flow.restore(before);
            expect(flow.cost()).toBe(costBefore);
            flow.setArc(arcs[k]!, change.cost, bounds.lower, bounds.upper);
          }
          check(expected);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('stops a solve as soon as its cost cannot come under the limit', () => {
    // One source at 1 a unit, one destination worth 10 a unit for 5 units: the optimum is -45.
    const { flow, lane } = onePair({ loss: 1, supply: 10 }, { gain: 10, demand: 5 }, [0, 10]);
    expect(flow.solve()).toBe('optimal');
    expect(flow.cost()).toBeCloseTo(-45, 9);
    const open = flow.snapshot();
    // Closed, the lane leaves a cost of 0: never under -50.
    flow.setArc(lane, 0, 0, 0);
    expect(flow.solve(-50)).toBe('too costly');
    flow.restore(open);
    expect(flow.flow(lane)).toBe(5);
    expect(flow.solve()).toBe('optimal');
    expect(flow.cost()).toBeCloseTo(-45, 9);
  });
});
