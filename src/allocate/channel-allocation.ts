import { demandSurvival, expectedSales } from '../optimize/index.ts';
import {
  probabilityBelow,
  stockDistribution,
  type TrueStockModel,
  trueStockDistribution,
} from './record-error.ts';

/**
 * Cross-channel allocation of one SKU at one location: how many units the sales channels
 * may promise (available-to-promise) when the on-hand record may be wrong, and how to
 * split them among channels.
 *
 * 1. The true stock T follows the record-error model (record-error.ts).
 * 2. The reserved units are committed first. The location may promise q units in total
 *    (reserved included) while P(T < q) <= maxOversellRisk; `promisable` is the largest
 *    such q less the reserved units, never below 0.
 * 3. The promisable units are handed out one at a time, each to the channel whose next
 *    unit is worth most:
 *      value_k = unitMargin_k * P(D_k > u_k) - oversellCost_k * P(T < reserved + U + 1),
 *    where u_k is what channel k has been promised so far, U the total promised to all
 *    channels, and D_k the channel's demand over the horizon (negative binomial, Poisson
 *    when the dispersion is infinite). The first term is the margin of the sales the unit
 *    is expected to add (expected sales are concave in the units promised); the second
 *    charges the channel's oversell cost on the chance that the unit is not on the shelf.
 *    The charge applies whether or not the unit is ordered, which errs on the side of
 *    promising less. A channel gets no more once its value is <= 0 (within 1e-9, so
 *    rounding does not hand out a unit worth nothing); both terms only fall
 *    (or stay) as units are handed out, so it would never be positive again. Ties go to
 *    the higher priority, then the channel name in code-point order.
 */

/** A sales channel: the three invex knows, or any other name. */
export type ChannelName = 'store' | 'ecommerce' | 'marketplace' | (string & {});

export interface ChannelDemand {
  channel: ChannelName;
  /** Mean demand over the horizon, in units. */
  demandMean: number;
  /** Negative binomial size r (variance = mean + mean^2 / r); Infinity is Poisson. */
  demandDispersion: number;
  unitMargin: number;
  /** Cost per unit of an order that has to be cancelled for want of stock (marketplace penalties, goodwill). */
  oversellCost: number;
  /** Higher goes first when two channels value the next unit equally (default 0). */
  priority?: number;
}

export interface ChannelAllocationInput {
  sku: string;
  location: string;
  onHandRecord: number;
  /** P(the on-hand record is right). */
  recordConfidence: number;
  /** Spread of the true stock when the record is wrong (default 1: uniform on 0..record-1). Default model only. */
  shrinkDispersion?: number;
  /** Units already committed (open orders, holds); they are served before any new promise. */
  reserved: number;
  channels: ChannelDemand[];
  /** The largest acceptable P(true stock < reserved + promised), e.g. 0.02. */
  maxOversellRisk: number;
  /** Only single units are supported for now. */
  packSize?: 1;
  /** Replaces the default record-error model. */
  trueStock?: TrueStockModel;
}

export interface ChannelPromise {
  channel: ChannelName;
  /** Units the channel may promise. */
  promise: number;
  /** E[min(D, promise)]. */
  expectedSales: number;
  /** unitMargin * expectedSales. */
  expectedMargin: number;
  why: string;
}

export interface ChannelAllocation {
  sku: string;
  location: string;
  /** The units really there beyond the reserved ones, max(0, T - reserved). */
  sellableEstimate: { p10: number; p50: number; mean: number };
  /** Units the channels may promise in total. */
  promisable: number;
  perChannel: ChannelPromise[];
  /** P(T < reserved + units promised to channels), as allocated. */
  oversellRisk: number;
  why: string;
}

// Probabilities are sums of a few thousand terms: allow their rounding when comparing with a limit.
const TOLERANCE = 1e-12;
// A unit whose value is within rounding of 0 (10 - 20 x 0.49999999999999994) is worth nothing.
const VALUE_TOLERANCE = 1e-9;

const fixed = (x: number, digits = 2) => x.toFixed(digits);

