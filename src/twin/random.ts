/**
 * Seeded randomness for the twin. Math.random cannot be seeded, and a scenario must be
 * reproducible, byte for byte, from its seed alone.
 */
export type Random = () => number;

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Chaotic generator, from PractRand), seeded
 * through splitmix32 so that nearby seeds give unrelated streams.
 */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const splitmix = () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  return () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

/** A whole number in [low, high]. */
export const between = (random: Random, low: number, high: number) =>
  low + Math.floor(random() * (high - low + 1));

export function gaussian(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

export function poisson(random: Random, mean: number): number {
  if (mean <= 0) return 0;
  if (mean < 30) {
    // Knuth's product of uniforms: exact at the small means of a store-day.
    const limit = Math.exp(-mean);
    let count = 0;
    for (let product = random(); product > limit; product *= random()) count++;
    return count;
  }
  return Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(random)));
}

/**
 * Gamma(shape, 1) by Marsaglia and Tsang (2000), with the shape < 1 boost. Used to mix
 * a Poisson into a negative binomial.
 */
export function gamma(random: Random, shape: number): number {
  if (shape < 1) return gamma(random, shape + 1) * random() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = gaussian(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = random();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/**
 * Negative binomial with the given mean and dispersion k (variance = mean + mean²/k), as
 * a gamma-mixed Poisson: retail demand is over-dispersed relative to Poisson.
 */
export function negativeBinomial(random: Random, mean: number, k: number): number {
  if (mean <= 0) return 0;
  return poisson(random, mean * (gamma(random, k) / k));
}

/**
 * Walker's alias method: after O(n) set-up, draws an index with probability proportional
 * to its weight in O(1), so that picking which SKU a sale is of costs the same for 50 or
 * 5,000 SKUs.
 */
export class AliasTable {
  private readonly probability: Float64Array;
  private readonly alias: Int32Array;

  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    this.probability = new Float64Array(n);
    this.alias = new Int32Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) total += weights[i]!;
    const scaled = Array.from({ length: n }, (_, i) => (total > 0 ? (weights[i]! * n) / total : 1));
    const small: number[] = [];
    const large: number[] = [];
    for (const [i, p] of scaled.entries()) (p < 1 ? small : large).push(i);
    while (small.length > 0 && large.length > 0) {
      const s = small.pop()!;
      const l = large.pop()!;
      this.probability[s] = scaled[s]!;
      this.alias[s] = l;
      scaled[l] = scaled[l]! + scaled[s]! - 1;
      (scaled[l]! < 1 ? small : large).push(l);
    }
    for (const i of [...small, ...large]) this.probability[i] = 1;
  }

  draw(random: Random): number {
    const i = Math.floor(random() * this.probability.length);
    return random() < this.probability[i]! ? i : this.alias[i]!;
  }
}
