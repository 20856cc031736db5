/**
 * Minimum-cost flow with convex piecewise-linear costs, re-optimised after each change from
 * where the last solve left it: successive shortest paths from a pseudoflow (Ahuja, Magnanti
 * and Orlin, Network Flows, 1993, sections 9.7 and 14.3).
 *
 * The flow is a circulation: every node's inflow equals its outflow. An arc has a cost per
 * unit and bounds; a chain is an arc whose cost per unit rises piece by piece (a convex
 * function of its flow), which is how a location's gain and loss curves enter.
 *
 * Invariant between calls: every residual arc has a non-negative reduced cost under the node
 * potentials (the flow is optimal for the imbalances it has). A change of an arc's bounds or
 * cost moves that arc's flow to a bound if its reduced cost says so, which leaves imbalances;
 * `solve` sends them along shortest paths (Dijkstra on reduced costs) until none is left.
 * A change that touches a few arcs is repaired by a few short paths, which is what makes a
 * local search over which lanes are open cheap: a trial re-optimises a few hundred arcs, not
 * a whole linear program.
 *
 * With whole-number bounds and piece widths every flow stays whole (every path moves a whole
 * amount), so the optimum is the integer optimum.
 */
export interface Piece {
  /** Cost per unit of the flow in this piece. */
  cost: number;
  /** Units in the piece (the last may be Infinity). */
  width: number;
}

const ARC = 0;
const CHAIN = 1;
/** Imbalance below which a node counts as balanced (amounts are whole numbers here). */
const TOLERANCE = 1e-9;

export class ConvexFlow {
  private readonly tail: number[] = [];
  private readonly head: number[] = [];
  private readonly kind: number[] = [];
  private readonly unitCost: number[] = [];
  private readonly lower: number[] = [];
  private readonly upper: number[] = [];
  private readonly current: number[] = [];
  // A chain's pieces: from firstPiece[e] to firstPiece[e + 1] in pieceCost/pieceEnd (cumulative).
  private readonly firstPiece: number[] = [];
  private readonly pieceCost: number[] = [];
  private readonly pieceEnd: number[] = [];
  /** Per chain: the piece the next unit goes into (the first whose end is past the flow). */
  private readonly cursor: number[] = [];
  private readonly excess: Float64Array;
  private readonly potential: Float64Array;
  /** Cost of the flow as it stands (kept as flows move). */
  private total = 0;
  private adjacencyStart: Int32Array | null = null;
  private adjacency = new Int32Array(0);
  // Dijkstra's working arrays, kept between solves.
  private readonly distance: Float64Array;
  private readonly predecessor: Int32Array;
  // A node's distance holds for this search when reached[v] is the search's number, and is
  // final when settled[v] is: no array is cleared between searches.
  private readonly reached: Int32Array;
  private readonly settled: Int32Array;
  private search = 0;
  private readonly order: Int32Array;
  private readonly heap: MinHeap;
  /** The nodes whose imbalance may be non-zero (listed[v] marks them). */
  private readonly pending: number[] = [];
  private readonly listed: Uint8Array;

  constructor(readonly nodes: number) {
    this.excess = new Float64Array(nodes);
    this.potential = new Float64Array(nodes);
    this.distance = new Float64Array(nodes);
    this.predecessor = new Int32Array(nodes);
    this.reached = new Int32Array(nodes);
    this.settled = new Int32Array(nodes);
    this.order = new Int32Array(nodes);
    this.heap = new MinHeap(nodes);
    this.listed = new Uint8Array(nodes);
  }

  private addEdge(from: number, to: number, kind: number, cost: number, lower: number, upper: number) {
    if (this.adjacencyStart) throw new Error('ConvexFlow: no arc can be added after the first solve');
    if (!(from >= 0 && from < this.nodes && to >= 0 && to < this.nodes))
      throw new Error(`ConvexFlow: arc ${from} -> ${to} is outside nodes 0..${this.nodes - 1}`);
    this.tail.push(from);
    this.head.push(to);
    this.kind.push(kind);
    this.unitCost.push(cost);
    this.lower.push(lower);
    this.upper.push(upper);
    this.current.push(0);
    this.firstPiece.push(this.pieceCost.length);
    this.cursor.push(this.pieceCost.length);
    return this.tail.length - 1;
  }

