/**
 * What the shelf really holds, given the on-hand record and the probability that the record
 * is right (record confidence, as detect/record-confidence.ts estimates it).
 *
 * The default model is a two-part mixture:
 *  - with probability c the record is right: true stock = record;
 *  - with probability 1 - c the true stock is lower, somewhere in 0..record-1.
 * Records in retail are overwhelmingly wrong on the high side (theft, damage and
 * misplacement remove units without a movement; DeHoratius and Raman 2008), so the model
 * never puts true stock above the record. Where in 0..record-1 the stock lies is spread by a
 * beta-binomial with both shape parameters equal to `shrinkDispersion`: 1 (the default) is
 * the uniform distribution, each value having probability (1 - c) / record; below 1 moves
 * weight to the ends (an empty shelf, or a unit or two short); above 1 moves it towards half
 * the record; Infinity is the binomial(record - 1, 1/2). The mean of a wrong record is
 * (record - 1) / 2 whatever the dispersion.
 */

/**
 * An error model: the probability vector of the true stock over 0..record (entry j is
 * P(true stock = j)). It must have record + 1 entries, none negative, summing to 1.
 */
export type TrueStockModel = (record: number, confidence: number) => ArrayLike<number>;

/** The default error model: the mixture described above. shrinkDispersion defaults to 1 (uniform). */
export function trueStockDistribution(
  record: number,
  confidence: number,
  shrinkDispersion = 1,
): Float64Array {
  if (!Number.isInteger(record) || record < 0)
    throw new RangeError(`on-hand record ${record} is not a whole number >= 0`);
  if (!(confidence >= 0 && confidence <= 1))
    throw new RangeError(`record confidence ${confidence} is not a probability in [0, 1]`);
  if (!(shrinkDispersion > 0)) throw new RangeError(`shrink dispersion ${shrinkDispersion} is not > 0`);
  const out = new Float64Array(record + 1);
  if (record === 0) {
    // Nothing recorded: the model never puts stock above the record.
    out[0] = 1;
    return out;
  }
  out[record] = confidence;
  const wrong = 1 - confidence;
  if (shrinkDispersion === 1) {
    // Exactly uniform, without the rounding of the general recursion.
    out.fill(wrong / record, 0, record);
    return out;
  }
  // Beta-binomial(m, s, s) on 0..m with m = record - 1, by the ratio of successive terms
  // P(k+1)/P(k) = (m-k)/(k+1) * (k+s)/(m-k-1+s), in logs so large records do not overflow.
  const m = record - 1;
  const s = shrinkDispersion;
  const logs = new Float64Array(record);
  for (let k = 0; k < m; k++) {
    const shape = Number.isFinite(s) ? Math.log(k + s) - Math.log(m - k - 1 + s) : 0;
    logs[k + 1] = logs[k]! + Math.log(m - k) - Math.log(k + 1) + shape;
  }
  let top = Number.NEGATIVE_INFINITY;
  for (const v of logs) top = Math.max(top, v);
  let total = 0;
  for (let k = 0; k < record; k++) {
    out[k] = Math.exp(logs[k]! - top);
    total += out[k]!;
  }
  for (let k = 0; k < record; k++) out[k] = (out[k]! / total) * wrong;
  return out;
}

/**
 * Runs an error model and checks what it returns, so a faulty plug-in fails loudly here
 * rather than as a wrong promise downstream.
 */
export function stockDistribution(model: TrueStockModel, record: number, confidence: number): Float64Array {
  const raw = model(record, confidence);
  if (raw.length !== record + 1)
    throw new RangeError(`error model returned ${raw.length} probabilities for a record of ${record}`);
  const out = Float64Array.from(raw);
  let total = 0;
  for (const p of out) {
    if (!(p >= 0)) throw new RangeError(`error model returned a probability ${p} < 0 or not a number`);
    total += p;
  }
  if (Math.abs(total - 1) > 1e-9) throw new RangeError(`error model probabilities sum to ${total}, not 1`);
  return out;
}

/** below[q] = P(true stock < q) for q = 0..record + 1. */
export function probabilityBelow(distribution: Float64Array): Float64Array {
  const below = new Float64Array(distribution.length + 1);
  for (let j = 0; j < distribution.length; j++) below[j + 1] = below[j]! + distribution[j]!;
  // The last entry is certain; do not let rounding leave it at 0.9999999999.
  below[distribution.length] = 1;
  return below;
}