/** Splits what a location may promise among its sales channels; see the module comment for the model. */
export function allocateChannels(input: ChannelAllocationInput): ChannelAllocation {
  validate(input);
  const { onHandRecord: record, recordConfidence: confidence, reserved, maxOversellRisk } = input;
  const model: TrueStockModel =
    input.trueStock ?? ((r, c) => trueStockDistribution(r, c, input.shrinkDispersion ?? 1));
  const distribution = stockDistribution(model, record, confidence);
  const below = probabilityBelow(distribution);

  let total = 0;
  while (total < record && below[total + 1]! <= maxOversellRisk + TOLERANCE) total++;
  const promisable = Math.max(0, total - reserved);

  const channels = input.channels.map((c) => ({
    demand: c,
    survival: demandSurvival(c.demandMean, c.demandDispersion, promisable + 1),
    promise: 0,
  }));
  // The value of channel k's next unit when U units have been promised to channels so far.
  // Beyond the record P(T < q) is 1.
  const risk = (units: number) => below[Math.min(reserved + units, record + 1)]!;
  const value = (k: (typeof channels)[number], promised: number) =>
    k.demand.unitMargin * k.survival[k.promise + 1]! - k.demand.oversellCost * risk(promised + 1);
  const ahead = (a: (typeof channels)[number], b: (typeof channels)[number]) => {
    const pa = a.demand.priority ?? 0;
    const pb = b.demand.priority ?? 0;
    if (pa !== pb) return pa > pb;
    return a.demand.channel < b.demand.channel;
  };

  let promised = 0;
  while (promised < promisable) {
    let best: (typeof channels)[number] | undefined;
    let bestValue = 0;
    for (const k of channels) {
      const v = value(k, promised);
      if (v <= VALUE_TOLERANCE) continue;
      if (best === undefined || v > bestValue || (v === bestValue && ahead(k, best))) {
        best = k;
        bestValue = v;
      }
    }
    if (best === undefined) break;
    best.promise++;
    promised++;
  }

  const oversellRisk = risk(promised);
  const perChannel = channels.map((k): ChannelPromise => {
    const sales = expectedSales(k.promise, k.survival);
    const c = k.demand;
    const next = value(k, promised);
    const nextTerms =
      `${fixed(c.unitMargin)} x P(demand > ${k.promise}) = ${fixed(c.unitMargin * k.survival[k.promise + 1]!)} ` +
      `less ${fixed(c.oversellCost)} x P(stock < ${reserved + promised + 1}) = ${fixed(c.oversellCost * risk(promised + 1))}`;
    let why: string;
    if (c.demandMean <= 0) why = `${c.channel}: no demand expected over the horizon, so no units.`;
    else if (k.promise === 0 && next > VALUE_TOLERANCE)
      why =
        `${c.channel}: no units; its first unit is worth ${nextTerms}, but ` +
        (promisable === 0
          ? 'nothing is promisable.'
          : 'the promisable units went to channels whose next unit was worth more.');
    else if (k.promise === 0)
      why = `${c.channel}: no units; its first unit is worth ${nextTerms}, not above 0.`;
    else
      why =
        `${c.channel}: ${k.promise} units against mean demand ${fixed(c.demandMean, 1)}, ` +
        `expected to sell ${fixed(sales)} for ${fixed(c.unitMargin * sales)} of margin; ` +
        (next > VALUE_TOLERANCE && promised >= promisable
          ? `its next unit would be worth ${nextTerms}, but nothing more is promisable.`
          : `a further unit would be worth ${nextTerms}, not above 0.`);
    return {
      channel: c.channel,
      promise: k.promise,
      expectedSales: sales,
      expectedMargin: c.unitMargin * sales,
      why,
    };
  });

  const errorModel = input.trueStock
    ? 'the supplied error model'
    : `the default error model (if wrong, the true stock is in 0..${Math.max(0, record - 1)}, ` +
      `${(input.shrinkDispersion ?? 1) === 1 ? 'uniformly' : `beta-binomial with dispersion ${input.shrinkDispersion}`})`;
  const reservedRisk = below[Math.min(reserved, record + 1)]!;
  const why =
    `${input.sku} at ${input.location}: record ${record} at confidence ${fixed(confidence, 3)} under ${errorModel}. ` +
    (reservedRisk > maxOversellRisk + TOLERANCE
      ? `The ${reserved} reserved units alone are short with probability ${fixed(reservedRisk, 4)}, above the limit ` +
        `${fixed(maxOversellRisk, 4)}, so nothing more is promisable.`
      : `At most ${total} units may be committed in total (P(stock < ${total}) = ${fixed(below[total]!, 4)} <= ` +
        `${fixed(maxOversellRisk, 4)}); less ${reserved} reserved leaves ${promisable} promisable, of which ` +
        `${promised} went to channels (P(stock < ${reserved + promised}) = ${fixed(oversellRisk, 4)}).`);

  return {
    sku: input.sku,
    location: input.location,
    sellableEstimate: sellable(distribution, reserved),
    promisable,
    perChannel,
    oversellRisk,
    why,
  };
}

