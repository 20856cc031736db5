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

/**
 * P(X >= k) where X is the units of N shoppers, N ~ NB(mean shoppers, r), each taking a
 * geometric basket of 1, 2, 3... units (one more with chance `basket`: mean
 * 1 / (1 - basket)). Shoppers buy in varied quantities, and a geometric basket is the
 * least-committal one of its mean (the most spread-out over the positive integers), so a
 * day's big total is judged against the baskets it could be made of, not against a lump of
 * fixed size. `basket` 0 is the negative binomial itself. By Panjer's recursion, O(k^2):
 * above `PANJER_MAX_UNITS` units it falls back to the count in baskets of the mean size.
 */
export function compoundNbUpperTail(k: number, shoppers: number, r: number, basket: number): number {
  if (k <= 0) return 1;
  if (shoppers <= 0) return 0;
  if (!(basket > 0)) return nbUpperTail(k, shoppers, r);
  const p = Math.min(basket, 0.99);
  if (k > PANJER_MAX_UNITS) return nbUpperTail(Math.floor(k * (1 - p)), shoppers, r);
  // NB counts in the (a, b, 0) class: beta = mean / r, a = beta / (1 + beta), b = (r - 1) a.
  const beta = shoppers / r;
  const a = beta / (1 + beta);
  const b = (r - 1) * a;
  const f = new Float64Array(k);
  f[0] = (1 + beta) ** -r;
  let below = f[0];
  for (let x = 1; x < k; x++) {
    let sum = 0;
    // Basket of j units: (1 - p) p^(j - 1).
    let severity = 1 - p;
    for (let j = 1; j <= x; j++) {
      sum += (a + (b * j) / x) * severity * f[x - j]!;
      severity *= p;
    }
    f[x] = sum;
    below += sum;
  }
  return Math.min(1, Math.max(0, 1 - below));
}

/**
 * The chance that one shopper's basket is at least k units, read from sale lines: a basket
 * is geometric (1 unit, then one more with chance p), and p is known from the lines seen,
 * `extra` units beyond the first of each of `lines` lines, with a uniform prior: p ~
 * Beta(1 + extra, 1 + lines). The chance is E[p^(k-1)] under that, so a handful of single
 * units leaves a big basket possible, and thousands of them make it all but impossible.
 */
export function basketAtLeast(k: number, extra: number, lines: number): number {
  extra = Math.max(0, extra);
  lines = Math.max(0, lines);
  let q = 1;
  for (let j = 0; j < k - 1; j++) q *= (1 + extra + j) / (2 + extra + lines + j);
  return q;
}

/**
 * P(some shopper takes at least k units) where N ~ NB(mean shoppers, r) shoppers each reach
 * k with chance q: none does with the negative binomial's generating function at 1 - q,
 * (1 + mean q / r)^-r.
 */
export function largestBasketTail(shoppers: number, r: number, q: number): number {
  if (shoppers <= 0 || q <= 0) return 0;
  return -Math.expm1(-r * Math.log1p((shoppers * q) / r));
}

const PANJER_MAX_UNITS = 5_000;
