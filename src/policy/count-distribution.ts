/**
 * Discrete demand distributions for the policy maths: the negative binomial with mean m and
 * dispersion r (variance m + m^2 / r; a Poisson whose rate is Gamma distributed), and the
 * Poisson as its limit r = Infinity.
 *
 * Probabilities come from the ratio recursion P(k+1) / P(k) = (k + r) / (k + 1) x m / (r + m)
 * (m / (k + 1) for the Poisson), carried in logarithms so that nothing underflows to a zero
 * that stalls it.
 *
 * `countDistribution` tabulates the window of counts that holds all but 1e-16 of the mass:
 * it starts at the mode and walks outwards until a geometric bound puts each tail below
 * that, then normalises. A Poisson with mean 10^8 needs about 190,000 entries, not 10^8. Tail
 * sums are accumulated from the top down, which keeps small tail probabilities and small
 * expected shortages accurate: subtracting a running CDF from 1 would lose them.
 */

/** Mass allowed outside the table on each side. */
const TAIL = 1e-16;
/** A window wider than this means a variance no retail item has; refuse rather than exhaust memory. */
const MAX_WINDOW = 4_000_000;
/** Beyond this dispersion the negative binomial is a Poisson to double precision. */
const POISSON_DISPERSION = 1e12;
/**
 * A mean below this is no demand: P(D >= 1) is then below 1e-12, which no service level
 * distinguishes, and it keeps subnormal means from underflowing the dispersion to zero.
 */
const NO_DEMAND = 1e-12;

export interface CountDistribution {
  readonly kind: 'none' | 'poisson' | 'negative_binomial';
  readonly mean: number;
  /** The distribution's variance: m + m^2 / r, or m for the Poisson. */
  readonly variance: number;
  /** r; Infinity for the Poisson. */
  readonly dispersion: number;
  /** The first count in the table; below it P(D > k) is 1 to double precision. */
  readonly offset: number;
  /** survival[i] = P(D > offset + i); zero beyond the table (the last entry is zero). */
  readonly survival: Float64Array;
  /** loss[i] = E[(D - (offset + i))^+], the expected units short; zero beyond the table. */
  readonly loss: Float64Array;
}

/** Negative binomial with the given mean and dispersion r (Infinity, or very large r: Poisson). */
export function countDistribution(mean: number, dispersion: number): CountDistribution {
  if (mean < NO_DEMAND) {
    return {
      kind: 'none',
      mean: 0,
      variance: 0,
      dispersion: Number.POSITIVE_INFINITY,
      offset: 0,
      survival: new Float64Array(1),
      loss: new Float64Array(1),
    };
  }
  const poisson = !(dispersion < POISSON_DISPERSION);
  const r = poisson ? Number.POSITIVE_INFINITY : dispersion;
  if (!(r > 0))
    throw new RangeError(`demand with mean ${mean} has dispersion ${dispersion}: too wide to tabulate`);
  const variance = poisson ? mean : mean + (mean * mean) / r;
  const ratio = logRatio(mean, r);
  const q = poisson ? 0 : mean / (r + mean);
  const mode = poisson ? Math.floor(mean) : r > 1 ? Math.floor(((r - 1) * mean) / r) : 0;
  const tooWide = () =>
    new RangeError(
      `demand with mean ${mean} and variance ${variance} is too wide to tabulate (more than ${MAX_WINDOW} counts)`,
    );

  // Weights relative to P(mode) = 1; normalised below.
  const up: number[] = [];
  for (let k = mode, logW = 0; ; k++) {
    const w = Math.exp(logW);
    up.push(w);
    const lr = ratio(k);
    // The ratios P(j+1)/P(j) are monotone in j and tend to q (to 0 for the Poisson), so the
    // largest one from k on is max(ratio at k, q), and the tail above k is at most
    // w x s / (1 - s) for that s.
    const s = Math.max(Math.exp(lr), q);
    if (s < 1 && (w * s) / (1 - s) < TAIL) break;
    if (up.length > MAX_WINDOW) throw tooWide();
    logW += lr;
  }
  const down: number[] = [];
  for (let k = mode, logW = 0; k > 0; k--) {
    logW -= ratio(k - 1);
    const w = Math.exp(logW);
    down.push(w);
    // Below the mode (r > 1 or Poisson) P(j-1)/P(j) shrinks as j falls, so the one at k - 1
    // bounds all further steps down.
    const s = k - 1 > 0 ? Math.exp(-ratio(k - 2)) : 0;
    if (s < 1 && (w * s) / (1 - s) < TAIL) break;
    if (up.length + down.length > MAX_WINDOW) throw tooWide();
  }

  const weights = [...down.reverse(), ...up];
  const offset = mode - down.length;
  const total = weights.reduce((a, b) => a + b, 0);
  const n = weights.length;
  const survival = new Float64Array(n);
  const loss = new Float64Array(n);
  for (let i = n - 2; i >= 0; i--) survival[i] = survival[i + 1]! + weights[i + 1]! / total;
  for (let i = n - 2; i >= 0; i--) loss[i] = loss[i + 1]! + survival[i]!;
  return {
    kind: poisson ? 'poisson' : 'negative_binomial',
    mean,
    variance,
    dispersion: r,
    offset,
    survival,
    loss,
  };
}

