/**
 * Predictive distributions for count demand: the negative binomial (a Poisson whose rate is
 * Gamma distributed), variance = mean + mean^2 / r. Quantiles are what safety stock and
 * prediction intervals are read from.
 */

/** The smallest count q with P(X <= q) >= p, for X ~ NB(mean, r). r = Infinity is Poisson. */
export function negativeBinomialQuantile(p: number, mean: number, r: number): number {
  if (mean <= 0) return 0;
  if (p <= 0) return 0;
  const poisson = !Number.isFinite(r) || r > 1e8;
  const success = poisson ? 0 : r / (r + mean);
  // P(X = 0), then the ratio recursion P(k+1)/P(k).
  let pmf = poisson ? Math.exp(-mean) : Math.exp(r * Math.log(success));
  let cdf = pmf;
  let k = 0;
  const cap = Math.ceil(mean * 50 + 1000);
  while (cdf < p && k < cap) {
    pmf *= poisson ? mean / (k + 1) : ((k + r) / (k + 1)) * (1 - success);
    cdf += pmf;
    k++;
    if (pmf === 0 && cdf < p) {
      // Underflow far in the body: fall back to a normal approximation.
      const sd = Math.sqrt(mean + (poisson ? 0 : (mean * mean) / r));
      return Math.max(0, Math.round(mean + sd * normalQuantile(p)));
    }
  }
  return k;
}

/** Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9 after refinement). */
export function normalQuantile(p: number): number {
  if (p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  let q: number;
  if (p < low) {
    const u = Math.sqrt(-2 * Math.log(p));
    q =
      (((((c[0]! * u + c[1]!) * u + c[2]!) * u + c[3]!) * u + c[4]!) * u + c[5]!) /
      ((((d[0]! * u + d[1]!) * u + d[2]!) * u + d[3]!) * u + 1);
  } else if (p <= 1 - low) {
    const u = p - 0.5;
    const r = u * u;
    q =
      ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * u) /
      (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const u = Math.sqrt(-2 * Math.log(1 - p));
    q =
      -(((((c[0]! * u + c[1]!) * u + c[2]!) * u + c[3]!) * u + c[4]!) * u + c[5]!) /
      ((((d[0]! * u + d[1]!) * u + d[2]!) * u + d[3]!) * u + 1);
  }
  return q;
}