  /** An arc with a cost per unit and a flow within [lower, upper]. */
  addArc(from: number, to: number, cost: number, lower: number, upper: number): number {
    return this.addEdge(from, to, ARC, cost, lower, upper);
  }

  /** An arc whose cost per unit rises piece by piece (pieces in order, each costlier than the last). */
  addChain(from: number, to: number, pieces: Piece[]): number {
    const e = this.addEdge(from, to, CHAIN, 0, 0, 0);
    let end = 0;
    let last = Number.NEGATIVE_INFINITY;
    for (const piece of pieces) {
      if (piece.cost < last - 1e-9) throw new Error(`ConvexFlow: chain ${e}'s pieces are not convex`);
      if (!(piece.width > 0)) continue;
      last = piece.cost;
      end += piece.width;
      this.pieceCost.push(piece.cost);
      this.pieceEnd.push(end);
    }
    return e;
  }

  /** Changes an arc's cost and bounds; the flow follows at the next `solve`. */
  setArc(e: number, cost: number, lower: number, upper: number): void {
    if (this.kind[e] !== ARC) throw new Error(`ConvexFlow: edge ${e} is a chain`);
    if (lower > upper)
      throw new Error(`ConvexFlow: arc ${e}'s lower bound ${lower} is above its upper bound ${upper}`);
    this.freeze();
    this.total += (cost - this.unitCost[e]!) * this.current[e]!;
    this.unitCost[e] = cost;
    this.lower[e] = lower;
    this.upper[e] = upper;
    this.settle(e);
  }

  /**
   * Restores optimality: 'optimal'; 'infeasible' when the bounds admit no circulation (the
   * imbalance left stays, and is sent on by the next solve after the bounds change again);
   * 'too costly' as soon as the least cost the flow can still reach is `limit` or more (the
   * flow is then left part way: restore a snapshot, or solve again).
   */
  solve(limit = Number.POSITIVE_INFINITY): 'optimal' | 'infeasible' | 'too costly' {
    this.freeze();
    for (;;) {
      // Weak duality: from here, the cost can fall by at most sum_v potential(v) x excess(v).
      let any = false;
      let floor = this.total;
      let kept = 0;
      for (const v of this.pending) {
        const e = this.excess[v]!;
        if (e > TOLERANCE || e < -TOLERANCE) {
          if (e > 0) any = true;
          floor -= this.potential[v]! * e;
          this.pending[kept++] = v;
        } else this.listed[v] = 0;
      }
      this.pending.length = kept;
      if (!any) return 'optimal';
      if (floor >= limit) return 'too costly';
      const sink = this.shortestPaths();
      if (sink < 0) return 'infeasible';
      this.augment(sink);
    }
  }

  /**
   * Starts from a flow found elsewhere (every edge's value, arcs and chains in the order they
   * were added; within bounds): the potentials that prove it optimal are the shortest
   * distances in its residual network (Bellman-Ford, queue-based), so a solve after it starts
   * where that flow left off instead of from nothing. False, with the flow left at zero, when
   * the residual network has a cycle of negative cost (the flow was not optimal).
   */
  load(values: ArrayLike<number>): boolean {
    this.freeze();
    for (let e = 0; e < this.tail.length; e++) this.move(e, values[e]!);
    const n = this.nodes;
    const start = this.adjacencyStart!;
    const potential = this.potential;
    potential.fill(0);
    const queued = new Uint8Array(n).fill(1);
    const relaxed = new Int32Array(n);
    const queue = Array.from({ length: n }, (_, v) => v);
    for (let head = 0; head < queue.length; head++) {
      const u = queue[head]!;
      queued[u] = 0;
      for (let k = start[u]!; k < start[u + 1]!; k++) {
        const entry = this.adjacency[k]!;
        if (this.room(entry) <= TOLERANCE) continue;
        const v = this.across(entry);
        if (potential[u]! + this.step < potential[v]! - 1e-9) {
          potential[v] = potential[u]! + this.step;
          if (++relaxed[v]! > n) {
            this.reset();
            return false;
          }
          if (!queued[v]) {
            queued[v] = 1;
            queue.push(v);
          }
        }
      }
    }
    return true;
  }