/** p10, p50 (smallest x with P(S <= x) >= p) and mean of S = max(0, T - reserved). */
function sellable(distribution: Float64Array, reserved: number): ChannelAllocation['sellableEstimate'] {
  const quantile = (p: number) => {
    let cumulative = 0;
    for (let j = 0; j < distribution.length; j++) {
      cumulative += distribution[j]!;
      if (cumulative >= p - TOLERANCE) return Math.max(0, j - reserved);
    }
    return Math.max(0, distribution.length - 1 - reserved);
  };
  let mean = 0;
  for (let j = reserved + 1; j < distribution.length; j++) mean += distribution[j]! * (j - reserved);
  return { p10: quantile(0.1), p50: quantile(0.5), mean };
}

function validate(input: ChannelAllocationInput): void {
  const fail = (message: string) => {
    throw new RangeError(`channel allocation for ${input.sku} at ${input.location}: ${message}`);
  };
  if (!Number.isInteger(input.onHandRecord) || input.onHandRecord < 0)
    fail(`on-hand record ${input.onHandRecord} is not a whole number >= 0`);
  if (!(input.recordConfidence >= 0 && input.recordConfidence <= 1))
    fail(`record confidence ${input.recordConfidence} is not in [0, 1]`);
  if (!Number.isInteger(input.reserved) || input.reserved < 0)
    fail(`reserved ${input.reserved} is not a whole number >= 0`);
  if (!(input.maxOversellRisk >= 0 && input.maxOversellRisk <= 1))
    fail(`maximum oversell risk ${input.maxOversellRisk} is not in [0, 1]`);
  if (input.packSize !== undefined && input.packSize !== 1)
    fail(`pack size ${input.packSize} is not supported (only 1)`);
  if (input.shrinkDispersion !== undefined && input.trueStock !== undefined)
    fail('shrink dispersion applies to the default error model only; do not pass it with a custom model');
  if (input.shrinkDispersion !== undefined && !(input.shrinkDispersion > 0))
    fail(`shrink dispersion ${input.shrinkDispersion} is not > 0`);
  const names = new Set<string>();
  for (const c of input.channels) {
    if (names.has(c.channel)) fail(`channel ${c.channel} appears twice`);
    names.add(c.channel);
    if (!Number.isFinite(c.demandMean) || c.demandMean < 0)
      fail(`channel ${c.channel}: demand mean ${c.demandMean} is not a finite number >= 0`);
    if (!(c.demandDispersion > 0))
      fail(`channel ${c.channel}: demand dispersion ${c.demandDispersion} is not > 0`);
    if (!Number.isFinite(c.unitMargin))
      fail(`channel ${c.channel}: unit margin ${c.unitMargin} is not finite`);
    if (!Number.isFinite(c.oversellCost) || c.oversellCost < 0)
      fail(`channel ${c.channel}: oversell cost ${c.oversellCost} is not a finite number >= 0`);
    if (c.priority !== undefined && !Number.isFinite(c.priority))
      fail(`channel ${c.channel}: priority ${c.priority} is not finite`);
  }
}
