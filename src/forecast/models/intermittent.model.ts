/**
 * Forecasts for intermittent demand: Croston (1972), the Syntetos-Boylan approximation
 * (SBA, Syntetos and Boylan 2005) and TSB (Teunter, Syntetos and Babai 2011). Each gives a
 * flat forecast of the demand per period.
 */

/**
 * Croston: exponential smoothing of the demand sizes and of the intervals between demands,
 * forecast = size / interval. Initialised on the first demand, as forecast::croston does.
 */
export function croston(y: ArrayLike<number>, alpha = 0.1): number {
  let size = Number.NaN;
  let interval = Number.NaN;
  let gap = 0;
  for (let t = 0; t < y.length; t++) {
    gap++;
    const v = y[t]!;
    if (v <= 0) continue;
    if (Number.isNaN(size)) {
      size = v;
      interval = gap;
    } else {
      size += alpha * (v - size);
      interval += alpha * (gap - interval);
    }
    gap = 0;
  }
  return Number.isNaN(size) ? 0 : size / interval;
}

/** SBA: Croston's estimate debiased by (1 - alpha / 2). */
export function sba(y: ArrayLike<number>, alpha = 0.1): number {
  return (1 - alpha / 2) * croston(y, alpha);
}

/**
 * TSB: smooths the probability of a demand every period (so it decays through a run of
 * zeros, which Croston cannot) and the size on demand periods; forecast = p x size.
 * Initialised on the whole history's occurrence rate and mean size.
 */
export function tsb(y: ArrayLike<number>, alpha = 0.1, beta = 0.1): number {
  let demands = 0;
  let total = 0;
  for (let t = 0; t < y.length; t++) {
    if (y[t]! > 0) {
      demands++;
      total += y[t]!;
    }
  }
  if (y.length === 0) return 0;
  let p = demands / y.length;
  let size = demands > 0 ? total / demands : 0;
  for (let t = 0; t < y.length; t++) {
    const v = y[t]!;
    if (v > 0) {
      p += beta * (1 - p);
      size += alpha * (v - size);
    } else p -= beta * p;
  }
  return p * size;
}