  /** The state of the flow, to return to with `restore` (after a trial that is not kept). */
  snapshot(): FlowSnapshot {
    this.freeze();
    return {
      unitCost: this.unitCost.slice(),
      lower: this.lower.slice(),
      upper: this.upper.slice(),
      current: this.current.slice(),
      cursor: this.cursor.slice(),
      excess: this.excess.slice(),
      potential: this.potential.slice(),
      total: this.total,
    };
  }

  /** Back to a snapshot, copying into the arrays in place (a trial not kept is undone this way). */
  restore(snapshot: FlowSnapshot): void {
    copyInto(this.unitCost, snapshot.unitCost);
    copyInto(this.lower, snapshot.lower);
    copyInto(this.upper, snapshot.upper);
    copyInto(this.current, snapshot.current);
    copyInto(this.cursor, snapshot.cursor);
    this.excess.set(snapshot.excess);
    this.potential.set(snapshot.potential);
    this.total = snapshot.total;
    for (const v of this.pending) this.listed[v] = 0;
    this.pending.length = 0;
    for (let v = 0; v < this.nodes; v++) if (this.excess[v] !== 0) this.note(v);
  }

  flow(e: number): number {
    return this.current[e]!;
  }

  /** The cost of each of the next `count` units a chain would carry (fewer where it ends). */
  nextCosts(e: number, count: number): number[] {
    const out: number[] = [];
    let f = this.current[e]!;
    for (let i = this.cursor[e]!; i < this.endPiece(e) && out.length < count; i++)
      for (; f < this.pieceEnd[i]! && out.length < count; f++) out.push(this.pieceCost[i]!);
    return out;
  }

  /** Cost of one more unit on the arc, net of the potentials (its reduced cost). */
  reducedCost(e: number): number {
    return this.unitCost[e]! + this.potential[this.tail[e]!]! - this.potential[this.head[e]!]!;
  }

  /** Total cost of the flow. */
  cost(): number {
    return this.total;
  }

  /** Cost of a chain carrying f. */
  private chainCost(e: number, f: number): number {
    let total = 0;
    let start = 0;
    for (let i = this.firstPiece[e]!; i < this.endPiece(e) && start < f; i++) {
      total += this.pieceCost[i]! * (Math.min(f, this.pieceEnd[i]!) - start);
      start = this.pieceEnd[i]!;
    }
    return total;
  }

  private endPiece(e: number): number {
    return e + 1 < this.firstPiece.length ? this.firstPiece[e + 1]! : this.pieceCost.length;
  }

  /** Builds the adjacency lists and puts every edge where its cost says (potentials all 0). */
  private freeze(): void {
    if (this.adjacencyStart) return;
    const start = new Int32Array(this.nodes + 1);
    for (let e = 0; e < this.tail.length; e++) {
      start[this.tail[e]! + 1]!++;
      start[this.head[e]! + 1]!++;
    }
    for (let v = 0; v < this.nodes; v++) start[v + 1]! += start[v]!;
    const fill = start.slice(0, this.nodes);
    // Each entry is 2e (leaving its tail) or 2e + 1 (entering its head).
    this.adjacency = new Int32Array(2 * this.tail.length);
    for (let e = 0; e < this.tail.length; e++) {
      this.adjacency[fill[this.tail[e]!]!++] = 2 * e;
      this.adjacency[fill[this.head[e]!]!++] = 2 * e + 1;
    }
    this.adjacencyStart = start;
    this.reset();
  }

