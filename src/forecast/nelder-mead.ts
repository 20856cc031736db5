/**
 * Nelder-Mead simplex minimisation (Nelder and Mead 1965; the adaptive coefficients of
 * Gao and Han 2012 are not needed at the few dimensions ETS has). The same method R's
 * `forecast::ets` uses through `optim`. Constraints are the objective's business: it
 * returns Infinity outside the admissible region and the simplex steps back.
 */
export interface MinimiseOptions {
  /** Initial step per coordinate (default 10% of the start, or 0.05 when it is zero). */
  steps?: number[];
  maxEvaluations?: number;
  /** Stop when the spread of objective values across the simplex falls below this. */
  tolerance?: number;
}

export interface Minimum {
  x: number[];
  value: number;
  evaluations: number;
}

export function minimise(
  f: (x: number[]) => number,
  start: number[],
  options: MinimiseOptions = {},
): Minimum {
  const n = start.length;
  const maxEvaluations = options.maxEvaluations ?? 200 * n;
  const tolerance = options.tolerance ?? 1e-8;
  let evaluations = 0;
  const evaluate = (x: number[]) => {
    evaluations++;
    const v = f(x);
    return Number.isNaN(v) ? Number.POSITIVE_INFINITY : v;
  };
  const simplex: number[][] = [start.slice()];
  for (let i = 0; i < n; i++) {
    const p = start.slice();
    const step = options.steps?.[i] ?? (p[i] !== 0 ? 0.1 * Math.abs(p[i]!) : 0.05);
    p[i] = p[i]! + step;
    simplex.push(p);
  }
  const values = simplex.map(evaluate);
  const order = () => {
    const idx = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
    const s = idx.map((i) => simplex[i]!);
    const v = idx.map((i) => values[i]!);
    for (let i = 0; i <= n; i++) {
      simplex[i] = s[i]!;
      values[i] = v[i]!;
    }
  };
  const along = (centroid: number[], worst: number[], t: number) =>
    centroid.map((c, i) => c + t * (c - worst[i]!));
  while (evaluations < maxEvaluations) {
    order();
    const best = values[0]!;
    const worstValue = values[n]!;
    if (
      Number.isFinite(worstValue) &&
      Math.abs(worstValue - best) <= tolerance * (Math.abs(best) + tolerance)
    )
      break;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j]! += simplex[i]![j]! / n;
    const worst = simplex[n]!;
    const reflected = along(centroid, worst, 1);
    const fr = evaluate(reflected);
    if (fr < best) {
      const expanded = along(centroid, worst, 2);
      const fe = evaluate(expanded);
      if (fe < fr) {
        simplex[n] = expanded;
        values[n] = fe;
      } else {
        simplex[n] = reflected;
        values[n] = fr;
      }
      continue;
    }
    if (fr < values[n - 1]!) {
      simplex[n] = reflected;
      values[n] = fr;
      continue;
    }
    const outside = fr < worstValue;
    const contracted = along(centroid, worst, outside ? 0.5 : -0.5);
    const fc = evaluate(contracted);
    if (fc < (outside ? fr : worstValue)) {
      simplex[n] = contracted;
      values[n] = fc;
      continue;
    }
    // Shrink towards the best point.
    for (let i = 1; i <= n; i++) {
      simplex[i] = simplex[i]!.map((x, j) => simplex[0]![j]! + 0.5 * (x - simplex[0]![j]!));
      values[i] = evaluate(simplex[i]!);
    }
  }
  order();
  return { x: simplex[0]!, value: values[0]!, evaluations };
}
