/** Benchmarks every forecast has to beat: naive, seasonal naive, moving average, simple exponential smoothing. */

export function naive(y: ArrayLike<number>, h: number): Float64Array {
  return new Float64Array(h).fill(y.length > 0 ? y[y.length - 1]! : 0);
}

/** The last full season repeated. */
export function seasonalNaive(y: ArrayLike<number>, h: number, period: number): Float64Array {
  const out = new Float64Array(h);
  const n = y.length;
  if (n < period) return naive(y, h);
  for (let j = 0; j < h; j++) out[j] = y[n - period + (j % period)]!;
  return out;
}

/** Mean of the last `window` observations. */
export function movingAverage(y: ArrayLike<number>, window: number): number {
  const n = y.length;
  const k = Math.min(window, n);
  if (k === 0) return 0;
  let s = 0;
  for (let t = n - k; t < n; t++) s += y[t]!;
  return s / k;
}

/** Simple exponential smoothing with a given alpha, started on the first observation. */
export function ses(y: ArrayLike<number>, alpha: number): number {
  if (y.length === 0) return 0;
  let level = y[0]!;
  for (let t = 1; t < y.length; t++) level += alpha * (y[t]! - level);
  return level;
}