  /** Zero potentials, and every edge where its cost says at those: arcs at a bound, chains filled while they pay. */
  private reset(): void {
    this.potential.fill(0);
    for (let e = 0; e < this.tail.length; e++) {
      if (this.kind[e] === ARC) this.settle(e);
      else {
        // Fill every piece that pays at zero potentials.
        let f = 0;
        let i = this.firstPiece[e]!;
        while (i < this.endPiece(e) && this.pieceCost[i]! < 0) f = this.pieceEnd[i++]!;
        if (f === Number.POSITIVE_INFINITY)
          throw new Error(`ConvexFlow: chain ${e} has an unbounded piece of negative cost`);
        this.move(e, f);
      }
    }
  }

  /** Puts an arc's flow within its bounds, at the bound its reduced cost points to. */
  private settle(e: number): void {
    const rc = this.reducedCost(e);
    let f = Math.min(Math.max(this.current[e]!, this.lower[e]!), this.upper[e]!);
    if (rc < -TOLERANCE) f = this.upper[e]!;
    else if (rc > TOLERANCE) f = this.lower[e]!;
    if (!Number.isFinite(f)) throw new Error(`ConvexFlow: arc ${e} is unbounded at a negative reduced cost`);
    this.move(e, f);
  }

  /** Sets an edge's flow, moving the difference into its end nodes' imbalances. */
  private move(e: number, f: number): void {
    const delta = f - this.current[e]!;
    if (delta === 0) return;
    this.total +=
      this.kind[e] === ARC ? this.unitCost[e]! * delta : this.chainCost(e, f) - this.chainCost(e, f - delta);
    this.current[e] = f;
    this.excess[this.tail[e]!]! -= delta;
    this.excess[this.head[e]!]! += delta;
    this.note(this.tail[e]!);
    this.note(this.head[e]!);
    if (this.kind[e] === CHAIN) {
      let i = this.firstPiece[e]!;
      const end = this.endPiece(e);
      while (i < end && this.pieceEnd[i]! <= f) i++;
      this.cursor[e] = i;
    }
  }

  /**
   * Room along an adjacency entry (2e forward, 2e + 1 backward); its cost per unit is left in
   * `step` (no object per arc scanned: this runs in the innermost loop).
   */
  private step = 0;
  private room(entry: number): number {
    const e = entry >> 1;
    const f = this.current[e]!;
    if (this.kind[e] === ARC) {
      if (entry & 1) {
        this.step = -this.unitCost[e]!;
        return f - this.lower[e]!;
      }
      this.step = this.unitCost[e]!;
      return this.upper[e]! - f;
    }
    const i = this.cursor[e]!;
    const end = this.endPiece(e);
    if ((entry & 1) === 0) {
      if (i >= end) return 0;
      this.step = this.pieceCost[i]!;
      return this.pieceEnd[i]! - f;
    }
    // Backward: the piece the last unit is in.
    const first = this.firstPiece[e]!;
    const j = i > first && (i === end || f <= this.pieceEnd[i - 1]!) ? i - 1 : i;
    if (f <= 0 || j >= end) return 0;
    this.step = -this.pieceCost[j]!;
    return f - (j > first ? this.pieceEnd[j - 1]! : 0);
  }

  /** The node an adjacency entry leads to. */
  private across(entry: number): number {
    return entry & 1 ? this.tail[entry >> 1]! : this.head[entry >> 1]!;
  }

