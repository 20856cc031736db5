/**
 * Expected sales from a stock level under uncertain demand: E[min(D, S)] for demand D
 * negative binomial (Poisson when the dispersion is infinite). The value of one more unit
 * on the shelf is P(D >= S + 1), which falls as S grows: expected sales are concave in
 * stock, so transfer benefits are concave piecewise-linear curves a linear program can
 * carry exactly at pack boundaries.
 */

/** survival[k] = P(D >= k) for k = 0..limit. */
export function demandSurvival(mean: number, dispersion: number, limit: number): Float64Array {
  const out = new Float64Array(limit + 1);
  if (mean <= 0) {
    out[0] = 1;
    return out;
  }
  const poisson = !Number.isFinite(dispersion) || dispersion > 1e8;
  const p = poisson ? 0 : dispersion / (dispersion + mean);
  let pmf = poisson ? Math.exp(-mean) : Math.exp(dispersion * Math.log(p));
  let cdf = 0;
  for (let k = 0; k <= limit; k++) {
    out[k] = Math.max(0, 1 - cdf);
    cdf += pmf;
    pmf *= poisson ? mean / (k + 1) : ((k + dispersion) / (k + 1)) * (1 - p);
  }
  return out;
}

/** E[min(D, S)] = sum_{k=1..S} P(D >= k). */
export function expectedSales(stock: number, survival: Float64Array): number {
  let total = 0;
  const top = Math.min(Math.floor(stock), survival.length - 1);
  for (let k = 1; k <= top; k++) total += survival[k]!;
  return total;
}
