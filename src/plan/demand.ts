import type { ChannelForecast, ForecastUsed } from './plan.model.ts';

/**
 * Turns day-by-day forecasts into what the policy and the optimiser take. A day's demand
 * is negative binomial with the forecast mean mu_t and the size r the class selection
 * measured on its backtest errors (variance mu_t + mu_t^2 / r). Days and channels are
 * taken as independent, so over a span the mean and the variance add:
 *   M = sum mu_t,  V = sum (mu_t + mu_t^2 / r_c)
 * and the span's demand is matched by a negative binomial of size M^2 / (V - M)
 * (with a constant daily mean: T x r, as the markdown model assumes).
 */
export interface SpanDemand {
  mean: number;
  variance: number;
  /** Negative binomial size over the span; Infinity when the variance does not exceed the mean (Poisson). */
  dispersion: number;
}

const extra = (mu: number, r: number) => (Number.isFinite(r) && r > 0 ? (mu * mu) / r : 0);

/** Demand over the first `days` days (default: the whole horizon) of one or more channels. */
export function spanDemand(channels: readonly ChannelForecast[], days?: number): SpanDemand {
  let mean = 0;
  let variance = 0;
  for (const c of channels) {
    const n = Math.min(days ?? c.daily.length, c.daily.length);
    for (let t = 0; t < n; t++) {
      const mu = Math.max(0, c.daily[t]!);
      mean += mu;
      variance += mu + extra(mu, c.dispersion);
    }
  }
  return { mean, variance, dispersion: sizeOf(mean, variance) };
}

export function sizeOf(mean: number, variance: number): number {
  const excess = variance - mean;
  return excess > 1e-12 * Math.max(1, mean) ? (mean * mean) / excess : Number.POSITIVE_INFINITY;
}

/**
 * The average day over the horizon, all channels together: its mean and the variance of
 * one such day (for reorderPolicy's dailyMean and dailyVariance, and markdown's daily rate).
 */
export function averageDay(channels: readonly ChannelForecast[]): SpanDemand {
  let mean = 0;
  let variance = 0;
  for (const c of channels) {
    const n = c.daily.length;
    if (n === 0) continue;
    let sum = 0;
    for (const mu of c.daily) sum += Math.max(0, mu);
    const d = sum / n;
    mean += d;
    variance += d + extra(d, c.dispersion);
  }
  return { mean, variance, dispersion: sizeOf(mean, variance) };
}

/** The forecast that drove a multi-channel figure: the channel with the most demand (ties: name order). */
export function dominantForecast(channels: readonly ChannelForecast[]): ForecastUsed {
  let best: ChannelForecast | undefined;
  let bestMean = -1;
  for (const c of [...channels].sort((a, b) =>
    a.channel < b.channel ? -1 : a.channel > b.channel ? 1 : 0,
  )) {
    const total = c.daily.reduce((s, v) => s + v, 0);
    if (total > bestMean) {
      best = c;
      bestMean = total;
    }
  }
  return best?.forecast ?? { method: 'no_sales', demand_class: null, model_version: null };
}