  /**
   * Dijkstra on reduced costs from every node with surplus, to the nearest node short of
   * flow; updates the potentials so the path found costs 0. The sink, or -1 if none is
   * reachable.
   */
  private shortestPaths(): number {
    const distance = this.distance;
    const predecessor = this.predecessor;
    const reached = this.reached;
    const settled = this.settled;
    const potential = this.potential;
    const start = this.adjacencyStart!;
    const search = ++this.search;
    const heap = this.heap;
    heap.size = 0;
    for (const v of this.pending)
      if (this.excess[v]! > TOLERANCE) {
        distance[v] = 0;
        predecessor[v] = -1;
        reached[v] = search;
        heap.push(v, 0);
      }
    let sink = -1;
    let count = 0;
    while (heap.size > 0) {
      const u = heap.pop();
      if (settled[u] === search) continue;
      settled[u] = search;
      this.order[count++] = u;
      if (this.excess[u]! < -TOLERANCE) {
        sink = u;
        break;
      }
      const du = distance[u]!;
      const pu = potential[u]!;
      for (let k = start[u]!; k < start[u + 1]!; k++) {
        const entry = this.adjacency[k]!;
        const v = this.across(entry);
        if (settled[v] === search) continue;
        if (this.room(entry) <= TOLERANCE) continue;
        const reduced = Math.max(0, this.step + pu - potential[v]!);
        const dv = du + reduced;
        if (reached[v] !== search || dv < distance[v]!) {
          distance[v] = dv;
          reached[v] = search;
          predecessor[v] = entry;
          heap.push(v, dv);
        }
      }
    }
    if (sink < 0) return -1;
    // Nodes settled before the sink move by their distance, every other node by the sink's:
    // reduced costs stay non-negative and the path's become 0. Only differences of potentials
    // count (in reduced costs, and in the bound, since imbalances sum to 0), so every node is
    // moved by minus the sink's distance too, which leaves all but the settled ones as they are.
    const reach = distance[sink]!;
    for (let i = 0; i < count; i++) {
      const v = this.order[i]!;
      potential[v]! += distance[v]! - reach;
    }
    return sink;
  }

  /** Lists a node whose imbalance has changed. */
  private note(v: number): void {
    if (this.listed[v]) return;
    this.listed[v] = 1;
    this.pending.push(v);
  }

  /** Sends as much as the path to `sink` allows from its source. */
  private augment(sink: number): void {
    let amount = -this.excess[sink]!;
    let v = sink;
    while (this.predecessor[v]! >= 0) {
      const entry = this.predecessor[v]!;
      amount = Math.min(amount, this.room(entry));
      v = entry & 1 ? this.head[entry >> 1]! : this.tail[entry >> 1]!;
    }
    amount = Math.min(amount, this.excess[v]!);
    v = sink;
    while (this.predecessor[v]! >= 0) {
      const entry = this.predecessor[v]!;
      const e = entry >> 1;
      this.move(e, this.current[e]! + (entry & 1 ? -amount : amount));
      v = entry & 1 ? this.head[e]! : this.tail[e]!;
    }
  }
}

function copyInto(target: number[], source: number[]): void {
  for (let i = 0; i < source.length; i++) target[i] = source[i]!;
}

/** What `snapshot` keeps: everything a solve or a change moves. */
export interface FlowSnapshot {
  unitCost: number[];
  lower: number[];
  upper: number[];
  current: number[];
  cursor: number[];
  excess: Float64Array;
  potential: Float64Array;
  total: number;
}

/** A binary min-heap of nodes by key, with repeats (a node's stale entries are skipped by the caller). */
class MinHeap {
  private nodes: Int32Array;
  private keys: Float64Array;
  size = 0;

  constructor(capacity: number) {
    this.nodes = new Int32Array(Math.max(4, capacity));
    this.keys = new Float64Array(Math.max(4, capacity));
  }

  push(node: number, key: number): void {
    if (this.size === this.nodes.length) {
      const nodes = new Int32Array(2 * this.size);
      nodes.set(this.nodes);
      this.nodes = nodes;
      const keys = new Float64Array(2 * this.size);
      keys.set(this.keys);
      this.keys = keys;
    }
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.keys[parent]! <= key) break;
      this.nodes[i] = this.nodes[parent]!;
      this.keys[i] = this.keys[parent]!;
      i = parent;
    }
    this.nodes[i] = node;
    this.keys[i] = key;
  }

  pop(): number {
    const top = this.nodes[0]!;
    const node = this.nodes[--this.size]!;
    const key = this.keys[this.size]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= this.size) break;
      if (child + 1 < this.size && this.keys[child + 1]! < this.keys[child]!) child++;
      if (this.keys[child]! >= key) break;
      this.nodes[i] = this.nodes[child]!;
      this.keys[i] = this.keys[child]!;
      i = child;
    }
    this.nodes[i] = node;
    this.keys[i] = key;
    return top;
  }
}