/** k -> log(P(k+1) / P(k)). */
function logRatio(mean: number, r: number): (k: number) => number {
  if (!Number.isFinite(r)) {
    const logMean = Math.log(mean);
    return (k) => logMean - Math.log(k + 1);
  }
  const logQ = Math.log(mean / (r + mean));
  return (k) => Math.log(k + r) - Math.log(k + 1) + logQ;
}

/**
 * The distribution matched to a mean and a variance: negative binomial with
 * r = mean^2 / (variance - mean) when the variance exceeds the mean, otherwise Poisson (a
 * count of independent buyers cannot vary less than a Poisson does, and a variance below
 * the mean measured on a short history is more often luck than regularity).
 */
export function matchedDistribution(mean: number, variance: number): CountDistribution {
  if (mean < NO_DEMAND) return countDistribution(0, Number.POSITIVE_INFINITY);
  // r = mean^2 / (variance - mean), written so that a tiny mean does not square to zero.
  const index = variance / mean;
  return countDistribution(mean, index > 1 ? mean / (index - 1) : Number.POSITIVE_INFINITY);
}

/** The largest count in the table: P(D > top) is below 1e-16. */
export function topCount(d: CountDistribution): number {
  return d.offset + d.survival.length - 1;
}

/** P(D <= k) for a whole number k. */
export function cdfAt(d: CountDistribution, k: number): number {
  if (k < d.offset) return 0;
  if (k > topCount(d)) return 1;
  return 1 - d.survival[k - d.offset]!;
}

/** E[(D - k)^+] for a whole number k >= 0. Below the table P(D > j) = 1, so each step adds 1. */
export function lossAt(d: CountDistribution, k: number): number {
  if (k > topCount(d)) return 0;
  if (k < d.offset) return d.loss[0]! + (d.offset - k);
  return d.loss[k - d.offset]!;
}

/** Smallest k in 0..top with accept(k), for a predicate monotone in k (false, then true). */
export function firstAccepted(d: CountDistribution, accept: (k: number) => boolean): number {
  let lo = 0;
  let hi = topCount(d);
  if (!accept(hi)) return hi;
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (accept(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * E[min(D, n)] = sum over k = 0..n-1 of P(D > k), for D negative binomial (mean, r), summed
 * term by term forwards from P(0) = (r / (r + mean))^r (e^-mean for the Poisson), which is
 * exact in logarithms. It stops once the tail above k is below 1e-16, so the cost is
 * min(n, the top of the distribution), however wide the distribution; only counts below n
 * are ever visited.
 */
export function expectedSales(mean: number, dispersion: number, n: number): number {
  if (mean < NO_DEMAND || n <= 0) return 0;
  const poisson = !(dispersion < POISSON_DISPERSION);
  const r = poisson ? Number.POSITIVE_INFINITY : dispersion;
  const ratio = logRatio(mean, r);
  const q = poisson ? 0 : mean / (r + mean);
  let logP = poisson ? -mean : -r * Math.log1p(mean / r);
  let cdf = 0;
  let total = 0;
  const top = Math.floor(n);
  for (let k = 0; k < top; k++) {
    const p = Math.exp(logP);
    cdf += p;
    total += Math.max(0, 1 - cdf);
    const lr = ratio(k);
    if (k >= mean) {
      const s = Math.max(Math.exp(lr), q);
      if (s < 1 && (p * s) / (1 - s) < TAIL) break;
    }
    logP += lr;
  }
  return total;
}
