/**
 * Tail probabilities of the negative binomial (a Poisson whose rate is Gamma-distributed):
 * the count model behind demand tests. `r` is the dispersion (variance = mean + mean^2/r);
 * the sum of n independent days with the same dispersion has dispersion n x r.
 */
function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9), accurate to ~1e-15 for x > 0.
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

function logPmf(k: number, mean: number, r: number): number {
  const p = r / (r + mean);
  return logGamma(k + r) - logGamma(r) - logGamma(k + 1) + r * Math.log(p) + k * Math.log1p(-p);
}

/** P(X >= k) for X ~ NB(mean, r). */
export function nbUpperTail(k: number, mean: number, r: number): number {
  if (k <= 0) return 1;
  if (mean <= 0) return 0;
  // Below the mean, one minus the (short) lower sum; above it, sum the upper terms directly.
  if (k <= mean) return Math.max(0, 1 - nbLowerTail(k - 1, mean, r));
  let total = 0;
  let term = Math.exp(logPmf(k, mean, r));
  const p = r / (r + mean);
  for (let j = k; j < k + 100_000; j++) {
    total += term;
    if (term < total * 1e-12) break;
    term *= ((j + r) / (j + 1)) * (1 - p);
  }
  return Math.min(1, total);
}

/** P(X <= k) for X ~ NB(mean, r). */
export function nbLowerTail(k: number, mean: number, r: number): number {
  if (k < 0) return 0;
  if (mean <= 0) return 1;
  const p = r / (r + mean);
  let term = Math.exp(r * Math.log(p));
  let total = 0;
  for (let j = 0; j <= k; j++) {
    total += term;
    term *= ((j + r) / (j + 1)) * (1 - p);
  }
  return Math.min(1, total);
}
